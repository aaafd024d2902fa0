/** The reference controller's policy as a pure function: the rules of policy.ts, one by one. */
import type { Defect } from '../../examples/controllers/reference/defects';
import type { Protection } from '../../examples/controllers/reference/pack-monitor';
import { decide, DEFAULT_POLICY, type PolicyInput, type PolicyMemory } from '../../examples/controllers/reference/policy';

const readings = { chargeCurrentLimit: 50, dischargeCurrentLimit: 80, voltage: 50, soc: 50, chargeEnable: true, dischargeEnable: true };
const input = (over: Partial<PolicyInput> = {}, protections: Protection[] = []): PolicyInput => ({
  now: 0,
  link: 'online',
  readings,
  protections: new Set(protections),
  pvW: 3000,
  wChaMaxW: 5000,
  ...over,
});
const sunny = (): PolicyMemory => ({ full: false, sunny: true });
const none = new Set<Defect>();

describe('reference controller policy', () => {
  it('charges at CCL x V x 0.95 as % of WChaMax, and splits it between inverters sharing a pack', () => {
    expect(decide(input(), sunny(), DEFAULT_POLICY, none)).toMatchObject({ inPct: 47.5, outPct: 0, inHardPct: 50, limitPct: 100 });
    expect(decide(input({ share: 0.5 }), sunny(), DEFAULT_POLICY, none)).toMatchObject({ inPct: 23.75, inHardPct: 25 });
  });

  it('a 0 A charge limit while the BMS starts up is not "full": a pack near the top is still charged', () => {
    const mem = sunny();
    const at97 = (ccl: number) => decide(input({ readings: { ...readings, soc: 97, chargeCurrentLimit: ccl } }), mem, DEFAULT_POLICY, none);
    expect(at97(0).inPct).toBe(0);
    expect(mem.full).toBe(false);
    expect(at97(50).inPct).toBe(47.5);
    // Once it has given a limit, the BMS taking it back to 0 near the top means full (and PV is curtailed).
    expect(at97(0)).toMatchObject({ inPct: 0, limitPct: DEFAULT_POLICY.curtailPct });
    expect(mem.full).toBe(true);
  });

  it('caps at 100 % of WChaMax and charges nothing without WChaMax', () => {
    expect(decide(input({ wChaMaxW: 1000 }), sunny(), DEFAULT_POLICY, none).inPct).toBe(100);
    expect(decide(input({ wChaMaxW: undefined }), sunny(), DEFAULT_POLICY, none)).toMatchObject({ inPct: 0, outPct: 0, why: 'inverter reports no WChaMax' });
  });

  it('discharges at night at min(dischargeW, DCL x V x 0.95)', () => {
    const night = (): PolicyMemory => ({ full: false, sunny: false });
    expect(decide(input({ pvW: 0 }), night(), DEFAULT_POLICY, none)).toMatchObject({ inPct: 0, outPct: 60 }); // 3000 W of 5000
    expect(decide(input({ pvW: 0 }), night(), { ...DEFAULT_POLICY, dischargeW: 10_000 }, none).outPct).toBe(76); // 80 A x 50 V x 0.95
  });

  it('keeps a reserve at night: no discharge at or below minSoc (10 %) until the SOC is back 5 points above it', () => {
    const mem: PolicyMemory = { full: false, sunny: false };
    const at = (soc: number | undefined) => decide(input({ pvW: 0, readings: { ...readings, soc } }), mem, DEFAULT_POLICY, none);
    expect(at(10.5).outPct).toBe(60);
    expect(at(10)).toMatchObject({ inPct: 0, outPct: 0, why: 'reserve (SOC 10.0 %, holds below 15 %)' });
    expect(at(12).outPct).toBe(0); // the rest voltage recovering after the stop does not start it again
    expect(at(undefined).outPct).toBe(0); // no SOC frame this time: the reserve stands
    expect(at(14.9).outPct).toBe(0);
    expect(at(15).outPct).toBe(60);
    // minSoc 0: down to the BMS's own cut-off, as before the reserve.
    const flat: PolicyMemory = { full: false, sunny: false };
    expect(decide(input({ pvW: 0, readings: { ...readings, soc: 0.5 } }), flat, { ...DEFAULT_POLICY, minSoc: 0 }, none).outPct).toBe(60);
    // The reserve holds discharge only: PV still charges a pack at the reserve.
    const day: PolicyMemory = { full: false, sunny: true, atReserve: true };
    expect(decide(input({ readings: { ...readings, soc: 8 } }), day, DEFAULT_POLICY, none).inPct).toBe(47.5);
  });

  it('charges as soon as PV reaches 100 W; discharges only after 60 s below 50 W; holds until PV is known', () => {
    const mem: PolicyMemory = { full: false, sunny: undefined };
    const at = (now: number, pvW: number) => decide(input({ now, pvW }), mem, DEFAULT_POLICY, none);
    expect(at(0, 0)).toMatchObject({ inPct: 0, outPct: 0, why: 'waiting to see whether there is PV' });
    expect(at(59_999, 0).outPct).toBe(0);
    expect(at(60_000, 0).outPct).toBe(60);
    expect(at(61_000, 120).inPct).toBe(47.5);
    expect(at(62_000, 40).inPct).toBe(47.5); // a cloud
    expect(at(100_000, 80).inPct).toBe(47.5); // between the thresholds: the dwell restarts
    expect(at(101_000, 40).inPct).toBe(47.5);
    expect(at(160_999, 40).inPct).toBe(47.5);
    expect(at(161_000, 40).outPct).toBe(60);
    // No PV reading at all: charge mode (the inverter charges only from PV).
    expect(decide(input({ pvW: undefined }), { full: false, sunny: undefined }, DEFAULT_POLICY, none).inPct).toBe(47.5);
  });

  it('goes safe while waiting for the pack and when it is lost', () => {
    for (const link of ['waiting', 'lost'] as const) {
      expect(decide(input({ link }), sunny(), DEFAULT_POLICY, none)).toMatchObject({ inPct: 0, outPct: 0, limitPct: DEFAULT_POLICY.curtailPct });
    }
  });

  it('stops both directions and curtails to 0 on over- and under-temperature', () => {
    for (const p of ['over-temperature', 'under-temperature'] as const) {
      expect(decide(input({}, [p]), sunny(), DEFAULT_POLICY, none)).toMatchObject({ inPct: 0, outPct: 0, limitPct: 0, why: `${p} alarm` });
    }
  });

  it('blocks charging on over-voltage, charge over-current and ChargeEnable off; discharging on their counterparts', () => {
    expect(decide(input({}, ['over-voltage']), sunny(), DEFAULT_POLICY, none)).toMatchObject({ inPct: 0, limitPct: 20, why: 'over-voltage alarm' });
    expect(decide(input({}, ['charge-over-current']), sunny(), DEFAULT_POLICY, none).inPct).toBe(0);
    expect(decide(input({ readings: { ...readings, chargeEnable: false } }), sunny(), DEFAULT_POLICY, none).inPct).toBe(0);
    const night = (): PolicyMemory => ({ full: false, sunny: false });
    expect(decide(input({ pvW: 0 }, ['under-voltage']), night(), DEFAULT_POLICY, none)).toMatchObject({ outPct: 0, limitPct: 100 });
    expect(decide(input({ pvW: 0 }, ['discharge-over-current']), night(), DEFAULT_POLICY, none).outPct).toBe(0);
    expect(decide(input({ pvW: 0, readings: { ...readings, dischargeEnable: false } }), night(), DEFAULT_POLICY, none).outPct).toBe(0);
    // Under-voltage does not stop charging.
    expect(decide(input({}, ['under-voltage']), sunny(), DEFAULT_POLICY, none).inPct).toBe(47.5);
  });

  it('does not curtail a full battery at night (the limit would cap its discharge)', () => {
    const mem: PolicyMemory = { full: true, sunny: false };
    expect(decide(input({ pvW: 0, readings: { ...readings, soc: 99 } }), mem, DEFAULT_POLICY, none)).toMatchObject({ limitPct: 100, outPct: 60 });
  });

  it('defects: ignore-charge-limit charges at 100 %, no-curtailment keeps 100 %, both only where the rules say', () => {
    expect(decide(input(), sunny(), DEFAULT_POLICY, new Set<Defect>(['ignore-charge-limit']))).toMatchObject({ inPct: 100, inHardPct: 100 });
    expect(decide(input({}, ['over-temperature']), sunny(), DEFAULT_POLICY, new Set<Defect>(['no-curtailment'])).limitPct).toBe(100);
    expect(decide(input({ link: 'lost' }), sunny(), DEFAULT_POLICY, new Set<Defect>(['no-curtailment'])).limitPct).toBe(100);
  });
});
