import type { AftermarketRig } from '../aftermarket-common/test-rig';
import { aftermarketRigs } from '../../../../test/support/aftermarket-rigs';

/**
 * The master's side, written from ai-republic/bms-to-inverter @ 59ac882d (DalyBmsCANProcessor.prepareSendFrame:
 * id bytes 40, bmsId, cmd, 18 little-endian = 0x18 cmd bmsId 40; answers recognised by byte 1 of the id = 0x40;
 * DalyMessageHandler: big-endian payloads, current - 30000, SOC 0.1 %, temperatures - 40, 0x95 frame number then 3
 * cells).
 */
async function ask(rig: AftermarketRig, cmd: number, bmsId = 1) {
  const from = rig.got.length;
  await rig.peer.send({ id: 0x18000040 | (cmd << 16) | (bmsId << 8), extended: true, data: new Uint8Array(8) });
  rig.clock.advance(1);
  return rig.got.slice(from).filter((f) => f.extended && ((f.id >>> 8) & 0xff) === 0x40 && ((f.id >>> 16) & 0xff) === cmd && (f.id & 0xff) === bmsId);
}
const be = (d: Uint8Array, i: number) => (d[i]! << 8) | d[i + 1]!;

describe('Daly CAN profile (request/response)', () => {
  const open = aftermarketRigs();


  it('answers 0x90-0x98 so the master reads back voltage, current, SOC, cells, temperatures and MOS states', async () => {
    const rig = await open('daly-can');
    rig.bms.setInput('current', 15);
    rig.run(3);
    const [m] = await ask(rig, 0x90);
    expect(be(m!.data, 0) / 10).toBeCloseTo(rig.bms.signal('voltage') as number, 0);
    expect((be(m!.data, 4) - 30000) / 10).toBeCloseTo(rig.bms.signal('current') as number, 0);
    expect(be(m!.data, 6) / 10).toBeCloseTo(rig.bms.signal('soc') as number, 0);
    const [mm] = await ask(rig, 0x91);
    expect(be(mm!.data, 0) / 1000).toBeCloseTo(rig.bms.signal('cell.voltage.max') as number, 2);
    expect(be(mm!.data, 3) / 1000).toBeCloseTo(rig.bms.signal('cell.voltage.min') as number, 2);
    const [t] = await ask(rig, 0x92);
    expect(t!.data[0]! - 40).toBeCloseTo(rig.bms.signal('temperature.max') as number, -0.5);
    const [mos] = await ask(rig, 0x93);
    expect([mos!.data[0], mos!.data[1], mos!.data[2]]).toEqual([1, 1, 1]);
    const cells = await ask(rig, 0x95);
    expect(cells.length).toBe(Math.ceil(16 / 3));
    expect(cells.map((f) => f.data[0])).toEqual([1, 2, 3, 4, 5, 6]);
    const volts = cells.flatMap((f) => [1, 3, 5].map((i) => be(f.data, i) / 1000)).slice(0, 16);
    expect(Math.max(...volts)).toBeCloseTo(rig.bms.signal('cell.voltage.max') as number, 2);
    const [fail] = await ask(rig, 0x98);
    expect(Array.from(fail!.data.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(rig.bms.signal('heartbeats') as number).toBeGreaterThan(0);
  });

  it('answers only its own BMS id, ignores malformed requests (counted) and is silent under comms-loss', async () => {
    const rig = await open('daly-can');
    rig.run(1);
    expect(await ask(rig, 0x90, 2)).toEqual([]);
    await rig.peer.send({ id: 0x18900140, extended: true, data: new Uint8Array(4) });
    rig.clock.advance(1);
    expect(rig.bms.signal('malformedIgnored')).toBe(1);
    rig.bms.injectFault({ kind: 'comms-loss' });
    expect(await ask(rig, 0x90)).toEqual([]);
  });
});
