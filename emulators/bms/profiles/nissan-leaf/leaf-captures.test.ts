/**
 * The emulated LBC's diagnostic answers against the shapes of public real captures, frame by frame:
 * - Battery-Emulator test/battery/NissanLeafTest.cpp @ 62532e94: a real LBC's DTC reply with four codes
 *   (`10 13 59 02 4E D0 00 00`, `21 4E 33 D7 00 4E 33 D9`, `22 00 4E 33 DD 00 4E FF`), a healthy pack's
 *   `03 59 02 4E FF FF FF FF`, and the clear acknowledgement `01 54 FF FF FF FF FF FF`;
 * - OVMS vehicle_nissanleaf.cpp @ 1aa1daff comments: ZE1 group 0x01 first frame `10 35 61 01`, group 0x04 `10 1F 61 04`;
 *   Battery-Emulator NISSAN-LEAF-BATTERY.cpp: group 0x06 first frame `10 1A 61 06`.
 * The codes differ (the emulated faults are not the captured ones); lengths, PCI bytes, headers and padding must not.
 */
import { VirtualClock } from '../../../../core/clock';
import type { CanBus } from '../../../../protocols/can/bus';
import type { CanFrame } from '../../../../protocols/can/frame';
import { openBus } from '../../../../protocols/can/registry';
import { BmsDevice } from '../../device/bms-device';
import { loadPackFixture } from '../../pack/fixtures';
import { attachNissanLeaf, type NissanLeafAttachment } from './nissan-leaf-profile';
import type { LeafGeneration } from './variants';

const open: CanBus[] = [];
const attached: NissanLeafAttachment[] = [];
afterEach(async () => {
  for (const a of attached.splice(0)) a.detach();
  for (const b of open.splice(0)) await b.close();
});

let n = 0;
async function lbc(generation: LeafGeneration) {
  const clock = new VirtualClock();
  const ch = `virtual:leaf-cap-${n++}`;
  const pack = await openBus(ch, { clock, rxQueueLimit: 0 });
  const tester = await openBus(ch, { clock, rxQueueLimit: 0 });
  open.push(pack, tester);
  const dev = new BmsDevice(loadPackFixture(generation === 'ze1' ? 'nissan-leaf-40kwh' : 'nissan-leaf-24kwh'), { seed: 1, initialSoc: 0.5, clock });
  const leaf = attachNissanLeaf(dev, pack, { generation });
  attached.push(leaf);
  /** Send one request frame; answer each first frame with `30 01 00` after each frame as BE does; the 0x7BB frames. */
  const ask = async (data: number[]): Promise<number[][]> => {
    const got: CanFrame[] = [];
    const off = tester.onFrame((f) => {
      if (f.id !== 0x7bb) return;
      got.push(f);
      if (f.data[0]! >> 4 !== 0) void tester.send({ id: 0x79b, extended: false, data: Uint8Array.of(0x30, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff) });
    });
    await tester.send({ id: 0x79b, extended: false, data: Uint8Array.from([...data, ...Array(8 - data.length).fill(0)]) });
    await clock.advanceAsync(500); // every 10 ms tick lets the promise chain of the next frame settle
    off();
    return got.map((f) => Array.from(f.data));
  };
  return { clock, dev, leaf, ask };
}

const hex = (rows: number[][]): string[] => rows.map((r) => r.map((b) => b.toString(16).padStart(2, '0')).join(' '));

describe('Leaf LBC answers have the shapes of real captures', () => {
  it('DTC reply with four codes: FF 10 13 59 02 4E, two CFs, FF padding; status 0x4E per code', async () => {
    const { clock, dev, ask } = await lbc('aze0');
    dev.injectFault({ kind: 'internal-fault' }); // P0A0D + P0A1F
    dev.injectFault({ kind: 'insulation', kOhm: 10 }); // P33E0
    await clock.advanceAsync(4000); // no vehicle: P30E0 after 2 s
    const rows = await ask([0x03, 0x19, 0x02, 0x0e]);
    expect(rows).toHaveLength(3);
    expect(rows[0]!.slice(0, 5)).toEqual([0x10, 0x13, 0x59, 0x02, 0x4e]);
    expect(rows[1]![0]).toBe(0x21);
    expect(rows[2]![0]).toBe(0x22);
    expect(rows[2]![7]).toBe(0xff); // 19 bytes: 6 + 7 + 6, then one byte of FF padding, as captured
    const payload = [...rows[0]!.slice(2), ...rows[1]!.slice(1), ...rows[2]!.slice(1)].slice(0, 0x13);
    for (let i = 3; i < 19; i += 4) expect(payload[i + 3]).toBe(0x4e);
  });

  it('a healthy pack: 03 59 02 4E FF FF FF FF; the clear acknowledgement: 01 54 FF FF FF FF FF FF', async () => {
    const { ask } = await lbc('aze0');
    expect(hex(await ask([0x03, 0x19, 0x02, 0x0e]))).toEqual(['03 59 02 4e ff ff ff ff']);
    expect(hex(await ask([0x04, 0x14, 0xff, 0xff, 0xff]))).toEqual(['01 54 ff ff ff ff ff ff']);
  });

  it('group first frames: ZE1 10 35 61 01 and 10 1F 61 04 (OVMS), 10 1A 61 06 (BE), 10 C6 61 02 (196 bytes, OVMS)', async () => {
    const ze1 = await lbc('ze1');
    expect((await ze1.ask([0x02, 0x21, 0x01]))[0]!.slice(0, 4)).toEqual([0x10, 0x35, 0x61, 0x01]);
    expect((await ze1.ask([0x02, 0x21, 0x04]))[0]!.slice(0, 4)).toEqual([0x10, 0x1f, 0x61, 0x04]);
    const aze0 = await lbc('aze0');
    expect((await aze0.ask([0x02, 0x21, 0x06]))[0]!.slice(0, 4)).toEqual([0x10, 0x1a, 0x61, 0x06]);
    const g2 = await aze0.ask([0x02, 0x21, 0x02]);
    expect(g2[0]!.slice(0, 4)).toEqual([0x10, 0xc6, 0x61, 0x02]);
    expect(g2.at(-1)![0]).toBe(0x2c); // BE's "last frame" test: 0x2C with FF at byte 6
    expect(g2.at(-1)![6]).toBe(0xff);
  });
});
