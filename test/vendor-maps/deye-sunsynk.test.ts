/**
 * Deye / Sunsynk single-phase map (data/inverters/deye-sunsynk.yaml) against what kellerza/sunsynk and evcc read
 * and write, and the time-of-use programme (the brand's way of forcing charge) as the emulator models it.
 *
 * Transcribed (facts, not code):
 * - KS: kellerza/sunsynk src/sunsynk/definitions/single_phase.py @ 58193d5de98e, every sensor of the single-phase
 *   profile as [address(es), factor, name] (factor < 0 means signed; TempSensor subtracts 100), plus identity.py
 *   registers 0-7. Writes: its RW sensors (43, 210, 211, 217-222, 230, 232, 243-248, 250-279).
 * - evcc-io/evcc templates/definition/meter/deye-storage.yaml @ b29b49e3056e: 169 int16, 78/80 uint16, 81 uint32s,
 *   186-189 uint16, 96 uint32s, 190 int16, 74/72 uint32s, 184 uint16.
 */
import { rig, type Rig } from './rig';

type KsRow = [number | [number, number], number, string];

const KS: KsRow[] = [
  [182, 0.1, 'Battery temperature'], [183, 0.01, 'Battery voltage'], [184, 1, 'Battery SOC'], [190, -1, 'Battery power'],
  [191, -0.01, 'Battery current'], [314, -1, 'Battery charge limit current'], [315, -1, 'Battery discharge limit current'],
  [175, -1, 'Inverter power'], [154, 0.1, 'Inverter voltage'], [164, 0.01, 'Inverter current'], [193, 0.01, 'Inverter frequency'],
  [79, 0.01, 'Grid frequency'], [169, -1, 'Grid power'], [167, -1, 'Grid LD power'], [168, -1, 'Grid L2 power'], [150, 0.1, 'Grid voltage'],
  [160, 0.01, 'Grid current (160)'], [161, 0.01, 'Grid current (161)'], [172, -1, 'Grid CT power'], [178, -1, 'Load power'],
  [176, -1, 'Load L1 power'], [177, -1, 'Load L2 power'], [192, 0.01, 'Load frequency'], [166, -1, 'Gen power'],
  [186, -1, 'PV1 power'], [109, 0.1, 'PV1 voltage'], [110, 0.1, 'PV1 current'], [187, -1, 'PV2 power'], [111, 0.1, 'PV2 voltage'],
  [112, 0.1, 'PV2 current'], [188, -1, 'PV3 power'], [113, 0.1, 'PV3 voltage'], [114, 0.1, 'PV3 current'],
  [60, -0.1, 'Day active energy'], [70, 0.1, 'Day battery charge'], [71, 0.1, 'Day battery Discharge'], [76, 0.1, 'Day grid import'],
  [77, 0.1, 'Day grid export'], [84, 0.1, 'Day load energy'], [108, 0.1, 'Day PV energy'], [61, -0.1, 'Day reactive energy'],
  [67, 0.1, 'Month grid energy'], [66, 0.1, 'Month load energy'], [65, 0.1, 'Month PV energy'], [[63, 64], 0.1, 'Total active energy'],
  [[72, 73], 0.1, 'Total battery charge'], [[74, 75], 0.1, 'Total battery discharge'], [[81, 82], 0.1, 'Total grid export'],
  [[78, 80], 0.1, 'Total grid import'], [[85, 86], 0.1, 'Total load energy'], [[96, 97], 0.1, 'Total PV energy'],
  [[98, 99], 0.1, 'Year grid export'], [[87, 88], 0.1, 'Year load energy'], [[68, 69], 0.1, 'Year PV energy'],
  [[16, 17], 0.1, 'Rated power'], [103, 1, 'Fault'], [104, 1, 'Fault'], [105, 1, 'Fault'], [106, 1, 'Fault'], [59, 1, 'Overall state'],
  [92, 1, 'SD status'], [90, 0.1, 'DC transformer temperature'], [95, 0.1, 'Environment temperature'], [91, 0.1, 'Radiator temperature'],
  [194, 1, 'Grid connected'], [22, 1, 'Date time'], [23, 1, 'Date time'], [24, 1, 'Date time'], [43, 1, 'Inverter enabled'],
  [200, 1, 'Control mode'], [232, 1, 'Grid charge enabled'], [312, 0.01, 'Battery charging voltage'], [0, 1, 'device type'],
  [2, 1, 'protocol'], [3, 1, 'serial'],
];
/** RW sensors of the single-phase profile with a value each accepts (kellerza writes single registers, FC6). */
const KS_WRITES: Array<[number, number]> = [
  [43, 1], [53, 5000], [210, 80], [211, 90], [217, 15], [218, 35], [219, 25], [220, 4700], [221, 5100], [222, 4800], [201, 5600],
  [202, 5500], [203, 5400], [230, 35], [232, 1], [243, 0], [244, 1], [245, 4000], [247, 1], [248, 1],
  ...[250, 251, 252, 253, 254, 255].map((a, i): [number, number] => [a, i * 400]),
  ...[256, 257, 258, 259, 260, 261].map((a): [number, number] => [a, 3000]),
  ...[268, 269, 270, 271, 272, 273].map((a): [number, number] => [a, 40]),
  ...[274, 275, 276, 277, 278, 279].map((a): [number, number] => [a, 0x41]),
];

const signed = (v: number) => (v >= 0x8000 ? v - 0x10000 : v);

async function ks(r: Rig, row: KsRow): Promise<number> {
  const m = r.master();
  if (Array.isArray(row[0])) {
    const [lo] = await m.readHolding(row[0][0], 1);
    const [hi] = await m.readHolding(row[0][1], 1);
    return (lo! + hi! * 0x10000) * Math.abs(row[1]);
  }
  const [v] = await m.readHolding(row[0], 1);
  return (row[1] < 0 ? signed(v!) : v!) * Math.abs(row[1]);
}

describe('Deye/Sunsynk: what kellerza/sunsynk and evcc read', () => {
  const r = rig('deye-sunsynk', { irradiance: 600, siteLoadW: 700, ratedW: 5000 });

  it.each(KS.map((x) => [String(x[0]), x[2], x] as const))('kellerza reads %s (%s)', async (_a, _w, row) => {
    expect(Number.isFinite(await ks(r, row))).toBe(true);
  });

  it('values agree with the model as kellerza decodes them: temperatures offset 100, signed powers, rated power 0.1 W', async () => {
    expect(await ks(r, [91, 0.1, '']) - 100).toBeCloseTo(r.inv.state.heatsinkC, 0);
    expect(await ks(r, [[16, 17], 0.1, ''])).toBeCloseTo(5000, 6);
    expect(await ks(r, [190, -1, ''])).toBe(-Math.round(r.inv.state.batteryW)); // + discharging (evcc: battery power)
    expect(await ks(r, [169, -1, ''])).toBe(Math.round(700 - r.inv.state.acW)); // + import (evcc: grid power)
    expect(await ks(r, [184, 1, ''])).toBe(Math.round(r.battery.soc()));
    const serial = Buffer.from((await r.master().readHolding(3, 5)).flatMap((w) => [w >> 8, w & 0xff])).toString('latin1');
    expect(serial).toBe(r.inv.identity.serial.slice(0, 10));
  });

  it('takes every write kellerza makes and reads it back', async () => {
    const w = rig('deye-sunsynk');
    const m = w.master();
    for (const [a, v] of KS_WRITES) {
      await m.writeRegister(a, v);
      expect(await m.readHolding(a, 1)).toEqual([v]);
    }
  });
});

describe('Deye/Sunsynk: time of use and limits', () => {
  it('a programme with grid charge below its capacity charges from the grid at the grid-charge current', async () => {
    const r = rig('deye-sunsynk', { irradiance: 0, soc: 50 }); // 12:01: programme 3 (09:00-13:00) is in force
    const m = r.master();
    await m.writeRegister(230, 40);
    await m.writeRegister(270, 80);
    await m.writeRegister(276, 0x01); // grid
    r.run(5);
    expect(r.inv.state.batteryW).toBeLessThan(50); // timer off: nothing happens
    await m.writeRegister(248, 1);
    r.run(5);
    expect(r.inv.state.batteryA).toBeCloseTo(40, 0);
    expect(r.inv.state.acW).toBeLessThan(-1500);
  });

  it('without grid charge the programme keeps its capacity and caps discharge at its power', async () => {
    const r = rig('deye-sunsynk', { irradiance: 0, soc: 50, siteLoadW: 800 });
    const m = r.master();
    r.run(5);
    expect(r.inv.state.batteryW).toBeLessThan(-750); // no programme: the battery covers the house
    await m.writeRegister(270, 60);
    await m.writeRegister(248, 1);
    r.run(5);
    expect(r.inv.state.batteryW).toBeGreaterThanOrEqual(-1e-6); // SOC 50 <= capacity 60: no discharge
    await m.writeRegister(270, 30);
    await m.writeRegister(258, 300);
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(-300, -1); // discharges, at most the programme power
  });

  it('zero export (244 = 2) holds the feed-in at 0; max sell power (245) caps it; 43 = 0 stops the inverter', async () => {
    const r = rig('deye-sunsynk', { irradiance: 1000, siteLoadW: 300, ratedW: 5000, batteryMaxW: 100 });
    const m = r.master();
    expect(r.inv.state.acW).toBeGreaterThan(2000);
    await m.writeRegister(244, 2);
    r.run(5);
    expect(r.inv.state.acW).toBeLessThanOrEqual(300 + 1);
    await m.writeRegister(244, 0);
    await m.writeRegister(245, 1000);
    r.run(15);
    expect(r.inv.state.acW).toBeLessThanOrEqual(1300 + 1);
    expect(r.inv.state.acW).toBeGreaterThan(1200);
    await m.writeRegister(43, 0);
    r.run(2);
    expect(r.inv.state.acW).toBe(0);
  });
});
