import { VirtualClock } from '../../../core/clock';
import { HilTimeoutError } from '../../../core/errors';
import type { CanBus } from '../bus';
import type { CanFrame } from '../frame';
import { openBus } from '../registry';
import { IsoTpError, IsoTpLink } from './isotp-link';
import { decodePdu, msToStMin, segment, stMinToMs } from './pci';

let n = 0;
const open: CanBus[] = [];
const links: IsoTpLink[] = [];
afterEach(async () => {
  for (const l of links.splice(0)) l.close();
  for (const b of open.splice(0)) await b.close();
});

async function pair(a: ConstructorParameters<typeof IsoTpLink>[1] | object = {}, b: object = {}) {
  const clock = new VirtualClock();
  const ch = `virtual:isotp-${n++}`;
  const busA = await openBus(ch, { clock });
  const busB = await openBus(ch, { clock });
  const spy = await openBus(ch, { clock });
  open.push(busA, busB, spy);
  const wire: CanFrame[] = [];
  spy.onFrame((f) => wire.push(f));
  const tester = new IsoTpLink(busA, { txId: 0x79b, rxId: 0x7bb, ...a });
  const ecu = new IsoTpLink(busB, { txId: 0x7bb, rxId: 0x79b, ...b });
  links.push(tester, ecu);
  return { clock, tester, ecu, wire, busA, busB };
}

describe('ISO-TP PCI', () => {
  it('segments into SF or FF + CFs with wrapping sequence numbers and decodes them back', () => {
    expect(Array.from(segment(Uint8Array.of(0x21, 0x02))[0]!)).toEqual([0x02, 0x21, 0x02, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa]);
    const payload = Uint8Array.from({ length: 198 }, (_, i) => i & 0xff);
    const frames = segment(payload, 0xff);
    expect(frames).toHaveLength(1 + Math.ceil((198 - 6) / 7));
    expect(Array.from(frames[0]!.subarray(0, 2))).toEqual([0x10, 198]);
    expect(frames.map((f) => f[0]).slice(14, 18)).toEqual([0x2e, 0x2f, 0x20, 0x21]);
    const last = frames[frames.length - 1]!;
    expect(last[0]).toBe(0x2c); // 27 CFs: the Leaf group 2 reply ends on 0x2C with 0xFF padding
    expect(last[6]).toBe(0xff);
    const back: number[] = [];
    for (const f of frames) {
      const p = decodePdu(f);
      if (p.kind === 'first') back.push(...p.payload);
      if (p.kind === 'consecutive') back.push(...p.payload);
    }
    expect(back.slice(0, 198)).toEqual(Array.from(payload));
  });

  it('maps STmin both ways, reserved values as 127 ms', () => {
    expect(stMinToMs(0x0a)).toBe(10);
    expect(stMinToMs(0xf5)).toBeCloseTo(0.5);
    expect(stMinToMs(0x80)).toBe(127);
    expect(msToStMin(0.3)).toBe(0xf3);
    expect(msToStMin(20)).toBe(20);
  });

  it('refuses bad frames with a message', () => {
    expect(() => decodePdu(Uint8Array.of())).toThrow(/empty/);
    expect(() => decodePdu(Uint8Array.of(0x05, 1, 2))).toThrow(/says 5 bytes/);
    expect(() => decodePdu(Uint8Array.of(0x10, 0x05, 1, 2, 3, 4, 5, 6))).toThrow(/announces 5/);
    expect(() => decodePdu(Uint8Array.of(0x35, 0, 0))).toThrow(/reserved/);
    expect(() => decodePdu(Uint8Array.of(0x40))).toThrow(/not SF/);
  });
});

describe('IsoTpLink', () => {
  it('moves a long message with block size 1 and STmin 5 ms, one FC per CF, CFs 5 ms apart', async () => {
    const { clock, tester, ecu, wire } = await pair({ blockSize: 1, stMinMs: 5 });
    const got: Uint8Array[] = [];
    tester.onMessage((m) => got.push(m));
    const payload = Uint8Array.from({ length: 100 }, (_, i) => (i * 7) & 0xff);
    const sent = ecu.send(payload);
    await clock.advanceAsync(2000);
    await sent;
    expect(got).toHaveLength(1);
    expect(Array.from(got[0]!)).toEqual(Array.from(payload));
    const cfs = wire.filter((f) => f.id === 0x7bb && f.data[0]! >> 4 === 2);
    const fcs = wire.filter((f) => f.id === 0x79b && f.data[0]! >> 4 === 3);
    expect(cfs).toHaveLength(14);
    expect(fcs).toHaveLength(14); // FF + 13 blocks of one CF
    for (let i = 1; i < cfs.length; i++) expect(cfs[i]!.timestamp! - cfs[i - 1]!.timestamp!).toBeGreaterThanOrEqual(5);
    expect(ecu.stats.messagesSent).toBe(1);
  });

  it('sends everything after one FC when the block size is 0', async () => {
    const { clock, tester, ecu, wire } = await pair();
    const got: Uint8Array[] = [];
    ecu.onMessage((m) => got.push(m));
    const p = tester.send(Uint8Array.from({ length: 40 }, (_, i) => i));
    await clock.advanceAsync(100);
    await p;
    expect(got[0]).toHaveLength(40);
    expect(wire.filter((f) => f.id === 0x7bb && f.data[0] === 0x30)).toHaveLength(1);
  });

  it('gives up after N_Bs without a flow control, and counts it', async () => {
    const { clock, ecu } = await pair({}, { nBsMs: 15 });
    // The tester listens on 0x7BB too, but a link without a reception in progress still grants FC: close it.
    links[0]!.close();
    const p = ecu.send(new Uint8Array(20));
    const check = expect(p).rejects.toThrow(HilTimeoutError);
    await clock.advanceAsync(20);
    await check;
    expect(ecu.stats.txTimeouts).toBe(1);
  });

  it('abandons a reception after N_Cr and on a wrong sequence number; a new SF is still delivered', async () => {
    const { clock, ecu, busA } = await pair({}, { nCrMs: 50 });
    const got: Uint8Array[] = [];
    ecu.onMessage((m) => got.push(m));
    links[0]!.close();
    const put = (d: number[]) => busA.send({ id: 0x79b, extended: false, data: Uint8Array.from(d) });
    await put([0x10, 20, 1, 2, 3, 4, 5, 6]);
    await clock.advanceAsync(60);
    expect(ecu.stats.rxTimeouts).toBe(1);
    await put([0x10, 20, 1, 2, 3, 4, 5, 6]);
    await put([0x22, 1, 2, 3, 4, 5, 6, 7]);
    expect(ecu.stats.sequenceErrors).toBe(1);
    await put([0x02, 0x21, 0x01]);
    await put([0x30, 0, 0]); // a stray FC: counted, ignored
    await clock.advanceAsync(1);
    expect(got.map((m) => Array.from(m))).toEqual([[0x21, 0x01]]);
    expect(ecu.stats.unexpectedFrames).toBe(1);
  });

  it('answers a first frame above its limit with FC overflow, and a sender rejects on it', async () => {
    const { clock, tester, ecu, wire } = await pair({}, { maxReceiveLength: 16 });
    const p = tester.send(new Uint8Array(32));
    const check = expect(p).rejects.toThrow(IsoTpError);
    await clock.advanceAsync(10);
    await check;
    expect(ecu.stats.overflows).toBe(1);
    expect(wire.some((f) => f.id === 0x7bb && f.data[0] === 0x32)).toBe(true);
  });

  it('rejects a pending send on close', async () => {
    const { clock, tester } = await pair();
    links[1]!.close();
    const p = tester.send(new Uint8Array(30));
    const check = expect(p).rejects.toThrow(/closed/);
    await clock.advanceAsync(1);
    tester.close();
    await check;
  });
});

describe('IsoTpLink, extended addressing', () => {
  it('prefixes the target address, carries 6 bytes per CF, and ignores frames for other addresses', async () => {
    // BMW's scheme [Battery-Emulator BMW-I3-BATTERY.h @ 62532e94; OVMS ecu_sme_defines.h I3_ECU_SME_TX 0x06F107,
    // RX 0x0607F1]: tester F1 asks on 0x6F1 with 07 first, the SME answers on 0x607 with F1 first.
    const { clock, tester, wire } = await pair({ txId: 0x6f1, rxId: 0x607, txAddress: 0x07, rxAddress: 0xf1, padding: null }, { txId: 0x607, rxId: 0x6f1, txAddress: 0xf1, rxAddress: 0x07, padding: null });
    const ecu = links[1]!;
    const got: number[][] = [];
    ecu.onMessage((m) => got.push(Array.from(m)));
    const answers: number[][] = [];
    tester.onMessage((m) => answers.push(Array.from(m)));
    await tester.send([0x22, 0xdd, 0xbf]);
    await clock.advanceAsync(1);
    expect(got).toEqual([[0x22, 0xdd, 0xbf]]);
    expect(Array.from(wire.find((f) => f.id === 0x6f1)!.data)).toEqual([0x07, 0x03, 0x22, 0xdd, 0xbf]);
    const long = Array.from({ length: 20 }, (_, i) => i);
    const p = ecu.send(long);
    await clock.advanceAsync(10);
    await p;
    expect(answers).toEqual([long]);
    const ff = wire.find((f) => f.id === 0x607 && f.data[1] === 0x10)!;
    expect(Array.from(ff.data)).toEqual([0xf1, 0x10, 20, 0, 1, 2, 3, 4]);
    expect(wire.filter((f) => f.id === 0x607 && f.data[1]! >> 4 === 2)).toHaveLength(3); // 5 + 6 + 6 + 3
    // A request on 0x6F1 for another ECU address (0x12) is not the SME's.
    await links[0]!['bus'].send({ id: 0x6f1, extended: false, data: Uint8Array.of(0x12, 0x02, 0x3e, 0x00) });
    await clock.advanceAsync(1);
    expect(got).toHaveLength(1);
    expect(ecu.stats.malformed).toBe(0);
  });
});
