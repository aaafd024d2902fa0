/**
 * The transport-free heart of every Modbus server (TCP and RTU share it): unit routing, request decoding, fault
 * rules, dispatch to a {@link ModbusDevice}, response encoding. Transports frame bytes and apply the
 * {@link ResponsePlan}; they never look inside a PDU.
 */
import { defaultClock, type Clock } from '../../core/clock';
import { ExceptionCode, type ModbusDevice } from './device';
import { FaultInjector, type ModbusFault } from './faults';
import { slabBytes } from './slab';
import { decodeRequest, deviceIdResponse, encodeException, encodeResponse, FunctionCode, isException, isWriteFunction, type ModbusRequest, type PduException } from './pdu';

/** Who sent a request and how. */
export interface RequestContext {
  transport: 'tcp' | 'rtu';
  unitId: number;
  transactionId?: number;
  /** `host:port` for TCP, the port path for RTU; for logs. */
  peer?: string;
}

/** What the transport must do with a request. */
export interface ResponsePlan {
  /** Response PDU (function code + data), or null: send nothing (unknown unit on RTU, broadcast, no-response fault). */
  pdu: Uint8Array | null;
  /** Delay before sending, ms (fault 'delay'); 0 normally. */
  delayMs: number;
  /** ADU-level faults the transport applies after framing (bad CRC, truncate, split, wrong tid...). */
  aduFaults: ModbusFault[];
}

/** Counters for the whole server core (all transports and units that share it). */
export interface ServerCoreStats {
  /** PDUs handed to `handle`. */
  requests: number;
  /** Normal (non-exception) responses planned. */
  responses: number;
  /** Exception responses planned (including injected ones). */
  exceptions: number;
  /** Requests that get no reply: empty PDU, unknown unit on RTU, broadcast, no-response fault. */
  dropped: number;
  /** Requests for a unit id nobody serves. */
  unknownUnit: number;
  /** RTU broadcasts (unit 0) executed. */
  broadcasts: number;
  /** Device methods that threw or returned malformed data (answered ServerDeviceFailure). */
  deviceErrors: number;
  /** Faults applied (all kinds). */
  faults: number;
}

/** One request and its planned answer, for traces. */
export interface ServerTransaction {
  at: number;
  ctx: RequestContext;
  request: Uint8Array;
  /**
   * The request as the core decoded it (the same decode that was dispatched): a {@link PduException} when it is
   * malformed or unknown (an empty PDU has `fc` -1). Do not decode `request` again.
   */
  decoded: ModbusRequest | PduException;
  /** The function code writes ({@link isWriteFunction}: 5, 6, 15, 16, 23), malformed or not, answered or not. */
  write: boolean;
  response: Uint8Array | null;
}

export interface ServerCoreOptions {
  clock?: Clock;
  /** Seed of the fault injector's PRNG (default 1). */
  seed?: number;
  /**
   * TCP request for a unit id nobody serves: answer exception 0x0B (gateway target failed to respond, the default)
   * or 'drop' (send nothing). RTU never answers unknown units.
   */
  unknownUnitTcp?: 'exception' | 'drop';
  /**
   * TCP requests to unit 0 or 255 (the "unit id not used" values of direct-attached devices) go to the only unit
   * when exactly one is registered and neither 0 nor 255 is registered itself. Default true.
   */
  tcpAnyUnit?: boolean;
  /** Called for each handled request (costs a little; leave unset on hot paths unless tracing). */
  onTransaction?: (t: ServerTransaction) => void;
  /** Where device errors are reported. Default: nowhere (they are counted in stats). */
  log?: (line: string) => void;
}

const NO_FAULTS: ModbusFault[] = [];
Object.freeze(NO_FAULTS);

/** A device answered with something that is not a valid Modbus reply. */
class DeviceFault extends Error {}

/**
 * Routes requests to units and turns each into a {@link ResponsePlan}.
 *
 * Contract:
 * - `handle` never throws: a device that throws or returns malformed data yields ServerDeviceFailure (0x04).
 * - Unknown unit: TCP answers exception 0x0B (configurable), RTU sends nothing. RTU unit 0 is broadcast: writes
 *   (5, 6, 15, 16) run on every unit and nothing is sent; reads are ignored.
 * - Faults are matched once per request for a known unit: 'no-response' wins (nothing executed, nothing sent),
 *   then 'exception' (answered instead of executing), delays add up, ADU faults are passed to the transport.
 * - Writes are handed to the device whole (FC15/16/23 in one call), so a device that validates atomically stays atomic.
 *   FC23 writes first, then reads, as the specification says.
 */
export class ModbusServerCore {
  readonly clock: Clock;
  readonly faults: FaultInjector;
  readonly stats: ServerCoreStats = {
    requests: 0,
    responses: 0,
    exceptions: 0,
    dropped: 0,
    unknownUnit: 0,
    broadcasts: 0,
    deviceErrors: 0,
    faults: 0,
  };
  private readonly units = new Map<number, ModbusDevice>();
  private readonly unknownUnitTcp: 'exception' | 'drop';
  private readonly tcpAnyUnit: boolean;
  private readonly onTransaction: ((t: ServerTransaction) => void) | undefined;
  private readonly log: (line: string) => void;

  constructor(options: ServerCoreOptions = {}) {
    this.clock = options.clock ?? defaultClock();
    this.faults = new FaultInjector({ seed: options.seed ?? 1 });
    this.unknownUnitTcp = options.unknownUnitTcp ?? 'exception';
    this.tcpAnyUnit = options.tcpAnyUnit ?? true;
    this.onTransaction = options.onTransaction;
    this.log = options.log ?? (() => undefined);
  }

  /** Serve `device` as `unitId` (0..255; RTU uses 1..247, 0 being broadcast). Replaces an existing unit. */
  addUnit(unitId: number, device: ModbusDevice): void {
    if (!Number.isInteger(unitId) || unitId < 0 || unitId > 255) throw new RangeError(`unit id ${unitId} is outside 0..255`);
    this.units.set(unitId, device);
  }

  removeUnit(unitId: number): void {
    this.units.delete(unitId);
  }

  hasUnit(unitId: number): boolean {
    return this.units.has(unitId);
  }

  /** Unit ids served, ascending. */
  unitIds(): number[] {
    return [...this.units.keys()].sort((a, b) => a - b);
  }

  /** Decode the request PDU, apply request-level faults, dispatch to the device, encode the response. Never throws. */
  handle(pdu: Uint8Array, ctx: RequestContext): ResponsePlan {
    let plan: ResponsePlan;
    const req = decodeRequest(pdu);
    try {
      plan = this.plan(pdu, req, ctx);
    } catch (err) {
      this.stats.deviceErrors++;
      this.log(`modbus unit ${ctx.unitId} fc ${pdu[0]}: ${err instanceof Error ? err.message : String(err)}`);
      plan = this.exception(pdu[0] ?? 0, ExceptionCode.ServerDeviceFailure, 0, NO_FAULTS);
    }
    if (this.onTransaction) {
      this.onTransaction({ at: this.clock.now(), ctx, request: pdu.slice(), decoded: req, write: isWriteFunction(pdu[0] ?? -1), response: plan.pdu });
    }
    return plan;
  }

  private none(delayMs = 0): ResponsePlan {
    this.stats.dropped++;
    return { pdu: null, delayMs, aduFaults: NO_FAULTS };
  }

  private exception(fc: number, code: ExceptionCode, delayMs: number, aduFaults: ModbusFault[]): ResponsePlan {
    this.stats.exceptions++;
    return { pdu: encodeException(fc, code), delayMs, aduFaults };
  }

  private resolve(ctx: RequestContext): ModbusDevice | undefined {
    const d = this.units.get(ctx.unitId);
    if (d || ctx.transport !== 'tcp' || !this.tcpAnyUnit || (ctx.unitId !== 0 && ctx.unitId !== 255)) return d;
    if (this.units.size !== 1) return undefined;
    return this.units.values().next().value;
  }

  private plan(pdu: Uint8Array, req: ModbusRequest | PduException, ctx: RequestContext): ResponsePlan {
    this.stats.requests++;
    if (pdu.length === 0) return this.none();
    const fc = pdu[0]!;
    if (ctx.transport === 'rtu' && ctx.unitId === 0) return this.broadcast(pdu, req);
    const device = this.resolve(ctx);
    if (!device) {
      this.stats.unknownUnit++;
      if (ctx.transport === 'rtu' || this.unknownUnitTcp === 'drop') return this.none();
      return this.exception(fc, ExceptionCode.GatewayTargetFailedToRespond, 0, NO_FAULTS);
    }
    let delayMs = 0;
    let aduFaults = NO_FAULTS;
    let injected: ExceptionCode | undefined;
    if (this.faults.size > 0) {
      const q = isException(req) ? undefined : span(req);
      const found = this.faults.match({ transport: ctx.transport, unitId: ctx.unitId, functionCode: fc, address: q?.[0], quantity: q?.[1] });
      if (found.length > 0) {
        this.stats.faults += found.length;
        let silent = false;
        for (const f of found) {
          if (f.kind === 'no-response') silent = true;
          else if (f.kind === 'delay') delayMs += f.ms;
          else if (f.kind === 'exception') injected ??= f.code;
          else {
            if (aduFaults === NO_FAULTS) aduFaults = [];
            aduFaults.push(f);
          }
        }
        if (silent) return this.none(delayMs);
      }
    }
    if (injected !== undefined) return this.exception(fc, injected, delayMs, aduFaults);
    if (isException(req)) return this.exception(fc, req.exception, delayMs, aduFaults);
    const out = this.dispatch(device, req, pdu);
    if (typeof out === 'number') return this.exception(fc, out, delayMs, aduFaults);
    this.stats.responses++;
    return { pdu: out, delayMs, aduFaults };
  }

  /** RTU unit 0: writes run on every unit, except FC23 (its read half needs an answer a broadcast never gets). */
  private broadcast(pdu: Uint8Array, req: ModbusRequest | PduException): ResponsePlan {
    if (!isException(req) && isWriteFunction(req.fc) && req.fc !== FunctionCode.ReadWriteMultipleRegisters) {
      this.stats.broadcasts++;
      for (const [unitId, device] of this.units) {
        if (unitId < 1 || unitId > 247) continue;
        try {
          this.dispatch(device, req, pdu);
        } catch (err) {
          this.stats.deviceErrors++;
          this.log(`modbus broadcast to unit ${unitId}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    return this.none();
  }

  /** Run a decoded request on a device: the response PDU, or an exception code. Throws only on device faults. */
  private dispatch(device: ModbusDevice, req: ModbusRequest, pdu: Uint8Array): Uint8Array | ExceptionCode {
    switch (req.fc) {
      case 1:
      case 2: {
        const fn = req.fc === 1 ? device.readCoils : device.readDiscreteInputs;
        if (!fn) return ExceptionCode.IllegalFunction;
        const r = fn.call(device, req.address, req.quantity);
        if (typeof r === 'number') return r;
        if (!Array.isArray(r) || r.length !== req.quantity) throw new DeviceFault(`returned ${bad(r)} for ${req.quantity} bits`);
        return encodeResponse({ fc: req.fc, values: r });
      }
      case 3:
      case 4: {
        const fn = req.fc === 3 ? device.readHoldingRegisters : device.readInputRegisters;
        if (!fn) return ExceptionCode.IllegalFunction;
        const r = fn.call(device, req.address, req.quantity);
        if (typeof r === 'number') return r;
        return registersPdu(req.fc, r, req.quantity);
      }
      case 5: {
        if (!device.writeCoils) return ExceptionCode.IllegalFunction;
        const r = device.writeCoils(req.address, [req.value]);
        if (r !== undefined) return r;
        return pdu.slice();
      }
      case 6: {
        if (!device.writeRegisters) return ExceptionCode.IllegalFunction;
        const r = device.writeRegisters(req.address, [req.value]);
        if (r !== undefined) return r;
        return pdu.slice();
      }
      case 15:
      case 16: {
        const r =
          req.fc === 15
            ? device.writeCoils
              ? device.writeCoils(req.address, req.values)
              : ExceptionCode.IllegalFunction
            : device.writeRegisters
              ? device.writeRegisters(req.address, req.values)
              : ExceptionCode.IllegalFunction;
        if (r !== undefined) return r;
        return encodeResponse({ fc: req.fc, address: req.address, quantity: req.values.length });
      }
      case 23: {
        if (!device.writeRegisters || !device.readHoldingRegisters) return ExceptionCode.IllegalFunction;
        const w = device.writeRegisters(req.writeAddress, req.values);
        if (w !== undefined) return w;
        const r = device.readHoldingRegisters(req.readAddress, req.readQuantity);
        if (typeof r === 'number') return r;
        return registersPdu(23, r, req.readQuantity);
      }
      case 43: {
        if (!device.identification) return ExceptionCode.IllegalFunction;
        const res = deviceIdResponse(device.identification(), req);
        if (isException(res)) return res.exception;
        return encodeResponse(res);
      }
      default:
        return ExceptionCode.IllegalFunction;
    }
  }
}

function span(req: ModbusRequest): [number, number] | undefined {
  if ('quantity' in req) return [req.address, req.quantity];
  if ('values' in req && 'address' in req) return [req.address, req.values.length];
  if ('value' in req) return [req.address, 1];
  if ('readAddress' in req) return [req.writeAddress, req.values.length];
  return undefined;
}

function bad(r: unknown): string {
  return Array.isArray(r) ? `${r.length} values` : typeof r;
}

/** Encode a register read response straight from the device's values, checking each is a 16-bit integer. */
function registersPdu(fc: number, values: ArrayLike<number>, quantity: number): Uint8Array {
  if (values === null || typeof values !== 'object' || values.length !== quantity) {
    throw new DeviceFault(`returned ${bad(values)} for ${quantity} registers`);
  }
  const out = slabBytes(2 + 2 * quantity);
  out[0] = fc;
  out[1] = 2 * quantity;
  if (values instanceof Uint16Array) {
    // Every element of a Uint16Array is a 16-bit integer: nothing to check.
    for (let i = 0; i < quantity; i++) {
      const v = values[i]!;
      out[2 + 2 * i] = v >> 8;
      out[3 + 2 * i] = v & 0xff;
    }
    return out;
  }
  for (let i = 0; i < quantity; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v <= 0xffff) || v !== Math.floor(v)) throw new DeviceFault(`returned register value ${v}`);
    out[2 + 2 * i] = v >> 8;
    out[3 + 2 * i] = v & 0xff;
  }
  return out;
}
