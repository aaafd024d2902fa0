import { flushMicrotasks, VirtualClock } from '../../../core/clock';
import {
  ConfigError,
  DisconnectedError,
  HilTimeoutError,
  InterfaceNotAvailableError,
  OperationError,
} from '../../../core/errors';
import { describeCanBusContract } from '../../../test/kits/can-bus-contract';
import { framesEqual, makeFrame, type CanFrame } from '../frame';
import { openBus } from '../registry';
import { serveSlcanAdapter } from '../slcan/adapter-engine';
import { createSerialPipe, type SerialPipe } from '../slcan/memory-serial';
import { openSlcanBus, SlcanBus, type SlcanBusOptions } from './slcan';
import { VirtualBus } from './virtual';

/** The client on the host end of a memory pipe; the emulated adapter on the device end, sitting on `channel`. */
async function clientOnMockAdapter(channel: string, options: SlcanBusOptions = {}) {
  const pipe = createSerialPipe(`/dev/mock-${channel}`);
  const adapterBus = new VirtualBus(channel);
  const engine = serveSlcanAdapter(pipe.device, adapterBus);
  const client = await openSlcanBus(pipe.host.path, { ...options, openSerial: async () => pipe.host });
  return {
    pipe,
    engine,
    client,
    async cleanup() {
      engine.close();
      await adapterBus.close();
    },
  };
}

describeCanBusContract('slcan (client medium on the emulated adapter, memory pipe)', async ({ channel }) => {
  const { client, cleanup } = await clientOnMockAdapter(channel);
  return { a: client, b: new VirtualBus(channel), cleanup };
}, { skipReasons: { errorFrames: 'SLCAN (Lawicel) has no error frames' } });

/** A hand-written device on a pipe: answers each host line with `answer(line)`. */
function fakeDevice(pipe: SerialPipe, answer: (line: string) => string | undefined): string[] {
  const lines: string[] = [];
  let buf = '';
  pipe.device.onData((chunk) => {
    buf += Buffer.from(chunk).toString('latin1');
    let i: number;
    while ((i = buf.indexOf('\r')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      const reply = answer(line);
      if (reply !== undefined) void pipe.device.write(reply);
    }
  });
  return lines;
}

/** Resolves with the next frame `bus` hears. */
function nextFrame(bus: SlcanBus | VirtualBus): Promise<CanFrame> {
  return new Promise((resolve) => {
    const off = bus.onFrame((f) => {
      off();
      resolve(f);
    });
  });
}

describe('slcan client medium', () => {
  it('configures the adapter with C, Sn, O (Z1 first with timestamps, L for listen-only)', async () => {
    const env = await clientOnMockAdapter('slcan-open-1', { bitrate: 250000 });
    expect(env.pipe.host.written).toBe('C\rS5\rO\r');
    expect(env.engine.state).toMatchObject({ open: true, bitrate: 250000, listenOnly: false, timestamps: false });
    await env.client.close();
    expect(env.pipe.host.written).toBe('C\rS5\rO\rC\r');
    expect(env.pipe.host.isOpen).toBe(false);
    await env.cleanup();

    const lo = await clientOnMockAdapter('slcan-open-2', { listenOnly: true, timestamps: true, bitrate: 1000000 });
    expect(lo.pipe.host.written).toBe('C\rZ1\rS8\rL\r');
    expect(lo.engine.state).toMatchObject({ open: true, listenOnly: true, timestamps: true });
    await expect(lo.client.send(makeFrame(1, []))).rejects.toBeInstanceOf(OperationError);
    await lo.client.close();
    await lo.cleanup();
  });

  it('rejects an unknown bitrate with ConfigError listing the valid ones, before opening anything', async () => {
    let opened = false;
    const open = openSlcanBus('/dev/ttyX', {
      bitrate: 123456,
      openSerial: async () => {
        opened = true;
        return createSerialPipe().host;
      },
    });
    await expect(open).rejects.toBeInstanceOf(ConfigError);
    await expect(open).rejects.toThrow(/123456.*valid: 10000, 20000, 50000, 100000, 125000, 250000, 500000/);
    expect(opened).toBe(false);
  });

  it('fails the open with OperationError when the adapter refuses the bitrate, and closes the port', async () => {
    const pipe = createSerialPipe('/dev/refuses');
    const seen = fakeDevice(pipe, (line) => (line.startsWith('S') ? '\x07' : '\r'));
    const open = openSlcanBus('/dev/refuses', { openSerial: async () => pipe.host });
    await expect(open).rejects.toBeInstanceOf(OperationError);
    await expect(open).rejects.toThrow(/\/dev\/refuses refused 'S6'/);
    expect(seen).toEqual(['C', 'S6', 'C']);
    expect(pipe.host.isOpen).toBe(false);
  });

  it('fails the open with HilTimeoutError when the adapter stays silent (bound on the bus clock)', async () => {
    const clock = new VirtualClock();
    const pipe = createSerialPipe('/dev/silent');
    const seen = fakeDevice(pipe, () => undefined);
    let result: unknown;
    const open = openSlcanBus('/dev/silent', { clock, replyTimeoutMs: 500, openSerial: async () => pipe.host }).then(
      () => (result = 'opened'),
      (err: unknown) => (result = err),
    );
    await flushMicrotasks();
    await clock.advanceAsync(499);
    expect(result).toBeUndefined();
    await clock.advanceAsync(1);
    await open;
    expect(result).toBeInstanceOf(HilTimeoutError);
    expect(String(result)).toMatch(/\/dev\/silent did not answer 'C' within 500 ms/);
    expect(seen).toEqual(['C', 'C']); // the second C is close()'s, best effort
    expect(clock.pending).toBe(0);
  });

  it('accepts a BEL to the initial C (some adapters refuse C when already closed) without counting it', async () => {
    const pipe = createSerialPipe('/dev/strict');
    fakeDevice(pipe, (line) => (line === 'C' ? '\x07' : '\r'));
    const bus = await openSlcanBus('/dev/strict', { openSerial: async () => pipe.host });
    expect(bus.slcanStats.bells).toBe(0);
    await bus.close();
  });

  it('counts transmit acks and BEL refusals; version() and serialNumber() ask the adapter', async () => {
    const pipe = createSerialPipe('/dev/acks');
    let refuse = false;
    fakeDevice(pipe, (line) => {
      if (line === 'V') return 'V0207\r';
      if (line === 'N') return 'NXY12\r';
      if (line.startsWith('t')) return refuse ? '\x07' : 'z\r';
      if (line.startsWith('T')) return 'Z\r';
      return '\r';
    });
    const bus = await openSlcanBus('/dev/acks', { openSerial: async () => pipe.host });
    await bus.send(makeFrame(0x10, [1]));
    await bus.send(makeFrame(0x10000, [1]));
    expect(await bus.version()).toEqual({ hardware: 2, software: 7, raw: 'V0207' });
    expect(bus.slcanStats).toMatchObject({ acks: 2, bells: 0 });
    refuse = true;
    await bus.send(makeFrame(0x11, []));
    expect(await bus.serialNumber()).toBe('XY12');
    expect(bus.slcanStats).toMatchObject({ acks: 2, bells: 1 });
    expect(bus.stats.txFrames).toBe(3);
    await bus.close();
  });

  it.each([
    ['z/Z acks', (l: string) => (l[0] === 't' ? 'z\r' : l[0] === 'T' ? 'Z\r' : undefined)],
    ['bare CR acks', (l: string) => (/^[tT]/.test(l) ? '\r' : undefined)],
    ['no acks at all', () => undefined],
  ])('matches command replies correctly around transmits with %s', async (_name, ack) => {
    const pipe = createSerialPipe('/dev/mixed');
    fakeDevice(pipe, (line) => ack(line) ?? (/^[tT]/.test(line) ? undefined : line === 'V' ? 'V0304\r' : line === 'N' ? 'NQQ99\r' : '\r'));
    const bus = await openSlcanBus('/dev/mixed', { openSerial: async () => pipe.host });
    const sends = [bus.send(makeFrame(1, [])), bus.send(makeFrame(0x10000, [])), bus.send(makeFrame(2, []))];
    const v = bus.version();
    const more = bus.send(makeFrame(3, []));
    const serial = bus.serialNumber();
    await Promise.all([...sends, more]);
    expect((await v).raw).toBe('V0304');
    expect(await serial).toBe('QQ99');
    expect(bus.slcanStats.bells).toBe(0);
    await bus.close();
  });

  it('writes the lines queued in one tick as one chunk, in order', async () => {
    const pipe = createSerialPipe('/dev/batch');
    fakeDevice(pipe, () => '\r');
    const bus = await openSlcanBus('/dev/batch', { openSerial: async () => pipe.host });
    const chunks: string[] = [];
    const lines = fakeDevice(pipe, () => 'z\r');
    pipe.setManipulator((chunk, dir) => {
      if (dir === 'host->device') chunks.push(Buffer.from(chunk).toString('latin1'));
      return [chunk];
    });
    await Promise.all([0, 1, 2, 3, 4].map((i) => bus.send(makeFrame(0x100 + i, [i]))));
    expect(chunks).toEqual(['t100100\rt101101\rt102102\rt103103\rt104104\r']);
    expect(lines).toHaveLength(5);
    await bus.close();
  });

  it('drops and counts garbage from the adapter, and keeps receiving frames split at any byte', async () => {
    const env = await clientOnMockAdapter('slcan-garbage');
    const bytewise = (chunk: Uint8Array) => [...chunk].map((b) => Uint8Array.of(b));
    env.pipe.setManipulator((chunk, dir) => (dir === 'device->host' ? bytewise(chunk) : [chunk]));
    const peer = new VirtualBus('slcan-garbage');
    // Garbage straight onto the line, as a flaky adapter or a wrong baud rate would produce.
    void env.pipe.device.write('hello\r\x00\xfe\x01\rt12\rt1239\r' + 'T'.repeat(300) + '\rQ\r');
    const f = makeFrame(0x123, [1, 2, 3]);
    const got = nextFrame(env.client);
    await peer.send(f);
    expect(framesEqual(await got, f)).toBe(true);
    expect(env.client.stats.rxMalformed).toBe(6);
    expect(env.client.slcanStats.dropped).toEqual({
      "unexpected 'hello'": 1,
      'non-printable': 1,
      'bad-frame': 2,
      'too-long': 1,
      "unexpected 'Q'": 1,
    });
    await env.client.close();
    await peer.close();
    await env.cleanup();
  });

  it('stamps frames from Z1 timestamps, unwrapped across the 60000 ms wrap', async () => {
    const clock = new VirtualClock(5000);
    const pipe = createSerialPipe('/dev/ts');
    fakeDevice(pipe, () => '\r');
    const bus = await openSlcanBus('/dev/ts', { clock, timestamps: true, openSerial: async () => pipe.host });
    void pipe.device.write('t1000EA5A\rt2000' + '0005\rt3000\r');
    const a = await bus.recv(0).then((f) => f ?? bus.recv(1000));
    const b = await bus.recv(1000);
    const c = await bus.recv(1000);
    expect(a!.timestamp).toBe(5000);
    expect(b!.timestamp).toBe(5011); // 59994 -> 5 is 11 ms
    expect(c!.timestamp).toBe(5000); // no timestamp on the line: host clock
    await bus.close();
  });

  it('turns a vanished device into DisconnectedError on send, tells listeners, and still closes cleanly', async () => {
    const env = await clientOnMockAdapter('slcan-unplug');
    const heard: Error[] = [];
    env.client.onDisconnect((e) => heard.push(e));
    env.pipe.disconnect();
    expect(env.client.disconnectError).toBeInstanceOf(DisconnectedError);
    expect(heard).toHaveLength(1);
    await expect(env.client.send(makeFrame(1, []))).rejects.toBeInstanceOf(DisconnectedError);
    await expect(env.client.send(makeFrame(1, []))).rejects.toThrow(/\/dev\/mock-slcan-unplug went away/);
    await expect(env.client.version()).rejects.toBeInstanceOf(DisconnectedError);
    expect(await env.client.recv(0)).toBeNull();
    await env.client.close();
    expect(env.client.closed).toBe(true);
    await env.cleanup();
  });

  it('is opened by the registry from a medium string, and names a missing device', async () => {
    await expect(openBus('slcan:///dev/does-not-exist-hil?bitrate=500000')).rejects.toBeInstanceOf(InterfaceNotAvailableError);
    await expect(openBus('slcan:///dev/does-not-exist-hil')).rejects.toThrow(/\/dev\/does-not-exist-hil not found/);
    await expect(openBus('slcan:///dev/ttyX?bitrate=9')).rejects.toThrow(/no bitrate 9 /);
    await expect(openBus('slcan:///dev/ttyX?bitrat=500000')).rejects.toThrow(/unknown parameter bitrat/);
    await expect(openBus('slcan:///dev/ttyX?listen=yes')).rejects.toBeInstanceOf(ConfigError);
    await expect(openBus('slcan://dev/ttyACM0')).rejects.toThrow(/three slashes/);
    const pipe = createSerialPipe('/dev/reg');
    const adapterBus = new VirtualBus('slcan-registry');
    const engine = serveSlcanAdapter(pipe.device, adapterBus);
    const bus = await openBus('slcan:///dev/reg?bitrate=125000&listen=1&timestamps=1&baud=921600', {
      openSerial: async (path: string, o?: { baudRate?: number }) => {
        expect([path, o?.baudRate]).toEqual(['/dev/reg', 921600]);
        return pipe.host;
      },
    } as SlcanBusOptions);
    expect(bus.medium).toBe('slcan');
    expect(engine.state).toMatchObject({ open: true, listenOnly: true, timestamps: true, bitrate: 125000 });
    await bus.close();
    engine.close();
    await adapterBus.close();
  });
});
