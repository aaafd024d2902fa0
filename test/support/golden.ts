/**
 * Golden copies for refactors that must not change behaviour: a test computes a value, and compares it with a copy
 * saved (with the same code) before the change. `UPDATE_GOLDEN=1 npx jest <file>` writes the copy instead of
 * comparing; never under `CI=true`, and a missing copy fails (it is never made silently).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Compare `actual` (plain JSON data) with the copy in `file`, or write it when UPDATE_GOLDEN=1 (outside CI). */
export function expectGolden(file: string, actual: unknown): void {
  const json = JSON.parse(JSON.stringify(actual)) as unknown;
  if (process.env.UPDATE_GOLDEN === '1') {
    if (process.env.CI === 'true') throw new Error('UPDATE_GOLDEN=1 is refused under CI=true: golden copies are made by a person');
    writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden copy ${file} is missing: make it with UPDATE_GOLDEN=1 from the code before the change`);
  expect(json).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

/** Registers as rows of 8 hex words, each row led by its offset (`+0008 0000 0001 ...`): readable diffs. */
export function hexRows(regs: ArrayLike<number>): string[] {
  const rows: string[] = [];
  for (let i = 0; i < regs.length; i += 8) {
    const words: string[] = [];
    for (let k = i; k < Math.min(i + 8, regs.length); k++) words.push(regs[k]!.toString(16).padStart(4, '0'));
    rows.push(`+${i.toString().padStart(4, '0')} ${words.join(' ')}`);
  }
  return rows;
}
