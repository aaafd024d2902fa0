/**
 * Conformance of the battery-to-inverter CAN profiles against the vectors of battery-can-vectors.ts: each
 * vector's state encodes to exactly the cited bytes, each inverter frame gets the cited reaction, and each bench
 * protocol gets the cited heartbeat watchdog. The vectors themselves are checked for their citations.
 */
import { VirtualClock } from '../../core/clock';
import { BmsDevice } from '../../emulators/bms/device/bms-device';
import { emptySnapshot } from '../../emulators/bms/device/snapshot';
import { createBmsDevice } from '../../emulators/bms/factory';
import { loadPackFixture } from '../../emulators/bms/pack/fixtures';
import type { CanProfileAttachment } from '../../emulators/bms/profiles/can-link';
import { LvCanEncoder } from '../../emulators/bms/profiles/lv-can';
import { attachLvCan } from '../../emulators/bms/profiles/lv-can-profile';
import { attachPylonHv, PylonHvEncoder } from '../../emulators/bms/profiles/pylon-hv';
import type { CanBus } from '../../protocols/can/bus';
import { makeFrame, type CanFrame } from '../../protocols/can/frame';
import { openBus } from '../../protocols/can/registry';
import { FRAME_VECTORS, REACTION_VECTORS, WATCHDOG_VECTORS, type FrameVector, type Source } from './battery-can-vectors';

const hex = (d: Uint8Array): string => Buffer.from(d).toString('hex');

function encode(v: FrameVector): readonly CanFrame[] {
  const s = { ...emptySnapshot(), ...v.state };
  if (v.protocol === 'lv-can') return new LvCanEncoder({ variant: v.variant as 'pylon', extensions: true }).encode(s);
  const enc = new PylonHvEncoder({ variant: v.variant as 'pylon', seriesPerModule: 12 });
  return [...enc.ensemble(s), ...enc.system(s)];
}

/** The pack the vectors of a protocol run on: an HV pack for Pylon HV, a 16s LFP pack for the LV protocols. */
const packFor = (protocol: string): string => (protocol === 'pylon-hv' ? 'bmw-i3-60ah' : 'lfp-lishen-16s-202ah');

/** Run `dev` for `seconds` of virtual time in 1 s steps, the clock first. */
function runSeconds(clock: VirtualClock, dev: { step(dt: number): void }, seconds: number): void {
  for (let i = 0; i < seconds; i++) {
    clock.advance(1000);
    dev.step(1);
  }
}

function checkSources(sources: readonly Source[], singleSource: string | undefined): void {
  for (const s of sources) {
    expect(s.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(s.repo).toMatch(/^[\w.-]+\/[\w.-]+$/);
    expect(s.file.length).toBeGreaterThan(0);
  }
  const repos = new Set(sources.map((s) => s.repo));
  if (singleSource === undefined) expect(repos.size).toBeGreaterThanOrEqual(2);
  else expect(singleSource.length).toBeGreaterThan(20);
}

describe('battery CAN conformance: device state -> exact frame bytes', () => {
  it('vector ids are unique', () => {
    const ids = [...FRAME_VECTORS, ...REACTION_VECTORS, ...WATCHDOG_VECTORS].map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(FRAME_VECTORS.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    checkSources(v.sources, v.singleSource);
    const frames = encode(v);
    for (const [id, want] of Object.entries(v.frames)) {
      const f = frames.find((x) => x.id === Number(id));
      expect(f).toBeDefined();
      expect(`${Number(id).toString(16)}#${hex(f!.data)}`).toBe(`${Number(id).toString(16)}#${want}`);
    }
  });
});

describe('battery CAN conformance: inverter frame -> battery reaction', () => {
  const open: Array<{ a: CanBus; b: CanBus; link?: CanProfileAttachment }> = [];
  let n = 0;
  afterEach(async () => {
    for (const e of open.splice(0)) {
      e.link?.detach();
      await e.a.close();
      await e.b.close();
    }
  });

  it.each(REACTION_VECTORS.map((v) => [v.id, v] as const))('%s', async (_id, v) => {
    checkSources(v.sources, undefined);
    const clock = new VirtualClock();
    const ch = `virtual:conf-${n++}`;
    const battery = await openBus(ch, { clock });
    const inverter = await openBus(ch, { clock });
    const entry: (typeof open)[number] = { a: battery, b: inverter };
    open.push(entry);
    const dev = new BmsDevice(loadPackFixture(packFor(v.protocol)), { seed: 3, initialSoc: 0.6, clock });
    const settle = (): void => runSeconds(clock, dev, 5);
    settle();
    if (v.startOpen) {
      dev.requestContactors(false);
      settle();
      expect(dev.contactorClosed()).toBe(false);
    }
    const link = v.protocol === 'pylon-hv' ? attachPylonHv(dev, battery) : attachLvCan(dev, battery);
    entry.link = link;
    const got: CanFrame[] = [];
    inverter.onFrame((f) => got.push(f));
    const before = { ...link.stats };
    await inverter.send(makeFrame(v.send.id, [...Buffer.from(v.send.data, 'hex')], { extended: v.send.extended }));
    expect(got.map((f) => f.id)).toEqual(v.answers);
    expect(link.stats.heartbeats - before.heartbeats).toBe(v.heartbeat ? 1 : 0);
    expect(link.stats.malformedIgnored).toBe(before.malformedIgnored);
    if (v.contactorClosed !== undefined) {
      settle();
      expect(dev.contactorClosed()).toBe(v.contactorClosed);
    }
  });
});

describe('battery CAN conformance: heartbeat watchdog of each protocol variant (bench default)', () => {
  it.each(WATCHDOG_VECTORS.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    checkSources(v.sources, v.singleSource);
    const clock = new VirtualClock();
    const bms = createBmsDevice({
      name: 'w',
      pack: packFor(v.protocol),
      protocol: v.protocol,
      params: { heartbeat: { armAtStart: true }, ...(v.variant ? { variant: v.variant } : {}) },
      clock,
    });
    expect(bms.device.profile.bms.heartbeat).toEqual({ timeoutS: v.timeoutS, reaction: v.reaction });
    const run = (seconds: number): void => runSeconds(clock, bms, seconds);
    run(v.timeoutS - 1);
    expect(bms.device.snapshot().heartbeatLost).toBe(false);
    run(2);
    expect(bms.device.snapshot().heartbeatLost).toBe(true);
    if (v.reaction === 'open-contactors') {
      run(2);
      expect(bms.device.contactorClosed()).toBe(false);
    }
    // A bench can still be strict (CI benches are, on purpose).
    const strict = createBmsDevice({ name: 's', pack: packFor(v.protocol), protocol: v.protocol, params: { heartbeat: { timeoutS: 3, reaction: 'zero-limits' } } });
    expect(strict.device.profile.bms.heartbeat.timeoutS).toBe(3);
    expect(strict.device.logic.heartbeatReaction).toBe('zero-limits');
  });

  it('a variant the protocol does not have is a configuration error naming the known ones', () => {
    expect(() => createBmsDevice({ name: 'x', pack: 'lfp-lishen-16s-202ah', protocol: 'sma-lv', params: { variant: 'pylon' } })).toThrow(/no variant 'pylon' \(known: sma, sma-bigendian\)/);
    expect(() => createBmsDevice({ name: 'x', pack: 'lfp-lishen-16s-202ah', protocol: 'sunspec-802', params: { variant: 'x' } })).toThrow(/has no variants/);
  });
});
