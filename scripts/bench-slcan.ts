/**
 * SLCAN over a pseudo-terminal: frames/s through our SlcanAdapter (socat pty) in both directions, with our client
 * medium (node-serialport) and, as the reference measured in the same run, python-can 4.1's `slcan` interface.
 *
 *   npm run build && node dist/scripts/bench-slcan.js [--frames 20000] [--py-frames 5000] [--skip-python]
 *
 * host->bus: the host sends flat out; timed from the first send to the last frame heard on the virtual bus.
 * bus->host: the bus sends in windows of 100 frames, each window once the host has heard the previous one (a pty
 * buffers only a few KiB, and the adapter drops rather than queue without bound); timed to the last frame heard.
 * Every frame is counted: a lost frame is printed, never hidden.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { makeFrame } from '../protocols/can/frame';
import { openSlcanBus } from '../protocols/can/media/slcan';
import { VirtualBus } from '../protocols/can/media/virtual';
import { SlcanAdapter } from '../protocols/can/slcan/pty-adapter';

const PYTHON = '/usr/bin/python3';
const WINDOW = 100;

function args(): { frames: number; pyFrames: number; python: boolean } {
  const a = process.argv.slice(2);
  const get = (k: string): string | undefined => {
    const i = a.indexOf(k);
    return i >= 0 ? a[i + 1] : undefined;
  };
  return { frames: Number(get('--frames') ?? 20000), pyFrames: Number(get('--py-frames') ?? 5000), python: !a.includes('--skip-python') };
}

function peerScript(): string {
  for (const p of [join(__dirname, '..', '..', 'test', 'interop', 'py', 'slcan_peer.py'), join(__dirname, '..', 'test', 'interop', 'py', 'slcan_peer.py')]) {
    if (existsSync(p)) return p;
  }
  throw new Error('test/interop/py/slcan_peer.py not found');
}

/** Resolves when `count()` reaches `n` (checked on every frame `bus` hears). */
function heard(bus: VirtualBus | { onFrame: VirtualBus['onFrame'] }, n: number): { done: Promise<number>; count: () => number } {
  let k = 0;
  let resolve!: (t: number) => void;
  const done = new Promise<number>((r) => (resolve = r));
  const off = bus.onFrame(() => {
    if (++k === n) {
      off();
      resolve(performance.now());
    }
  });
  return { done, count: () => k };
}

interface Row {
  name: string;
  frames: number;
  lost: number;
  seconds: number;
}

const rate = (r: Row): number => (r.frames - r.lost) / r.seconds;

class Py {
  private readonly lines: Array<Record<string, unknown>> = [];
  private wake: (() => void) | undefined;
  private ended = false;
  readonly child: ChildProcessByStdio<Writable, Readable, null>;
  constructor(argv: string[]) {
    this.child = spawn(PYTHON, ['-u', peerScript(), ...argv], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout }).on('line', (l) => {
      this.lines.push(JSON.parse(l) as Record<string, unknown>);
      this.wake?.();
    });
    this.child.once('close', () => {
      this.ended = true;
      this.wake?.();
    });
  }
  async next(event: string): Promise<Record<string, unknown>> {
    for (;;) {
      const i = this.lines.findIndex((l) => l.event === event);
      if (i >= 0) return this.lines.splice(i, 1)[0]!;
      if (this.ended) throw new Error(`python ended before '${event}'`);
      await new Promise<void>((r) => (this.wake = r));
    }
  }
  done(): Promise<void> {
    return this.ended ? Promise.resolve() : new Promise((r) => this.child.once('close', () => r()));
  }
}

async function withAdapter<T>(name: string, fn: (adapter: SlcanAdapter, peer: VirtualBus) => Promise<T>): Promise<T> {
  const adapterBus = new VirtualBus(name);
  const peer = new VirtualBus(name);
  const adapter = await SlcanAdapter.start(adapterBus);
  try {
    return await fn(adapter, peer);
  } finally {
    await adapter.close();
    await adapterBus.close();
    await peer.close();
  }
}

async function oursToBus(n: number): Promise<Row> {
  return withAdapter('bench-slcan-tx', async (adapter, peer) => {
    const client = await openSlcanBus(adapter.path);
    const h = heard(peer, n);
    const t0 = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < n; i++) sends.push(client.send(makeFrame(i & 0x7ff, [i & 0xff, i >> 8, 0, 0, 0, 0, 0, 0])));
    await Promise.all(sends);
    const t1 = await Promise.race([h.done, new Promise<number>((r) => setTimeout(() => r(NaN), 30000))]);
    await client.close();
    return { name: 'ours (node-serialport) -> adapter -> bus', frames: n, lost: n - h.count(), seconds: (t1 - t0) / 1000 };
  });
}

async function busToOurs(n: number): Promise<Row> {
  return withAdapter('bench-slcan-rx', async (adapter, peer) => {
    const client = await openSlcanBus(adapter.path);
    const t0 = performance.now();
    let t1 = t0;
    for (let sent = 0; sent < n; sent += WINDOW) {
      const w = Math.min(WINDOW, n - sent);
      const h = heard(client, w);
      for (let i = sent; i < sent + w; i++) await peer.send(makeFrame(i & 0x7ff, [i & 0xff, i >> 8, 0, 0, 0, 0, 0, 0]));
      t1 = await h.done;
    }
    const lost = adapter.stats.framesDropped;
    await client.close();
    return { name: 'bus -> adapter -> ours (node-serialport)', frames: n, lost, seconds: (t1 - t0) / 1000 };
  });
}

async function pythonToBus(n: number): Promise<Row> {
  return withAdapter('bench-slcan-pytx', async (adapter, peer) => {
    const py = new Py(['blast', adapter.path, '500000', String(n)]);
    await py.next('ready');
    await adapter.whenOpen();
    const h = heard(peer, n);
    const t0 = performance.now();
    py.child.stdin.write('go\n');
    const t1 = await Promise.race([h.done, new Promise<number>((r) => setTimeout(() => r(NaN), 60000))]);
    await py.next('blasted');
    py.child.stdin.end('\n');
    await py.done();
    return { name: 'python-can slcan -> adapter -> bus', frames: n, lost: n - h.count(), seconds: (t1 - t0) / 1000 };
  });
}

async function busToPython(n: number): Promise<Row> {
  return withAdapter('bench-slcan-pyrx', async (adapter, peer) => {
    const py = new Py(['sink', adapter.path, '500000', String(n), String(WINDOW)]);
    await py.next('ready');
    await adapter.whenOpen();
    const t0 = performance.now();
    let t1 = t0;
    for (let sent = 0; sent < n; sent += WINDOW) {
      for (let i = sent; i < sent + WINDOW; i++) await peer.send(makeFrame(i & 0x7ff, [i & 0xff, i >> 8, 0, 0, 0, 0, 0, 0]));
      await py.next('progress');
      t1 = performance.now();
    }
    const sunk = await py.next('sunk');
    await py.done();
    return { name: 'bus -> adapter -> python-can slcan', frames: n, lost: n - (sunk.n as number), seconds: (t1 - t0) / 1000 };
  });
}

function print(rows: Row[]): void {
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(44)} ${String(r.frames).padStart(6)} frames  ${rate(r).toFixed(0).padStart(7)} frames/s` +
        `  lost ${r.lost}`,
    );
  }
}

async function main(): Promise<void> {
  const o = args();
  const ours = [await oursToBus(o.frames), await busToOurs(o.frames)];
  print(ours);
  if (!o.python) return;
  const py = [await pythonToBus(o.pyFrames), await busToPython(o.pyFrames)];
  print(py);
  console.log(`ratio host->bus  ours / python-can: ${(rate(ours[0]!) / rate(py[0]!)).toFixed(2)}`);
  console.log(`ratio bus->host  ours / python-can: ${(rate(ours[1]!) / rate(py[1]!)).toFixed(2)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(3);
});
