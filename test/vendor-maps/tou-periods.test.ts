/**
 * Time-of-use periods as behaviour bindings (`behaviour.periods`), in model time: the battery charges in a charge
 * period and not outside it, discharges in a discharge period, follows weekday masks across midnight.
 *
 * Transcribed (facts, not code):
 * - [hsl] wlcrs/huawei-solar-lib src/huawei_solar/registers.py @ 873c1b3b664e: HUAWEI_LUNA2000_TimeOfUseRegisters
 *   at 47255, 43 registers written in one request: word 0 the number of periods (at most 14), then per period
 *   start minute and end minute (since midnight, u16 each), a byte charge flag (0 charge, 1 discharge) and a byte of
 *   days (bit 0 Sunday .. bit 6 Saturday); periods must not overlap, start < end <= 1440. Working mode 47086 = 5
 *   (TIME_OF_USE_LUNA2000), 47087 grid charging, 47244 maximum power of charge from grid, 47081 charging cutoff.
 * - [al] AlexanderLanin/homeassistant-sungrow custom_components/sungrow/core/registers-sungrow.yaml @ ba66118198fc:
 *   forced charging enable 0xAA/0x55, valid time, per period start hour, start minute, end hour, end minute, target
 *   SOC (0.1 %), Sungrow's numbers 33208-33219 sent as number - 1 (wire 33207-33218).
 */
import { rig, type Rig } from './rig';

/** [hsl]'s encoding of a period list into the 43-register block. */
function huaweiTou(periods: Array<{ start: number; end: number; discharge: boolean; days: number }>): number[] {
  const words = new Array<number>(43).fill(0);
  words[0] = periods.length;
  periods.forEach((p, i) => {
    words[1 + 3 * i] = p.start;
    words[2 + 3 * i] = p.end;
    words[3 + 3 * i] = ((p.discharge ? 1 : 0) << 8) | p.days;
  });
  return words;
}

const EVERY_DAY = 0x7f;

/** Charging at about the battery port's 5 kW reference (Sungrow's 33046 limit is 10.6 kW; the model delivers a little under 5 kW at full power). */
function fullCharge(r: Rig): void {
  expect(r.inv.state.batteryW).toBeGreaterThan(4700);
  expect(r.inv.state.batteryW).toBeLessThanOrEqual(5000 + 1e-6);
}

/** Self-consumption: the battery covers the house load (plus the inverter's losses). */
function covers(r: Rig, loadW: number): void {
  expect(r.inv.state.batteryW).toBeLessThan(-0.95 * loadW);
  expect(r.inv.state.batteryW).toBeGreaterThan(-1.15 * loadW);
}
const at = (h: number, m = 0) => h * 60 + m;

/** Advance to a time of day (HH, MM) in 1 s steps, then settle 5 s. */
function runTo(r: Rig, h: number, m: number): void {
  const tod = ((r.inv.state.timeOfDay % 86400) + 86400) % 86400;
  let dt = h * 3600 + m * 60 - tod;
  if (dt < 0) dt += 86400;
  r.run(dt, 1);
  r.run(5);
}

async function huaweiProgramme(r: Rig, words: number[]): Promise<void> {
  const m = r.master();
  await m.writeRegisters(47255, words); // one request, as [hsl] encodes it
  await m.writeRegister(47087, 1); // grid charging allowed
  await m.writeRegisters(47244, [0, 3000]); // 3 kW from the grid
  await m.writeRegister(47086, 5); // TOU (LUNA2000)
}

describe('Huawei LUNA2000 time of use (47255 block, working mode 5)', () => {
  it('charges from the grid in a charge period, discharges in a discharge period, holds outside every period', async () => {
    const r = rig('huawei-sun2000', { irradiance: 0, siteLoadW: 500, startTime: '12:30' });
    await huaweiProgramme(r, huaweiTou([
      { start: at(13), end: at(14), discharge: false, days: EVERY_DAY },
      { start: at(14), end: at(15), discharge: true, days: EVERY_DAY },
    ]));
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(0, 0); // before 13:00: no discharge, the grid covers the house
    runTo(r, 13, 5);
    expect(r.inv.state.batteryW).toBeCloseTo(3000, -1);
    expect(r.dev.signal('behaviour.period')).toBe(1);
    runTo(r, 14, 5);
    covers(r, 500); // self-consumption
    expect(r.dev.signal('behaviour.period')).toBe(2);
    runTo(r, 15, 5);
    expect(r.inv.state.batteryW).toBeCloseTo(0, 0);
  });

  it('reads back as [hsl] decodes it; the count limits the periods; another working mode ignores them', async () => {
    const r = rig('huawei-sun2000', { irradiance: 0, siteLoadW: 500, startTime: '13:30' });
    const words = huaweiTou([
      { start: at(13), end: at(14), discharge: false, days: EVERY_DAY },
      { start: at(14), end: at(15), discharge: true, days: 0x41 },
    ]);
    await huaweiProgramme(r, words);
    expect(Array.from(await r.master().readHolding(47255, 43))).toEqual(words);
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(3000, -1);
    await r.master().writeRegister(47255, 0); // no periods: holds
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(0, 0);
    await r.master().writeRegister(47255, 2);
    await r.master().writeRegister(47086, 2); // maximise self-consumption: the table does nothing
    r.run(5);
    covers(r, 500);
  });

  it('without grid charging (47087 = 0) a charge period only stops discharge; charging stops at the cutoff (47081)', async () => {
    const r = rig('huawei-sun2000', { irradiance: 0, siteLoadW: 500, startTime: '13:00', soc: 50 });
    await huaweiProgramme(r, huaweiTou([{ start: at(13), end: at(16), discharge: false, days: EVERY_DAY }]));
    await r.master().writeRegister(47087, 0);
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(0, 0);
    await r.master().writeRegister(47087, 1);
    await r.master().writeRegister(47081, 520); // 52.0 %
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(3000, -1);
    r.run(900, 1);
    expect(r.battery.soc()).toBeGreaterThanOrEqual(51.9);
    expect(r.battery.soc()).toBeLessThan(53);
    expect(r.inv.state.batteryW).toBeCloseTo(0, 0); // at the cutoff: held until the period ends
  });

  it('a weekday mask: a Thursday-only period after midnight charges on Thursday, not on Wednesday', async () => {
    const r = rig('huawei-sun2000', { irradiance: 0, siteLoadW: 300, startTime: '00:00', startWeekday: 3 });
    const thursday = 1 << 4;
    await huaweiProgramme(r, huaweiTou([{ start: at(0, 30), end: at(1, 30), discharge: false, days: thursday }]));
    runTo(r, 0, 40); // Wednesday 00:40
    expect(r.inv.state.batteryW).toBeCloseTo(0, 0);
    runTo(r, 0, 40); // Thursday 00:40
    expect(r.inv.state.batteryW).toBeCloseTo(3000, -1);
    expect(r.dev.signal('tou_1_flags')).toBe(thursday);
  });

  it('a forcible command wins over the periods while it is in force', async () => {
    const r = rig('huawei-sun2000', { irradiance: 0, siteLoadW: 500, startTime: '13:00' });
    await huaweiProgramme(r, huaweiTou([{ start: at(13), end: at(16), discharge: true, days: EVERY_DAY }]));
    const m = r.master();
    await m.writeRegisters(47247, [0, 2000]);
    await m.writeRegister(47083, 10);
    await m.writeRegister(47100, 1);
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(2000, -1);
    await m.writeRegister(47100, 0);
    r.run(5);
    covers(r, 500);
  });
});

describe('Sungrow SH forced charging periods (33207-33218)', () => {
  async function sungrowPeriod(r: Rig, n: 1 | 2, from: [number, number], to: [number, number], soc: number): Promise<void> {
    const base = n === 1 ? 33209 : 33214;
    await r.master().writeRegisters(base, [from[0], from[1], to[0], to[1], soc * 10]);
  }

  it('charges from the grid in the period up to its target SOC, holds there, and is self-consumption outside', async () => {
    const r = rig('sungrow-sh', { irradiance: 0, siteLoadW: 300, startTime: '01:50', soc: 50 });
    await sungrowPeriod(r, 1, [2, 0], [4, 0], 53);
    await r.master().writeRegister(33207, 0xaa);
    r.run(5);
    covers(r, 300); // before 02:00: the battery covers the house
    runTo(r, 2, 1);
    fullCharge(r); // the battery's charge limit
    runTo(r, 3, 0);
    expect(r.battery.soc()).toBeGreaterThanOrEqual(52.9);
    expect(r.battery.soc()).toBeLessThan(54);
    expect(r.inv.state.batteryW).toBeCloseTo(0, 0); // target reached: held
    runTo(r, 4, 1);
    covers(r, 300);
  });

  it('a period over midnight (period 2, 23:50-01:00) charges at 00:10; disabled (0x55) it does not', async () => {
    const r = rig('sungrow-sh', { irradiance: 0, siteLoadW: 300, startTime: '23:40', soc: 40 });
    await sungrowPeriod(r, 2, [23, 50], [1, 0], 100);
    await r.master().writeRegister(33207, 0xaa);
    r.run(5);
    expect(r.inv.state.batteryW).toBeLessThan(-250);
    runTo(r, 0, 10);
    fullCharge(r);
    await r.master().writeRegister(33207, 0x55);
    r.run(5);
    expect(r.inv.state.batteryW).toBeLessThan(-250);
    await expect(r.master().writeRegister(33207, 1)).rejects.toMatchObject({ exceptionCode: 3 });
  });

  it('the EMS forced mode (13049 = 2, stop 0xCC) wins over a period', async () => {
    const r = rig('sungrow-sh', { irradiance: 0, siteLoadW: 300, startTime: '02:00', soc: 50 });
    await sungrowPeriod(r, 1, [2, 0], [4, 0], 90);
    await r.master().writeRegister(33207, 0xaa);
    r.run(5);
    fullCharge(r);
    await r.master().writeRegister(13050, 0xcc);
    await r.master().writeRegister(13049, 2);
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(0, 0);
  });
});
