/**
 * A native-pack test rig on a virtual bus in virtual time: the pack device stepped every 100 ms (switchable), a bus
 * for the pack, one for the vehicle side, a spy recording every frame, and cleanup. The profile and the vehicle are
 * the caller's (`attach`, `vehicle`).
 */
import { VirtualClock } from '../../core/clock';
import type { CanBus } from '../../protocols/can/bus';
import type { CanFrame } from '../../protocols/can/frame';
import { openBus } from '../../protocols/can/registry';
import { BmsDevice } from '../../emulators/bms/device/bms-device';
import type { FaultHandle, FaultSpec } from '../../emulators/bms/device/fault-spec';
import { loadPackFixture } from '../../emulators/bms/pack/fixtures';

export interface NativeRig<A, V> {
  clock: VirtualClock;
  dev: BmsDevice;
  vehicleBus: CanBus;
  /** Every frame on the bus, in order. */
  wire: CanFrame[];
  attachment: A;
  vehicle: V;
  /** Set `on` to false to freeze the pack's state (frames keep carrying it). */
  stepping: { on: boolean };
  close(): Promise<void>;
}

let n = 0;

export interface NativeRigOptions<A, V> {
  packId: string;
  seed: number;
  attach: (dev: BmsDevice, bus: CanBus) => A;
  vehicle: (bus: CanBus, clock: VirtualClock) => V;
}

export async function nativeRig<A extends { detach(): void }, V extends { start(): void; stop(): void }>(o: NativeRigOptions<A, V>): Promise<NativeRig<A, V>> {
  const clock = new VirtualClock();
  const ch = `virtual:native-rig-${n++}`;
  const buses = await Promise.all([0, 1, 2].map(() => openBus(ch, { clock, rxQueueLimit: 0 })));
  const [pack, vehicleBus, spy] = buses as [CanBus, CanBus, CanBus];
  const wire: CanFrame[] = [];
  spy.onFrame((f) => wire.push(f));
  const dev = new BmsDevice(loadPackFixture(o.packId), { seed: o.seed, initialSoc: 0.6, clock });
  const stepping = { on: true };
  let due = clock.now();
  let live = true;
  const step = (): void => {
    if (!live) return;
    due += 100;
    clock.setTimer(due, step);
    if (stepping.on) dev.step(0.1);
  };
  clock.setTimer(due + 100, step);
  const attachment = o.attach(dev, pack);
  const vehicle = o.vehicle(vehicleBus, clock);
  vehicle.start();
  return {
    clock,
    dev,
    vehicleBus,
    wire,
    attachment,
    vehicle,
    stepping,
    async close() {
      live = false;
      vehicle.stop();
      attachment.detach();
      for (const b of buses) await b.close();
    },
  };
}

/**
 * The rig opener of one test file: `rigs(...args)` opens `nativeRig(options(...args))`, and every rig opened in a
 * test is closed after it (this registers the file's `afterEach`: call it at the top level of the file).
 */
export function nativeRigs<Args extends unknown[], A extends { detach(): void }, V extends { start(): void; stop(): void }>(
  options: (...args: Args) => NativeRigOptions<A, V>,
): (...args: Args) => Promise<NativeRig<A, V>> {
  const open: Array<NativeRig<A, V>> = [];
  afterEach(async () => {
    for (const r of open.splice(0)) await r.close();
  });
  return async (...args) => {
    const r = await nativeRig(options(...args));
    open.push(r);
    return r;
  };
}

/**
 * The drift trip every native profile test checks: after `settleMs`, cell `cell` (0-based) drifts down at
 * `socPerHour`, and the clock runs in 1 s steps until the vehicle trips (at most 900 s; the caller then checks why).
 */
export async function driftUntilTripped(r: NativeRig<unknown, { tripped: string | undefined }>, o: { settleMs: number; cell: number; socPerHour: number }): Promise<void> {
  await r.clock.advanceAsync(o.settleMs);
  r.dev.injectFault({ kind: 'cell-drift', cell: o.cell, direction: 'down', socPerHour: o.socPerHour });
  for (let i = 0; i < 900 && !r.vehicle.tripped; i++) await r.clock.advanceAsync(1000);
}

/**
 * The fault step of the native profile tests: run `settleMs` (the pack wakes and closes to the vehicle), inject
 * `fault`, run `thenMs` more; the handle `injectFault` returned (to clear the fault). The test checks what followed.
 */
export async function injectAfter(r: NativeRig<unknown, unknown>, settleMs: number, fault: FaultSpec, thenMs: number): Promise<FaultHandle> {
  await r.clock.advanceAsync(settleMs);
  const handle = r.dev.injectFault(fault);
  await r.clock.advanceAsync(thenMs);
  return handle;
}

/**
 * The start of the "vehicle goes silent" tests: run `settleMs`, check the contactors closed, silence the vehicle, run
 * `thenMs` more; the time the vehicle went silent (ms).
 */
export async function silenceVehicle(r: NativeRig<unknown, { goSilent(reason: string): void }>, settleMs: number, thenMs: number): Promise<number> {
  await r.clock.advanceAsync(settleMs);
  expect(r.dev.snapshot().contactor).toBe('closed');
  r.vehicle.goSilent('test');
  const t = r.clock.now();
  await r.clock.advanceAsync(thenMs);
  return t;
}

/** Frames of `id` at or after `t` ms. */
export function framesSince(wire: readonly CanFrame[], t: number, id: number): CanFrame[] {
  return wire.filter((f) => f.id === id && f.timestamp! >= t);
}
