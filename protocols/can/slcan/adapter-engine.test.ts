import { VirtualClock } from '../../../core/clock';
import { framesEqual, makeFrame } from '../frame';
import { VirtualBus } from '../media/virtual';
import { SlcanAdapterEngine, type SlcanAdapterOptions } from './adapter-engine';

let n = 0;

/** An engine on a virtual channel, its peer on the same channel, and everything it wrote to the host. */
function setup(options: SlcanAdapterOptions = {}, accept: (text: string, kind: 'reply' | 'frame') => boolean = () => true) {
  const clock = new VirtualClock(1000);
  const channel = `slcan-engine-${++n}`;
  const bus = new VirtualBus(channel, { clock });
  const peer = new VirtualBus(channel, { clock });
  let out = '';
  const engine = new SlcanAdapterEngine(
    bus,
    (text, kind) => {
      if (!accept(text, kind)) return false;
      out += text;
      return true;
    },
    options,
  );
  return {
    clock,
    bus,
    peer,
    engine,
    /** Feed a host line and return what the engine wrote since the last call. */
    take(): string {
      const s = out;
      out = '';
      return s;
    },
    async close() {
      engine.close();
      await bus.close();
      await peer.close();
    },
  };
}

/** Let the engine's `bus.send` promises settle. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('SlcanAdapterEngine', () => {
  it('answers the configuration sequence python-can sends (C, S6, O, O) and the V/N/F queries', async () => {
    const t = setup();
    t.engine.input('C\rS6\rO\rO\rV\rN\rF\r');
    expect(t.take()).toBe('\r\r\r\rV1013\rNHIL0\rF00\r');
    expect(t.engine.state).toMatchObject({ open: true, listenOnly: false, bitrate: 500000, timestamps: false });
    expect(t.engine.stats.bells).toBe(0);
    await t.close();
  });

  it('forwards transmitted frames to the bus while open, acknowledging with z/Z', async () => {
    const t = setup();
    t.engine.input('t1230\r'); // closed: refused
    expect(t.take()).toBe('\x07');
    expect(t.engine.stats.errors['not-open']).toBe(1);
    t.engine.input('O\rt1232AABB\rT1ABCDEF01FF\rr1238\rR000000013\r');
    expect(t.take()).toBe('\rz\rZ\rz\rZ\r');
    await settle();
    const want = [
      makeFrame(0x123, [0xaa, 0xbb]),
      makeFrame(0x1abcdef0, [0xff]),
      makeFrame(0x123, [], { rtr: true, dlc: 8 }),
      makeFrame(0x1, [], { rtr: true, dlc: 3, extended: true }),
    ];
    for (const w of want) expect(framesEqual((await t.peer.recv(0))!, w)).toBe(true);
    expect(await t.peer.recv(0)).toBeNull();
    expect(t.engine.stats.framesToBus).toBe(4);
    await t.close();
  });

  it('answers a bare CR after transmits when configured like older firmware', async () => {
    const t = setup({ transmitAck: 'cr' });
    t.engine.input('O\rt1230\r');
    expect(t.take()).toBe('\r\r');
    await t.close();
  });

  it('writes bus frames to the host only while open, with Z1 timestamps modulo 60000', async () => {
    const t = setup();
    await t.peer.send(makeFrame(0x100, [1]));
    expect(t.take()).toBe(''); // closed: nothing
    t.engine.input('Z1\rS8\rO\r');
    expect(t.take()).toBe('\r\r\r');
    t.clock.advance(60500 - 1000); // bus clock at 60500 ms
    await t.peer.send(makeFrame(0x100, [1]));
    await t.peer.send(makeFrame(0x12345, [], { rtr: true, dlc: 2 }));
    expect(t.take()).toBe('t100101' + '01F4' + '\r' + 'R000123452' + '01F4' + '\r');
    t.engine.input('C\r');
    t.take();
    await t.peer.send(makeFrame(0x100, [1]));
    expect(t.take()).toBe('');
    expect(t.engine.stats.framesToHost).toBe(2);
    await t.close();
  });

  it('in listen-only mode forwards bus frames but refuses transmits', async () => {
    const t = setup();
    t.engine.input('L\rt1230\r');
    expect(t.take()).toBe('\r\x07');
    expect(t.engine.stats.errors['listen-only']).toBe(1);
    await t.peer.send(makeFrame(0x7, []));
    expect(t.take()).toBe('t0070\r');
    t.engine.input('O\r'); // other mode while open
    expect(t.take()).toBe('\x07');
    await settle();
    expect(await t.peer.recv(0)).toBeNull();
    await t.close();
  });

  it('refuses S, s and Z while open, and keeps the old settings', async () => {
    const t = setup();
    t.engine.input('S4\rO\rS6\rs031C\rZ1\r');
    expect(t.take()).toBe('\r\r\x07\x07\x07');
    expect(t.engine.state).toMatchObject({ bitrate: 125000, timestamps: false, btr: undefined });
    expect(t.engine.stats.errors['not-closed']).toBe(3);
    t.engine.input('C\rs031C\r');
    expect(t.take()).toBe('\r\r');
    expect(t.engine.state).toMatchObject({ bitrate: undefined, btr: [0x03, 0x1c] });
    await t.close();
  });

  it('answers garbage with BEL, counts it by reason, and keeps serving', async () => {
    const errors: string[] = [];
    const t = setup({ onError: (r) => errors.push(r) });
    t.engine.input('O\r');
    t.take();
    t.engine.input('hello\r\x00\xff\xfe\rt12\r' + 'x'.repeat(500) + '\rt1239\rS\rt1230\r');
    expect(t.take()).toBe('\x07\x07\x07\x07\x07\x07z\r');
    expect(errors).toEqual(['unknown-command', 'non-printable', 'bad-frame', 'too-long', 'bad-frame', 'bad-argument']);
    expect(t.engine.stats.bells).toBe(6);
    await settle();
    expect((await t.peer.recv(0))?.id).toBe(0x123);
    t.engine.input('V\r');
    expect(t.take()).toBe('V1013\r');
    await t.close();
  });

  it('drops bus frames the host cannot take, counts them, and flags overrun in F once', async () => {
    let room = 1;
    const t = setup({}, (_text, kind) => kind === 'reply' || room-- > 0);
    t.engine.input('O\r');
    t.take();
    await t.peer.send(makeFrame(1, []));
    await t.peer.send(makeFrame(2, []));
    await t.peer.send(makeFrame(3, []));
    expect(t.take()).toBe('t0010\r');
    expect(t.engine.stats).toMatchObject({ framesToHost: 1, framesDropped: 2 });
    t.engine.input('F\rF\r');
    expect(t.take()).toBe('F08\rF00\r');
    await t.close();
  });

  it('skips bus frames SLCAN cannot carry, and stops serving after close', async () => {
    const t = setup({ serial: 'AB12', hardwareVersion: 1, softwareVersion: 2 });
    t.engine.input('O\rV\rN\r');
    expect(t.take()).toBe('\rV0102\rNAB12\r');
    await t.peer.send({ id: 4, extended: false, error: true, data: new Uint8Array(8) });
    expect(t.take()).toBe('');
    expect(t.engine.stats.framesUnencodable).toBe(1);
    t.engine.close();
    t.engine.input('V\r');
    await t.peer.send(makeFrame(1, []));
    expect(t.take()).toBe('');
    expect(t.bus.closed).toBe(false); // the bus is the caller's
    await t.close();
  });

  it('refuses transmits with BEL once the bus behind it is closed', async () => {
    const t = setup();
    t.engine.input('O\r');
    t.take();
    await t.bus.close();
    t.engine.input('t1230\r');
    expect(t.take()).toBe('\x07'); // bus closed: refused up front
    expect(t.engine.stats.errors['bus-closed']).toBe(1);
    await t.close();
  });
});
