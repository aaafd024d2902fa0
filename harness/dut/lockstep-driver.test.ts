/**
 * The lock-step driver and the Node client together, in one process on loopback (no controller process): a harness
 * side (VirtualClock, a TCP server under a ConnectionGate, a timer that sends a tick every second) and a controller
 * side (LockstepClient's clock, a 300 ms timer, an answer to every tick). What the contract promises: the harness
 * stamps what the controller sends with the granted instant, bytes sent at an instant wake an idle controller at
 * that instant and reach it before its own timers, the controller's clock reads the harness's, two runs are equal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../core/clock';
import { LockstepClient } from '../../protocols/lockstep/client';
import { ConnectionGate } from '../../protocols/net/connection-gate';
import { LockstepDriver, type WireTotals } from './lockstep-driver';

const T0 = Date.UTC(2026, 0, 1);

async function session(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hil-ls-driver-'));
  const log: string[] = [];
  const clock = new VirtualClock(T0);
  const gate = new ConnectionGate();
  const wire: WireTotals = { in: 0, out: 0, accepted: 0 };
  const conns: Socket[] = [];
  const rel = (): number => clock.now() - T0;
  // Harness side: a server counting bytes, stamping each line it reads with its clock.
  const server: Server = createServer((s) => {
    gate.add(s);
    wire.accepted++;
    conns.push(s);
    let buf = '';
    s.on('data', (d: Buffer) => {
      wire.in += d.length;
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        log.push(`harness t=${rel()} got '${buf.slice(0, nl)}'`);
        buf = buf.slice(nl + 1);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  let tick = 0;
  const sendTick = (): void => {
    tick++;
    const line = `tick ${tick}\n`;
    for (const s of conns) {
      wire.out += line.length;
      s.write(line);
    }
    clock.setTimeout(sendTick, 1000);
  };
  clock.setTimeout(sendTick, 1000);
  // The channel: a Unix socket pair made by a listener.
  const chPath = join(dir, 'ch.sock');
  const chServer = createServer();
  const harnessEnd = new Promise<Socket>((r) => chServer.once('connection', r));
  await new Promise<void>((r) => chServer.listen(chPath, r));
  const controllerEnd = connect(chPath);
  await new Promise<void>((r) => controllerEnd.once('connect', () => r()));
  const driver = new LockstepDriver({ clock, channel: await harnessEnd, wire: () => ({ ...wire }), gate, reportTimeoutMs: 5000 });
  let client: LockstepClient | undefined;
  let data: Socket | undefined;
  try {
    // Controller side: started in the background; it connects, answers ticks and beats every 300 ms.
    const controller = (async () => {
      client = await LockstepClient.open(controllerEnd, (m) => log.push(`client error ${m}`));
      const c = client.clock;
      data = connect(port, '127.0.0.1');
      await new Promise<void>((r) => data!.once('connect', () => r()));
      data.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\n').filter(Boolean)) {
          log.push(`controller t=${c.now() - T0} read '${line}'`);
          data!.write(`ack ${line} at ${c.now() - T0}\n`);
        }
      });
      const beat = (): void => {
        log.push(`controller t=${c.now() - T0} beat`);
        data!.write(`beat at ${c.now() - T0}\n`);
        c.setTimeout(beat, 300);
      };
      c.setTimeout(beat, 300);
      client.ready();
    })();
    await driver.hello(5000);
    await driver.startUp();
    await controller;
    await driver.advanceTo(T0 + 2100);
    expect(driver.failure).toBeUndefined();
    return log;
  } finally {
    driver.end();
    client?.close();
    data?.destroy();
    for (const s of conns) s.destroy();
    await new Promise((r) => server.close(r));
    await new Promise((r) => chServer.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('LockstepDriver with the Node LockstepClient', () => {
  it('takes turns on one clock: stamps, wake-ups and order as the contract says, the same twice', async () => {
    const log = await session();
    expect(log).toEqual([
      'controller t=300 beat',
      "harness t=300 got 'beat at 300'",
      'controller t=600 beat',
      "harness t=600 got 'beat at 600'",
      'controller t=900 beat',
      "harness t=900 got 'beat at 900'",
      // The tick at 1000 wakes the controller (its wake is 1200): it reads it at 1000 and answers at 1000.
      "controller t=1000 read 'tick 1'",
      "harness t=1000 got 'ack tick 1 at 1000'",
      'controller t=1200 beat',
      "harness t=1200 got 'beat at 1200'",
      'controller t=1500 beat',
      "harness t=1500 got 'beat at 1500'",
      'controller t=1800 beat',
      "harness t=1800 got 'beat at 1800'",
      "controller t=2000 read 'tick 2'",
      "harness t=2000 got 'ack tick 2 at 2000'",
      'controller t=2100 beat',
      "harness t=2100 got 'beat at 2100'",
    ]);
    expect(await session()).toEqual(log);
  });
});
