import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (tests run from the sources). */
export const ROOT = resolve(__dirname, '..', '..');

/** Where tests keep files to look at afterwards (screenshots, the traces of a failed comparison; gitignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/** A path for a file kept under {@link ARTIFACTS}/<group>/ (the folder created). */
export function artifact(group: string, file: string): string {
  const dir = join(ARTIFACTS, group);
  mkdirSync(dir, { recursive: true });
  return join(dir, file);
}

/** Why a test that needs the build is skipped. */
export const NEEDS_BUILD = 'dist/ is missing: run `npm run build` first (`npm test` does)';

/** Whether a built file exists under dist/ (e.g. `builtFile('harness', 'cli', 'main.js')`). */
export function builtFile(...parts: string[]): boolean {
  return existsSync(join(ROOT, 'dist', ...parts));
}

/**
 * `describe(name, body)` when `ok`; otherwise one skipped test whose name says why, so the skip shows in every
 * report with its reason (never a silent skip). With `failInCi`, a missing prerequisite fails under `CI=true`.
 */
export function describeIf(ok: boolean, why: string, name: string, body: () => void, options: { failInCi?: boolean } = {}): void {
  if (ok) {
    describe(name, body);
    return;
  }
  if (options.failInCi && process.env.CI === 'true') {
    describe(name, () => {
      it('has what it needs', () => {
        throw new Error(`CI=true and ${why}`);
      });
    });
    return;
  }
  process.stderr.write(`[skip] ${name}: ${why}\n`);
  describe(name, () => {
    // Skipped on purpose; the reason is in the name.
    it.skip(`skipped: ${why}`, () => undefined);
  });
}
