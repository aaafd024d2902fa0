/**
 * The reference controller in virtual time against a played BMS (virtual CAN, LV frames from the DBC) and the
 * inverter emulator's SunSpec device (in-process Modbus master). What the inverter understood is read from the
 * inverter model itself (its controls), so the tests check the meaning of the writes, not only their bytes.
 */
import { ExceptionCode } from '../../protocols/modbus/device';
import { FunctionCode } from '../../protocols/modbus/pdu';
import { OperationError } from '../../core/errors';
import { makeRig, type Rig, type RigOptions } from './support/virtual-rig';

let n = 0;
const rigs: Rig[] = [];

async function started(o: Omit<RigOptions, 'channel'> = {}): Promise<Rig> {
  const rig = await makeRig({ channel: `refctl-${++n}`, ...o });
  rigs.push(rig);
  for (const b of rig.bmss) b.talk();
  await rig.controller.start();
  return rig;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

/** Charge power the inverter was told to use, W (InWRte % of WChaMax). */
const commandedChargeW = (r: Rig): number => (r.inverter.controls.storageCharge ? (r.inverter.controls.chargePct / 100) * r.inverter.controls.chargeMaxW : 0);
const commandedDischargeW = (r: Rig): number =>
  r.inverter.controls.storageDischarge ? (r.inverter.controls.dischargePct / 100) * r.inverter.controls.chargeMaxW : 0;

/** Time of the first write to a point at or after `from` whose written value satisfies `ok` (raw register). */
function firstWrite(r: Rig, model: number, point: string, from: number, ok: (raw: number) => boolean): number | undefined {
  const addr = r.addressOf(model, point);
  for (const e of r.master.log) {
    const q = e.request as { fc: number; address?: number; values?: number[] };
    if (e.at < from || q.fc !== FunctionCode.WriteMultipleRegisters || q.address === undefined || !q.values) continue;
    const i = addr - q.address;
    if (i >= 0 && i < q.values.length && ok(q.values[i]!)) return e.at;
  }
  return undefined;
}

describe('reference controller, virtual time', () => {
  it('discovers the SunSpec chain at 40000 and reports it', async () => {
    const r = await started();
    const inv = r.controller.status().inverters[0]!;
    expect(inv.base).toBe(40000);
    expect(inv.models).toEqual(expect.arrayContaining([1, 101, 120, 121, 122, 123, 124]));
    expect(inv.identity).toMatch(/SecondLife HIL/);
    expect(r.lines.some((l) => /inv1 \(unit 1\) SunSpec at 40000: models 1,101,/.test(l))).toBe(true);
  });

  it('discovers a three-phase inverter (103) at base 50000', async () => {
    const r = await started({ sunspecBase: 50000, phases: 'three' });
    const inv = r.controller.status().inverters[0]!;
    expect(inv.base).toBe(50000);
    expect(inv.models).toContain(103);
    await r.run(6000);
    expect(commandedChargeW(r)).toBeGreaterThan(1000);
  });

  it('fails start() with the inverter named when discovery finds no SunSpec device', async () => {
    const rig = await makeRig({ channel: `refctl-${++n}`, controller: { discoveryTries: 2 } });
    rigs.push(rig);
    rig.core.faults.add({ fault: { kind: 'exception', code: ExceptionCode.IllegalDataAddress } });
    const p = rig.controller.start();
    const outcome = p.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await rig.run(2000); // the retry waits 1 s on the clock
    const err = await outcome;
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toMatch(/inverter 'inv1' \(unit 1\): SunSpec discovery failed: no SunSpec marker/);
    expect(rig.controller.status().running).toBe(false);
  });

  it('charges within the BMS charge limit (x 0.95) and follows it when it drops', async () => {
    const r = await started();
    await r.run(6000);
    // 40 A x 52 V = 2080 W; with the 95 % margin 1976 W.
    expect(commandedChargeW(r)).toBeGreaterThan(0.9 * 2080);
    expect(commandedChargeW(r)).toBeLessThanOrEqual(2080);
    expect(r.inverter.state.batteryW).toBeGreaterThan(1500);
    expect(r.inverter.state.batteryW).toBeLessThanOrEqual(2080);
    expect(r.inverter.controls.limitPct).toBe(100);
    expect(r.lines.some((l) => /inv1 <- pack1: charge limit 40\.0 A x 52\.00 V -> .*InWRte 39\.52 % \(1976 W\)/.test(l))).toBe(true);

    const t0 = r.clock.now();
    r.bms.set({ ccl: 20 });
    await r.run(300);
    expect(commandedChargeW(r)).toBeLessThanOrEqual(20 * 52);
    expect(commandedChargeW(r)).toBeGreaterThan(0.9 * 20 * 52);
    expect(firstWrite(r, 124, 'InWRte', t0, (raw) => raw === 1976)! - t0).toBeLessThanOrEqual(100);
  });

  it('stops charging and curtails PV within 500 ms of an over-temperature alarm, and resumes after it', async () => {
    const r = await started();
    await r.run(6000);
    expect(commandedChargeW(r)).toBeGreaterThan(1000);
    const t0 = r.clock.now();
    r.bms.set({ overTemperature: true });
    await r.run(500);
    expect(r.inverter.controls.chargePct).toBe(0);
    expect(r.inverter.controls.limitEnabled).toBe(true);
    expect(r.inverter.controls.limitPct).toBe(0);
    const reaction = firstWrite(r, 124, 'InWRte', t0, (raw) => raw === 0)! - t0;
    expect(reaction).toBeLessThan(500);
    expect(r.lines.some((l) => /pack1 protections: over-temperature/.test(l))).toBe(true);
    r.bms.set({ overTemperature: false });
    await r.run(500);
    expect(commandedChargeW(r)).toBeGreaterThan(1000);
    expect(r.inverter.controls.limitPct).toBe(100);
  });

  it('stops discharging on an under-voltage alarm (night: discharges within the limit before)', async () => {
    const r = await started({ irradiance: 0, controller: { dischargeW: 2000, nightAfterMs: 5000 } });
    await r.run(3000);
    expect(commandedDischargeW(r)).toBe(0); // not night yet: PV has to stay low for nightAfterMs
    await r.run(4000);
    expect(commandedDischargeW(r)).toBeGreaterThan(1900);
    expect(commandedDischargeW(r)).toBeLessThanOrEqual(2000);
    r.bms.set({ dcl: 10 }); // 10 A x 52 V = 520 W, x 0.95 = 494 W
    await r.run(300);
    expect(commandedDischargeW(r)).toBeLessThanOrEqual(520);
    expect(commandedDischargeW(r)).toBeGreaterThan(450);
    const t0 = r.clock.now();
    r.bms.set({ underVoltage: true });
    await r.run(500);
    expect(commandedDischargeW(r)).toBe(0);
    expect(firstWrite(r, 124, 'OutWRte', t0, (raw) => raw === 0)! - t0).toBeLessThan(500);
  });

  it('curtails PV when the battery is full and releases below 96 %', async () => {
    const r = await started({ controller: { curtailPct: 10 } });
    await r.run(6000);
    expect(r.inverter.controls.limitPct).toBe(100);
    r.bms.set({ soc: 98.5 });
    await r.run(300);
    expect(r.inverter.controls.chargePct).toBe(0);
    expect(r.inverter.controls.limitPct).toBe(10);
    r.bms.set({ soc: 97 });
    await r.run(1500);
    expect(r.inverter.controls.limitPct).toBe(10); // hysteresis
    r.bms.set({ soc: 95 }); // Pylontech 0x355 carries whole percent
    await r.run(300);
    expect(r.inverter.controls.limitPct).toBe(100);
    expect(commandedChargeW(r)).toBeGreaterThan(1000);
    r.bms.set({ ccl: 0 }); // a zero charge limit also means full
    await r.run(300);
    expect(r.inverter.controls.chargePct).toBe(0);
    expect(r.inverter.controls.limitPct).toBe(10);
  });

  it('goes safe about 3 s after the pack goes silent, logs it, and recovers when frames return', async () => {
    const r = await started();
    await r.run(6000);
    expect(commandedChargeW(r)).toBeGreaterThan(1000);
    r.bms.silence(); // the last frames went out at most 1 s ago
    await r.run(1900);
    expect(commandedChargeW(r)).toBeGreaterThan(1000); // still within the 3 s timeout
    await r.run(1700);
    expect(r.inverter.controls.chargePct).toBe(0);
    expect(r.inverter.controls.dischargePct).toBe(0);
    expect(r.inverter.controls.limitPct).toBe(20); // the default curtailPct
    expect(r.controller.status().packs[0]!.link).toBe('lost');
    expect(r.lines.some((l) => /pack1 comms lost: no 0x351\/0x356 for 3\.\d s - going safe/.test(l))).toBe(true);
    r.bms.talk();
    await r.run(300);
    expect(commandedChargeW(r)).toBeGreaterThan(1000);
    expect(r.lines.some((l) => /pack1 comms back/.test(l))).toBe(true);
  });

  it('keeps the other packs charging when one of several packs goes silent', async () => {
    const r = await started({ packs: 3 });
    await r.run(6000);
    const chargeW = (inv: (typeof r.inverters)[number]): number => (inv.controls.chargePct / 100) * inv.controls.chargeMaxW;
    expect(r.inverters.map(chargeW).every((w) => w > 1000)).toBe(true);
    r.bmss[1]!.silence();
    await r.run(4000);
    expect(chargeW(r.inverters[0]!)).toBeGreaterThan(1000);
    expect(r.inverters[1]!.controls.chargePct).toBe(0);
    expect(r.inverters[1]!.controls.limitPct).toBe(20);
    expect(chargeW(r.inverters[2]!)).toBeGreaterThan(1000);
    expect(r.controller.status().packs.map((p) => p.link)).toEqual(['online', 'lost', 'online']);
    // Each bus carries its own heartbeat.
    expect(r.bmss.every((b) => b.heartbeats.length >= 9)).toBe(true);
  });

  it('sends the 0x305 heartbeat (8 zero bytes) every 1 s', async () => {
    const r = await started();
    await r.run(5000);
    const hb = r.bms.heartbeats;
    expect(hb.length).toBeGreaterThanOrEqual(5);
    expect(hb.every((h) => h.data.length === 8 && h.data.every((b) => b === 0))).toBe(true);
    for (let i = 1; i < hb.length; i++) expect(hb[i]!.at - hb[i - 1]!.at).toBe(1000);
  });

  it('goes safe when the inverter stops answering Modbus, and rewrites its setpoints when it answers again', async () => {
    const r = await started({ controller: { modbusTries: 3 } });
    await r.run(6000);
    const remove = r.core.faults.add({ fault: { kind: 'no-response' } });
    await r.run(5000); // each try waits the 1 s master timeout
    expect(r.controller.status().inverters[0]!.reachable).toBe(false);
    expect(r.lines.some((l) => /inv1 lost: 3 Modbus transactions failed - going safe/.test(l))).toBe(true);
    remove();
    await r.run(2000);
    expect(r.controller.status().inverters[0]!.reachable).toBe(true);
    expect(r.lines.some((l) => /inv1 answers again - rewriting setpoints/.test(l))).toBe(true);
    await r.run(500);
    expect(commandedChargeW(r)).toBeGreaterThan(1000);
  });

  it('counts and logs a malformed BMS frame without crashing', async () => {
    const r = await started();
    await r.run(1000);
    await r.bms.bus.send({ id: 0x351, extended: false, data: new Uint8Array([1, 2, 3]) });
    await r.run(1000);
    expect(r.controller.status().packs[0]!.malformed).toBe(1);
    expect(r.lines.some((l) => /pack1 dropped a malformed frame/.test(l))).toBe(true);
    expect(r.controller.status().running).toBe(true);
  });
});

describe('reference controller defects change what the inverter is told', () => {
  it('ignore-overtemp: keeps charging and does not curtail after an over-temperature alarm', async () => {
    const r = await started({ controller: { defects: ['ignore-overtemp'] } });
    await r.run(6000);
    r.bms.set({ overTemperature: true });
    await r.run(3000);
    expect(commandedChargeW(r)).toBeGreaterThan(1000);
    expect(r.inverter.controls.limitPct).toBe(100);
  });

  it('ignore-charge-limit: charges at 100 % of WChaMax whatever 0x351 says', async () => {
    const r = await started({ controller: { defects: ['ignore-charge-limit'] } });
    r.bms.set({ ccl: 20 });
    await r.run(6000);
    expect(r.inverter.controls.chargePct).toBe(100);
    expect(commandedChargeW(r)).toBeGreaterThan(20 * 52);
  });

  it('no-comms-timeout: keeps charging on the last values when the pack goes silent', async () => {
    const r = await started({ controller: { defects: ['no-comms-timeout'] } });
    await r.run(6000);
    r.bms.silence();
    await r.run(6000);
    expect(commandedChargeW(r)).toBeGreaterThan(1000);
    expect(r.controller.status().packs[0]!.link).toBe('online');
  });

  it('wrong-sunspec-scale: writes percentages unscaled (SF -2): 39.52 % lands as 0.39 %, 100 % as 1 %', async () => {
    const r = await started({ controller: { defects: ['wrong-sunspec-scale'] } });
    await r.run(6000);
    expect(r.inverter.controls.chargePct).toBeCloseTo(0.39, 5);
    expect(r.inverter.controls.limitPct).toBeCloseTo(1, 5);
  });

  it('slow-reaction: reacts to an over-temperature alarm only after 2 s', async () => {
    const r = await started({ controller: { defects: ['slow-reaction'] } });
    await r.run(6000);
    const t0 = r.clock.now();
    r.bms.set({ overTemperature: true });
    await r.run(500);
    expect(commandedChargeW(r)).toBeGreaterThan(1000);
    await r.run(2000);
    expect(r.inverter.controls.chargePct).toBe(0);
    const reaction = firstWrite(r, 124, 'InWRte', t0, (raw) => raw === 0)! - t0;
    expect(reaction).toBeGreaterThanOrEqual(2000);
  });

  it('no-heartbeat: never sends 0x305', async () => {
    const r = await started({ controller: { defects: ['no-heartbeat'] } });
    await r.run(5000);
    expect(r.bms.heartbeats).toHaveLength(0);
  });

  it('ignore-undervoltage: keeps discharging on an under-voltage alarm', async () => {
    const r = await started({ irradiance: 0, controller: { defects: ['ignore-undervoltage'], dischargeW: 2000, nightAfterMs: 1000 } });
    await r.run(3000);
    r.bms.set({ underVoltage: true });
    await r.run(2000);
    expect(commandedDischargeW(r)).toBeGreaterThan(1900);
  });

  it('no-curtailment: leaves WMaxLimPct at 100 % when the battery is full', async () => {
    const r = await started({ controller: { defects: ['no-curtailment'] } });
    await r.run(6000);
    r.bms.set({ soc: 99 });
    await r.run(2000);
    expect(r.inverter.controls.chargePct).toBe(0);
    expect(r.inverter.controls.limitPct).toBe(100);
  });

  it('rejects an unknown defect name, listing the known ones', async () => {
    await expect(makeRig({ channel: `refctl-${++n}`, controller: { defects: ['nope'] } })).rejects.toThrow(/unknown defect 'nope' \(known: ignore-overtemp, /);
  });
});
