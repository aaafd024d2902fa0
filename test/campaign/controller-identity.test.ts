import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadBench } from '../../harness/bench/load-bench';
import type { Manifest } from '../../harness/campaign/manifest';
import { runCampaign } from '../../harness/campaign/run-campaign';
import { ConsoleReporter } from '../../harness/report/console';
import { loadScenario } from '../../harness/scenario/load-scenario';
import { builtFile, describeIf, NEEDS_BUILD } from '../support/describe-if';

const root = resolve(__dirname, '..', '..');
const built = builtFile('examples', 'controllers', 'translator', 'controller.js') && builtFile('examples', 'controllers', 'reference', 'controller.js');
const quiet = (): ConsoleReporter => new ConsoleReporter({ write: () => true } as unknown as NodeJS.WritableStream, false);

describeIf(built, NEEDS_BUILD, "the controller's identity as read on the bus, in the manifest", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-identity-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a translator plays the battery side of Pylontech LV: its 0x35E name, as the bench inverter heard it', async () => {
    // examples/controllers/translator/translator.ts sends 0x35E 'PYLON   ' every cycle.
    const bench = loadBench(join(root, 'fixtures', 'benches', 'translator.yaml'));
    const scenario = loadScenario(join(root, 'fixtures', 'scenarios-translator', 'translator-startup.yaml'));
    const out = await runCampaign(bench, [scenario], { mode: 'virtual', outDir: dir, reporter: quiet() });
    expect(out.results[0]!.controllerIdentity).toEqual({ bmsName: { inv1: 'PYLON' } });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.controller.identity.bmsName).toEqual({ inv1: 'PYLON' });
    expect(manifest.controller.identity.note).toMatch(/0x35E/);
  });

  it('the reference EMS is a Modbus client and the inverter side of the battery CAN: nothing to read, and the note says so', async () => {
    const bench = loadBench(join(root, 'fixtures', 'benches', 'ci.yaml'));
    const scenario = loadScenario(join(root, 'fixtures', 'scenarios', 'bms-system-error.yaml'));
    const out = await runCampaign(bench, [scenario], { mode: 'virtual', outDir: dir, reporter: quiet() });
    expect(out.results[0]!.controllerIdentity).toBeUndefined();
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.controller.identity.bmsName).toBeNull();
    expect(manifest.controller.identity.note).toMatch(/nothing heard/);
  });
});
