import type { Clock } from '../../core/clock';
import { ClosedError, HilTimeoutError, ModbusExceptionError } from '../../core/errors';
import type { CallOptions } from './client';
import type { ModbusMaster } from './master';
import { decodeResponse, encodeRequest, FunctionCode, isException, LIMITS, type ModbusRequest } from './pdu';
import type { ModbusServerCore } from './server-core';

/**
 * A Modbus master wired straight into a {@link ModbusServerCore}: requests are encoded to PDUs, handled by the
 * core (fault rules included), and the response PDU is decoded, with delays and timeouts on the given clock.
 * For controllers that run in-process in virtual time; it exercises the same codec and core as the TCP path.
 */
export class InProcessMaster implements ModbusMaster {
  private chain: Promise<unknown> = Promise.resolve();
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
    return this.call({ fc: FunctionCode.ReadHoldingRegisters, address, quantity }, opts).then((r) => (r as { values: number[] }).values);
  }

  readInput(address: number, quantity: number, opts?: CallOptions): Promise<number[]> {
    checkQty(quantity, LIMITS.readRegisters);
    return this.call({ fc: FunctionCode.ReadInputRegisters, address, quantity }, opts).then((r) => (r as { values: number[] }).values);
  }

  readCoils(address: number, quantity: number, opts?: CallOptions): Promise<boolean[]> {
    return this.call({ fc: FunctionCode.ReadCoils, address, quantity }, opts).then((r) => (r as { values: boolean[] }).values.slice(0, quantity));
  }

  async writeRegister(address: number, value: number, opts?: CallOptions): Promise<void> {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`register value ${value} is outside 0..65535`);
    await this.call({ fc: FunctionCode.WriteSingleRegister, address, value }, opts);
  }

  async writeRegisters(address: number, values: number[], opts?: CallOptions): Promise<void> {
    checkQty(values.length, LIMITS.writeRegisters);
    for (const v of values) if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`register value ${v} is outside 0..65535`);
    await this.call({ fc: FunctionCode.WriteMultipleRegisters, address, values }, opts);
  }

  async writeCoil(address: number, value: boolean, opts?: CallOptions): Promise<void> {
    await this.call({ fc: FunctionCode.WriteSingleCoil, address, value }, opts);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private call(req: ModbusRequest, opts: CallOptions | undefined): Promise<unknown> {
    const next = this.chain.then(() => this.run(req, opts?.unitId ?? this.options.unitId ?? 1));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async run(req: ModbusRequest, unitId: number): Promise<unknown> {
    if (this.closed) throw new ClosedError('in-process Modbus master');
    const limit = this.options.logLimit ?? Infinity;
    if (limit > 0) {
      this.log.push({ at: this.clock.now(), unitId, request: req });
      if (this.log.length >= 2 * limit + 64) this.log.splice(0, this.log.length - limit); // amortised O(1)
    }
    const plan = this.core.handle(encodeRequest(req), { transport: 'tcp', unitId, peer: this.options.peer ?? 'in-process' });
    const timeoutMs = this.options.timeoutMs ?? 1000;
    if (plan.pdu === null || plan.delayMs > timeoutMs || plan.aduFaults.some((f) => f.kind === 'no-response' || f.kind === 'truncate')) {
      await this.clock.sleep(timeoutMs);
      throw new HilTimeoutError(`no Modbus answer to function ${req.fc} from unit ${unitId} within ${timeoutMs} ms`);
    }
    if (plan.delayMs > 0) await this.clock.sleep(plan.delayMs);
    const res = decodeResponse(plan.pdu, req);
    if (isException(res)) throw new ModbusExceptionError(req.fc, res.exception, `unit ${unitId} (in-process)`);
    return res;
  }
}

function checkQty(q: number, max: number): void {
  if (!Number.isInteger(q) || q < 1 || q > max) throw new RangeError(`quantity ${q} is outside 1..${max}`);
}
