/**
 * Keeps the fidelity table of docs/protocols/battery-can.md true: every conformance vector is listed there, every
 * vector the table names exists, every row has a status of the three allowed, and a row that claims "matches" or
 * "variant" names the vectors that prove it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRAME_VECTORS, REACTION_VECTORS, WATCHDOG_VECTORS } from './battery-can-vectors';

const DOC = join(__dirname, '..', '..', 'docs', 'protocols', 'battery-can.md');
const STATUSES = ['matches', 'variant', 'known difference'];

interface Row {
  readonly line: number;
  readonly protocol: string;
  readonly field: string;
  readonly sources: string;
  readonly status: string;
  readonly vectors: string[];
}

function fidelityRows(): Row[] {
  const lines = readFileSync(DOC, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('## Fidelity table'));
  if (start < 0) throw new Error(`${DOC}: no "## Fidelity table" section`);
  const header = lines.findIndex((l, i) => i > start && l.startsWith('| Protocol | Field | Sources | Status | Vectors |'));
  if (header < 0) throw new Error(`${DOC}: the fidelity table header is missing`);
  const rows: Row[] = [];
  for (let i = header + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    const cells = lines[i]!.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 5) throw new Error(`${DOC}:${i + 1}: a row needs 5 cells, has ${cells.length}`);
    const [protocol, field, sources, status, vectors] = cells as [string, string, string, string, string];
    rows.push({ line: i + 1, protocol, field, sources, status, vectors: vectors === '—' ? [] : vectors.split(',').map((v) => v.trim()) });
  }
  return rows;
}

describe('fidelity table (docs/protocols/battery-can.md)', () => {
  const rows = fidelityRows();
  const known = new Set([...FRAME_VECTORS, ...REACTION_VECTORS, ...WATCHDOG_VECTORS].map((v) => v.id));

  it('has rows, each with an allowed status and its sources', () => {
    expect(rows.length).toBeGreaterThan(20);
    for (const r of rows) {
      expect({ line: r.line, status: r.status, ok: STATUSES.includes(r.status) }).toEqual({ line: r.line, status: r.status, ok: true });
      expect({ line: r.line, sources: r.sources.length > 0 }).toEqual({ line: r.line, sources: true });
    }
  });

  it('names only vectors that exist, and proves every "matches" and "variant" row with one', () => {
    for (const r of rows) {
      for (const v of r.vectors) expect({ line: r.line, vector: v, exists: known.has(v) }).toEqual({ line: r.line, vector: v, exists: true });
      if (r.status !== 'known difference') expect({ line: r.line, field: r.field, vectors: r.vectors.length > 0 }).toEqual({ line: r.line, field: r.field, vectors: true });
    }
  });

  it('lists every vector of the suite', () => {
    const listed = new Set(rows.flatMap((r) => r.vectors));
    expect([...known].filter((id) => !listed.has(id))).toEqual([]);
  });
});
