import { last, type AftermarketRig } from '../aftermarket-common/test-rig';
import { aftermarketRigs } from '../../../../test/support/aftermarket-rigs';

/**
 * A decoder written from the reading side only [dalathegreat/Battery-Emulator Software/src/battery/ORION-BMS.cpp @
 * 62532e944e06bd1d6462179ba92068b48d98ab89, handle_incoming_can_frame / update_values]: LE words; 0x356 bytes 0-1 /
 * 10 = dV, 2-3 = dA, 4-5 = dC; 0x351 CCL, DCL in dA; 0x355 bytes 2-3 health %, 4-5 SOC in 0.1 %; 0x36 cell id, BE
 * 0.1 mV, checksum (0x36 + 8 + bytes 0..6) & 0xFF.
 */
function decodeOrion(frames: AftermarketRig['got']) {
  const w = (d: Uint8Array, i: number) => (d[i + 1]! << 8) | d[i]!;
  const sw = (d: Uint8Array, i: number) => ((w(d, i) << 16) >> 16);
  const m = last(frames, 0x356)!.data;
  const l = last(frames, 0x351)!.data;
  const s = last(frames, 0x355)!.data;
  const cells = new Map<number, number>();
  let badChecksums = 0;
  for (const f of frames.filter((x) => x.id === 0x36)) {
    const d = f.data;
    let sum = 0x36 + 8;
    for (let i = 0; i < 7; i++) sum += d[i]!;
    if ((sum & 0xff) !== d[7]) badChecksums++;
    else cells.set(d[0]!, ((d[1]! << 8) | d[2]!) / 10 / 1000);
  }
  return {
    voltage: w(m, 0) / 100,
    current: sw(m, 2) / 10,
    highTemp: sw(m, 4) / 10,
    ccl: w(l, 2) / 10,
    dcl: w(l, 4) / 10,
    soh: w(s, 2),
    soc: w(s, 4) / 10,
    cells,
    badChecksums,
  };
}

describe('Orion BMS 2 profile (Victron-compatible CAN)', () => {
  const open = aftermarketRigs();


  it('a decoder from Battery-Emulator reads back the state, the limits and every cell', async () => {
    const rig = await open('orion-bms2');
    rig.bms.setInput('current', -20);
    rig.run(5);
    const o = decodeOrion(rig.got);
    expect(o.voltage).toBeCloseTo(rig.bms.signal('voltage') as number, 1);
    expect(o.current).toBeCloseTo(rig.bms.signal('current') as number, 0);
    expect(o.soc).toBeCloseTo(rig.bms.signal('soc') as number, 0);
    expect(o.soh).toBe(Math.round(rig.bms.signal('soh') as number));
    expect(o.ccl).toBeCloseTo(rig.bms.signal('chargeCurrentLimit') as number, 0);
    expect(o.dcl).toBeCloseTo(rig.bms.signal('dischargeCurrentLimit') as number, 0);
    expect(o.highTemp).toBeCloseTo(rig.bms.signal('temperature.max') as number, 0);
    expect(o.badChecksums).toBe(0);
    expect([...o.cells.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(Math.max(...o.cells.values())).toBeCloseTo(rig.bms.signal('cell.voltage.max') as number, 2);
  });

  it('goes silent on a comms-loss fault (counted) and a 0x35A pair shows an active over-temperature alarm', async () => {
    const rig = await open('orion-bms2');
    rig.run(2);
    const f = rig.bms.injectFault({ kind: 'comms-loss' });
    const before = rig.got.length;
    rig.run(2);
    expect(rig.got.length).toBe(before);
    expect(rig.bms.signal('silencedByCommsLoss') as number).toBeGreaterThan(0);
    f.clear();
    rig.bms.injectFault({ kind: 'external-heat', module: 0, watts: 20000 });
    rig.run(60);
    expect(rig.bms.signal('alarm.overTemperature')).toBe(true);
    // byte 0 bits 6-7: high temperature, 01 = active [DIY victron_canbus.cpp BIT67 alarm]
    expect((last(rig.got, 0x35a)!.data[0]! >> 6) & 0b11).toBe(0b01);
  });
});
