import { spawn } from 'node:child_process';
import { PYTHON } from './peers';

/**
 * Run `/usr/bin/python3 args...` once, with `stdin` written and closed (no stdin when left out). Resolves with
 * everything it printed on stdout when it exits 0; rejects with `<name> exited <code>: <stderr>` otherwise, and when
 * it cannot start.
 */
export function runPython(args: readonly string[], o: { stdin?: string; name?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [...args], { stdio: [o.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${o.name ?? 'python'} exited ${code}: ${err}`))));
    if (o.stdin !== undefined) child.stdin!.end(o.stdin);
  });
}
