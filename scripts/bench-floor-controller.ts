/**
 * A controller module for `bench-runner --floor` (issue 19 goal 1): the reference controller's traffic and nothing
 * else, to tell the harness's cost of a controller's traffic from the controller's own work.
 *
 * What it does, as the reference controller does it (examples/controllers/reference):
 * - claims every pack bus the same way: no receive queue, the five LV ids it reads as receive filters, one borrowing
 *   listener (here it only counts the frames);
 * - sends every pack's 0x305 heartbeat (8 zero bytes) from one schedule, every second;
 * - finds each inverter's SunSpec models by walking the chain (SunS, then each model's ID and L), then every second
 *   reads the registers the reference's one-second read covers, 122 WAval to 124 InWRte, in one request.
 * What it does not do: decode anything, decide, write setpoints, or the reference's fifth-second reads of 101-103 and
 * 123. So the floor is a little below the reference's traffic, never above it.
 */
import { PeriodicSchedule, type Clock } from '../core/clock';
import { SENT } from '../protocols/can/base-bus';
import type { CanBus } from '../protocols/can/bus';
import { makeFrame } from '../protocols/can/frame';
import type { ModbusMaster } from '../protocols/modbus/master';
import { buildLayout } from '../protocols/modbus/sunspec/layout';
import { loadModelDef } from '../protocols/modbus/sunspec/model-def';
import { SUNS_MARKER } from '../protocols/modbus/sunspec/sunspec-device';
import { LV_FILTERS } from '../examples/controllers/reference/pack-monitor';

interface Io {
  clock: Clock;
  packs: Array<{ name: string; bus: CanBus }>;
  inverters: Array<{ name: string; master: ModbusMaster; unitId: number }>;
  log(line: string): void;
}

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

/** Address of each model's ID register, by model id, found by walking the chain from 40000. */
async function discover(master: ModbusMaster, unitId: number): Promise<Map<number, number>> {
  const base = 40000;
  const suns = await master.readHolding(base, 2, { unitId });
  if (suns[0] !== SUNS_MARKER[0] || suns[1] !== SUNS_MARKER[1]) throw new Error(`unit ${unitId}: no SunS at ${base}`);
  const found = new Map<number, number>();
  for (let address = base + 2; ; ) {
    const [id, length] = await master.readHolding(address, 2, { unitId });
    if (id === 0xffff || id === undefined || length === undefined) return found;
    if (!found.has(id)) found.set(id, address);
    address += 2 + length;
  }
}

export function createController(io: Io): { start(): Promise<void>; stop(): Promise<void> } {
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
      const from = pointSpan(122, 'WAval');
      const to = pointSpan(124, 'InWRte');
      const reads: Read[] = [];
      for (const inv of io.inverters) {
        const models = await discover(inv.master, inv.unitId);
        const m122 = models.get(122);
        const m124 = models.get(124);
        if (m122 === undefined || m124 === undefined) throw new Error(`${inv.name}: no SunSpec 122 and 124`);
        const address = m122 + from.offset;
        reads.push({ master: inv.master, unitId: inv.unitId, address, quantity: m124 + to.offset + to.size - address });
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
}
