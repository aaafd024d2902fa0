import { createServer, type Server, type Socket } from 'node:net';
import { VirtualClock } from '../../../core/clock';
import { ConfigError, DisconnectedError, HilTimeoutError, OperationError } from '../../../core/errors';
import { describeCanBusContract } from '../../../test/kits/can-bus-contract';
import { makeFrame } from '../frame';
import { openBus } from '../registry';
import { SocketcandServer } from '../socketcand/server';
import { SocketcandBus } from './socketcand';
import { refusedPort } from '../../../test/support/ports';

const quiet = (): void => undefined;
/**
 * TCP pairs run in real time. The periodic sender skips slots when the event loop stalls for more than a period (a
 * loaded 2-core CI box stalls for tens of ms): the contract counts skipped slots, and a 50 ms period (not the
 * default 20) keeps them rare.
 */
const tcpCaps = {
  skipReasons: { errorFrames: 'the socketcand protocol has no command to send an error frame' },
  periodMs: 50,
};

async function hub(): Promise<SocketcandServer> {
  const server = new SocketcandServer({ port: 0, log: quiet });
  await server.listen();
  return server;
}

describeCanBusContract('socketcand client <-> hub <-> socketcand client (TCP)', async ({ channel }) => {
  const server = await hub();
  const a = await SocketcandBus.connect({ port: server.port, bus: channel, log: quiet });
  const b = await SocketcandBus.connect({ port: server.port, bus: channel, log: quiet });
  return { a, b, cleanup: () => server.close() };
}, tcpCaps);

describeCanBusContract('socketcand hub.attach() <-> hub <-> socketcand client (TCP)', async ({ channel }) => {
  const server = await hub();
  const a = server.attach(channel);
  const b = await SocketcandBus.connect({ port: server.port, bus: channel, log: quiet });
  return { a, b, cleanup: () => server.close() };
}, tcpCaps);

describeCanBusContract('socketcand hub.attach() <-> hub.attach() (in-process, virtual clock)', ({ channel }) => {
  const clock = new VirtualClock();
  const server = new SocketcandServer({ clock, log: quiet }); // never listens: attach needs no TCP
  return {
    a: server.attach(channel),
    b: server.attach(channel),
    clock,
    cleanup: async () => {
      await server.close();
      expect(clock.pending).toBe(0);
    },
  };
}, { supportsErrorFrames: true });

/** A TCP server that speaks whatever the test scripts, to feed the client bad input. */
async function scriptedServer(onConnect: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnect);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { server, port: addr.port };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('socketcand client medium', () => {
  let server: SocketcandServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('opens through the registry from socketcand://host:port/bus and exchanges frames with the hub', async () => {
    server = await hub();
    const em = server.attach('bench0');
    const bus = await openBus(server.url('bench0'));
    try {
      expect(bus.medium).toBe('socketcand');
      expect(bus.channel).toBe('bench0');
      await bus.send(makeFrame(0x18ff50e5, [1, 2, 3]));
      const got = await em.recv(5000);
      expect(got).toMatchObject({ id: 0x18ff50e5, extended: true });
      await em.send(makeFrame(0x351, [9]));
      expect(await bus.recv(5000)).toMatchObject({ id: 0x351, extended: false, channel: 'bench0' });
    } finally {
      await bus.close();
    }
  });

  it('rejects a URL without a bus name with ConfigError', async () => {
    await expect(openBus('socketcand://127.0.0.1:29536')).rejects.toBeInstanceOf(ConfigError);
    await expect(SocketcandBus.connect({ port: 1, bus: 'a b' })).rejects.toBeInstanceOf(ConfigError);
  });

  it('fails with OperationError naming host:port when the connection is refused', async () => {
    const port = await refusedPort();
    const err = await SocketcandBus.connect({ port, bus: 'x', log: quiet }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).toContain('refused');
  });

  it('fails with the server\'s reason when it refuses the bus', async () => {
    server = await hub();
    const err = await SocketcandBus.connect({ port: server.port, bus: 'abcdefghijklmnopq', log: quiet }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toMatch(/refused bus 'abcdefghijklmnopq'.*longer than 16 characters/);
  });

  it('times out with HilTimeoutError when the server never says hi', async () => {
    const sockets: Socket[] = [];
    const silent = await scriptedServer((s) => sockets.push(s));
    try {
      const err = await SocketcandBus.connect({ port: silent.port, bus: 'x', connectTimeoutMs: 200, log: quiet }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HilTimeoutError);
      expect((err as Error).message).toContain(`127.0.0.1:${silent.port}`);
    } finally {
      for (const s of sockets) s.destroy();
      await closeServer(silent.server);
    }
  });

  it('ends pending recv with null and rejects send with DisconnectedError when the server goes away', async () => {
    server = await hub();
    const bus = await SocketcandBus.connect({ port: server.port, bus: 'b', log: quiet });
    const pending = bus.recv();
    await server.close();
    await expect(pending).resolves.toBeNull();
    expect(bus.closed).toBe(true);
    expect(bus.disconnected).toBeInstanceOf(DisconnectedError);
    const err = await bus.send(makeFrame(1, [])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DisconnectedError);
    expect((err as Error).message).toContain(`127.0.0.1:${bus.port}`);
    await bus.close();
  });

  it('counts and skips bad input from the server, and still delivers good frames', async () => {
    const logs: string[] = [];
    const sockets: Socket[] = [];
    const fake = await scriptedServer((s) => {
      sockets.push(s);
      s.write('< hi >');
      s.on('data', (d: Buffer) => {
        const text = d.toString();
        if (text.includes('open')) s.write('< ok >');
        if (text.includes('rawmode')) {
          s.write('< ok >');
          s.write('noise < frame 123 1.0 1 >< frame 12Z 1.000000 11 >');
          s.write('< frame 124 1.000000 ');
          s.write('AABB >< error something failed >< hi >< frame 1ABCDEF0 2.000000 01 02 >');
        }
      });
    });
    const bus = await SocketcandBus.connect({ port: fake.port, bus: 'x', log: (l) => logs.push(l) });
    try {
      const f1 = await bus.recv(5000);
      const f2 = await bus.recv(5000);
      const f3 = await bus.recv(5000);
      expect([f1, f2, f3].map((f) => f?.id)).toEqual([0x123, 0x124, 0x1abcdef0]);
      expect([...f2!.data]).toEqual([0xaa, 0xbb]);
      expect([...f3!.data]).toEqual([1, 2]);
      // noise, the bad id, the unexpected < hi >
      expect(bus.stats.rxMalformed).toBe(3);
      expect(bus.serverErrors).toBe(1);
      expect(logs.some((l) => l.includes('something failed'))).toBe(true);
    } finally {
      await bus.close();
      for (const s of sockets) s.destroy();
      await closeServer(fake.server);
    }
  });

  it('pings with < echo >, and refuses error frames it cannot carry', async () => {
    server = await hub();
    const bus = await SocketcandBus.connect({ port: server.port, bus: 'b', log: quiet });
    try {
      expect(await bus.ping()).toBeGreaterThanOrEqual(0);
      await expect(bus.send({ id: 4, extended: false, error: true, data: new Uint8Array(8) })).rejects.toBeInstanceOf(
        OperationError,
      );
    } finally {
      await bus.close();
    }
    await expect(bus.ping()).rejects.toThrow(/closed/);
  });
});
