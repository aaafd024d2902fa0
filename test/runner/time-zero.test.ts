/**
 * The scenario's t=0 is the moment the timeline starts (after the controller is ready), not the moment the bench
 * came up: `t`, every time in the evidence, and the BMS heartbeat grace count from it, and its epoch is recorded in
 * the result, JUnit, the CAN traces and controller.log so they line up. Also: runs cut short (interrupted,
 * --stop-on-fail) and triggers too late to judge never pass.
 */
import type { ScenarioResult } from '../../harness/scenario/result';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseBench, type Bench } from '../../harness/bench/load-bench';
import { runCampaign } from '../../harness/campaign/run-campaign';
import { ConsoleReporter } from '../../harness/report/console';
import { parseScenario } from '../../harness/scenario/load-scenario';
import { runScenario, VIRTUAL_EPOCH_MS } from '../../harness/scenario/runner';
import { onePackBench } from '../support/benches';

const quiet = (): ConsoleReporter => new ConsoleReporter({ write: () => true } as unknown as NodeJS.WritableStream, false);
/** `t=-3.012s stdout: booting` -> -3.012 */
const tOf = (line: string): number => Number(/^t=(-?\d+\.\d+)s /.exec(line)![1]);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-t0-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** One pack whose BMS arms its heartbeat watchdog at start (3 s), and a controller that takes `startS` to start. */
function slowControllerBench(startS: number): Bench {
  const module = join(dir, 'slow-controller.js');
  writeFileSync(
    module,
    `exports.createController = (io) => ({
       async start() { await new Promise((r) => io.clock.setTimer(io.clock.now() + ${startS * 1000}, r)); },
       async stop() {},
     });`,
  );
  return parseBench(
    `bench: slow
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1, params: { heartbeat: { armAtStart: true, timeoutS: 3 } } }
dut:
  module: ${JSON.stringify(module)}
`,
    join(dir, 'bench.yaml'),
  );
}

/** One pack on a socketcand hub, and a controller process running `code` that must print 'controller ready'. */
function processBench(code: string): Bench {
  const script = join(dir, 'controller.js');
  writeFileSync(script, code);
  return parseBench(
    `bench: process
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }
dut:
  command: ["node", ${JSON.stringify(script)}]
  readyLine: controller ready
  readyTimeout: 60s
  stopTimeout: 2s
`,
    join(dir, 'bench.yaml'),
  );
}

describe('t=0 in virtual time (a controller that takes 5 s to start)', () => {
  const scenarioText = `scenario: late-start
duration: 4s
expect:
  - id: t-from-zero
    always: t < 1
  - id: grace-from-zero          # no heartbeat ever: lost only after 3 s counted from t=0, not from the bench start
    always: "!pack1.heartbeatLost || t > 3"
  - id: lost-after-grace
    eventually: pack1.heartbeatLost
`;

  it('counts t, the evidence and the watchdog grace from t=0, and records its epoch everywhere', async () => {
    let r = undefined as unknown as ScenarioResult; // the whole result (the outcome keeps digests)
    const out = await runCampaign(slowControllerBench(5), [parseScenario(scenarioText, 'late-start.yaml')], {
      mode: 'virtual',
      outDir: dir,
      junit: join(dir, 'junit.xml'),
      reporter: quiet(),
      onResult: (whole) => void (r = whole),
    });
    expect(out.results[0]!.verdict).toBe(r.verdict);
    expect(r.expectations.map((e) => [e.id, e.status])).toEqual([
      ['t-from-zero', 'fail'],
      ['grace-from-zero', 'pass'],
      ['lost-after-grace', 'pass'],
    ]);
    expect(r.expectations[0]!.atMs).toBe(1000);
    expect(r.expectations[2]!.atMs).toBeGreaterThan(3000);
    expect(r.expectations[2]!.atMs).toBeLessThanOrEqual(3200);

    // t=0 is 5 s of virtual time after the bench came up.
    const t0 = r.t0!;
    expect(t0.clock).toBe('virtual');
    expect(t0.epochMs - VIRTUAL_EPOCH_MS).toBeGreaterThanOrEqual(5000);
    expect(t0.epochMs - VIRTUAL_EPOCH_MS).toBeLessThanOrEqual(5100);
    expect(t0.iso).toBe(new Date(t0.epochMs).toISOString());

    // Frames before the failure, counted from t=0: none after it; the ring reaches back before t=0 (negative times).
    const frameTimes = r.evidence.frames.map(tOf);
    expect(frameTimes.length).toBeGreaterThan(0);
    expect(Math.max(...frameTimes)).toBeLessThanOrEqual(1.0);
    expect(Math.min(...frameTimes)).toBeGreaterThan(-5.2);

    // The trace: a header, frames stamped on the same clock, and the t=0 line with the same epoch.
    const trace = gunzipSync(readFileSync(join(dir, 'late-start', 'pack1.log.gz'))).toString('utf8').split('\n');
    expect(trace[0]).toMatch(/^# hil trace of CAN bus 'pack1' \(bench 'slow'\).*virtual-clock epoch seconds/);
    const marker = trace.findIndex((l) => l.startsWith('# hil t=0 '));
    expect(trace[marker]).toBe(`# hil t=0 ${(t0.epochMs / 1000).toFixed(6)} ${t0.iso} scenario late-start`);
    const stamp = (l: string): number => Number(/^\((\d+\.\d+)\)/.exec(l)![1]) * 1000;
    const before = trace.slice(1, marker).filter((l) => l.startsWith('('));
    const after = trace.slice(marker + 1).filter((l) => l.startsWith('('));
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.max(...before.map(stamp))).toBeLessThanOrEqual(t0.epochMs);
    expect(Math.min(...after.map(stamp))).toBeGreaterThanOrEqual(t0.epochMs);

    // results.jsonl: the result carries t0, and a time-zero event precedes the timeline.
    const records = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((x) => x['type'] === 'result')!['t0']).toEqual(t0);
    expect(records.find((x) => x['type'] === 'time-zero')).toMatchObject({ t0: t0.iso, t0EpochMs: t0.epochMs, clock: 'virtual' });

    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain(`<property name="t0" value="${t0.iso}"/>`);
    expect(junit).toContain(`<property name="t0EpochMs" value="${t0.epochMs}"/>`);
  });
});

describe('t=0 in real time (a controller process that takes 3 s to be ready)', () => {
  it('controller lines, t and frames count from t=0; controller.log and the trace carry the same t=0', async () => {
    const bench = processBench(`console.log('booting'); setTimeout(() => console.log('controller ready'), 3000); setInterval(() => undefined, 1000);`);
    const s = parseScenario('scenario: rt\nduration: 1s\nexpect:\n  - { id: early, always: "t < 0.5" }\n', 'rt.yaml');
    const r = await runScenario(bench, s, { mode: 'real', outDir: join(dir, 'rt') });
    const t0 = r.t0!;
    expect(t0.clock).toBe('wall');
    // Before the fix t started at the bench start, so it was already about 3 at the first sample.
    expect(r.expectations[0]).toMatchObject({ status: 'fail' });
    expect(r.expectations[0]!.atMs).toBeGreaterThanOrEqual(500);
    expect(r.expectations[0]!.atMs).toBeLessThan(1000);
    expect(r.expectations[0]!.observed!['t']).toBeGreaterThanOrEqual(0.5);
    expect(r.expectations[0]!.observed!['t']).toBeLessThan(1.5);
    expect(t0.epochMs - Date.parse(r.startedAt)).toBeGreaterThanOrEqual(2900);

    const booting = r.evidence.dutOutput.find((l) => l.endsWith('stdout: booting'))!;
    const ready = r.evidence.dutOutput.find((l) => l.endsWith('stdout: controller ready'))!;
    expect(tOf(booting)).toBeLessThanOrEqual(-2.9);
    expect(tOf(booting)).toBeGreaterThan(-10);
    expect(tOf(ready)).toBeLessThanOrEqual(0);
    expect(tOf(ready)).toBeGreaterThan(-1);

    const log = readFileSync(join(dir, 'rt', 'controller.log'), 'utf8').split('\n');
    const mark = log.findIndex((l) => l.includes(' harness t=0 '));
    expect(log[mark]).toBe(`${t0.iso} harness t=0 ${(t0.epochMs / 1000).toFixed(6)} scenario rt`);
    expect(log.findIndex((l) => l.endsWith('stdout controller ready'))).toBeLessThan(mark);
    const trace = gunzipSync(readFileSync(join(dir, 'rt', 'pack1.log.gz'))).toString('utf8');
    expect(trace).toContain(`# hil t=0 ${(t0.epochMs / 1000).toFixed(6)} ${t0.iso} scenario rt\n`);
  }, 30_000);
});

describe('runs that end early, and triggers too late to judge, never pass', () => {
  const long = (expect: string): string => `scenario: long\nduration: 10m\nexpect:\n${expect}`;

  it('an interrupted virtual run: every open expectation not judged, the result says interrupted', async () => {
    const abort = new AbortController();
    const s = parseScenario(long('  - { id: soc-sane, always: "pack1.soc > 0" }\n  - { id: final, atEnd: "pack1.soc > 0" }\n  - { id: early, eventually: "t >= 1", by: 2s }\n'));
    const r = await runScenario(onePackBench(), s, {
      mode: 'virtual',
      signal: abort.signal,
      progress: (simMs) => {
        if (simMs >= 5000) abort.abort('SIGINT');
      },
    });
    expect(r.verdict).toBe('error');
    expect(r.interrupted?.signal).toBe('SIGINT');
    expect(r.summary).toBe('interrupted by SIGINT');
    expect(r.simulatedMs).toBeGreaterThanOrEqual(5000);
    expect(r.simulatedMs).toBeLessThan(60_000);
    expect(r.expectations.map((e) => [e.id, e.status, e.verdict])).toEqual([
      ['soc-sane', 'not-judged', 'error'],
      ['final', 'not-judged', 'error'],
      ['early', 'pass', 'pass'],
    ]);
    expect(r.expectations[0]!.message).toContain('(interrupted by SIGINT)');
  });

  it('an interrupted real-time run stops at once, not at the end of its step or scenario', async () => {
    const abort = new AbortController();
    const s = parseScenario(long('  - { id: soc-sane, always: "pack1.soc > 0" }\n').replace('duration: 10m', 'duration: 10m\nstep: 30s'));
    const started = Date.now();
    const run = runScenario(onePackBench(), s, { mode: 'real', signal: abort.signal });
    setTimeout(() => abort.abort('SIGTERM'), 300);
    const r = await run;
    // The contract: well before the first 30 s step ends (generous margin for a loaded machine).
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.interrupted?.signal).toBe('SIGTERM');
    expect(r.expectations[0]!.status).toBe('not-judged');
    expect(r.verdict).toBe('error');
  }, 30_000);

  it('an interrupt while the controller is still getting ready stops at once: nothing judged, before t=0', async () => {
    const bench = processBench(`console.log('booting'); setInterval(() => undefined, 1000);`);
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort('SIGINT'), 500);
    const r = await runScenario(bench, parseScenario(long('  - { id: soc-sane, always: "pack1.soc > 0" }\n')), { mode: 'real', signal: abort.signal });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.interrupted?.signal).toBe('SIGINT');
    expect(r.t0).toBeUndefined();
    expect(r.summary).toBe('before t=0: interrupted by SIGINT');
    expect(r.expectations[0]).toMatchObject({ status: 'not-judged', verdict: 'error', message: 'not judged: the run stopped before t=0 (interrupted by SIGINT)' });
  }, 30_000);

  it('--stop-on-fail: the failure decides, what was left open is not counted', async () => {
    const s = parseScenario(long('  - { id: impossible, always: "pack1.soc < 1" }\n  - { id: final, atEnd: "pack1.soc > 0" }\n'));
    const r = await runScenario(onePackBench(), s, { mode: 'virtual', stopOnFail: true });
    expect(r.verdict).toBe('fail');
    expect(r.simulatedMs).toBeLessThan(1000);
    expect(r.expectations.map((e) => [e.status, e.verdict])).toEqual([
      ['fail', 'fail'],
      ['not-judged', 'skip'],
    ]);
    expect(r.summary).toMatch(/^impossible: /);
  });

  it('a reaction triggered less than `within` before the end is not exercised: an error, not a pass', async () => {
    const s = parseScenario(`scenario: late
duration: 10s
timeline:
  - at: 9.8s
    set: { pack1.current: 150 }
expect:
  - id: stop-discharge
    when: pack1.current > 100
    within: 500ms
    then: pack1.current < 1
`);
    const r = await runScenario(onePackBench(), s, { mode: 'virtual' });
    expect(r.expectations[0]).toMatchObject({ status: 'not-exercised', verdict: 'error' });
    expect(r.expectations[0]!.message).toContain('less than 500 ms before the end');
    expect(r.expectations[0]!.message).not.toContain('slowest');
    expect(r.verdict).toBe('error');
  });

  it('a scenario whose every expectation was not counted judged nothing: an error', async () => {
    const s = parseScenario(`scenario: nothing
duration: 5s
expect:
  - { id: opt, when: pack1.current > 100, within: 500ms, then: pack1.current < 1, optional: true }
`);
    const r = await runScenario(onePackBench(), s, { mode: 'virtual' });
    expect(r.expectations[0]).toMatchObject({ status: 'not-exercised', verdict: 'skip' });
    expect(r.verdict).toBe('error');
    expect(r.summary).toMatch(/^nothing was judged: opt: not exercised/);
  });

  it('an optional reaction not exercised beside a judged expectation: pass, and the summary says what was not counted', async () => {
    const s = parseScenario(`scenario: some
duration: 5s
expect:
  - { id: opt, when: pack1.current > 100, within: 500ms, then: pack1.current < 1, optional: true }
  - { id: soc, always: pack1.soc > 0 }
`);
    const r = await runScenario(onePackBench(), s, { mode: 'virtual' });
    expect(r.verdict).toBe('pass');
    expect(r.summary).toBe('1 expectation(s) met; not counted: opt (not-exercised)');
  });
});
