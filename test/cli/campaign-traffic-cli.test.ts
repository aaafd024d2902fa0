import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ScenarioResult } from '../../harness/scenario/result';
import { TRAFFIC_MESSAGES_PER_BUS, TRAFFIC_WRITES_PER_ENDPOINT } from '../../harness/scenario/traffic-evidence';
import { builtFile, describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';
import { CLI, records } from '../support/hil-cli';

/**
 * A passing run carries decoded traffic as evidence (issue 18's closing note): `hil campaign` on the CI bench (the
 * reference controller in-process, virtual time), one passing scenario. Its result in results.jsonl has, per CAN bus,
 * each DBC message's count and last decoded value, per Modbus endpoint the counts and last writes with SunSpec point
 * names, and the trace files behind them; the counts agree with those files; the HTML report shows it collapsed and
 * JUnit in the suite's system-out.
 */
const hil = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
const built = builtFile('harness', 'cli', 'main.js') && builtFile('examples', 'controllers', 'reference', 'controller.js');

describeIf(built, NEEDS_BUILD, 'traffic evidence of a passing run (built CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-traffic-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records, per bus and endpoint, what was said and the files behind it; the reports show it', () => {
    writeFileSync(join(dir, 'talk.yaml'), 'scenario: talk\nduration: 30s\nexpect:\n  - { id: soc-kept, requirement: R-TALK, atEnd: "pack1.soc > 1" }\n');
    writeFileSync(
      join(dir, 'c.yaml'),
      `campaign: traffic\nbench: ${join(ROOT, 'fixtures', 'benches', 'ci.yaml')}\nscenarios: [${join(dir, 'talk.yaml')}]\nrequirements:\n  - { id: R-TALK, title: the devices talk, clause: "IEC 62619:2022 8.2.2" }\n`,
    );
    const out = join(dir, 'out');
    const r = hil('campaign', join(dir, 'c.yaml'), '--out', out, '--virtual-time', '--html', join(out, 'report.html'), '--junit', join(out, 'junit.xml'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);

    const result = records(join(out, 'results.jsonl')).find((r) => r.type === 'result') as unknown as ScenarioResult;
    expect(result.verdict).toBe('pass');
    expect(result.evidence.frames).toEqual([]); // no failure: no "frames before the failure"
    const traffic = result.evidence.traffic!;
    expect(traffic.can.map((b) => b.bus)).toEqual(['pack1', 'pack2']);

    // CAN: the counts are the trace's (virtual time: the same frames, counted as they were written).
    for (const bus of traffic.can) {
      expect(bus.dbc).toBe('pylon-lv.dbc');
      expect(bus.traces).toEqual([`${bus.bus}.log.gz`]);
      const frames = gunzipSync(readFileSync(join(out, 'talk', bus.traces![0]!))).toString('utf8').split('\n').filter((l) => l.startsWith('('));
      expect(bus.frames).toBe(frames.length);
      expect(bus.messages.length).toBeGreaterThan(0);
      expect(bus.messages.length).toBeLessThanOrEqual(TRAFFIC_MESSAGES_PER_BUS);
      for (const m of bus.messages) {
        const id = m.id.replace(/^0x0*/, '');
        const mine = frames.filter((f) => new RegExp(` ${bus.bus} 0*${id}#`, 'i').test(f));
        expect([m.id, m.count]).toEqual([m.id, mine.length]);
        expect(m.last.startsWith(`${m.name} `) || m.last === m.name).toBe(true);
      }
      const limits = bus.messages.find((m) => m.id === '0x351')!;
      expect(limits.name).toBe('BMS_Limits');
      expect(limits.last).toMatch(/^BMS_Limits ChargeVoltageLimit=[\d.]+ V ChargeCurrentLimit=[\d.]+ A /);
      expect(limits.lastAtMs).toBeGreaterThan(25_000);
      expect(limits.lastAtMs).toBeLessThanOrEqual(30_000);
    }

    // Modbus: both inverters were asked, the controller wrote, the last writes are named; the log has every request.
    const [site] = traffic.modbus;
    expect(traffic.modbus).toHaveLength(1);
    expect(site!.endpoint).toBe('site');
    expect(Object.keys(site!.units)).toEqual(['1', '2']);
    expect(site!.units['1']! + site!.units['2']!).toBe(site!.requests);
    expect(site!.writes).toBeGreaterThan(0);
    expect(site!.lastWrites.length).toBeGreaterThan(0);
    expect(site!.lastWrites.length).toBeLessThanOrEqual(TRAFFIC_WRITES_PER_ENDPOINT);
    for (const w of site!.lastWrites) {
      expect(w.line).toMatch(/^t=[\d.]+s site unit [12] fc(6|16) @\d+ = /);
      expect(w.decoded).toMatch(/^12[0-9]\.\w+ = /);
    }
    expect(site!.log).toBe('modbus-site.jsonl.gz');
    const log = gunzipSync(readFileSync(join(out, 'talk', site!.log!))).toString('utf8').trim().split('\n');
    expect(log).toHaveLength(site!.requests);

    // The reports: HTML collapsed (no `open`), JUnit's system-out of the passing suite.
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<details class="ev traffic"><summary>Traffic: 2 CAN bus\(es\), \d+ frame\(s\); 1 Modbus endpoint\(s\), \d+ request\(s\)<\/summary>/);
    expect(html).toContain('CAN pack1 (pylon-lv.dbc): ');
    expect(html).toContain('trace: pack1.log.gz');
    const xml = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(xml).not.toContain('<failure');
    const sysout = /<system-out>([^<]*)<\/system-out>/.exec(xml)![1]!;
    expect(sysout).toContain(`CAN pack1 (pylon-lv.dbc): ${traffic.can[0]!.frames} frame(s)`);
    expect(sysout).toMatch(/ 0x351 BMS_Limits x\d+, last t=[\d.]+s: BMS_Limits ChargeVoltageLimit=/);
    expect(sysout).toContain(`Modbus site: ${site!.requests} request(s)`);

    // And the folder still verifies: the reports went in before the checksums sealed it.
    expect(hil('verify', out).status).toBe(0);
  }, 120_000);
});
