import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBench } from '../bench/load-bench';
import { parseScenario } from './load-scenario';
import { runScenario } from './runner';

// An in-process controller in virtual time that goes silent, and a run interrupted part way (deterministic: the
// interrupt comes from the progress callback at a simulated time).

const SILENT = `exports.createController = () => ({ start: async () => undefined, stop: async () => undefined });`;
const HEARTBEAT = `exports.createController = (io) => {
  let timer;
  const beat = () => { io.packs[0].bus.send({ id: 0x305, extended: false, data: new Uint8Array(8) }); timer = io.clock.setTimeout(beat, 1000); };
  return { start: async () => beat(), stop: async () => io.clock.clearTimer(timer) };
};`;

const scenario = parseScenario(
  `
scenario: watch
duration: 60s
expect:
  - { id: soc-positive, always: "pack1.soc > 0" }
  - { id: soc-seen, eventually: "pack1.soc > 0", by: 5s }
  - { id: soc-at-end, atEnd: "pack1.soc > 0" }
`,
  'watch.yaml',
);

describe('runner: hung in-process controllers and interrupts (virtual time)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-ctl-faults-'));
    writeFileSync(join(dir, 'silent.js'), SILENT);
    writeFileSync(join(dir, 'heartbeat.js'), HEARTBEAT);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const bench = (module: string, liveness?: string) =>
    parseBench(
      `
bench: faults
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }
dut:
  module: ${join(dir, module)}
${liveness ? `  livenessTimeout: ${liveness}\n` : ''}`,
      join(__dirname, '..', '..', 'fixtures', 'benches', 'faults.yaml'),
    );

  it('a controller silent for dut.livenessTimeout is hung: error verdict, pending expectations not judged', async () => {
    const r = await runScenario(bench('silent.js', '5s'), scenario, { mode: 'virtual' });
    expect(r.verdict).toBe('error');
    expect(r.summary).toBe(
      'the controller is hung: no sign of life for 5.1s (no CAN frame, no Modbus request, no output since t=0.000s; dut.livenessTimeout is 5s)',
    );
    expect(r.simulatedMs).toBe(5100);
    expect(r.expectations.map((e) => [e.id, e.verdict])).toEqual([
      ['soc-positive', 'error'],
      ['soc-seen', 'pass'],
      ['soc-at-end', 'error'],
    ]);
    expect(r.expectations[2]!.message).toBe('not judged: the run stopped after the sample at t=5.100s (the controller hung) before this was decided; the end was never reached');
  });

  it('the default timeout is 30 s; `off` disables the watch; a controller that talks is never hung', async () => {
    expect((await runScenario(bench('silent.js'), scenario, { mode: 'virtual' })).summary).toMatch(/no sign of life for 30\.1s/);
    expect((await runScenario(bench('silent.js', 'off'), scenario, { mode: 'virtual' })).verdict).toBe('pass');
    expect((await runScenario(bench('heartbeat.js', '2s'), scenario, { mode: 'virtual' })).verdict).toBe('pass');
  });

  it('an interrupt ends the run as interrupted, keeping what was decided and "not judged" for the rest', async () => {
    const ac = new AbortController();
    const r = await runScenario(bench('heartbeat.js'), scenario, {
      mode: 'virtual',
      progress: (t) => {
        if (t >= 10_000) ac.abort('SIGINT');
      },
      signal: ac.signal,
    });
    expect(r.verdict).toBe('error');
    expect(r.interrupted).toEqual({ signal: 'SIGINT', atMs: 10_100 }); // progress comes every simulated second from t=0.1s: the abort at t=10.1s, the last full step
    expect(r.simulatedMs).toBe(10_100);
    expect(r.errors.map((e) => e.message)).toEqual(['interrupted by SIGINT']);
    expect(r.expectations.map((e) => [e.id, e.verdict])).toEqual([
      ['soc-positive', 'error'],
      ['soc-seen', 'pass'],
      ['soc-at-end', 'error'],
    ]);
    expect(r.expectations[0]!.message).toBe('not judged: the run stopped after the sample at t=10.100s (interrupted by SIGINT) before this was decided; it held until then');
  });

  it('an interrupt before the timeline starts lists every expectation as not judged', async () => {
    const ac = new AbortController();
    ac.abort('SIGTERM');
    const r = await runScenario(bench('heartbeat.js'), scenario, { mode: 'virtual', signal: ac.signal });
    expect(r.interrupted?.signal).toBe('SIGTERM');
    expect(r.expectations.map((e) => e.verdict)).toEqual(['error', 'error', 'error']);
    expect(r.expectations.every((e) => e.message === 'not judged: the run stopped before t=0 (interrupted by SIGTERM)')).toBe(true);
  });
});
