/**
 * Huawei SUN2000 + LUNA2000 map (data/inverters/huawei-sun2000.yaml) against what evcc and huawei-solar-lib
 * read and write, and the forcible charge behaviour evcc relies on (a command that lapses after its period).
 *
 * Transcribed (facts, not code):
 * - [evcc] evcc-io/evcc templates/definition/meter/huawei-sun2000-hybrid.yaml @ b29b49e3056e: all reads with function
 *   code 3: 30075 uint32 (maxacpower), 37758 uint32 (capacity), 37046/37048 uint32, 47082/47081 uint16 x0.1, the
 *   power-sensor block 37101 count 37 (37113 grid power, 37121/37119 energy, 37107-37111 currents, 37101-37105
 *   voltages, 37132-37136 phase powers), 32064 int32 and 32108 uint32 (pv), 47415/47418 (curtail state), the
 *   storage block 37760 count 24 (37765 power, 37782/37780 energy, 37760 soc). Writes: 47075/47077 uint32, 47247
 *   uint32, 47083 = 2, 47246 = 0, 47100 = 1 (charge, rewritten every 30 s) / 0 (stop), 47087, 47418 (x10), 47415.
 * - [hsl] wlcrs/huawei-solar-lib src/huawei_solar/registers.py @ 873c1b3b664e for the registers of the map (HSL below),
 *   read in batches of at most 64 registers (const.py MAX_BATCHED_REGISTERS_COUNT).
 */
import { ExceptionCode } from '../../protocols/modbus/device';
import { encode, rig, type Encoding, type Rig } from './rig';

type Read = [number, Encoding, number, string];

const EVCC_SINGLE: Read[] = [
  [30075, 'uint32', 1, 'maxacpower'],
  [37758, 'uint32', 0.001, 'capacity, kWh'],
  [37046, 'uint32', 1, 'maxchargepower'],
  [37048, 'uint32', 1, 'maxdischargepower'],
  [47082, 'uint16', 0.1, 'minsoc'],
  [47081, 'uint16', 0.1, 'maxsoc'],
  [32064, 'int32', 1, 'pv power'],
  [32108, 'uint32', 0.01, 'pv energy'],
  [47415, 'uint16', 1, 'active power control mode'],
  [47418, 'uint16', 0.1, 'feed-in percent'],
];
const EVCC_BLOCKS: Array<{ start: number; count: number; fields: Read[] }> = [
  {
    start: 37101,
    count: 37,
    fields: [
      [37113, 'int32', -1, 'grid power'],
      [37121, 'uint32', 0.01, 'grid energy imported'],
      [37119, 'uint32', 0.01, 'grid energy exported'],
      [37107, 'int32', -0.01, 'current A'],
      [37109, 'int32', -0.01, 'current B'],
      [37111, 'int32', -0.01, 'current C'],
      [37101, 'int32', 0.1, 'voltage A'],
      [37103, 'int32', 0.1, 'voltage B'],
      [37105, 'int32', 0.1, 'voltage C'],
      [37132, 'int32', -1, 'power A'],
      [37134, 'int32', -1, 'power B'],
      [37136, 'int32', -1, 'power C'],
    ],
  },
  {
    start: 37760,
    count: 24,
    fields: [
      [37765, 'int32', -1, 'battery power'],
      [37782, 'uint32', 0.01, 'battery energy discharged'],
      [37780, 'uint32', 0.01, 'battery energy charged'],
      [37760, 'uint16', 0.1, 'soc'],
    ],
  },
];
/** [hsl] register, type, gain (divisor), for the registers this map serves. */
const HSL: Read[] = [
  [30000, 'string', 15, 'MODEL_NAME'],
  [30015, 'string', 10, 'SERIAL_NUMBER'],
  [30070, 'uint16', 1, 'MODEL_ID'],
  [30071, 'uint16', 1, 'NB_PV_STRINGS'],
  [30072, 'uint16', 1, 'NB_MPP_TRACKS'],
  [30073, 'uint32', 1, 'RATED_POWER'],
  [30075, 'uint32', 1, 'P_MAX'],
  [30077, 'uint32', 1, 'S_MAX'],
  [32016, 'int16', 10, 'PV_01_VOLTAGE'],
  [32017, 'int16', 100, 'PV_01_CURRENT'],
  [32018, 'int16', 10, 'PV_02_VOLTAGE'],
  [32019, 'int16', 100, 'PV_02_CURRENT'],
  [32064, 'int32', 1, 'INPUT_POWER'],
  [32069, 'uint16', 10, 'PHASE_A_VOLTAGE'],
  [32072, 'int32', 1000, 'GRID_CURRENT'],
  [32080, 'int32', 1, 'ACTIVE_POWER'],
  [32082, 'int32', 1, 'REACTIVE_POWER'],
  [32084, 'int16', 1000, 'POWER_FACTOR'],
  [32085, 'uint16', 100, 'GRID_FREQUENCY'],
  [32086, 'uint16', 100, 'EFFICIENCY'],
  [32087, 'int16', 10, 'INTERNAL_TEMPERATURE'],
  [32089, 'uint16', 1, 'DEVICE_STATUS'],
  [32090, 'uint16', 1, 'FAULT_CODE'],
  [32106, 'uint32', 100, 'ACCUMULATED_YIELD_ENERGY'],
  [37760, 'uint16', 10, 'STORAGE_STATE_OF_CAPACITY'],
  [37762, 'uint16', 1, 'STORAGE_RUNNING_STATUS'],
  [37763, 'uint16', 10, 'STORAGE_BUS_VOLTAGE'],
  [37764, 'int16', 10, 'STORAGE_BUS_CURRENT'],
  [37765, 'int32', 1, 'STORAGE_CHARGE_DISCHARGE_POWER'],
  [47075, 'uint32', 1, 'STORAGE_MAXIMUM_CHARGING_POWER'],
  [47077, 'uint32', 1, 'STORAGE_MAXIMUM_DISCHARGING_POWER'],
  [47083, 'uint16', 1, 'STORAGE_FORCED_CHARGING_AND_DISCHARGING_PERIOD'],
  [47086, 'uint16', 1, 'STORAGE_WORKING_MODE_SETTINGS'],
  [47087, 'uint16', 1, 'STORAGE_CHARGE_FROM_GRID_FUNCTION'],
  [47100, 'uint16', 1, 'STORAGE_FORCIBLE_CHARGE_DISCHARGE_WRITE'],
  [47246, 'uint16', 1, 'STORAGE_FORCIBLE_CHARGE_DISCHARGE_SETTING_MODE'],
  [47247, 'uint32', 1, 'STORAGE_FORCIBLE_CHARGE_POWER'],
  [47249, 'uint32', 1, 'STORAGE_FORCIBLE_DISCHARGE_POWER'],
  [47415, 'uint16', 1, 'ACTIVE_POWER_CONTROL_MODE'],
  [47416, 'int32', 1, 'MAXIMUM_FEED_GRID_POWER_WATT'],
  [47418, 'int16', 10, 'MAXIMUM_FEED_GRID_POWER_PERCENT'],
];

function at(words: number[], start: number, f: Read): number {
  const off = f[0] - start;
  const w = words.slice(off, off + (f[1].endsWith('32') ? 2 : 1));
  const b = Buffer.alloc(4);
  b.writeUInt16BE(w[0]!, 0);
  if (w.length > 1) b.writeUInt16BE(w[1]!, 2);
  return f[1] === 'uint16' ? b.readUInt16BE(0) : f[1] === 'int16' ? b.readInt16BE(0) : f[1] === 'uint32' ? b.readUInt32BE(0) : b.readInt32BE(0);
}

/** evcc's battery "charge" mode (case 3): the writes in its order. */
async function evccCharge(r: Rig, maxchargepower: number): Promise<void> {
  const m = r.master();
  await m.writeRegisters(47075, encode(maxchargepower, 'uint32'));
  await m.writeRegisters(47247, encode(maxchargepower, 'uint32'));
  await m.writeRegister(47083, 2);
  await m.writeRegister(47246, 0);
  await m.writeRegister(47100, 1);
}

describe('Huawei SUN2000: what evcc and huawei-solar-lib read', () => {
  const r = rig('huawei-sun2000', { irradiance: 600, siteLoadW: 700 });

  it.each(EVCC_SINGLE.map((f) => [f[0], f[3], f] as const))('evcc reads %i (%s)', async (_a, _w, f) => {
    const v = (await r.read(r.master(), { table: 'holding', address: f[0], encoding: f[1], count: 1 })) as number;
    expect(Number.isFinite(v * f[2])).toBe(true);
    expect([0xffff, 0xffffffff, 0x7fffffff]).not.toContain(v);
  });

  it('evcc reads the power-sensor and storage blocks in one request each; the values agree with the model', async () => {
    const m = r.master();
    const [meter, storage] = await Promise.all(EVCC_BLOCKS.map((b) => m.readHolding(b.start, b.count)));
    const grid = at(meter!, 37101, EVCC_BLOCKS[0]!.fields[0]!) * -1; // evcc: + import
    expect(grid).toBeCloseTo(700 - r.inv.state.acW, -1);
    expect(at(meter!, 37101, [37101, 'int32', 0.1, '']) * 0.1).toBeCloseTo(230, 0);
    const bat = at(storage!, 37760, EVCC_BLOCKS[1]!.fields[0]!) * -1; // evcc: + discharging
    expect(bat).toBe(-Math.round(r.inv.state.batteryW));
    expect(at(storage!, 37760, [37760, 'uint16', 0.1, '']) * 0.1).toBeCloseTo(r.battery.soc(), 0);
  });

  it.each(HSL.map((f) => [f[0], f[3], f] as const))('huawei-solar-lib reads %i (%s)', async (_a, _w, f) => {
    const v = await r.read(r.master(), { table: 'holding', address: f[0], encoding: f[1], count: f[1] === 'string' ? f[2] : 1 });
    if (typeof v === 'string') expect(v).toMatch(/^[A-Z0-9-]+$/);
    else expect(Number.isFinite(v / f[2])).toBe(true);
  });

  it('identity as Huawei documents it: model name string at 30000, serial at 30015, both unit ids 0 and 1 answer', async () => {
    expect(await r.read(r.master(0), { table: 'holding', address: 30000, encoding: 'string', count: 15 })).toBe('SUN2000-10KTL-M1');
    expect(await r.read(r.master(1), { table: 'holding', address: 30015, encoding: 'string', count: 10 })).toBe(r.inv.identity.serial);
  });

  it('a read of 64 registers (huawei-solar-lib batches) works; 65 answers exception 3', async () => {
    expect(await r.master().readHolding(37100, 64)).toHaveLength(64);
    await expect(r.master().readHolding(37100, 65)).rejects.toMatchObject({ exceptionCode: 3 });
  });
});

describe('Huawei SUN2000: forcible charge and the limits evcc writes', () => {
  it('evcc charge: charges from the grid at 47247 watts; the command lapses after the 47083 period (2 min) and reverts to stop', async () => {
    const r = rig('huawei-sun2000', { irradiance: 0, siteLoadW: 400 });
    await evccCharge(r, 3000);
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(3000, -1);
    expect(await r.master().readHolding(47100, 1)).toEqual([1]);
    r.run(110);
    expect(r.inv.state.batteryW).toBeCloseTo(3000, -1);
    r.run(10);
    expect(await r.master().readHolding(47100, 1)).toEqual([0]);
    expect(r.inv.state.batteryW).toBeLessThan(-300); // self-consumption again: the battery covers the house load
  });

  it("evcc's watchdog rewrite of 47100 every 30 s keeps the forcible charge going past the period", async () => {
    const r = rig('huawei-sun2000', { irradiance: 0 });
    await evccCharge(r, 2500);
    for (let i = 0; i < 10; i++) {
      r.run(30);
      await r.master().writeRegister(47100, 1);
    }
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(2500, -1);
  });

  it('the forcible power never exceeds the max charging power (47075)', async () => {
    const r = rig('huawei-sun2000', { irradiance: 0 });
    await evccCharge(r, 3000);
    await r.master().writeRegisters(47075, encode(1200, 'uint32'));
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(1200, -1);
  });

  it('evcc hold: max discharging power 0 stops the battery covering the load', async () => {
    const r = rig('huawei-sun2000', { irradiance: 0, siteLoadW: 600 });
    r.run(5);
    expect(r.inv.state.batteryW).toBeLessThan(-550);
    await r.master().writeRegisters(47077, encode(0, 'uint32'));
    r.run(5);
    expect(r.inv.state.batteryW).toBeGreaterThanOrEqual(-1e-6);
  });

  it('evcc curtail: 47418 = 50.0 % and mode 7 cap the feed-in at half the rated power; mode 0 lifts it', async () => {
    const r = rig('huawei-sun2000', { irradiance: 1000, ratedW: 5000, batteryMaxW: 100 });
    const full = r.inv.state.acW;
    expect(full).toBeGreaterThan(3000);
    await r.master().writeRegister(47418, 500);
    await r.master().writeRegister(47415, 7);
    r.run(5);
    expect(r.inv.state.acW).toBeLessThanOrEqual(2500 + 1);
    await r.master().writeRegister(47415, 0);
    r.run(10);
    expect(r.inv.state.acW).toBeCloseTo(full, -2);
  });

  it('refuses a forcible charge power above its maximum and an unknown forcible command, atomically', async () => {
    const r = rig('huawei-sun2000');
    const dev = r.dev.modbus;
    expect(dev.writeRegisters!(47247, encode(6000, 'uint32'))).toBe(ExceptionCode.IllegalDataValue);
    expect(dev.writeRegisters!(47100, [3])).toBe(ExceptionCode.IllegalDataValue);
    expect(dev.writeRegisters!(47248, [0, 1])).toBe(ExceptionCode.IllegalDataAddress); // starts inside 47247-47248
    expect(dev.writeRegisters!(47247, [0, 1000, 0])).toBe(ExceptionCode.IllegalDataAddress); // ends inside 47249-47250
    expect(await r.master().readHolding(47247, 2)).toEqual([0, 0]);
  });
});
