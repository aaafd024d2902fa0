/**
 * A controller module for `bench-runner --floor` (issue 19 goal 1): the reference controller's traffic and nothing
 * else, to tell the harness's cost of a controller's traffic from the controller's own work.
 *
 * What it does, as the reference controller does it (examples/controllers/reference):
 * - claims every pack bus the same way: no receive queue, the five LV ids it reads as receive filters, one borrowing
 *   listener (here it only counts the frames);
 * - sends every pack's 0x305 heartbeat (8 zero bytes) from one schedule, every second;
 * - finds each inverter's SunSpec models as clients do (`discoverSunSpec`: SunS, then the chain), then every second
 *   reads the registers the reference's one-second read covers, 122 WAval to 124 InWRte, in one request.
 * What it does not do: decode anything, decide, write setpoints, or the reference's fifth-second reads of 101-103 and
 * 123. So the floor is a little below the reference's traffic, never above it.
 */
import { PeriodicSchedule } from '../core/clock';
import type { ControllerModule } from '../harness/dut/controller-session';
import { SENT } from '../protocols/can/base-bus';
import { makeFrame } from '../protocols/can/frame';
import type { ModbusMaster } from '../protocols/modbus/master';
import { discoverSunSpec } from '../protocols/modbus/sunspec/discover';
import { buildLayout } from '../protocols/modbus/sunspec/layout';
import { loadModelDef } from '../protocols/modbus/sunspec/model-def';
import { LV_FILTERS } from '../examples/controllers/reference/pack-monitor';

/** A planned read: where and how many registers. */
interface Read {
  master: ModbusMaster;
  unitId: number;
  address: number;
  quantity: number;
}

/** Offset (from the model's ID register) and size of a point of a SunSpec model, from the official definition. */
function pointSpan(model: number, point: string): { offset: number; size: number } {
  const p = buildLayout(loadModelDef(model)).point(point);
  if (!p) throw new Error(`SunSpec model ${model} has no point ${point}`);
  return { offset: p.offset, size: p.size };
}

/**
 * The reference controller's one-second read, 122 WAval to 124 InWRte in one request, given where models 122 and 124
 * start (their ID registers); undefined when either is missing. Also what `bench-inverter` times.
 */
export function oneSecondRead(at122: number | undefined, at124: number | undefined): { address: number; quantity: number } | undefined {
  if (at122 === undefined || at124 === undefined) return undefined;
  const from = pointSpan(122, 'WAval');
  const to = pointSpan(124, 'InWRte');
  const address = at122 + from.offset;
  return { address, quantity: at124 + to.offset + to.size - address };
}

export const createController: ControllerModule['createController'] = (io) => {
  const heartbeat = makeFrame(0x305, [0, 0, 0, 0, 0, 0, 0, 0]);
  const schedules: PeriodicSchedule[] = [];
  const unsubscribe: Array<() => void> = [];
  let frames = 0;
  let failures = 0;
  const count = (): void => {
    frames++;
  };
  const failed = (): void => {
    failures++;
  };
  return {
    async start() {
      for (const { bus } of io.packs) {
        bus.setRxQueueLimit(0);
        bus.setFilters(LV_FILTERS);
        unsubscribe.push(bus.onFrameBorrowed(count));
      }
      const sendAll = (): void => {
        for (const { bus } of io.packs) {
          const sent = bus.send(heartbeat);
          if (sent !== SENT) sent.catch(failed);
        }
      };
      schedules.push(new PeriodicSchedule(io.clock, 1000, sendAll, { firstAt: io.clock.now() }));
      const reads: Read[] = [];
      for (const inv of io.inverters) {
        const found = new Map((await discoverSunSpec((address, quantity) => inv.master.readHolding(address, quantity, { unitId: inv.unitId }))).models.map((m) => [m.id, m.address]));
        const span = oneSecondRead(found.get(122), found.get(124));
        if (!span) throw new Error(`${inv.name}: no SunSpec 122 and 124`);
        reads.push({ master: inv.master, unitId: inv.unitId, ...span });
      }
      io.log(`floor controller: ${io.packs.length} pack(s), reads of ${reads.map((r) => r.quantity).join(', ')} register(s) every second`);
      schedules.push(
        new PeriodicSchedule(io.clock, 1000, () => {
          for (const r of reads) r.master.readHolding(r.address, r.quantity, { unitId: r.unitId }).catch(failed);
        }),
      );
    },
    async stop() {
      for (const s of schedules) s.stop();
      for (const u of unsubscribe) u();
      io.log(`floor controller: ${frames} frame(s) heard, ${failures} failure(s)`);
    },
  };
};
