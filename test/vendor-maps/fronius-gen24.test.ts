/**
 * Fronius Symo GEN24 Plus map (data/inverters/fronius-gen24.yaml: SunSpec plus the Fronius registers on unit 1)
 * against what callifo/fronius_modbus and evcc read and write, and the battery behaviour evcc's modes rely on.
 *
 * Transcribed (facts, not code):
 * - [cf] callifo/fronius_modbus custom_components/fronius_modbus/froniusmodbusclient.py and froniusmodbusclient_const.py
 *   @ 78b77f96c961: reads on the inverter unit with function 3, fixed wire addresses: 40004 x65 (common: Mn, Md, Opt,
 *   Vr, SN strings, DA the 65th), 40071 x50 (inverter: PPVph*, PhVph*, V_SF, W, W_SF, Hz, Hz_SF at offsets 5-15,
 *   WH 22-23, WH_SF 24, TmpCab 31, Tmp_SF 35, StVnd 37, EvtVnd2 44-45), 40123 x120 (nameplate: DERTyp 0, WHRtg 17,
 *   MaxChaRte 21, MaxDisChaRte 23), 40183 x44 (status: PVConn 0, StorConn 1, ECPConn 2, StActCtl 33-34, Ris 42,
 *   Ris_SF 43), 40151 x30 (WMax 0, WMax_SF 20), 40229 x24 (Conn 2, WMaxLim_Ena 7, OutPFSet_Ena 12, VArPct_Ena 20),
 *   40255 x88 (160: SFs 0-3, module 1 DCA/DCV/DCW/DCWH at 17-20, module 2 at 37-40, module 3 DCW/DCWH at 59-60,
 *   module 4 at 79-80), 40345 x24 (124: WChaMax 0, StorCtl_Mod 3, MinRsvPct 5, ChaState 6, ChaSt 9, OutWRte 10,
 *   InWRte 11, ChaGriSet 15; SFs taken as -2), 40232 x1 and 40236 x1 (export limit). Writes (function 16, one
 *   register each): 40348 StorCtl_Mod, 40350 MinRsvPct (x100), 40355 OutWRte and 40356 InWRte (x100, negative as
 *   65536 + v), 40232 (100..10000), 40236 (0/1), 40231 Conn. Its value tables: FRONIUS_INVERTER_STATUS 1-13,
 *   CONNECTION_STATUS_CONDENSED {0,1,3,7}, ECP_CONNECTION_STATUS {0,1}, CONTROL_STATUS {0,1}, CHARGE_STATUS 1-7.
 * - [evcc] evcc-io/evcc templates/definition/meter/fronius-gen24.yaml @ b29b49e3056e: SunSpec discovery on unit 1;
 *   reads 160 modules 1-2 DCW/DCWH (pv), 3-4 DCW/DCWH (battery charge/discharge), 124 ChaState (soc); battery modes
 *   write 124 points: normal StorCtl_Mod 0, OutWRte 100; hold StorCtl_Mod 2, OutWRte 0; charge ChaGriSet 1,
 *   StorCtl_Mod 2, OutWRte -maxchargerate; holdcharge StorCtl_Mod 1, InWRte 0.
 */
import { ExceptionCode } from '../../protocols/modbus/device';
import { discoverSunSpec } from '../../protocols/modbus/sunspec';
import type { InProcessMaster } from '../../protocols/modbus/in-process-master';
import { rig, type Rig } from './rig';

const text = (w: ArrayLike<number>): string =>
  Buffer.from(Array.from(w).flatMap((x) => [x >> 8, x & 0xff]))
    .toString('latin1')
    .replace(/\0+$/, '');
const s16 = (x: number): number => (x >= 0x8000 ? x - 0x10000 : x);
const u32 = (w: ArrayLike<number>, i: number): number => w[i]! * 0x10000 + w[i + 1]!;
const sf = (raw: number, exp: number): number => raw * 10 ** s16(exp);

/** [cf]'s block reads: wire address, count, what. */
const CF_READS: Array<[number, number, string]> = [
  [40004, 65, 'common'],
  [40071, 50, 'inverter'],
  [40123, 120, 'nameplate'],
  [40183, 44, 'status'],
  [40151, 30, 'settings'],
  [40229, 24, 'controls'],
  [40255, 88, 'mppt'],
  [40345, 24, 'storage'],
  [40232, 1, 'export limit rate'],
  [40236, 1, 'export limit enable'],
];

/** 124 point addresses evcc writes, found by discovery as evcc does. */
async function storage(m: InProcessMaster): Promise<Record<'StorCtl_Mod' | 'OutWRte' | 'InWRte' | 'ChaGriSet' | 'RvrtTms' | 'ChaState', number>> {
  const d = await discoverSunSpec((a, n) => m.readHolding(a, n));
  const at = d.models.find((x) => x.id === 124)!.address;
  // Offsets from the model's ID register (SunSpec 124).
  return { StorCtl_Mod: at + 5, ChaState: at + 8, OutWRte: at + 12, InWRte: at + 13, RvrtTms: at + 15, ChaGriSet: at + 17 };
}

const EVCC = {
  normal: async (m: InProcessMaster) => {
    const p = await storage(m);
    await m.writeRegisters(p.StorCtl_Mod, [0]);
    await m.writeRegisters(p.OutWRte, [100 * 100]);
  },
  hold: async (m: InProcessMaster) => {
    const p = await storage(m);
    await m.writeRegisters(p.StorCtl_Mod, [2]);
    await m.writeRegisters(p.OutWRte, [0]);
  },
  charge: async (m: InProcessMaster, maxchargerate: number) => {
    const p = await storage(m);
    await m.writeRegisters(p.ChaGriSet, [1]);
    await m.writeRegisters(p.StorCtl_Mod, [2]);
    await m.writeRegisters(p.OutWRte, [(-maxchargerate * 100) & 0xffff]);
  },
  holdcharge: async (m: InProcessMaster) => {
    const p = await storage(m);
    await m.writeRegisters(p.StorCtl_Mod, [1]);
    await m.writeRegisters(p.InWRte, [0]);
  },
};

describe('Fronius GEN24: what callifo/fronius_modbus reads (fixed addresses) and evcc finds (discovery)', () => {
  let r: Rig;
  beforeAll(() => {
    r = rig('fronius-gen24', { irradiance: 600, siteLoadW: 700 });
  });

  it.each(CF_READS.map((x) => [x[0], x[2], x] as const))('[cf] reads %i (%s) in one request', async (_a, _w, x) => {
    const words = await r.master().readHolding(x[0], x[1]);
    expect(words).toHaveLength(x[1]);
  });

  it('common (40004 x65): Mn Fronius, Md a Symo GEN24, SN the serial, DA 1 as the 65th register', async () => {
    const w = await r.master().readHolding(40004, 65);
    expect(text(w.slice(0, 16))).toBe('Fronius');
    expect(text(w.slice(16, 32)).startsWith('Symo GEN24')).toBe(true);
    expect(text(w.slice(48, 64))).toBe(r.inv.identity.serial);
    expect(w[64]).toBe(1);
    expect(Array.from(await r.master().readHolding(40000, 4))).toEqual([0x5375, 0x6e53, 1, 65]);
  });

  it('inverter (40071 x50): power, frequency, voltages and the Fronius vendor state as callifo decodes them', async () => {
    const w = await r.master().readHolding(40071, 50);
    expect(sf(s16(w[12]!), w[13]!)).toBeCloseTo(r.inv.state.acW, -1);
    expect(sf(w[14]!, w[15]!)).toBeCloseTo(50, 1);
    expect(sf(w[8]!, w[11]!)).toBeCloseTo(230, 0);
    expect(sf(w[5]!, w[11]!)).toBeCloseTo(230 * Math.sqrt(3), 0);
    expect(u32(w, 22)).toBeGreaterThan(0); // lifetime energy after a minute at 600 W/m2
    expect(sf(s16(w[31]!), w[35]!)).toBeGreaterThan(0);
    expect(w[37]).toBe(w[36]); // StVnd = St (FRONIUS_INVERTER_STATUS 1-8)
    expect([4, 5]).toContain(w[37]); // Normal or Throttled in daylight
    expect(u32(w, 44)).toBe(0); // EvtVnd2: no events
  });

  it('nameplate (40123 x120): a storage device (DERTyp 82) with its charge/discharge ratings', async () => {
    const w = await r.master().readHolding(40123, 120);
    expect(w[0]).toBe(82);
    expect(w[21]).toBe(5000);
    expect(w[23]).toBe(5000);
    expect(w[17]).toBeGreaterThan(0);
  });

  it('status (40183 x44), settings (40151 x30) and controls (40229 x24) decode through callifo\'s tables', async () => {
    const st = await r.master().readHolding(40183, 44);
    expect([0, 1, 3, 7]).toContain(st[0]);
    expect([0, 1, 3, 7]).toContain(st[1]);
    expect([0, 1]).toContain(st[2]);
    expect(sf(st[42]!, st[43]!)).toBe(1e7); // 10 Mohm
    const set = await r.master().readHolding(40151, 30);
    expect(sf(set[0]!, set[20]!)).toBe(10000);
    const ctl = await r.master().readHolding(40229, 24);
    for (const i of [2, 7, 12, 20]) expect([0, 1]).toContain(ctl[i]);
    expect(ctl[2]).toBe(1);
  });

  it('mppt (40255 x88): modules 1-2 the PV strings, 3 and 4 the battery charge and discharge power', async () => {
    r.run(5);
    const w = await r.master().readHolding(40255, 88);
    const dcw = (i: number) => sf(w[i]!, w[2]!);
    expect(dcw(19) + dcw(39)).toBeCloseTo(r.inv.state.dcW, -1);
    const bat = r.inv.state.batteryW;
    expect(dcw(79) - dcw(59)).toBeCloseTo(-bat, -1); // [cf] storage power = module 4 - module 3 (+ discharging)
    expect(text(w.slice(9, 17))).toBe('String 1');
  });

  it('storage (40345 x24) with callifo\'s fixed scale factors (-2): SOC, reserve, rates', async () => {
    const w = await r.master().readHolding(40345, 24);
    expect(w[6]! / 100).toBeCloseTo(r.battery.soc(), 0);
    expect(w[0]).toBe(5000); // WChaMax, W
    expect(s16(w[10]!) / 100).toBe(100);
    expect(s16(w[11]!) / 100).toBe(100);
    expect([1, 2, 3, 4, 5, 6, 7]).toContain(w[9]);
    expect([0, 1]).toContain(w[15]);
  });

  it('evcc finds the chain by discovery: 1, 103, 120, 121, 122, 123, 160, 124 from SunS at 40000', async () => {
    const d = await discoverSunSpec((a, n) => r.master().readHolding(a, n));
    expect(d.base).toBe(40000);
    expect(d.models.map((x) => x.id)).toEqual([1, 103, 120, 121, 122, 123, 160, 124]);
    expect(d.models.find((x) => x.id === 160)!.address).toBe(40253);
    expect(d.models.find((x) => x.id === 124)!.address).toBe(40343);
  });

  it('the Fronius registers (Fronius numbers 212-217, 500-513 = wire 211-216, 499-512)', async () => {
    const m = r.master();
    expect(Array.from(await m.readHolding(211, 6))).toEqual([0, 0, 0, 0, 2, 0]);
    const site = await m.readHolding(499, 14);
    expect(u32(site, 0)).toBe(Math.round(r.inv.state.acW));
    expect(Number((BigInt(site[2]!) << 48n) | (BigInt(site[3]!) << 32n) | (BigInt(site[4]!) << 16n) | BigInt(site[5]!))).toBe(Math.round(r.inv.state.whExported));
    await m.writeRegisters(212, [0xffff]); // F_Store_Data: the trigger value reads back as written
    expect(Array.from(await m.readHolding(212, 1))).toEqual([0xffff]);
    await expect(m.writeRegisters(212, [1])).rejects.toMatchObject({ exceptionCode: ExceptionCode.IllegalDataValue });
    await m.writeRegisters(215, [6]); // F_ModelType: acknowledge
    await expect(m.writeRegisters(215, [1])).rejects.toMatchObject({ exceptionCode: ExceptionCode.IllegalDataValue }); // float models: not served
    await expect(m.readHolding(217, 2)).rejects.toMatchObject({ exceptionCode: ExceptionCode.IllegalDataAddress }); // gap
    await expect(m.readHolding(39998, 4)).rejects.toMatchObject({ exceptionCode: ExceptionCode.IllegalDataAddress }); // straddles SunS
  });
});

describe('Fronius GEN24: the battery modes evcc writes (model 124) and callifo\'s settings', () => {
  it('evcc hold (StorCtl_Mod 2, OutWRte 0): the battery stops covering the house load; normal gives it back', async () => {
    const r = rig('fronius-gen24', { irradiance: 0, siteLoadW: 800 });
    r.run(5);
    expect(r.inv.state.batteryW).toBeLessThan(-750);
    await EVCC.hold(r.master());
    r.run(5);
    expect(r.inv.state.batteryW).toBeGreaterThanOrEqual(-1e-6);
    await EVCC.normal(r.master());
    r.run(5);
    expect(r.inv.state.batteryW).toBeLessThan(-750);
  });

  it('evcc charge (ChaGriSet 1, StorCtl_Mod 2, OutWRte -40 %): charges from the grid at 40 % of WChaMax', async () => {
    const r = rig('fronius-gen24', { irradiance: 0, siteLoadW: 300 });
    const before = await r.master().readHolding(40255, 88);
    expect(u32(before, 80)).toBe(5); // the first minute covered the 300 W house from the battery
    await EVCC.charge(r.master(), 40);
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(2000, -1);
    const w = await r.master().readHolding(40255, 88);
    expect(w[59]).toBeCloseTo(2000, -1); // module 3: charge power
    expect(w[79]).toBe(0);
    const soc0 = r.battery.soc();
    r.run(60);
    expect(r.battery.soc()).toBeGreaterThan(soc0);
    // evcc's battery returnenergy (160:3:DCWH) and energy (160:4:DCWH): about 2 kW for 65 s charged, no more discharged.
    const e = await r.master().readHolding(40255, 88);
    expect(u32(e, 60)).toBeGreaterThanOrEqual(30);
    expect(u32(e, 60)).toBeLessThanOrEqual(40);
    expect(u32(e, 80)).toBe(u32(before, 80));
  });

  it('evcc holdcharge (StorCtl_Mod 1, InWRte 0): PV surplus no longer charges the battery', async () => {
    const r = rig('fronius-gen24', { irradiance: 800, siteLoadW: 300 });
    r.run(5);
    expect(r.inv.state.batteryW).toBeGreaterThan(500);
    await EVCC.holdcharge(r.master());
    r.run(5);
    expect(r.inv.state.batteryW).toBeLessThanOrEqual(1e-6);
  });

  it('a lapsed command reverts: with InOutWRte_RvrtTms 60 s the hold ends after 60 s without a rewrite', async () => {
    const r = rig('fronius-gen24', { irradiance: 0, siteLoadW: 800 });
    const p = await storage(r.master());
    await r.master().writeRegisters(p.RvrtTms, [60]);
    await EVCC.hold(r.master());
    r.run(55);
    expect(r.inv.state.batteryW).toBeGreaterThanOrEqual(-1e-6);
    r.run(10);
    expect(r.inv.state.batteryW).toBeLessThan(-750);
    expect(r.dev.signal('124.StorCtl_Mod')).toBe(0);
  });

  it("callifo's grid charge mode (40348 = 2, 40356 = 100 %, 40355 = -P/MaxChaRte) and minimum reserve (40350 x100)", async () => {
    const r = rig('fronius-gen24', { irradiance: 0, siteLoadW: 0 });
    const m = r.master();
    await m.writeRegisters(40348, [2]);
    await m.writeRegisters(40356, [10000]);
    await m.writeRegisters(40355, [65536 + Math.round((-1500 / 5000) * 100 * 100)]);
    await m.writeRegisters(40350, [Math.round(12 * 100)]);
    r.run(5);
    expect(r.inv.state.batteryW).toBeCloseTo(1500, -1);
    const w = await m.readHolding(40345, 24);
    expect(w[3]).toBe(2);
    expect(w[5]! / 100).toBe(12);
    expect(s16(w[10]!) / 100).toBe(-30);
    await expect(m.writeRegisters(40348, [4])).rejects.toMatchObject({ exceptionCode: ExceptionCode.IllegalDataValue });
  });

  it("callifo's export limit (40236 = 0, 40232 = 5000, 40236 = 1): output capped at 50 % of WMax; 40236 = 0 lifts it", async () => {
    const r = rig('fronius-gen24', { irradiance: 1000, ratedW: 5000, batteryMaxW: 100 });
    const full = r.inv.state.acW;
    expect(full).toBeGreaterThan(3000);
    const m = r.master();
    await m.writeRegisters(40236, [0]);
    await m.writeRegisters(40232, [5000]);
    await m.writeRegisters(40236, [1]);
    r.run(30);
    expect(r.inv.state.acW).toBeLessThanOrEqual(2500 + 1);
    await m.writeRegisters(40236, [0]);
    r.run(30);
    expect(r.inv.state.acW).toBeCloseTo(full, -2);
  });
});
