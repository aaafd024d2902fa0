import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './describe-if';

/** The built CLI, run as a user runs it (`npm test` builds before jest). */
export const CLI = join(ROOT, 'dist', 'harness', 'cli', 'main.js');

/** The controller that misbehaves on request (see its header). */
export const MISBEHAVING_CONTROLLER = join(ROOT, 'test', 'support', 'controllers', 'misbehaving-controller.js');

/**
 * Wait until `cond()` holds, checking every 20 ms; fails after `timeoutMs` naming `what`. For conditions only the
 * file system shows (a pid file, a record in results.jsonl): the wait ends as soon as it holds, it is no sleep.
 */
export async function waitUntil(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pid in `file`, once it exists. */
export async function pidFrom(file: string): Promise<number> {
  await waitUntil(() => existsSync(file), file);
  return Number(readFileSync(file, 'utf8'));
}

/** True if no process `pid` runs any more (gone, or a zombie nobody reaped yet: it holds nothing and cannot act). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Records of a results.jsonl (whole lines only). */
export function records(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/**
 * Write a bench with one LFP pack on a socketcand hub and the misbehaving controller as `dut.command` (with
 * `controllerArgs`), plus any extra `dut:` lines (e.g. `livenessTimeout: 2s`). Returns its path.
 */
export function writeMisbehavingBench(dir: string, controllerArgs: string[], dutExtra: string[] = []): string {
  const argv = [process.execPath, MISBEHAVING_CONTROLLER, '--dir', dir, ...controllerArgs].map((a) => JSON.stringify(a)).join(', ');
  const path = join(dir, 'bench.yaml');
  writeFileSync(
    path,
    [
      'bench: misbehaving',
      'can:',
      '  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }',
      'devices:',
      '  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }',
      'dut:',
      `  command: [${argv}]`,
      '  readyLine: controller ready',
      '  readyTimeout: 60s',
      '  stopTimeout: 1s',
      ...dutExtra.map((l) => `  ${l}`),
      '',
    ].join('\n'),
  );
  return path;
}
