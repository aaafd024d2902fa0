/**
 * Modbus/TCP server throughput: FC3 reads of 10 registers, 1 and 4 connections, one outstanding request per
 * connection (the next request goes out as soon as the answer is in), a fixed duration per run. Every server runs
 * in its own child process; the client is this process, on raw sockets, the same for every target:
 *   (a) a bare Node socket answering fixed bytes: the ceiling for this client;
 *   (b) pymodbus 3.0's async TCP server (/usr/bin/python3, StartAsyncTcpServer): the reference;
 *   (c) our ModbusTcpServer with a RegisterMap;
 *   (d) modbus-serial's ServerTCP, for the record.
 *
 * Usage: npm run build && node dist/scripts/bench-modbus-tcp.js [--seconds 3] [--rounds 3] [--json]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import readline from 'node:readline';

const PYTHON = '/usr/bin/python3';
const REGS = 10;
const RESPONSE_BYTES = 7 + 2 + 2 * REGS;

type Target = 'bare' | 'ours' | 'pymodbus' | 'modbus-serial';

const LABELS: Record<Target, string> = {
  bare: 'bare Node socket (ceiling)',
  ours: 'ours: ModbusTcpServer',
  pymodbus: 'pymodbus 3.0 async server',
  'modbus-serial': 'modbus-serial ServerTCP',
};

// ---------------------------------------------------------------- servers (child processes)

async function serve(kind: Target): Promise<void> {
  let port: number;
  if (kind === 'bare') {
    const reply = Buffer.alloc(RESPONSE_BYTES);
    reply.writeUInt16BE(REGS * 2 + 3, 4);
    reply[6] = 1;
    reply[7] = 3;
    reply[8] = REGS * 2;
    const srv = net.createServer({ noDelay: true }, (s) => {
      s.on('data', (d) => {
        // Fixed bytes, but echo the transaction id so the client can check it, as every real server does.
        for (let off = 0; off + 12 <= d.length; off += 12) {
          const r = Buffer.from(reply);
          r[0] = d[off]!;
          r[1] = d[off + 1]!;
          s.write(r);
        }
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    port = (srv.address() as net.AddressInfo).port;
  } else if (kind === 'ours') {
    const { ModbusTcpServer } = await import('../protocols/modbus/tcp/tcp-server');
    const { RegisterMap } = await import('../protocols/modbus/register-map');
    const server = new ModbusTcpServer();
    server.core.addUnit(1, new RegisterMap().addRegisters({ table: 'holding', start: 0, values: Array.from({ length: 100 }, (_, i) => i) }));
    port = (await server.listen()).port;
  } else {
    // modbus-serial's ServerTCP. It has no "listening" event before 8.x in all versions, so bind a port we choose.
    const { ServerTCP } = await import('modbus-serial');
    port = await freePort();
    const regs = Array.from({ length: 100 }, (_, i) => i);
    const server = new ServerTCP({ getMultipleHoldingRegisters: (addr: number, len: number) => regs.slice(addr, addr + len) }, { host: '127.0.0.1', port, unitID: 1 });
    await new Promise<void>((resolve) => {
      server.on('initialized', () => resolve());
      // Older versions do not emit 'initialized': fall back to probing the port.
      void waitForPort(port).then(resolve);
    });
  }
  process.stdout.write(`PORT ${port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

const PYMODBUS_SERVER = `
import asyncio, sys, types, logging
logging.disable(logging.CRITICAL)
try:
    import serial_asyncio  # noqa: F401
except ImportError:  # only the serial side needs it; Debian splits it into python3-serial-asyncio
    m = types.ModuleType('serial_asyncio'); m.create_serial_connection = None; sys.modules['serial_asyncio'] = m
from pymodbus.server import StartAsyncTcpServer
from pymodbus.datastore import ModbusSlaveContext, ModbusServerContext, ModbusSequentialDataBlock

async def main():
    store = ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, list(range(200))))
    ctx = ModbusServerContext(slaves=store, single=True)
    server = await StartAsyncTcpServer(context=ctx, address=('127.0.0.1', 0), defer_start=True)
    task = asyncio.create_task(server.serve_forever())
    await server.serving
    print('PORT', server.server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    task.cancel()

asyncio.run(main())
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Running {
  child: ChildProcess;
  port: number;
}

function start(kind: Target): Promise<Running> {
  const child =
    kind === 'pymodbus'
      ? spawn(PYTHON, ['-c', PYMODBUS_SERVER], { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(process.execPath, [__filename, '--serve', kind], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      const m = /^PORT (\d+)/.exec(line);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${LABELS[kind]} exited with ${code} before listening: ${stderr.trim().split('\n').slice(-3).join(' | ')}`)));
  });
}

function stop(r: Running): Promise<void> {
  return new Promise((resolve) => {
    if (r.child.exitCode !== null) return resolve();
    r.child.once('exit', () => resolve());
    r.child.stdin!.end();
    const t = setTimeout(() => r.child.kill('SIGKILL'), 2000);
    r.child.once('exit', () => clearTimeout(t));
  });
}

// ---------------------------------------------------------------- client

interface Result {
  /** Round-trip times, ms (dropped from JSON output). */
  latencies?: number[];
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function request(tid: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(tid, 0);
  b.writeUInt16BE(6, 4);
  b[6] = 1;
  b[7] = 3;
  b.writeUInt16BE(0, 8);
  b.writeUInt16BE(REGS, 10);
  return b;
}

/** Drive `conns` connections for `seconds` after a short warm-up; one outstanding request each. */
async function measure(port: number, conns: number, seconds: number): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  let recording = false;
  let stopping = false;
  const sockets: net.Socket[] = [];
  const done: Array<Promise<void>> = [];
  for (let i = 0; i < conns; i++) {
    const s = await new Promise<net.Socket>((resolve, reject) => {
      const c = net.connect(port, '127.0.0.1', () => resolve(c));
      c.once('error', reject);
    });
    s.setNoDelay(true);
    sockets.push(s);
    done.push(
      new Promise<void>((resolve) => {
        let tid = 0;
        let sentAt = 0;
        let buf: Buffer = Buffer.alloc(0);
        const next = (): void => {
          if (stopping) {
            resolve();
            return;
          }
          tid = (tid + 1) & 0xffff;
          sentAt = performance.now();
          s.write(request(tid));
        };
        s.on('data', (d: Buffer) => {
          buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
          while (buf.length >= RESPONSE_BYTES) {
            if (buf.readUInt16BE(0) !== tid || buf[7] !== 3) errors++;
            else if (recording) latencies.push(performance.now() - sentAt);
            buf = buf.subarray(RESPONSE_BYTES);
            next();
          }
        });
        s.on('error', () => {
          errors++;
          resolve();
        });
        s.on('close', () => resolve());
        next();
      }),
    );
  }
  await new Promise((r) => setTimeout(r, 300)); // warm-up, not recorded
  recording = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  recording = false;
  const elapsed = (performance.now() - t0) / 1000;
  stopping = true;
  await Promise.race([Promise.all(done), new Promise((r) => setTimeout(r, 2000))]);
  for (const s of sockets) s.destroy();
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN);
  return { latencies, requests: latencies.length, seconds: elapsed, rps: latencies.length / elapsed, p50: pct(0.5), p99: pct(0.99), errors };
}

/** Several rounds of one target: median req/s, percentiles over all samples. */
function combine(list: Result[]): Result {
  const rates = list.map((r) => r.rps).sort((a, b) => a - b);
  const all = Float64Array.from(list.flatMap((r) => r.latencies ?? [])).sort();
  const pct = (p: number): number => (all.length ? all[Math.min(all.length - 1, Math.floor(p * all.length))]! : NaN);
  return {
    requests: list.reduce((s, r) => s + r.requests, 0),
    seconds: list.reduce((s, r) => s + r.seconds, 0),
    rps: rates[Math.floor(rates.length / 2)]!,
    p50: pct(0.5),
    p99: pct(0.99),
    errors: list.reduce((s, r) => s + r.errors, 0),
  };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const seconds = opt('--seconds', 3);
  const rounds = Math.max(1, opt('--rounds', 3));
  const json = args.includes('--json');
  const targets: Target[] = ['bare', 'ours', 'pymodbus', 'modbus-serial'];
  const results = new Map<string, Result | string>();
  // All servers stay up for the whole run (an idle server costs nothing) and the measurements are interleaved in
  // rounds, so a burst of load from elsewhere on the machine hits every target alike. req/s is the median of the
  // rounds; latency percentiles pool every sample.
  const running = new Map<Target, Running>();
  for (const t of targets) {
    try {
      running.set(t, await start(t));
    } catch (err) {
      for (const conns of [1, 4]) results.set(`${t}/${conns}`, err instanceof Error ? err.message : String(err));
    }
  }
  try {
    for (const conns of [1, 4]) {
      const perRound = new Map<Target, Result[]>();
      for (let round = 0; round < rounds; round++) {
        for (const [t, r] of running) {
          try {
            const res = await measure(r.port, conns, seconds / rounds);
            perRound.set(t, [...(perRound.get(t) ?? []), res]);
          } catch (err) {
            results.set(`${t}/${conns}`, err instanceof Error ? err.message : String(err));
          }
        }
      }
      for (const [t, list] of perRound) {
        if (typeof results.get(`${t}/${conns}`) === 'string') continue;
        results.set(`${t}/${conns}`, combine(list));
      }
    }
  } finally {
    await Promise.all([...running.values()].map(stop));
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(Object.fromEntries(results), null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  lines.push(`Modbus/TCP server, FC3 read of ${REGS} registers, one outstanding request per connection, ${seconds} s per target (${rounds} interleaved rounds)`);
  lines.push('(same raw-socket client for every target; each server in its own process; 127.0.0.1)');
  lines.push('');
  lines.push(`${'target'.padEnd(28)} ${'conns'.padStart(5)} ${'req/s'.padStart(9)} ${'vs ceiling'.padStart(10)} ${'vs pymodbus'.padStart(11)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}`);
  let verdict = true;
  for (const conns of [1, 4]) {
    const ceiling = results.get(`bare/${conns}`);
    const py = results.get(`pymodbus/${conns}`);
    for (const t of targets) {
      const r = results.get(`${t}/${conns}`)!;
      if (typeof r === 'string') {
        lines.push(`${LABELS[t].padEnd(28)} ${String(conns).padStart(5)}   not measured: ${r}`);
        continue;
      }
      const vsC = typeof ceiling === 'object' ? `${(r.rps / ceiling.rps).toFixed(2)}x` : 'n/a';
      const vsP = typeof py === 'object' ? `${(r.rps / py.rps).toFixed(2)}x` : 'n/a';
      const err = r.errors ? `  (${r.errors} bad replies)` : '';
      lines.push(
        `${LABELS[t].padEnd(28)} ${String(conns).padStart(5)} ${r.rps.toFixed(0).padStart(9)} ${vsC.padStart(10)} ${vsP.padStart(11)} ${r.p50.toFixed(3).padStart(7)} ${r.p99.toFixed(3).padStart(7)}${err}`,
      );
      if (t === 'ours') {
        const okC = typeof ceiling === 'object' && r.rps >= 0.8 * ceiling.rps;
        const okP = typeof py === 'object' && r.rps > py.rps;
        verdict &&= okC && okP && r.errors === 0;
      }
    }
    lines.push('');
  }
  lines.push(`goal (ours >= 0.8x ceiling and above pymodbus, 1 and 4 connections): ${verdict ? 'met' : 'NOT met'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[2] === '--serve') {
  void serve(process.argv[3] as Target);
} else {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(3);
  });
}
