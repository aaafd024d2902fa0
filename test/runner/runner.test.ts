import type { ScenarioResult } from '../../harness/scenario/result';
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../core/errors';
import { runCampaign } from '../../harness/campaign/run-campaign';
import { loadBench, parseBench } from '../../harness/bench/load-bench';
import { ConsoleReporter } from '../../harness/report/console';
import { parseScenario } from '../../harness/scenario/load-scenario';
import { runScenario } from '../../harness/scenario/runner';
import { scenario } from '../../harness/scenario/api';
import { builtFile, describeIf, NEEDS_BUILD } from '../support/describe-if';

const root = resolve(__dirname, '..', '..');
const ciBench = (): ReturnType<typeof loadBench> => loadBench(join(root, 'fixtures', 'benches', 'ci.yaml'));
const quiet = (): ConsoleReporter => new ConsoleReporter({ write: () => true } as unknown as NodeJS.WritableStream, false);

// The CI bench's in-process controller is the built reference controller (npm test builds before jest).
const built = builtFile('examples', 'controllers', 'reference', 'controller.js');

const shortScenario = (extra = ''): string => `
scenario: short
duration: 2m
initial:
  devices:
    pack1: { soc: 60 }
timeline:
  - at: 30s
    fault: { id: hot, device: pack1, kind: external-heat, module: 0, watts: 50 }
expect:
  - id: charge-within-limit
    always: pack1.current <= pack1.chargeCurrentLimit * 1.05 + 1
    tolerance: 2s
${extra}`;

describeIf(built, NEEDS_BUILD, 'runner end to end (virtual time, CI bench, reference controller)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-runner-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a scenario, judges it, and gives identical CAN traces for identical seeds', async () => {
    const bench = ciBench();
    const s = parseScenario(shortScenario(), 'short.yaml');
    const a = await runScenario(bench, s, { mode: 'virtual', outDir: join(dir, 'a') });
    const b = await runScenario(bench, s, { mode: 'virtual', outDir: join(dir, 'b') });
    expect([a.verdict, b.verdict]).toEqual(['pass', 'pass']);
    expect(a.simulatedMs).toBe(120_000);
    expect(a.evidence.events[0]).toContain(`fault 'hot'`);
    const ta = gunzipSync(readFileSync(join(dir, 'a', 'pack1.log.gz'))).toString('utf8');
    expect(ta.split('\n').length).toBeGreaterThan(100);
    expect(gunzipSync(readFileSync(join(dir, 'b', 'pack1.log.gz'))).toString('utf8')).toBe(ta);
    // Every Modbus transaction, request and reply, with its time.
    const modbus = gunzipSync(readFileSync(join(dir, 'a', 'modbus-site.jsonl.gz'))).toString('utf8').trim().split('\n');
    expect(modbus.length).toBeGreaterThan(10);
    expect(JSON.parse(modbus[0]!)).toEqual(expect.objectContaining({ unit: expect.any(Number), req: expect.stringMatching(/^[0-9a-f]+$/) }));
  });

  it('runs a scenario written with the TypeScript API, as in a jest test of a controller', async () => {
    const s = scenario('api-hot-pack', { seed: 2 })
      .duration('3m')
      .initial('pack1', { soc: 60 })
      .at('30s')
      .fault('pack1', 'external-heat', { module: 0, watts: 400 }, 'heater')
      .expectAlways('charge-within-limit', 'pack1.current <= pack1.chargeCurrentLimit * 1.05 + 1', { tolerance: '2s' })
      .expectAtEnd('heated', 'pack1.temperature.max > pack1.temperature.min + 2')
      .build();
    const r = await runScenario(ciBench(), s, { mode: 'virtual' });
    expect(r.expectations.map((e) => [e.id, e.verdict])).toEqual([
      ['charge-within-limit', 'pass'],
      ['heated', 'pass'],
    ]);
  });

  it('a failed expectation carries evidence: observed values, time, frames and writes before it', async () => {
    const s = parseScenario(shortScenario(`  - id: impossible\n    always: pack1.soc < 10\n`), 'short.yaml');
    const r = await runScenario(ciBench(), s, { mode: 'virtual' });
    expect(r.verdict).toBe('fail');
    const x = r.expectations.find((e) => e.id === 'impossible')!;
    expect(x.verdict).toBe('fail');
    expect(x.atMs).toBe(0);
    expect(typeof x.observed!['pack1.soc']).toBe('number');
    expect(r.summary).toContain('impossible');
  });

  it('bad input is found before anything runs, with file:line:column', async () => {
    const bench = ciBench();
    const unknownDevice = parseScenario(shortScenario().replace('device: pack1, kind: external-heat', 'device: pack9, kind: external-heat'), 's.yaml');
    await expect(runScenario(bench, unknownDevice, { mode: 'virtual' })).rejects.toThrow(/s\.yaml:8:5: fault 'hot': no device 'pack9'/);
    const unknownKind = parseScenario(shortScenario().replace('kind: external-heat, module: 0, watts: 50', 'kind: melt'), 's.yaml');
    await expect(runScenario(bench, unknownKind, { mode: 'virtual' })).rejects.toBeInstanceOf(ConfigError);
    const unknownSignal = parseScenario(shortScenario(`  - id: x\n    atEnd: pack1.sock > 1\n`), 's.yaml');
    await expect(runScenario(bench, unknownSignal, { mode: 'virtual' })).rejects.toThrow(/s\.yaml:15:12: expectation 'x': unknown signal 'pack1\.sock'/);
  });

  it('a campaign keeps going after a scenario with bad input and writes every result as it comes', async () => {
    const bench = ciBench();
    const good = parseScenario(shortScenario(), 'good.yaml');
    const bad = parseScenario(shortScenario().replace('scenario: short', 'scenario: bad').replace('kind: external-heat, module: 0, watts: 50', 'kind: melt'), 'bad.yaml');
    const out = await runCampaign(bench, [bad, good], { mode: 'virtual', outDir: dir, junit: join(dir, 'junit.xml'), reporter: quiet(), traces: false });
    expect(out.results.map((r) => r.verdict)).toEqual(['error', 'pass']);
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.filter((l) => l.type === 'result')).toHaveLength(2);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="bad"');
    expect(junit).toContain('HarnessError');
  });
});

describe('runner with a controller process (real time)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-runner-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const benchWith = (command: string[]): ReturnType<typeof parseBench> =>
    parseBench(
      `bench: crashy
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }
dut:
  command: ${JSON.stringify(command)}
  readyLine: controller ready
  stopTimeout: 2s
`,
      join(dir, 'bench.yaml'),
    );

  it('a controller that crashes mid-run is an error verdict with its exit code and output; the next scenario still runs', async () => {
    const crash = join(dir, 'crash.js');
    // Prints ready, then crashes when it sees the first CAN frame byte on a socketcand connection to the hub.
    writeFileSync(
      crash,
      `const net = require('net'); const [host, port] = process.argv[2].replace('socketcand://', '').split('/')[0].split(':');
       const s = net.connect(Number(port), host); let buf = '';
       s.on('data', (d) => { buf += d; if (buf.includes('< hi >') && !buf.includes('sent')) { buf += 'sent'; s.write('< open pack1 >< rawmode >'); }
         if (buf.includes('< frame')) { console.error('segfault in control loop'); process.exit(7); } });
       console.log('controller ready');`,
    );
    const bench = benchWith(['node', crash, '${can.pack1.url}']);
    const s1 = parseScenario('scenario: one\nduration: 10s\nexpect:\n  - { id: alive, always: "t >= 0" }\n', 'one.yaml');
    // Each run ends as soon as the controller dies: at its first CAN frame, at most one BMS period (1 s) after it
    // joins the bus, whatever the machine's load. 10 s leaves that crash well inside both scenarios (with 1 s, a
    // slow start on a busy machine could push it past the end and turn the second verdict into a pass).
    const s2 = parseScenario('scenario: two\nduration: 10s\nexpect:\n  - { id: alive, always: "t >= 0" }\n', 'two.yaml');
    const whole: ScenarioResult[] = [];
    const out = await runCampaign(bench, [s1, s2], { mode: 'real', outDir: dir, reporter: quiet(), traces: false, onResult: (r) => whole.push(r) });
    expect(out.results[0]!.verdict).toBe('error');
    expect(out.results[0]!.summary).toContain('the controller exited during the scenario (exit code 7)');
    expect(whole[0]!.evidence.dutOutput.join('\n')).toContain('segfault in control loop');
    // What was still open when it died is not judged, never passed.
    expect(out.results[0]!.expectations.map((e) => [e.status, e.verdict])).toEqual([['not-judged', 'error']]);
    expect(out.results[0]!.expectations[0]!.message).toContain('the controller exited during the scenario (exit code 7)');
    expect(out.results[1]!.scenario).toBe('two');
    expect(out.results[1]!.verdict).toBe('error');
  }, 30_000);

  it('a controller that cannot start is an error verdict, not a harness crash', async () => {
    const bench = benchWith(['/nonexistent/controller']);
    const s = parseScenario('scenario: one\nduration: 1s\nexpect:\n  - { id: alive, always: "t >= 0" }\n', 'one.yaml');
    const out = await runCampaign(bench, [s], { mode: 'real', reporter: quiet() });
    expect(out.results[0]!.verdict).toBe('error');
    expect(out.results[0]!.summary).toContain('program not found');
  });
});
