import { spawn } from 'node:child_process';

/** One run of a peer program: its exit code and everything it printed (stdout and stderr). Rejects only when it cannot start. */
export function runPeer(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

/** One mbpoll run (see `runPeer`). */
export function mbpoll(args: string[]): Promise<{ code: number | null; out: string }> {
  return runPeer('mbpoll', args);
}

/** The values of mbpoll's `[ref]: value` lines, in order. */
export function mbpollValues(out: string): number[] {
  return out
    .split('\n')
    .map((l) => /^\[(\d+)\]:\s+(-?\d+)/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[2]));
}
