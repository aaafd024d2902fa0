/**
 * `hil can` commands run in-process with collected output: dump with a DBC, filters, timestamps, idle timeout;
 * send (once, periodic on a virtual clock, by DBC signals); record to .log/.pcap and replay with the original
 * timing; serve a socketcand hub that dump and send join over TCP. Waits are on printed lines and frames.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../core/clock';
import { ConfigError, exitCodeFor, UnknownMediumError } from '../../core/errors';
import { runDump } from '../../harness/cli/commands/can/dump';
import { runRecord } from '../../harness/cli/commands/can/record';
import { runReplay } from '../../harness/cli/commands/can/replay';
import { runSend } from '../../harness/cli/commands/can/send';
import { runServe } from '../../harness/cli/commands/can/serve';
import type { CanBus } from '../../protocols/can/bus';
import { makeFrame, type CanFrame } from '../../protocols/can/frame';
import { openBus } from '../../protocols/can/registry';
import { RawTestClient } from '../../protocols/can/socketcand/raw-test-client';
import { describeWithPeers } from '../support/peers';
import { collectIo, nextFrame, WatchedClock } from './can-cli-support';

const DBC = join(__dirname, '..', '..', 'data', 'dbc', 'pylon-lv.dbc');
let seq = 0;
const channel = (): string => `cli-can-${process.pid}-${++seq}`;
const hex = (f: CanFrame): string => Buffer.from(f.data).toString('hex').toUpperCase();

let dir: string;
const buses: CanBus[] = [];
async function peer(medium: string, clock?: VirtualClock): Promise<CanBus> {
  const bus = await openBus(medium, clock ? { clock } : {});
  buses.push(bus);
  return bus;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-can-cli-'));
});
afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('hil can dump', () => {
  it('prints candump -L lines and decodes known frames with the DBC; short frames get an inline error', async () => {
    const ch = channel();
    const clock = new VirtualClock(1_700_000_000_000);
    const tx = await peer(`virtual:${ch}`, clock);
    const io = collectIo();
    const dump = runDump({ medium: `virtual:${ch}`, dbc: DBC, count: 5, busOptions: { clock } }, io);
    await io.c.waitFor('err', /^dump: listening on virtual:/);
    await tx.send(makeFrame(0x351, [0x14, 0x02, 0xf4, 0x01, 0x9c, 0xff, 0xe0, 0x01]));
    await tx.send(makeFrame(0x356, [0x1a, 0x14, 0xe7, 0xff])); // 4 bytes: BatteryTemperature needs 6
    await tx.send(makeFrame(0x123, [0xde, 0xad]));
    clock.advance(1.5);
    await tx.send(makeFrame(0x35c, [0x40, 0]));
    await tx.send(makeFrame(0x18ff50e5, [], { extended: true, rtr: true, dlc: 2 }));
    const r = await dump;
    expect(io.c.lines.out).toEqual([
      `(1700000000.000000) ${ch} 351#1402F4019CFFE001`,
      '  BMS_Limits ChargeVoltageLimit=53.2 V ChargeCurrentLimit=50 A DischargeCurrentLimit=-10 A DischargeVoltageLimit=48 V',
      `(1700000000.000000) ${ch} 356#1A14E7FF`,
      "  ! message 'BMS_Measurements' (0x356) signal 'BatteryTemperature' needs 6 bytes, frame has 4",
      `(1700000000.000000) ${ch} 123#DEAD`,
      `(1700000000.001500) ${ch} 35C#4000`,
      '  BMS_Requests RequestFullCharge=0 RequestForceChargeII=0 RequestForceChargeI=0 DischargeEnable=Enabled(1) ChargeEnable=Disabled(0)',
      `(1700000000.001500) ${ch} 18FF50E5#R2`,
    ]);
    expect(r).toMatchObject({ frames: 5, decoded: 2, unknown: 1, decodeErrors: 1, end: 'count', exitCode: 0 });
    expect(io.c.lines.err.at(-1)).toBe('dump: 5 frames (2 decoded, 1 not in the DBC, 1 decode error)');
  });

  it('applies --filter, prints deltas, and exits 1 when --count frames do not come before the idle timeout', async () => {
    const ch = channel();
    const clock = new VirtualClock(5000);
    const tx = await peer(`virtual:${ch}`, clock);
    const io = collectIo();
    const dump = runDump(
      { medium: `virtual:${ch}`, filters: [{ id: 0x350, mask: 0x7f0, extended: false }], count: 3, idleTimeoutMs: 1000, timestamps: 'delta', busOptions: { clock } },
      io,
    );
    await io.c.waitFor('err', /^dump: listening/);
    await tx.send(makeFrame(0x351, [1]));
    await tx.send(makeFrame(0x123, [2])); // filtered out
    await tx.send(makeFrame(0x00000351, [3], { extended: true })); // extended: filtered out
    await clock.advanceAsync(250);
    await tx.send(makeFrame(0x35e, [4]));
    await clock.advanceAsync(999);
    expect(io.c.lines.err.some((l) => l.startsWith('dump: 2'))).toBe(false);
    await clock.advanceAsync(1);
    const r = await dump;
    expect(io.c.lines.out).toEqual([`(000.000000) ${ch} 351#01`, `(000.250000) ${ch} 35E#04`]);
    expect(r).toMatchObject({ frames: 2, end: 'idle', exitCode: 1 });
    expect(io.c.lines.err).toContain('dump: only 2 of 3 frames before 1000 ms without traffic');
  });

  it('stops on the signal with exit code 0, and fails before opening anything on a bad DBC or medium', async () => {
    const ch = channel();
    const io = collectIo();
    const ac = new AbortController();
    const dump = runDump({ medium: `virtual:${ch}`, timestamps: 'none', signal: ac.signal }, io);
    await io.c.waitFor('err', /^dump: listening/);
    const tx = await peer(`virtual:${ch}`);
    await tx.send(makeFrame(0x7ff, []));
    await io.c.waitFor('out', /7FF#$/);
    ac.abort();
    expect(await dump).toMatchObject({ frames: 1, end: 'stopped', exitCode: 0 });

    const bad = join(dir, 'bad.dbc');
    writeFileSync(bad, 'VERSION ""\nBO_ 12 X: 8 Y\n SG_ A 0|8@1+ (1,0) [0|1] "" Z\n');
    const e1 = await runDump({ medium: 'nosuch:x', dbc: bad }, collectIo()).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ConfigError);
    expect((e1 as Error).message).toMatch(/bad\.dbc:3:\d+: /);
    const e2 = await runDump({ medium: 'nosuch:x' }, collectIo()).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(UnknownMediumError);
    expect((e2 as Error).message).toBe("unknown CAN medium 'nosuch' (known: virtual, socketcand, slcan, socketcan)");
    expect(exitCodeFor(e2)).toBe(2);
  });
});

describe('hil can send', () => {
  it('sends frames once, and every --period ms for --count rounds without drift on the bus clock', async () => {
    const ch = channel();
    const clock = new VirtualClock(0);
    const rx = await peer(`virtual:${ch}`, clock);
    const io = collectIo();
    const once = await runSend({ medium: `virtual:${ch}`, frames: ['123#DEADBEEF', '1FFFFFFF#00', '321#R'], busOptions: { clock } }, io);
    expect(once.sent).toBe(3);
    const got = [await rx.recv(0), await rx.recv(0), await rx.recv(0)] as CanFrame[];
    expect(got.map((f) => [f.id, f.extended, !!f.rtr, hex(f)])).toEqual([
      [0x123, false, false, 'DEADBEEF'],
      [0x1fffffff, true, false, '00'],
      [0x321, false, true, ''],
    ]);

    const periodic = runSend({ medium: `virtual:${ch}`, dbc: DBC, message: 'BMS_StateOfCharge', set: ['SOC=80,SOH=97'], periodMs: 100, count: 3, busOptions: { clock } }, io);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const f = await nextFrame(rx);
      expect([f.id, hex(f!)]).toEqual([0x355, '50006100']);
      times.push(f.timestamp!);
      if (i < 2) await clock.advanceAsync(100);
    }
    expect(await periodic).toEqual({ sent: 3 });
    expect(times).toEqual([0, 100, 200]);
    expect(io.c.lines.err.at(-1)).toBe(`send: 3 frames to virtual:${ch} (355#50006100)`);
  });

  it('sends periodically until stopped when no --count is given', async () => {
    const ch = channel();
    const clock = new VirtualClock(0);
    const rx = await peer(`virtual:${ch}`, clock);
    const ac = new AbortController();
    const io = collectIo();
    const run = runSend({ medium: `virtual:${ch}`, frames: ['305#00'], periodMs: 1000, signal: ac.signal, busOptions: { clock } }, io);
    for (let i = 0; i < 4; i++) {
      expect((await nextFrame(rx))!.timestamp).toBe(i * 1000);
      await clock.advanceAsync(1000);
    }
    ac.abort();
    expect(await run).toEqual({ sent: 5 });
  });

  it('rejects a malformed frame or an unknown signal before opening the medium', async () => {
    const e1 = await runSend({ medium: 'socketcand://127.0.0.1:1/x', frames: ['123#DEADBEEF', '12#00'] }, collectIo()).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ConfigError);
    expect((e1 as Error).message).toContain("frame '12#00'");
    const e2 = await runSend({ medium: 'socketcand://127.0.0.1:1/x', dbc: DBC, message: 'BMS_Limits', set: ['ChargeVoltageLimt=50'] }, collectIo()).catch(
      (e: unknown) => e,
    );
    expect((e2 as Error).message).toContain("has no signal 'ChargeVoltageLimt'");
    expect(exitCodeFor(e2)).toBe(2);
  });
});

describe('hil can record and replay', () => {
  it('records a .log by count, replays it with the original spacing (and at 2x), reporting bad lines by number', async () => {
    const src = channel();
    const clock = new VirtualClock(1_700_000_000_000);
    const tx = await peer(`virtual:${src}`, clock);
    const file = join(dir, 'run.log');
    const io = collectIo();
    const rec = runRecord({ medium: `virtual:${src}`, file, count: 3, busOptions: { clock } }, io);
    await io.c.waitFor('err', /^record: recording/);
    await tx.send(makeFrame(0x351, [1, 2]));
    clock.advance(20);
    await tx.send(makeFrame(0x18ff50e5, [3], { extended: true }));
    clock.advance(130.5);
    await tx.send(makeFrame(0x35e, []));
    await tx.send(makeFrame(0x35f, [9])); // after the count: not recorded
    expect(await rec).toMatchObject({ frames: 3, end: 'count', exitCode: 0 });
    expect(io.c.lines.err.at(-1)).toBe(`record: 3 frames to ${file}`);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(
      [`(1700000000.000000) ${src} 351#0102`, `(1700000000.020000) ${src} 18FF50E5#03`, `(1700000000.150500) ${src} 35E#`, ''].join('\n'),
    );

    writeFileSync(file, text.replace('\n', '\nthis is not a frame\n'));
    for (const speed of [1, 2]) {
      const dst = channel();
      const rclock = new WatchedClock(0);
      const rx = await peer(`virtual:${dst}`, rclock);
      const rio = collectIo();
      const replay = runReplay({ file, medium: `virtual:${dst}`, speed, busOptions: { clock: rclock } }, rio);
      const got: CanFrame[] = [];
      for (let i = 0; i < 3; i++) {
        await rclock.advanceToNextTimer(); // every frame, the first too, goes out from a timer on the replay clock
        got.push(await nextFrame(rx));
      }
      const r = await replay;
      expect(got.map((f) => [f.id, hex(f), f.timestamp])).toEqual([
        [0x351, '0102', 0],
        [0x18ff50e5, '03', 20 / speed],
        [0x35e, '', 150.5 / speed],
      ]);
      expect(r).toMatchObject({ sent: 3, bad: 1, passes: 1, stopped: false });
      expect(rio.c.lines.err).toContain(`${file}:2: not a candump log line: expected '(<seconds>.<micros>) <channel> <id>#<data>': this is not a frame`);
      expect(rio.c.lines.err.at(-1)).toBe('replay: sent 3 frames (0 skipped, 1 bad line dropped)');
    }
  });

  it('records a pcap for a duration and replays it in a loop until stopped', async () => {
    const src = channel();
    const clock = new VirtualClock(1_000_000);
    const tx = await peer(`virtual:${src}`, clock);
    const file = join(dir, 'run.pcap');
    const io = collectIo();
    const rec = runRecord({ medium: `virtual:${src}`, file, durationMs: 1000, busOptions: { clock } }, io);
    await io.c.waitFor('err', /^record: recording/);
    await tx.send(makeFrame(0x100, [1]));
    await clock.advanceAsync(400);
    await tx.send(makeFrame(0x101, [2]));
    await clock.advanceAsync(600);
    expect(await rec).toMatchObject({ frames: 2, end: 'stopped' });

    const dst = channel();
    const rclock = new WatchedClock(0);
    const rx = await peer(`virtual:${dst}`, rclock);
    const ac = new AbortController();
    const replay = runReplay({ file, medium: `virtual:${dst}`, loop: true, signal: ac.signal, busOptions: { clock: rclock } }, collectIo());
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      await rclock.advanceToNextTimer();
      ids.push((await nextFrame(rx)).id);
    }
    ac.abort();
    const r = await replay;
    expect(ids).toEqual([0x100, 0x101, 0x100, 0x101, 0x100]);
    expect(r.stopped).toBe(true);
    expect(r.passes).toBe(3);
  });

  it('refuses an unknown trace extension and a missing trace file with exit code 2', async () => {
    const e1 = await runRecord({ medium: 'virtual:x', file: join(dir, 'a.trc') }, collectIo()).catch((e: unknown) => e);
    expect((e1 as Error).message).toContain('use .log (candump) or .pcap');
    expect(exitCodeFor(e1)).toBe(2);
    const e2 = await runReplay({ file: join(dir, 'none.log'), medium: 'virtual:x' }, collectIo()).catch((e: unknown) => e);
    expect((e2 as Error).message).toContain('cannot read trace');
    expect(exitCodeFor(e2)).toBe(2);
  });
});

describe('hil can serve', () => {
  it('runs a socketcand hub that dump --dbc and send join, and prints counters when stopped', async () => {
    const ac = new AbortController();
    const sio = collectIo();
    const serve = runServe({ port: 0, bus: 'bench', signal: ac.signal }, sio);
    const url = await sio.c.waitFor('out', /^socketcand:\/\/127\.0\.0\.1:\d+\/bench$/);
    expect(Number(/:(\d+)\//.exec(url)![1])).toBeGreaterThan(0);
    expect(sio.c.lines.out.join('\n')).toContain(`can.Bus(interface='socketcand', host='127.0.0.1', port=${/:(\d+)\//.exec(url)![1]}, channel='bench')`);

    const dio = collectIo();
    const dump = runDump({ medium: url, dbc: DBC, count: 3, timestamps: 'none' }, dio);
    await dio.c.waitFor('err', /^dump: listening/);
    await runSend({ medium: url, frames: ['351#1402F401F401E001', '356#1A14E7FFFA00'] }, collectIo());
    await runSend({ medium: url, dbc: DBC, message: 'BMS_StateOfCharge', set: ['SOC=55,SOH=90'] }, collectIo());
    const d = await dump;
    expect(dio.c.lines.out).toEqual([
      'bench 351#1402F401F401E001',
      '  BMS_Limits ChargeVoltageLimit=53.2 V ChargeCurrentLimit=50 A DischargeCurrentLimit=50 A DischargeVoltageLimit=48 V',
      'bench 356#1A14E7FFFA00',
      '  BMS_Measurements BatteryVoltage=51.46 V BatteryCurrent=-2.5 A BatteryTemperature=25 degC',
      'bench 355#37005A00',
      '  BMS_StateOfCharge SOC=55 % SOH=90 %',
    ]);
    expect(d).toMatchObject({ frames: 3, decoded: 3, exitCode: 0 });

    ac.abort();
    const result = await serve;
    expect(result.hub.connections).toBe(3);
    expect(result.hub.buses).toEqual([expect.objectContaining({ name: 'bench', frames: 3 })]);
    // members: the clients may or may not have been seen leaving yet
    expect(sio.c.lines.out).toContainEqual(expect.stringMatching(/^ {2}bus bench: \d members, 3 frames, 3 deliveries, 0 dropped$/));
    expect(sio.c.lines.out).toContainEqual(expect.stringMatching(/^hub: 3 connections since start, \d connected now, 1 bus$/));
  });

  it('keeps at most --max-connections clients (the longest idle makes room) and closes one that opens no bus after --idle-timeout', async () => {
    const ac = new AbortController();
    const sio = collectIo();
    const clock = new VirtualClock();
    const serve = runServe({ port: 0, bus: 'bench', signal: ac.signal, clock, limits: { maxConnections: 2, idleTimeoutMs: 5000 } }, sio);
    const port = Number(/:(\d+)\//.exec(await sio.c.waitFor('out', /^socketcand:\/\//))![1]);
    const ctl = await RawTestClient.joined(port, 'bench');
    const idle1 = await RawTestClient.open(port);
    await idle1.expect('hi');
    const idle2 = await RawTestClient.open(port);
    await idle2.expect('hi');
    expect(await idle1.next()).toBeNull(); // closed to make room for idle2; the controller on its bus stays
    await sio.c.waitFor('err', /^hub: client 127\.0\.0\.1:\d+: closed to make room \(limit 2\): idle longest \(0\.0 s\), no bus opened$/);
    clock.advance(5000);
    expect(await idle2.next()).toBeNull();
    await sio.c.waitFor('err', /closed: no bus opened and silent for 5\.0 s \(timeout 5 s\)$/);
    ctl.write('< echo >');
    await ctl.expect('echo');
    ac.abort();
    const result = await serve;
    expect(result.hub).toMatchObject({ evicted: 1, idleClosed: 1, peakConnections: 2 });
    await ctl.close();
  });

  it('turns a port in use into a configuration error (exit code 2)', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err = await runServe({ port }, collectIo()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(`127.0.0.1:${port}`);
      expect((err as Error).message).toContain('choose another --port');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describeWithPeers(['socat'], 'hil can serve --slcan-pty', () => {
  it('exposes a hub bus as an SLCAN adapter that dump opens as slcan://, and counts its traffic', async () => {
    const ac = new AbortController();
    const sio = collectIo();
    const link = join(dir, 'ttyHIL0');
    const serve = runServe({ port: 0, bus: 'lab', slcanPty: link, signal: ac.signal }, sio);
    const url = await sio.c.waitFor('out', /^socketcand:\/\//);
    expect(sio.c.lines.out).toContain(`  python-can: can.Bus(interface='slcan', channel='${link}', bitrate=500000)`);

    const dio = collectIo();
    const dump = runDump({ medium: `slcan://${link}?bitrate=500000`, count: 2, timestamps: 'none' }, dio);
    await dio.c.waitFor('err', /^dump: listening/);
    await runSend({ medium: url, frames: ['351#0102', '18FF50E5#AA'] }, collectIo());
    expect(await dump).toMatchObject({ frames: 2, exitCode: 0 });
    expect(dio.c.lines.out).toEqual([`${link} 351#0102`, `${link} 18FF50E5#AA`]);
    // A pty refuses low-latency mode: dump says so on stderr, once, naming the port (stdout stays frames only).
    expect(dio.c.lines.err.filter((l) => l.includes('low-latency'))).toEqual([expect.stringMatching(new RegExp(`^dump: slcan ${link}: low-latency mode not set \\(`))]);

    ac.abort();
    const result = await serve;
    expect(result.slcan).toMatchObject({ framesToHost: 2, framesDropped: 0, bells: 0 });
    expect(sio.c.lines.out).toContainEqual(expect.stringMatching(new RegExp(`^slcan ${link}: \\d+ commands, 0 frames to bus, 2 to host, 0 dropped, 0 BEL$`)));
  });
});
