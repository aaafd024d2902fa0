/**
 * Conformance of the served SunSpec maps with the official model definitions in ../shared/sunspec-models (the
 * source the bundled copies came from); see official-models.ts for what is compared.
 */
import { SimpleBatteryPort } from '../../emulators/inverter/battery-port';
import { constant } from '../../emulators/inverter/irradiance';
import { Inverter } from '../../emulators/inverter/inverter';
import type { PhaseConfig } from '../../emulators/inverter/inverter';
import { createInverterSunSpec } from '../../emulators/inverter/sunspec-map';
import { SunSpecDevice, SunSpecModel } from '../../protocols/modbus/sunspec';
import { describeIf } from '../support/describe-if';
import { OFFICIAL_MODELS_DIR, expectMatchesOfficial, haveOfficialModels } from './official-models';

/** Under CI=true the official models must be there (../shared/sunspec-models beside the clone). */
const describeIfModels = (name: string, body: () => void): void =>
  describeIf(haveOfficialModels, `the official SunSpec models are not at ${OFFICIAL_MODELS_DIR}`, name, body, { failInCi: true });

describeIfModels('SunSpec conformance against the official model JSON', () => {
  it.each<[PhaseConfig, number]>([
    ['single', 101],
    ['split', 102],
    ['three', 103],
  ])('inverter, %s-phase hybrid: every point of every model matches (inverter model %i)', async (phases, invModel) => {
    const inv = new Inverter({ phases, ratedW: phases === 'three' ? 40000 : 5000, profile: constant(900), battery: new SimpleBatteryPort(), seed: 5 });
    for (let i = 0; i < 600; i++) inv.step(0.1);
    const r = await expectMatchesOfficial(createInverterSunSpec(inv).device);
    expect(r.models).toEqual([1, invModel, 120, 121, 122, 123, 124, 160, 701, 702, 704]);
    expect(r.points).toBeGreaterThan(380);
    // The map is not empty of meaning: most points carry values.
    expect(r.implemented).toBeGreaterThan(r.points * 0.5);
  });

  it('every bundled model (including 703, 705, 802-805 with repeating groups) lays out as the official JSON', async () => {
    const models = [
      SunSpecModel.load(1, { values: { Mn: 'x', Md: 'y', SN: 'z' } }),
      ...[101, 102, 103, 120, 121, 122, 123, 124, 701, 702, 703, 704, 802].map((id) => SunSpecModel.load(id)),
      SunSpecModel.load(160, { groupCounts: { module: 3 } }),
      SunSpecModel.load(705, { groupCounts: { Crv: 2, Pt: 4 } }),
      SunSpecModel.load(803, { groupCounts: { string: 2 } }),
      SunSpecModel.load(804, { groupCounts: { lithium_ion_string_module: 3 } }),
      SunSpecModel.load(805, { groupCounts: { 'lithium-ion-module-cell': 12 } }),
    ];
    const r = await expectMatchesOfficial(new SunSpecDevice({ models }));
    expect(r.models).toEqual(models.map((m) => m.id));
    expect(r.points).toBeGreaterThan(600);
  });
});
