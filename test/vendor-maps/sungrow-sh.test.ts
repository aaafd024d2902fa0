/**
 * Sungrow SH-RT map (data/inverters/sungrow-sh.yaml) against what evcc and the mkaiser Home Assistant
 * integration read and write (sungrow-sh.data.ts): every read answers with a plausible value, every write is taken,
 * and evcc's battery modes do what evcc expects of the inverter.
 */
import { ExceptionCode } from '../../protocols/modbus/device';
import { EVCC_READS, EVCC_WRITES, MKAISER_SENSORS, MKAISER_WRITES } from './sungrow-sh.data';
import { rig, type IntegrationRead, type Rig } from './rig';

/** evcc's battery power from 13000/13020/13021 (its script, restated): + discharging. */
async function evccBatteryPower(r: Rig): Promise<number> {
  const m = r.master();
  const brs = (await r.read(m, { table: 'input', address: 13000, encoding: 'uint16', count: 1 })) as number;
  const bc = (await r.read(m, { table: 'input', address: 13020, encoding: 'int16', count: 1 })) as number;
  const bp = (await r.read(m, { table: 'input', address: 13021, encoding: 'int16', count: 1 })) as number;
  return (brs & 0x2) > 0 || bc < 0 ? (bp >= 0 ? -bp : bp) : bp;
}

async function writeAll(r: Rig, writes: Array<[number, number]>): Promise<void> {
  const m = r.master();
  for (const [a, v] of writes) await m.writeRegister(a, v);
}

/** Absent MPPTs read 0xFFFF on an SH10RT ([mk] nan_value 0xFFFF on MPPT 3 and 4). */
const MAY_BE_ABSENT = new Set([5014, 5015, 5114, 5115]);

function plausible(read: IntegrationRead, value: number | string, r: Rig): void {
  if (typeof value === 'string') {
    expect(value).toMatch(/^[\x20-\x7e]*$/);
    return;
  }
  const raw = value;
  if (MAY_BE_ABSENT.has(read.address)) {
    expect(raw).toBe(0xffff);
    return;
  }
  // Not-available patterns must not appear for anything the model has.
  expect([0xffff, 0x8000 - 0x10000, 0x7fffffff, 0xffffffff]).not.toContain(raw);
  const v = raw * read.scale;
  expect(Number.isFinite(v)).toBe(true);
  if (/voltage/i.test(read.what) && /phase|meter/i.test(read.what)) expect(v).toBeGreaterThan(200);
  if (/frequency/i.test(read.what)) expect(v).toBeCloseTo(r.inv.state.gridHz, 1);
  if (/battery level|^soc/i.test(read.what)) expect(v).toBeCloseTo(r.battery.soc(), 0);
}

describe('Sungrow SH-RT: what the integrations read', () => {
  const r = rig('sungrow-sh', { irradiance: 600, siteLoadW: 800 });

  it.each(EVCC_READS.map((x) => [x.address, x.what, x] as const))('evcc reads %i (%s)', async (_a, _w, read) => {
    const v = await r.read(r.master(), read);
    plausible(read, v, r);
  });

  it.each(MKAISER_SENSORS.map((x) => [x.address, x.table, x.what, x] as const))('mkaiser reads %i %s (%s)', async (_a, _t, _w, read) => {
    const v = await r.read(r.master(), read);
    plausible(read, v, r);
  });

  it('identity as Sungrow documents it: device type code 0x0E03 (SH10RT), serial, rated output in 100 W', async () => {
    const m = r.master();
    expect(await r.read(m, { table: 'input', address: 4999, encoding: 'uint16', count: 1 })).toBe(0x0e03);
    expect(await r.read(m, { table: 'input', address: 4989, encoding: 'string', count: 10 })).toBe(r.inv.identity.serial);
    expect(await r.read(m, { table: 'input', address: 5000, encoding: 'uint16', count: 1 })).toBe(100);
  });

  it('values agree with the model: PV power, export, battery power sign (5213: + discharging)', async () => {
    const m = r.master();
    expect(await r.read(m, { table: 'input', address: 5016, encoding: 'uint32s', count: 2 })).toBe(Math.round(r.inv.state.dcW));
    const exported = (await r.read(m, { table: 'input', address: 13009, encoding: 'int32s', count: 2 })) as number;
    expect(exported).toBe(Math.round(r.inv.state.acW - 800));
    expect(await r.read(m, { table: 'input', address: 5213, encoding: 'int32s', count: 2 })).toBe(Math.round(-r.inv.state.batteryW));
    expect(r.inv.state.batteryW).toBeGreaterThan(100); // PV beyond the house load charges the battery
  });
});

describe('Sungrow SH-RT: what the integrations write, and the behaviour evcc expects', () => {
  it('takes every write mkaiser makes and reads it back', async () => {
    const r = rig('sungrow-sh');
    const m = r.master();
    for (const [a, v] of MKAISER_WRITES) {
      await m.writeRegister(a, v);
      expect(await m.readHolding(a, 1)).toEqual([v]);
    }
  });

  it('evcc charge: forced mode + 0xAA charges from the grid at the commanded power, and it holds (no timeout documented)', async () => {
    const r = rig('sungrow-sh', { irradiance: 0, siteLoadW: 500 });
    await writeAll(r, EVCC_WRITES.charge(3000));
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(3000, -1);
    expect(await evccBatteryPower(r)).toBeCloseTo(-3000, -1); // evcc: negative = charging
    expect(r.inv.state.acW).toBeLessThan(-3000); // drawn from the grid
    r.run(1800);
    expect(r.inv.state.batteryW).toBeCloseTo(3000, -1);
  });

  it('evcc normal: self-consumption again, the battery covers the house load', async () => {
    const r = rig('sungrow-sh', { irradiance: 0, siteLoadW: 500 });
    await writeAll(r, EVCC_WRITES.charge(3000));
    r.run(5);
    await writeAll(r, EVCC_WRITES.normal(5000));
    r.run(5);
    expect(r.inv.state.batteryW).toBeLessThan(-450);
    expect(r.inv.state.batteryW).toBeGreaterThan(-700);
    expect(await evccBatteryPower(r)).toBeGreaterThan(450);
  });

  it('evcc hold: the 10 W discharge cap stops the battery from covering the load', async () => {
    const r = rig('sungrow-sh', { irradiance: 0, siteLoadW: 500 });
    await writeAll(r, EVCC_WRITES.hold());
    r.run(5);
    expect(r.inv.state.batteryW).toBeGreaterThanOrEqual(-10 - 1e-6);
    expect(await r.master().readHolding(33047, 1)).toEqual([1]);
  });

  it('mkaiser forced discharge: forced mode + 0xBB discharges at 13051 watts', async () => {
    const r = rig('sungrow-sh', { irradiance: 0 });
    await writeAll(r, [
      [13051, 2000],
      [13049, 2],
      [13050, 0xbb],
    ]);
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(-2000, -1);
    expect(r.inv.state.acW).toBeGreaterThan(1800);
  });

  it('refuses values outside its enum tables with exception 3, changing nothing', async () => {
    const r = rig('sungrow-sh');
    expect(r.dev.modbus.writeRegisters!(13049, [1])).toBe(ExceptionCode.IllegalDataValue);
    expect(r.dev.modbus.writeRegisters!(13050, [0x12])).toBe(ExceptionCode.IllegalDataValue);
    expect(r.dev.modbus.writeRegisters!(13049, [2, 0x12])).toBe(ExceptionCode.IllegalDataValue);
    expect(await r.master().readHolding(13049, 2)).toEqual([0, 0xcc]);
    expect(r.dev.modbus.writeRegisters!(5000, [1])).toBe(ExceptionCode.IllegalDataAddress);
  });
});
