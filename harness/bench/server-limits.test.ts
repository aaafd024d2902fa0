import { connect, type Socket } from 'node:net';
import { RealClock } from '../../core/clock';
import { ConfigError } from '../../core/errors';
import { BenchInstance } from './bench-instance';
import { parseBench } from './load-bench';

const devices = `
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }
  - { name: inv1, type: inverter, modbus: site }
`;

function errorOf(text: string): ConfigError {
  try {
    parseBench(text, 'b.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('bench connection limits', () => {
  it('reads limits of a Modbus TCP endpoint and of a hub; unset keys stay unset (server defaults)', () => {
    const b = parseBench(
      `bench: t
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", maxConnections: 8, idleTimeout: 5s } }
  pack2: { hub: { socketcand: "127.0.0.1:0", maxConnections: 8, idleTimeout: 5000ms } }
modbus:
  site: { tcp: "127.0.0.1:0", maxConnections: 4, idleTimeout: 2m, whenFull: refuse }
${devices}`,
      'b.yaml',
    );
    expect(b.serverLimits).toEqual({
      modbus: { site: { maxConnections: 4, idleTimeoutMs: 120_000, whenFull: 'refuse' } },
      hubs: { '127.0.0.1:0': { maxConnections: 8, idleTimeoutMs: 5000 } },
    });
    const none = parseBench(`bench: t\ncan:\n  pack1: { hub: { socketcand: "127.0.0.1:0" } }\nmodbus:\n  site: { tcp: "127.0.0.1:0" }\n${devices}`);
    expect(none.serverLimits).toEqual({ modbus: {}, hubs: { '127.0.0.1:0': {} } });
  });

  it('refuses limits on an RTU line, a bad idle timeout, and two buses of one hub that disagree, at the key', () => {
    expect(errorOf(`bench: t\ncan:\n  pack1: { hub: { socketcand: "127.0.0.1:0" } }\nmodbus:\n  site: { rtu: { path: /dev/ttyUSB0 }, maxConnections: 2 }\n${devices}`).message).toBe(
      "b.yaml:5:9: Modbus endpoint 'site': connection limits apply to a TCP endpoint, not an RTU line",
    );
    expect(errorOf(`bench: t\ncan:\n  pack1: { hub: { socketcand: "127.0.0.1:0" } }\nmodbus:\n  site: { tcp: "127.0.0.1:0", idleTimeout: soon }\n${devices}`).message).toMatch(
      /^b\.yaml:5:\d+: 'soon' is not a duration/,
    );
    expect(
      errorOf(
        `bench: t\ncan:\n  pack1: { hub: { socketcand: "127.0.0.1:0", maxConnections: 8 } }\n  pack2: { hub: { socketcand: "127.0.0.1:0" } }\nmodbus:\n  site: { tcp: "127.0.0.1:0" }\n${devices}`,
      ).message,
    ).toMatch(/^b\.yaml:4:\d+: CAN bus 'pack2' shares the hub at 127\.0\.0\.1:0 with bus 'pack1' but sets other limits/);
    expect(errorOf(`bench: t\ncan:\n  pack1: { hub: { socketcand: "127.0.0.1:0", maxConnections: 0 } }\nmodbus:\n  site: { tcp: "127.0.0.1:0" }\n${devices}`).message).toMatch(
      /maxConnections/,
    );
  });
});

describe('bench connection limits on a running bench', () => {
  const sockets: Socket[] = [];
  let inst: BenchInstance | undefined;
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await inst?.close();
  });

  /** Open a connection; resolves once connected (the server may close it at once). */
  function open(port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
      s.resume();
      sockets.push(s);
    });
  }
  const closed = (s: Socket): Promise<void> => new Promise((r) => (s.destroyed ? r() : s.once('close', () => r())));

  it('gives the servers the limits the bench file sets', async () => {
    const bench = parseBench(
      `bench: t
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", maxConnections: 1, whenFull: refuse } }
modbus:
  site: { tcp: "127.0.0.1:0", maxConnections: 1, whenFull: refuse }
${devices}`,
      __filename,
    );
    inst = await BenchInstance.start(bench, { clock: new RealClock(), mode: 'real', seed: 1, serveNetwork: true });
    const mb = inst.modbus.get('site')!;
    await open(mb.port!);
    await closed(await open(mb.port!)); // the second is refused at once
    expect(mb.tcp!.stats).toMatchObject({ refused: 1, active: 1 });
    const hub = inst.can.get('pack1')!.hub!;
    await open(hub.port);
    await closed(await open(hub.port));
    expect(hub.stats()).toMatchObject({ refused: 1 });
    expect(hub.clientCount).toBe(1);
  });
});

