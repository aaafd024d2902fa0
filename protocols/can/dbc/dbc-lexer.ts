import { ConfigError } from '../../../core/errors';

/** A DBC token with its 1-based position. */
export interface Token {
  kind: 'ident' | 'number' | 'string' | 'punct' | 'eof';
  /** Source text (for strings: the unescaped content). */
  text: string;
  line: number;
  col: number;
}

/** A number at the sticky position: optional sign, digits with optional fraction, optional exponent. */
const NUMBER = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const PUNCT = new Set([':', ';', '|', '@', '(', ')', '[', ']', ',', '+', '-']);

/**
 * Split DBC text into tokens. Numbers keep a leading sign when a digit follows (`-40`); `//` starts a comment to
 * the end of the line. Throws `ConfigError` with `file:line:column` for an unterminated string or a stray character.
 */
export function tokenize(text: string, fileName: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;
  const here = (at: number, l = line, ls = lineStart): string => `${fileName}:${l}:${at - ls + 1}`;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\uFEFF') {
      i++;
      continue;
    }
    const col = i - lineStart + 1;
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '"') {
      const startLine = line;
      const startCol = col;
      const start = i;
      const startLineStart = lineStart;
      i++;
      let s = '';
      for (;;) {
        if (i >= n) throw new ConfigError('unterminated string: expected a closing \'"\'', here(start, startLine, startLineStart));
        const ch = text[i]!;
        if (ch === '\\' && i + 1 < n) {
          s += text[i + 1]!;
          if (text[i + 1] === '\n') {
            line++;
            lineStart = i + 2;
          }
          i += 2;
          continue;
        }
        if (ch === '"') {
          i++;
          break;
        }
        if (ch === '\n') {
          line++;
          lineStart = i + 1;
        }
        s += ch;
        i++;
      }
      tokens.push({ kind: 'string', text: s, line: startLine, col: startCol });
      continue;
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      tokens.push({ kind: 'number', text: m[0], line, col });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      tokens.push({ kind: 'ident', text: text.slice(i, j), line, col });
      i = j;
      continue;
    }
    if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', text: c, line, col });
      i++;
      continue;
    }
    throw new ConfigError(`unexpected character '${c}'`, here(i));
  }
  tokens.push({ kind: 'eof', text: '', line, col: i - lineStart + 1 });
  return tokens;
}
