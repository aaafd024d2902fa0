/**
 * python-can 4.1's `slcan` interface (Debian python3-can, through pyserial) opens our SlcanAdapter's pty like a USB
 * adapter: frames both ways, standard and extended ids, RTR; and raw pyserial garbage gets BEL while the adapter
 * keeps serving. The python side is test/interop/py/slcan_peer.py, which prints JSON lines; we wait on those lines.
 */
import { join } from 'node:path';
import { framesEqual, makeFrame, type CanFrame } from '../../protocols/can/frame';
import { VirtualBus } from '../../protocols/can/media/virtual';
import { SlcanAdapter } from '../../protocols/can/slcan';
import { describeWithPeers } from '../support/peers';
import { PyPeer, type PyEvent } from '../support/py-peer';

const SCRIPT = join(__dirname, 'py', 'slcan_peer.py');



/** Resolves once the adapter has handled a `C` from its host. */
function closeSeen(adapter: SlcanAdapter): Promise<void> {
  return new Promise((resolve) => {
    const off = adapter.onCommand((cmd) => {
      if (cmd?.kind === 'close') {
        off();
        resolve();
      }
    });
  });
}

function pyFrame(e: PyEvent): CanFrame {
  return makeFrame(e.id as number, e.rtr ? [] : (e.data as number[]), {
    extended: e.ext as boolean,
    ...(e.rtr ? { rtr: true, dlc: e.dlc as number } : {}),
  });
}

describeWithPeers(['socat', 'python3-can', 'python3-serial'], 'SLCAN interop: python-can slcan on our SlcanAdapter', () => {
  let adapterBus: VirtualBus | undefined;
  let peer: VirtualBus | undefined;
  let adapter: SlcanAdapter | undefined;
  let py: PyPeer | undefined;

  afterEach(async () => {
    if (py) {
      py.kill();
      await py.done;
    }
    await adapter?.close();
    await adapterBus?.close();
    await peer?.close();
    py = adapter = adapterBus = peer = undefined;
  });

  async function start(channel: string): Promise<SlcanAdapter> {
    adapterBus = new VirtualBus(channel);
    peer = new VirtualBus(channel);
    adapter = await SlcanAdapter.start(adapterBus);
    return adapter;
  }

  it('carries standard, extended and remote frames both ways', async () => {
    const ad = await start('slcan-py-both-ways');
    py = new PyPeer(SCRIPT, ['bus', ad.path, '500000']);
    const ready = await py.next('ready');
    expect(ready.version).toEqual([10, 13]);
    await ad.whenOpen();
    expect(ad.state).toMatchObject({ open: true, bitrate: 500000, listenOnly: false });

    // bus -> python
    const toPy = [
      makeFrame(0x123, [0xde, 0xad, 0xbe, 0xef]),
      makeFrame(0x7ff, []),
      makeFrame(0x18ff50e5, [1, 2, 3, 4, 5, 6, 7, 8]),
      makeFrame(0x5, [0x55], { extended: true }),
      makeFrame(0x321, [], { rtr: true, dlc: 4 }),
      makeFrame(0x1abcdef0, [], { rtr: true, dlc: 8 }),
    ];
    for (const f of toPy) await peer!.send(f);
    for (const f of toPy) {
      const got = pyFrame(await py.next('frame'));
      expect(framesEqual(got, f)).toBe(true);
    }

    // python -> bus
    const received: CanFrame[] = [];
    const fromPy = [
      makeFrame(0x100, [1]),
      makeFrame(0x1fffffff, [0xff, 0, 0xff]),
      makeFrame(0x10, [], { extended: true }),
      makeFrame(0x456, [], { rtr: true, dlc: 2 }),
      makeFrame(0x7e8, [0x02, 0x41, 0x0c, 0, 0, 0, 0, 0]),
    ];
    const allIn = new Promise<void>((resolve) =>
      peer!.onFrame((f) => {
        received.push(f);
        if (received.length === fromPy.length) resolve();
      }),
    );
    for (const f of fromPy) {
      py.send({ op: 'send', id: f.id, ext: f.extended, rtr: !!f.rtr, dlc: f.rtr ? f.dlc : f.data.length, data: [...f.data] });
    }
    await allIn;
    received.forEach((f, i) => expect(framesEqual(f, fromPy[i]!)).toBe(true));
    expect(ad.stats.framesToBus).toBe(fromPy.length);

    const closed = closeSeen(ad);
    py.send({ op: 'quit' });
    await py.next('bye');
    expect(await py.done).toBe(0);
    await closed; // python's shutdown sends C
    expect(ad.state.open).toBe(false);
    expect(ad.stats.bells).toBe(0);
  });

  it('a python-can host can go and another come back on the same pty', async () => {
    const ad = await start('slcan-py-reopen');
    for (const id of [0x201, 0x1234567]) {
      py = new PyPeer(SCRIPT, ['bus', ad.path, '250000']);
      await py.next('ready');
      await ad.whenOpen();
      await peer!.send(makeFrame(id, [id & 0xff]));
      expect((await py.next('frame')).id).toBe(id);
      const closed = closeSeen(ad);
      py.send({ op: 'quit' });
      await py.next('bye');
      await py.done;
      await closed;
      py = undefined;
    }
    expect(ad.state).toMatchObject({ open: false, bitrate: 250000 });
  });

  it('answers pyserial garbage with BEL and keeps serving', async () => {
    const ad = await start('slcan-py-garbage');
    const garbage = Buffer.from('\x00\xff\xfe\rhello\rt12\r' + 'Z'.repeat(100) + '\r', 'latin1').toString('hex');
    py = new PyPeer(SCRIPT, ['raw', ad.path, garbage]);
    const reply = await py.next('reply');
    expect(Buffer.from(reply.hex as string, 'hex').toString('latin1')).toBe('\x07\x07\x07\x07V1013\r');
    expect(ad.stats.errors).toEqual({ 'non-printable': 1, 'unknown-command': 1, 'bad-frame': 1, 'too-long': 1 });
    await py.done;
    py = undefined;
    // The same adapter then serves python-can normally.
    py = new PyPeer(SCRIPT, ['bus', ad.path, '500000']);
    await py.next('ready');
    await ad.whenOpen();
    py.send({ op: 'send', id: 0x42, ext: false, data: [4, 2] });
    const got = await new Promise<CanFrame>((resolve) => peer!.onFrame(resolve));
    expect(framesEqual(got, makeFrame(0x42, [4, 2]))).toBe(true);
  });
});
