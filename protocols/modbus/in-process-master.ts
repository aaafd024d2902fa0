import type { Clock } from '../../core/clock';
import { ClosedError, HilTimeoutError, ModbusExceptionError } from '../../core/errors';
import type { CallOptions } from './client';
import type { ModbusMaster } from './master';
import { decodeResponse, encodeRequest, FunctionCode, isException, LIMITS, type ModbusRequest, type ModbusResponse } from './pdu';
import type { ModbusServerCore } from './server-core';

/**
 * A Modbus master wired straight into a {@link ModbusServerCore}: requests are encoded to PDUs, handled by the
 * core (fault rules included), and the response PDU is decoded, with delays and timeouts on the given clock.
 * For controllers that run in-process in virtual time; it exercises the same codec and core as the TCP path.
 */
/** A request waiting its turn, with how its caller's promise settles. */
interface Queued {
  readonly req: ModbusRequest;
  readonly unitId: number;
  readonly map: (res: ModbusResponse) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

const values = (r: ModbusResponse): unknown => (r as { values: unknown }).values;
const nothing = (): undefined => undefined;

export class InProcessMaster implements ModbusMaster {
  /** Requests not yet answered, oldest first, from `head`; one at a time reaches the core (as on a connection). */
  private readonly queue: Array<Queued | undefined> = [];
  private head = 0;
  /** A pump is scheduled or waiting on the clock (a delay or a timeout) for the request at `head`. */
  private busy = false;
  private closed = false;
  /** Requests made (for evidence), oldest first: time, unit, request. With `logLimit`, at least the newest `logLimit` and at most twice that plus 64 (trimmed in batches); by default all. */
  readonly log: Array<{ at: number; unitId: number; request: ModbusRequest }> = [];

  constructor(
    private readonly core: ModbusServerCore,
    private readonly clock: Clock,
    /** `logLimit`: keep only the newest entries of `log` (0: none), so a long run does not keep every request. */
    private readonly options: { unitId?: number; timeoutMs?: number; peer?: string; logLimit?: number } = {},
  ) {}

  readHolding(address: number, quantity: number, opts?: CallOptions): Promise<number[]> {
    checkQty(quantity, LIMITS.readRegisters);
    return this.call({ fc: FunctionCode.ReadHoldingRegisters, address, quantity }, opts, values) as Promise<number[]>;
  }

  readInput(address: number, quantity: number, opts?: CallOptions): Promise<number[]> {
    checkQty(quantity, LIMITS.readRegisters);
    return this.call({ fc: FunctionCode.ReadInputRegisters, address, quantity }, opts, values) as Promise<number[]>;
  }

  readCoils(address: number, quantity: number, opts?: CallOptions): Promise<boolean[]> {
    return this.call({ fc: FunctionCode.ReadCoils, address, quantity }, opts, (r) => (r as { values: boolean[] }).values.slice(0, quantity)) as Promise<boolean[]>;
  }

  writeRegister(address: number, value: number, opts?: CallOptions): Promise<void> {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) return Promise.reject(new RangeError(`register value ${value} is outside 0..65535`));
    return this.call({ fc: FunctionCode.WriteSingleRegister, address, value }, opts, nothing) as Promise<void>;
  }

  writeRegisters(address: number, values: number[], opts?: CallOptions): Promise<void> {
    try {
      checkQty(values.length, LIMITS.writeRegisters);
    } catch (err) {
      return Promise.reject(err);
    }
    for (const v of values) if (!Number.isInteger(v) || v < 0 || v > 0xffff) return Promise.reject(new RangeError(`register value ${v} is outside 0..65535`));
    return this.call({ fc: FunctionCode.WriteMultipleRegisters, address, values }, opts, nothing) as Promise<void>;
  }

  writeCoil(address: number, value: boolean, opts?: CallOptions): Promise<void> {
    return this.call({ fc: FunctionCode.WriteSingleCoil, address, value }, opts, nothing) as Promise<void>;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /**
   * Queue a request; it reaches the core in a later microtask, after every request queued before it was answered.
   * One promise per call: no promise chain, no async function (the hot path of an in-process controller).
   */
  private call(req: ModbusRequest, opts: CallOptions | undefined, map: (res: ModbusResponse) => unknown): Promise<unknown> {
    const unitId = opts?.unitId ?? this.options.unitId ?? 1;
    return new Promise((resolve, reject) => {
      this.queue.push({ req, unitId, map, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        queueMicrotask(this.pump);
      }
    });
  }

  /** Answer queued requests in order; stops at one that waits on the clock and resumes when it settled. */
  private readonly pump = (): void => {
    while (this.head < this.queue.length) {
      const q = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      let wait: Promise<void> | undefined;
      try {
        wait = this.run(q);
      } catch (err) {
        q.reject(err);
      }
      if (wait !== undefined) {
        void wait.then(this.pump);
        return;
      }
    }
    this.queue.length = 0;
    this.head = 0;
    this.busy = false;
  };

  /** Hand one request to the core and settle its promise, now or (a delay, a timeout) after waiting on the clock. */
  private run(q: Queued): Promise<void> | undefined {
    const { req, unitId } = q;
    if (this.closed) throw new ClosedError('in-process Modbus master');
    const limit = this.options.logLimit ?? Infinity;
    if (limit > 0) {
      this.log.push({ at: this.clock.now(), unitId, request: req });
      if (this.log.length >= 2 * limit + 64) this.log.splice(0, this.log.length - limit); // amortised O(1)
    }
    const plan = this.core.handle(encodeRequest(req), { transport: 'tcp', unitId, peer: this.options.peer ?? 'in-process' });
    const timeoutMs = this.options.timeoutMs ?? 1000;
    if (plan.pdu === null || plan.delayMs > timeoutMs || plan.aduFaults.some((f) => f.kind === 'no-response' || f.kind === 'truncate')) {
      return this.clock.sleep(timeoutMs).then(() => q.reject(new HilTimeoutError(`no Modbus answer to function ${req.fc} from unit ${unitId} within ${timeoutMs} ms`)));
    }
    const pdu = plan.pdu;
    if (plan.delayMs > 0) return this.clock.sleep(plan.delayMs).then(() => this.answer(q, pdu));
    this.answer(q, pdu);
    return undefined;
  }

  private answer(q: Queued, pdu: Uint8Array): void {
    try {
      const res = decodeResponse(pdu, q.req);
      if (isException(res)) q.reject(new ModbusExceptionError(q.req.fc, res.exception, `unit ${q.unitId} (in-process)`));
      else q.resolve(q.map(res));
    } catch (err) {
      q.reject(err);
    }
  }
}

function checkQty(q: number, max: number): void {
  if (!Number.isInteger(q) || q < 1 || q > max) throw new RangeError(`quantity ${q} is outside 1..${max}`);
}
