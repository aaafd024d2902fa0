import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadBench, parseBench } from '../../harness/bench/load-bench';
import { loadScenario } from '../../harness/scenario/load-scenario';
import { runScenario } from '../../harness/scenario/runner';
import { describeIf, NEEDS_BUILD } from '../support/describe-if';

const root = resolve(__dirname, '..', '..');
const main = join(root, 'dist', 'examples', 'controllers', 'translator', 'main.js');

/**
 * The translator lab path without lab hardware: the bench of fixtures/benches/translator-lab.yaml with each of its
 * two buses behind an SLCAN "USB adapter" (the harness acting as one on a pseudo-terminal), and the reference
 * translator as its own process on those two adapters, as a real board would be on two cables.
 */
describeIf(existsSync(main), NEEDS_BUILD, 'translator lab media over pseudo-terminals: two SLCAN adapters', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-xlab-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the lab bench file loads and names both adapters', () => {
    const b = loadBench(join(root, 'fixtures', 'benches', 'translator-lab.yaml'));
    expect(Object.values(b.file.can!).map((c) => c.medium)).toEqual(['slcan:///dev/ttyACM0?bitrate=500000', 'socketcan://can1']);
    expect(b.file.dut).toBeUndefined();
  });

  it('runs the interlock scenario in real time with the translator on two SLCAN adapters', async () => {
    const lab = loadBench(join(root, 'fixtures', 'benches', 'translator-lab.yaml'));
    const devices = lab.file.devices.map((d) => `  - ${JSON.stringify(d)}`).join('\n');
    const bench = parseBench(
      `bench: translator-lab-sim
can:
  ev: { hub: { socketcand: "127.0.0.1:0", bus: ev }, slcanPty: ${join(dir, 'ttyPack')} }
  inv: { hub: { socketcand: "127.0.0.1:0", bus: inv }, slcanPty: ${join(dir, 'ttyInverter')} }
devices:
${devices}
dut:
  command: [node, ${main}, --pack, "pack1=slcan://\${can.ev.pty}?bitrate=500000", --inverter, "inv1=slcan://\${can.inv.pty}?bitrate=500000", --option, inverterTimeoutS=5]
  readyLine: translator ready
  readyTimeout: 30s
`,
      join(dir, 'translator-lab-sim.yaml'),
    );
    const r = await runScenario(bench, loadScenario(join(root, 'fixtures', 'scenarios-translator', 'translator-interlock.yaml')), { mode: 'real' });
    expect(r.errors).toEqual([]);
    expect(r.expectations.map((e) => `${e.id}:${e.verdict}`).filter((x) => !x.endsWith(':pass'))).toEqual([]);
    expect(r.verdict).toBe('pass');
  }, 90_000);
});
