/**
 * Servers under abuse (issue 10): 20,000 idle connections must not lock out the controller. The socketcand hub
 * runs with its default limits (64 connections, the longest-idle evicted at the cap, a connection that opens no bus
 * closed after 30 s) on a virtual clock, so the idle timeout is driven by the test while the sockets are real.
 *
 * File descriptors: the hub holds at most 64 sockets and the flood closes its end when the hub closes it, so this
 * process stays far below `ulimit -n` (20,000 here) although 20,000 connections are made.
 * `npm run bench:abuse` prints the controller's time to its first frame with and without the flood.
 */
import { VirtualClock } from '../../core/clock';
import type { CanBus } from '../../protocols/can/bus';
import { makeFrame } from '../../protocols/can/frame';
import { RawTestClient } from '../../protocols/can/socketcand/raw-test-client';
import { DEFAULT_HUB_LIMITS, SocketcandServer } from '../../protocols/can/socketcand/server';
import { IdleFlood } from '../../protocols/net/idle-flood';
import { pollLoop } from '../support/poll-loop';
import { until } from '../support/until';

const FLOOD = 20_000;
/** Stated bounds (typically a few ms; generous for a busy 2-core machine). */
const NEW_CONTROLLER_FRAME_MS = 2_000;
const FRAME_DURING_FLOOD_MS = 5_000;
const POLL_PERIOD_MS = 100;

let hub: SocketcandServer | undefined;
let flood: IdleFlood | undefined;
const clients: RawTestClient[] = [];

afterEach(async () => {
  flood?.close();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await hub?.close();
});

async function start(clock: VirtualClock, limits = {}): Promise<{ port: number; bms: CanBus; lines: string[] }> {
  const lines: string[] = [];
  hub = new SocketcandServer({ port: 0, clock, limits, log: (l) => lines.push(l) });
  const { port } = await hub.listen();
  return { port, bms: hub.attach('pack1'), lines };
}

/** A controller on bus pack1 in raw mode. */
async function controller(port: number): Promise<RawTestClient> {
  const c = await RawTestClient.joined(port, 'pack1');
  clients.push(c);
  return c;
}

/** The BMS sends a frame; resolves with the ms until this controller has it. */
async function frameRoundTrip(bms: CanBus, c: RawTestClient, seq: number): Promise<number> {
  const t0 = performance.now();
  await bms.send(makeFrame(0x359, [seq & 0xff]));
  const m = await c.next(FRAME_DURING_FLOOD_MS);
  expect(m).toMatch(/^frame 359 \d+\.\d+ [0-9A-F]{2}$/);
  return performance.now() - t0;
}

describe('socketcand hub under 20,000 idle connections', () => {
  it('keeps a listening controller fed, lets a new controller in, and holds at most 64 sockets', async () => {
    const clock = new VirtualClock();
    const { port, bms, lines } = await start(clock);
    const a = await controller(port);
    let seq = 0;
    const listening = pollLoop(POLL_PERIOD_MS, async () => void (await frameRoundTrip(bms, a, seq++)));

    flood = await IdleFlood.open({ port, count: FLOOD, pace: { accepted: () => hub!.accepted - 1, maxAhead: 256 } });
    const during = await listening.stop();
    expect(flood.failures).toEqual({});
    expect(flood.opened).toBe(FLOOD);
    expect(during.rounds).toBeGreaterThan(0);
    expect(during.slowestMs).toBeLessThan(FRAME_DURING_FLOOD_MS);

    const t0 = performance.now();
    const b = await controller(port);
    await frameRoundTrip(bms, b, 1);
    expect(performance.now() - t0).toBeLessThan(NEW_CONTROLLER_FRAME_MS);
    expect(await a.next()).toMatch(/^frame 359 /); // A got that frame too: still on the bus

    const max = DEFAULT_HUB_LIMITS.maxConnections;
    await until(() => hub!.accepted === FLOOD + 2, `the hub accepted all ${FLOOD + 2} connections`);
    const s = hub!.stats();
    expect(s.peakConnections).toBe(max);
    expect(s.evicted).toBe(FLOOD + 2 - max);
    expect(s.clients).toHaveLength(max);
    expect(s.clients.filter((c) => c.bus === 'pack1')).toHaveLength(2); // neither controller was evicted
    await flood.whenHeldAtMost(max - 2);

    // The idle timeout closes the rest of the flood (no bus opened); the controllers on the bus stay, though they
    // send nothing: a client on a bus is never closed for silence.
    clock.advance(DEFAULT_HUB_LIMITS.idleTimeoutMs);
    await flood.whenHeldAtMost(0);
    expect(hub!.stats()).toMatchObject({ idleClosed: max - 2 });
    expect(hub!.stats().clients).toHaveLength(2);
    clock.advance(10 * DEFAULT_HUB_LIMITS.idleTimeoutMs);
    await frameRoundTrip(bms, a, 2);
    await frameRoundTrip(bms, b, 2);
    expect(await a.next()).toMatch(/^frame 359 /);

    // About 20,000 eviction lines, a bounded log: 100 lines and a notice in the flood's window, then a summary
    // counting the rest when the next window starts.
    const summary = lines.find((l) => /^\d+ more events not logged \(over 100 per 10 s\)$/.test(l));
    expect(summary).toBeDefined();
    expect(Number(summary!.split(' ')[0]) + 100).toBe(s.evicted);
    expect(lines.length).toBeLessThan(100 + 1 + 1 + 62 + 1);
  }, 300_000); // a failure bound: about 10-30 s alone on a busy 2-core machine

  it('closes connections that open no bus after the idle timeout even without reaching the cap', async () => {
    const clock = new VirtualClock();
    const { port, bms } = await start(clock, { maxConnections: Infinity, idleTimeoutMs: 5_000 });
    const a = await controller(port);
    flood = await IdleFlood.open({ port, count: 2000, pace: { accepted: () => hub!.accepted - 1, maxAhead: 256 } });
    await until(() => hub!.clientCount === 2001, 'the hub holds the 2001 connections');
    clock.advance(4_999);
    expect(flood.held).toBe(2000);
    clock.advance(1);
    await flood.whenHeldAtMost(0);
    expect(hub!.stats()).toMatchObject({ idleClosed: 2000, evicted: 0 });
    await frameRoundTrip(bms, a, 0);
  }, 60_000);
});
