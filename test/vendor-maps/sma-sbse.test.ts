/**
 * SMA Sunny Boy Smart Energy map (data/inverters/sma-sbse.yaml) against what evcc reads and writes, SMA's own
 * register list for the device (Technical Information SMA_Modbus-TI-en-31, sheet "SB 3600-5000SE-10"), and the CmpBMS
 * battery modes evcc uses.
 *
 * Transcribed (facts, not code):
 * - evcc-io/evcc templates/definition/meter/sma-hybrid.yaml @ a3f58277a31c (unit id 3): reads 30865/30867 int32
 *   (grid in/out), 30581 (energy), 30773/30961/30967 int32 (pv), 30513 uint64, 31395/31393 uint32 (battery
 *   discharge/charge power), 31401 uint64, 30845 uint32 (soc), 30775 int32. Writes (FC16, uint32) per mode:
 *   normal 40236 2424, 40793 0, 40795 maxcharge, 40797 0, 40799 maxdischarge, 40801 0; hold the same with 40799 0;
 *   charge 40236 2289, 40793 = 40795 = maxcharge, 40797 0, 40799 0, 40801 0; holdcharge 2424 with 40795 0.
 * - SMA TI sheet "SB 3600-5000SE-10, PKG 2.4": identity 30051 (class), 30053 (type; SB 5000SE-10 = 9225), 30057
 *   (serial), 30059 (software package), all U32.
 */
import { encode, rig, type Rig } from './rig';

const UNIT = 3;
const EVCC_READS: Array<[number, 'int32' | 'uint32' | 'uint64', string]> = [
  [30865, 'int32', 'grid in'], [30867, 'int32', 'grid out'], [30581, 'uint32', 'grid energy'], [30773, 'int32', 'pv 1'],
  [30961, 'int32', 'pv 2'], [30967, 'int32', 'pv 3'], [30513, 'uint64', 'pv energy'], [31395, 'uint32', 'battery discharge power'],
  [31393, 'uint32', 'battery charge power'], [31401, 'uint64', 'battery energy'], [30845, 'uint32', 'soc'], [30775, 'int32', 'power'],
];

async function read(r: Rig, address: number, type: 'int32' | 'uint32' | 'uint64'): Promise<number> {
  const w = await r.master(UNIT).readHolding(address, type === 'uint64' ? 4 : 2);
  if (type === 'uint64') return Number((BigInt(w[0]!) << 48n) | (BigInt(w[1]!) << 32n) | (BigInt(w[2]!) << 16n) | BigInt(w[3]!));
  const u = w[0]! * 0x10000 + w[1]!;
  return type === 'int32' && u >= 0x80000000 ? u - 0x100000000 : u;
}

async function mode(r: Rig, values: Array<[number, number]>): Promise<void> {
  for (const [a, v] of values) await r.master(UNIT).writeRegisters(a, encode(v, a === 40801 ? 'int32' : 'uint32'));
}

const EVCC = {
  normal: (c: number, d: number): Array<[number, number]> => [[40236, 2424], [40793, 0], [40795, c], [40797, 0], [40799, d], [40801, 0]],
  hold: (c: number): Array<[number, number]> => [[40236, 2424], [40793, 0], [40795, c], [40797, 0], [40799, 0], [40801, 0]],
  charge: (c: number): Array<[number, number]> => [[40236, 2289], [40793, c], [40795, c], [40797, 0], [40799, 0], [40801, 0]],
  holdcharge: (d: number): Array<[number, number]> => [[40236, 2424], [40793, 0], [40795, 0], [40797, 0], [40799, d], [40801, 0]],
};

describe('SMA Sunny Boy Smart Energy: what evcc reads, identity as SMA documents it', () => {
  const r = rig('sma-sbse', { irradiance: 600, siteLoadW: 400, ratedW: 5000 });

  it.each(EVCC_READS.map((x) => [x[0], x[2], x] as const))('evcc reads %i (%s) on unit 3', async (_a, _w, x) => {
    const v = await read(r, x[0], x[1]);
    expect(Number.isFinite(v)).toBe(true);
    expect([0xffffffff, -0x80000000]).not.toContain(v);
  });

  it('values agree with the model: power, soc, grid in/out, battery charge/discharge power', async () => {
    expect(await read(r, 30775, 'int32')).toBe(Math.round(r.inv.state.acW));
    expect(await read(r, 30845, 'uint32')).toBe(Math.round(r.battery.soc()));
    expect((await read(r, 30865, 'int32')) - (await read(r, 30867, 'int32'))).toBe(Math.round(Math.max(0, 400 - r.inv.state.acW)) - Math.round(Math.max(0, r.inv.state.acW - 400)));
    expect((await read(r, 31393, 'uint32')) - (await read(r, 31395, 'uint32'))).toBe(Math.round(Math.max(0, r.inv.state.batteryW)) - Math.round(Math.max(0, -r.inv.state.batteryW)));
  });

  it('identity: device type 9225 (SB 5000SE-10), a numeric serial, software package', async () => {
    expect(await read(r, 30053, 'uint32')).toBe(9225);
    expect(await read(r, 30057, 'uint32')).toBe(Number(r.inv.identity.serial.replace(/\D/g, '')));
    expect(await read(r, 30059, 'uint32')).toBeGreaterThan(0);
  });
});

describe('SMA Sunny Boy Smart Energy: the CmpBMS modes evcc writes', () => {
  it('charge (2289, min = max = P) charges from the grid at P; normal (2424) returns to self-consumption', async () => {
    const r = rig('sma-sbse', { irradiance: 0, siteLoadW: 500, ratedW: 5000 });
    await mode(r, EVCC.charge(2500));
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(2500, -1);
    expect(await read(r, 31393, 'uint32')).toBeCloseTo(2500, -1);
    await mode(r, EVCC.normal(5000, 5000));
    r.run(5);
    expect(r.inv.state.batteryW).toBeLessThan(-450);
  });

  it('hold (max discharge 0) stops the battery covering the load; holdcharge (max charge 0) stops PV charging it', async () => {
    const night = rig('sma-sbse', { irradiance: 0, siteLoadW: 500, ratedW: 5000 });
    await mode(night, EVCC.hold(5000));
    night.run(5);
    expect(night.inv.state.batteryW).toBeGreaterThanOrEqual(-1e-6);
    const day = rig('sma-sbse', { irradiance: 800, ratedW: 5000 });
    expect(day.inv.state.batteryW).toBeGreaterThan(500);
    await mode(day, EVCC.holdcharge(5000));
    day.run(5);
    expect(day.inv.state.batteryW).toBeLessThanOrEqual(1e-6);
  });

  it('refuses an operating mode outside its table (exception 3)', async () => {
    const r = rig('sma-sbse');
    await expect(r.master(UNIT).writeRegisters(40236, encode(303, 'uint32'))).rejects.toMatchObject({ exceptionCode: 3 });
  });
});
