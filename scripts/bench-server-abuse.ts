/**
 * Servers under abuse (issue 10 figure): how long a controller waits for its answer while 20,000 idle connections
 * are thrown at the server, against the same measure on a quiet server, for the Modbus TCP server and the
 * socketcand hub, each with its default limits (64 connections, the longest-idle evicted at the cap).
 *
 *   npm run bench:abuse                      # = npm run build && node dist/scripts/bench-server-abuse.js
 *   node dist/scripts/bench-server-abuse.js [--count 20000] [--tries 20] [--unprotected]
 *
 * The server and the controller run in this process; the flood runs in child processes (this file with
 * `--role flood`, at most 10,000 connections each, under `ulimit -n`), unpaced, as an abuser would. Measures:
 *   - new controller: connect, then the first answer (Modbus: FC3 of one register; hub: `< hi >`, open a bus,
 *     rawmode, and a frame from the BMS), `--tries` times one after the other, after the flood has opened them all;
 *   - new controllers during the flood: the same, one after the other with 100 ms between, while it lasts;
 *   - polling controller: already connected, one request every 100 ms during the flood; its slowest answer.
 * Before the quiet measure a few untimed tries warm the code up, so the ratio compares like with like.
 * `--unprotected` runs the servers without a cap or idle timeout (as before issue 10) for comparison: this process
 * then runs out of file descriptors and the controller is locked out.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import type { CanBus } from '../protocols/can/bus';
import { makeFrame } from '../protocols/can/frame';
import { RawTestClient } from '../protocols/can/socketcand/raw-test-client';
import { SocketcandServer } from '../protocols/can/socketcand/server';
import { encodeAdu } from '../protocols/modbus/framer/mbap';
import { RegisterMap } from '../protocols/modbus/register-map';
import { ModbusTcpServer } from '../protocols/modbus/tcp/tcp-server';
import { IdleFlood } from '../protocols/net/idle-flood';
import type { ConnectionLimits } from '../protocols/net/connection-guard';

const PER_CHILD = 10_000;
const POLL_MS = 100;
const ANSWER_BOUND_MS = 10_000;
const quiet = (): void => undefined;

interface Target {
  name: string;
  port: number;
  /** Connect, first answer, close; ms. Rejects after ANSWER_BOUND_MS. */
  newController(): Promise<number>;
  /** A connected controller; `poll()` resolves with one answer's ms. */
  pollingController(): Promise<{ poll(): Promise<number>; close(): void }>;
  peak(): number;
  close(): Promise<void>;
}

// ------------------------------------------------------------------------------------------ Modbus TCP

class MbConn {
  private buf = Buffer.alloc(0);
  private want: (() => void) | undefined;
  private tid = 0;
  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.want?.();
    });
    socket.on('close', () => this.want?.());
  }
  static open(port: number): Promise<MbConn> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(new MbConn(s)));
      s.once('error', reject);
    });
  }
  /** FC3 of register 0; resolves when its 11-byte answer is in. */
  read(): Promise<void> {
    this.tid = (this.tid + 1) & 0xffff;
    this.socket.write(encodeAdu(this.tid, 1, Buffer.from('0300000001', 'hex')));
    return new Promise((resolve, reject) => {
      this.want = () => {
        if (this.buf.length >= 11) {
          this.buf = this.buf.subarray(11);
          this.want = undefined;
          resolve();
        } else if (this.socket.destroyed) reject(new Error('closed by the server'));
      };
      this.want();
    });
  }
}

async function modbusTarget(limits: ConnectionLimits): Promise<Target> {
  const server = new ModbusTcpServer({ limits, log: quiet });
  server.core.addUnit(1, new RegisterMap().addRegisters({ table: 'holding', start: 0, values: [42] }));
  const { port } = await server.listen();
  return {
    name: 'Modbus TCP server',
    port,
    async newController() {
      const t0 = performance.now();
      const c = await bounded(MbConn.open(port));
      await bounded(c.read());
      const ms = performance.now() - t0;
      c.socket.destroy();
      return ms;
    },
    async pollingController() {
      const c = await MbConn.open(port);
      await c.read();
      return {
        poll: async () => {
          const t0 = performance.now();
          await bounded(c.read());
          return performance.now() - t0;
        },
        close: () => c.socket.destroy(),
      };
    },
    peak: () => server.stats.peakActive,
    close: () => server.close(),
  };
}

// ------------------------------------------------------------------------------------------ socketcand hub

async function hubTarget(limits: ConnectionLimits): Promise<Target> {
  const hub = new SocketcandServer({ port: 0, limits, log: quiet, rawModeHoldMs: 0 });
  const { port } = await hub.listen();
  const bms: CanBus = hub.attach('pack1');
  let seq = 0;
  const frameTo = async (c: RawTestClient): Promise<void> => {
    await bms.send(makeFrame(0x359, [seq++ & 0xff]));
    const m = await c.next(ANSWER_BOUND_MS);
    if (!m?.startsWith('frame 359')) throw new Error(`expected a frame, got ${m}`);
  };
  return {
    name: 'socketcand hub',
    port,
    async newController() {
      const t0 = performance.now();
      const c = await bounded(RawTestClient.joined(port, 'pack1'));
      await frameTo(c);
      const ms = performance.now() - t0;
      await c.close();
      return ms;
    },
    async pollingController() {
      const c = await RawTestClient.joined(port, 'pack1');
      return {
        poll: async () => {
          const t0 = performance.now();
          await frameTo(c);
          return performance.now() - t0;
        },
        close: () => void c.close(),
      };
    },
    peak: () => hub.stats().peakConnections,
    close: async () => {
      await bms.close();
      await hub.close();
    },
  };
}

// ------------------------------------------------------------------------------------------ flood (children)

/** `--role flood`: open `count` idle connections, report, keep them until told to quit. */
async function roleFlood(port: number, count: number): Promise<void> {
  const flood = await IdleFlood.open({ port, count });
  process.send!({ opened: flood.opened, failures: flood.failures, ms: flood.openMs });
  process.once('message', () => {
    flood.close();
    process.exit(0);
  });
}

interface FloodReport {
  opened: number;
  failures: Record<string, number>;
  ms: number;
}

function startFlood(port: number, count: number): { done: Promise<FloodReport[]>; stop(): void } {
  const children: ChildProcess[] = [];
  const reports: Array<Promise<FloodReport>> = [];
  for (let left = count; left > 0; left -= PER_CHILD) {
    const child = fork(__filename, ['--role', 'flood', '--port', String(port), '--count', String(Math.min(PER_CHILD, left))]);
    children.push(child);
    reports.push(new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(m as FloodReport));
      child.once('exit', (code) => reject(new Error(`flood child exited with code ${code}`)));
    }));
  }
  return {
    done: Promise.all(reports),
    stop: () => {
      for (const c of children) {
        c.send('quit');
        c.once('error', quiet);
      }
    },
  };
}

// ------------------------------------------------------------------------------------------ measures

function bounded<T>(p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`no answer within ${ANSWER_BOUND_MS} ms`)), ANSWER_BOUND_MS);
    }),
  ]).finally(() => clearTimeout(t));
}

interface Row {
  median: number;
  max: number;
  failed: number;
  during?: Row;
  pollSlowest?: number;
  polls?: number;
  peak?: number;
  floodMs?: number;
  opened?: number;
}

async function newControllers(t: Target, tries: number, keepGoing: () => boolean = () => true, pauseMs = 0): Promise<Row> {
  const ms: number[] = [];
  let failed = 0;
  for (let i = 0; i < tries && keepGoing(); i++) {
    try {
      ms.push(await t.newController());
    } catch {
      failed++;
    }
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)] ?? NaN, max: ms.at(-1) ?? NaN, failed };
}

function summary(r: Row): string {
  if (Number.isNaN(r.median)) return `all ${r.failed} FAILED (no answer within ${ANSWER_BOUND_MS} ms: locked out)`;
  return `median ${f1(r.median)} ms (max ${f1(r.max)})${r.failed ? `, ${r.failed} FAILED` : ''}`;
}

function ratio(r: Row, ref: Row): string {
  return Number.isNaN(r.median) ? '' : `; ratio of medians ${(r.median / ref.median).toFixed(2)}x`;
}

async function measure(make: (l: ConnectionLimits) => Promise<Target>, limits: ConnectionLimits, count: number, tries: number): Promise<{ name: string; quiet: Row; flood: Row }> {
  const ref = await make(limits);
  await newControllers(ref, tries); // warm-up: the same number of untimed tries
  const quietRow = await newControllers(ref, tries);
  await ref.close();

  const t = await make(limits);
  const ctl = await t.pollingController();
  let polling = true;
  let slowest = 0;
  let polls = 0;
  let pollFailed = 0;
  const loop = (async () => {
    while (polling) {
      try {
        slowest = Math.max(slowest, await ctl.poll());
        polls++;
      } catch {
        pollFailed++;
        polling = false;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  const flood = startFlood(t.port, count);
  const duringRow = newControllers(t, Infinity, () => polling, POLL_MS);
  const reports = await flood.done;
  polling = false;
  await loop;
  const during = await duringRow;
  const row = await newControllers(t, tries);
  flood.stop();
  ctl.close();
  const out: Row = {
    ...row,
    during,
    pollSlowest: pollFailed ? NaN : slowest,
    polls,
    peak: t.peak(),
    floodMs: Math.max(...reports.map((r) => r.ms)),
    opened: reports.reduce((n, r) => n + r.opened, 0),
  };
  await t.close();
  return { name: t.name, quiet: quietRow, flood: out };
}

const f1 = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? 'failed' : n.toFixed(1));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      port: { type: 'string' },
      count: { type: 'string', default: '20000' },
      tries: { type: 'string', default: '20' },
      unprotected: { type: 'boolean', default: false },
    },
  });
  const count = Number(values.count);
  if (values.role === 'flood') return roleFlood(Number(values.port), count);
  const tries = Number(values.tries);
  const limits: ConnectionLimits = values.unprotected ? { maxConnections: Infinity, idleTimeoutMs: 0 } : {};
  console.log(
    `servers under abuse: ${count} idle connections from ${Math.ceil(count / PER_CHILD)} child process(es), ` +
      `${values.unprotected ? 'NO connection cap, no idle timeout' : 'default limits (64 connections, longest-idle evicted)'}; this machine, this run`,
  );
  for (const make of [modbusTarget, hubTarget]) {
    const r = await measure(make, limits, count, tries);
    const q = r.quiet;
    const f = r.flood;
    console.log(`\n${r.name}`);
    console.log(`  new controller, connect -> first answer (${tries} tries), quiet server:    ${summary(q)}`);
    console.log(`  new controllers while ${f.opened} idle connections arrive:  ${summary(f.during!)}${ratio(f.during!, q)}`);
    console.log(`  new controller after all are opened (${tries} tries):           ${summary(f)}${ratio(f, q)}`);
    console.log(`  the flood took ${f1(f.floodMs)} ms`);
    console.log(`  polling controller during the flood: ${f.polls} polls, slowest answer ${f1(f.pollSlowest)} ms; server held at most ${f.peak} connections`);
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
