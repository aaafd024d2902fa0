/**
 * A very small terminal screen for tests: applies text and the control sequences Node's readline writes (CR, LF,
 * BS, TAB, CSI n A/B/C/D/G, CSI 0/J, CSI 0/K) to a grid of rows, so a test can assert what a person would see.
 * Anything else (colours, modes) is skipped. Rows grow downwards without scrolling limits.
 */
export class VtScreen {
  readonly rows: string[][] = [[]];
  private row = 0;
  private col = 0;

  constructor(private readonly cols = 100) {}

  write(data: string): void {
    for (let i = 0; i < data.length; i++) {
      const ch = data[i]!;
      if (ch === '\x1b' && data[i + 1] === '[') {
        const m = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(data.slice(i));
        if (!m) continue;
        this.csi(m[1]!, m[2]!);
        i += m[0].length - 1;
      } else if (ch === '\r') this.col = 0;
      else if (ch === '\n') this.moveTo(this.row + 1, this.col);
      else if (ch === '\b') this.col = Math.max(0, this.col - 1);
      else if (ch === '\t') this.col = Math.min(this.cols - 1, (Math.floor(this.col / 8) + 1) * 8);
      else if (ch >= ' ') {
        if (this.col >= this.cols) this.moveTo(this.row + 1, 0);
        this.line()[this.col++] = ch;
      }
    }
  }

  /** The screen as text, one string per row, trailing blanks removed. */
  text(): string[] {
    return this.rows.map((r) => Array.from({ length: r.length }, (_, i) => r[i] ?? ' ').join('').trimEnd());
  }

  /** The row the cursor is on. */
  cursorRow(): string {
    return this.text()[this.row] ?? '';
  }

  private csi(params: string, op: string): void {
    const n = Number(params.split(';')[0] || '0');
    switch (op) {
      case 'A':
        this.moveTo(Math.max(0, this.row - (n || 1)), this.col);
        break;
      case 'B':
        this.moveTo(this.row + (n || 1), this.col);
        break;
      case 'C':
        this.col = Math.min(this.cols - 1, this.col + (n || 1));
        break;
      case 'D':
        this.col = Math.max(0, this.col - (n || 1));
        break;
      case 'G':
        this.col = Math.max(0, (n || 1) - 1);
        break;
      case 'J': // 0: from the cursor to the end of the screen
        if (n === 0) {
          this.line().length = Math.min(this.line().length, this.col);
          this.rows.length = this.row + 1;
        }
        break;
      case 'K': // 0: from the cursor to the end of the line
        if (n === 0) this.line().length = Math.min(this.line().length, this.col);
        break;
      default:
    }
  }

  private moveTo(row: number, col: number): void {
    while (this.rows.length <= row) this.rows.push([]);
    this.row = row;
    this.col = col;
  }

  private line(): string[] {
    return this.rows[this.row]!;
  }
}
