import { last } from '../aftermarket-common/test-rig';
import { aftermarketRigs } from '../../../../test/support/aftermarket-rigs';

/**
 * A decoder from ai-republic/bms-to-inverter @ 59ac882d JKBmsCANProcessor.java: little-endian; 0x2F4 V 0.1 V,
 * current 0.1 A - 4000, SOC %; 0x4F4 max / min cell mV; 0x5F4 temperatures - 50; 0x18E028F4 + (k << 16) four cells
 * in mV. Its own test vector: ED 01 A0 0F 33 .. = 49.3 V, 0.0 A, 51 %.
 */
const le = (d: Uint8Array, i: number) => (d[i + 1]! << 8) | d[i]!;
function decodeStatus(d: Uint8Array) {
  return { voltage: le(d, 0) / 10, current: (le(d, 2) - 4000) / 10, soc: d[4]! };
}

describe('JK CAN profile (broadcast)', () => {
  const open = aftermarketRigs();


  it("the decoder reads ai-republic's own vector", () => {
    expect(decodeStatus(Uint8Array.from([0xed, 0x01, 0xa0, 0x0f, 0x33, 0, 0, 0]))).toEqual({ voltage: 49.3, current: 0, soc: 51 });
  });

  it('a decoder from the sources reads back the state, the extremes and every cell', async () => {
    const rig = await open('jk-can');
    rig.bms.setInput('current', -30);
    rig.run(3);
    const st = decodeStatus(last(rig.got, 0x2f4)!.data);
    expect(st.voltage).toBeCloseTo(rig.bms.signal('voltage') as number, 0);
    expect(st.current).toBeCloseTo(rig.bms.signal('current') as number, 0);
    expect(Math.abs(st.soc - (rig.bms.signal('soc') as number))).toBeLessThanOrEqual(1);
    const c = last(rig.got, 0x4f4)!.data;
    expect(le(c, 0) / 1000).toBeCloseTo(rig.bms.signal('cell.voltage.max') as number, 2);
    expect(((c[4]! << 8) | c[3]!) / 1000).toBeCloseTo(rig.bms.signal('cell.voltage.min') as number, 2);
    const t = last(rig.got, 0x5f4)!.data;
    expect(t[0]! - 50).toBeCloseTo(rig.bms.signal('temperature.max') as number, -0.5);
    const cells: number[] = [];
    for (let k = 0; k < 4; k++) {
      const d = last(rig.got, 0x18e028f4 + (k << 16), true)!.data;
      for (let i = 0; i < 4; i++) cells.push(le(d, 2 * i) / 1000);
    }
    expect(Math.max(...cells)).toBeCloseTo(rig.bms.signal('cell.voltage.max') as number, 2);
    expect(Math.min(...cells)).toBeCloseTo(rig.bms.signal('cell.voltage.min') as number, 2);
    expect(rig.got.filter((f) => f.id === 0x2f4).length).toBeGreaterThanOrEqual(6); // every 500 ms
  });

  it('raises the over-temperature level in 0x7F4 byte 1 bits 6-7 when the pack alarms', async () => {
    const rig = await open('jk-can');
    rig.bms.injectFault({ kind: 'external-heat', module: 0, watts: 20000 });
    rig.run(60);
    expect(rig.bms.signal('alarm.overTemperature')).toBe(true);
    expect((last(rig.got, 0x7f4)!.data[1]! >> 6) & 0b11).toBe(2);
  });
});
