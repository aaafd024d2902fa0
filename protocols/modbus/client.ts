/**
 * A small typed promise API over `modbus-serial`'s client (TCP and buffered RTU), with our error classes. The harness
 * uses it to read a controller's own registers; tests use it against our servers.
 */
import ModbusRTU from 'modbus-serial';
import {
  ClosedError,
  DisconnectedError,
  HilTimeoutError,
  ModbusExceptionError,
  OperationError,
} from '../../core/errors';
import type { CallOptions, ModbusMaster } from './master';

export type { CallOptions };
import { LIMITS } from './pdu';

export interface ModbusClientOptions {
  /** Default unit id for requests (default 1). */
  unitId?: number;
  /** Per-request timeout, ms (default 1000). */
  timeoutMs?: number;
}

export interface RtuLineOptions {
  baudRate: number;
  parity?: 'none' | 'even' | 'odd';
  dataBits?: 7 | 8;
  stopBits?: 1 | 2;
}

export interface DeviceIdentificationResult {
  conformityLevel: number;
  /** Object values by object id (modbus-serial follows 'more follows' and collects every part of a stream). */
  objects: Record<number, string>;
}

type Port = InstanceType<typeof ModbusRTU>;

/**
 * Contract:
 * - One request at a time: calls made while one is in flight wait their turn (RTU needs it; TCP keeps it simple).
 * - A Modbus exception response rejects with `ModbusExceptionError` (functionCode, exceptionCode).
 * - No answer within `timeoutMs` rejects with `HilTimeoutError`; the connection stays usable.
 * - The peer closing the connection rejects the call in flight and every later one with `DisconnectedError`.
 * - After `close()` (idempotent) calls reject with `ClosedError`.
 * - Arguments outside the Modbus limits (quantity, 16-bit values) reject with `RangeError` before anything is sent.
 */
export class ModbusClient implements ModbusMaster {
  private unitId: number;
  private readonly timeoutMs: number;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private lost = false;
  private inFlight: ((err: Error) => void) | undefined;

  private constructor(
    private readonly port: Port,
    readonly peer: string,
    options: ModbusClientOptions,
  ) {
    this.unitId = options.unitId ?? 1;
    this.timeoutMs = options.timeoutMs ?? 1000;
    port.setTimeout(this.timeoutMs);
    port.on('close', () => {
      if (this.closed) return;
      this.lost = true;
      this.inFlight?.(new DisconnectedError(`Modbus connection to ${peer} closed by the peer`));
    });
    port.on('error', () => undefined); // surfaced through the call in flight
  }

  /** Connect over Modbus/TCP. Rejects with `OperationError` if the connection cannot be made. */
  static async connectTcp(host: string, port: number, options: ModbusClientOptions = {}): Promise<ModbusClient> {
    const m = new ModbusRTU();
    try {
      await m.connectTCP(host, { port, timeout: options.timeoutMs ?? 1000 } as never);
    } catch (err) {
      throw new OperationError(`cannot connect to Modbus/TCP ${host}:${port}: ${errText(err)}`, { cause: err });
    }
    return new ModbusClient(m, `${host}:${port}`, options);
  }

  /** Open a serial line (RTU, buffered framing). Rejects with `OperationError` if the port cannot be opened. */
  static async connectRtu(path: string, line: RtuLineOptions, options: ModbusClientOptions = {}): Promise<ModbusClient> {
    const m = new ModbusRTU();
    try {
      await m.connectRTUBuffered(path, { baudRate: line.baudRate, parity: line.parity ?? 'none', dataBits: line.dataBits ?? 8, stopBits: line.stopBits ?? 1 });
    } catch (err) {
      throw new OperationError(`cannot open Modbus RTU port ${path}: ${errText(err)}`, { cause: err });
    }
    return new ModbusClient(m, path, options);
  }

  /** Change the default unit id. */
  setUnitId(unitId: number): void {
    checkUnit(unitId);
    this.unitId = unitId;
  }

  async readHolding(address: number, quantity: number, opts?: CallOptions): Promise<number[]> {
    checkRange(address, quantity, LIMITS.readRegisters);
    return (await this.call(3, opts, (p) => p.readHoldingRegisters(address, quantity))).data;
  }

  async readInput(address: number, quantity: number, opts?: CallOptions): Promise<number[]> {
    checkRange(address, quantity, LIMITS.readRegisters);
    return (await this.call(4, opts, (p) => p.readInputRegisters(address, quantity))).data;
  }

  async readCoils(address: number, quantity: number, opts?: CallOptions): Promise<boolean[]> {
    checkRange(address, quantity, LIMITS.readBits);
    return (await this.call(1, opts, (p) => p.readCoils(address, quantity))).data.slice(0, quantity);
  }

  async readDiscreteInputs(address: number, quantity: number, opts?: CallOptions): Promise<boolean[]> {
    checkRange(address, quantity, LIMITS.readBits);
    return (await this.call(2, opts, (p) => p.readDiscreteInputs(address, quantity))).data.slice(0, quantity);
  }

  /** FC6. */
  async writeRegister(address: number, value: number, opts?: CallOptions): Promise<void> {
    checkRange(address, 1, 1);
    checkWords([value]);
    await this.call(6, opts, (p) => p.writeRegister(address, value));
  }

  /** FC16. */
  async writeRegisters(address: number, values: number[], opts?: CallOptions): Promise<void> {
    checkRange(address, values.length, LIMITS.writeRegisters);
    checkWords(values);
    await this.call(16, opts, (p) => p.writeRegisters(address, values));
  }

  /** FC5. */
  async writeCoil(address: number, value: boolean, opts?: CallOptions): Promise<void> {
    checkRange(address, 1, 1);
    await this.call(5, opts, (p) => p.writeCoil(address, value));
  }

  /** FC15. */
  async writeCoils(address: number, values: boolean[], opts?: CallOptions): Promise<void> {
    checkRange(address, values.length, LIMITS.writeBits);
    await this.call(15, opts, (p) => p.writeCoils(address, values));
  }

  /** FC23: write `values` at `writeAddress`, then read `readQuantity` registers at `readAddress`. */
  async readWriteRegisters(readAddress: number, readQuantity: number, writeAddress: number, values: number[], opts?: CallOptions): Promise<number[]> {
    checkRange(readAddress, readQuantity, LIMITS.rwReadRegisters);
    checkRange(writeAddress, values.length, LIMITS.rwWriteRegisters);
    checkWords(values);
    const r = await this.call(23, opts, (p, unit) =>
      new Promise<{ data: number[] }>((resolve, reject) =>
        p.writeFC23(unit, readAddress, readQuantity, writeAddress, values.length, values, (err, res) => (err ? reject(err) : resolve(res))),
      ),
    );
    return r.data;
  }

  /** FC43/14. `code` 1 basic, 2 regular, 3 extended, 4 one object. */
  async readDeviceIdentification(code: 1 | 2 | 3 | 4, objectId = 0, opts?: CallOptions): Promise<DeviceIdentificationResult> {
    const r = await this.call(43, opts, (p) => p.readDeviceIdentification(code, objectId));
    const objects: Record<number, string> = {};
    for (const [k, v] of Object.entries(r.data as unknown as Record<string, string>)) objects[Number(k)] = v;
    return { conformityLevel: r.conformityLevel, objects };
  }

  /** Close the connection; pending and later calls reject with `ClosedError`. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.inFlight?.(new ClosedError(`Modbus client ${this.peer}`));
    await new Promise<void>((resolve) => {
      if (!this.port.isOpen) {
        resolve();
        return;
      }
      this.port.close(() => resolve());
    });
  }

  private call<T>(fc: number, opts: CallOptions | undefined, run: (p: Port, unit: number) => Promise<T>): Promise<T> {
    const unit = opts?.unitId ?? this.unitId;
    checkUnit(unit);
    const next = this.chain.then(
      () => this.run(fc, unit, run),
      () => this.run(fc, unit, run),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }

  private run<T>(fc: number, unit: number, run: (p: Port, unit: number) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ClosedError(`Modbus client ${this.peer}`));
    if (this.lost || !this.port.isOpen) return Promise.reject(new DisconnectedError(`Modbus connection to ${this.peer} is closed`));
    this.port.setID(unit);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void): void => {
        if (settled) return;
        settled = true;
        this.inFlight = undefined;
        f();
      };
      this.inFlight = (err) => settle(() => reject(err));
      run(this.port, unit).then(
        (v) => settle(() => resolve(v)),
        (err: unknown) => settle(() => reject(this.translate(fc, unit, err))),
      );
    });
  }

  private translate(fc: number, unit: number, err: unknown): Error {
    const e = err as { modbusCode?: number; errno?: string; message?: string };
    if (typeof e?.modbusCode === 'number') return new ModbusExceptionError(fc, e.modbusCode, `unit ${unit} at ${this.peer}`);
    if (e?.errno === 'ETIMEDOUT') {
      return new HilTimeoutError(`no Modbus answer to function ${fc} from unit ${unit} at ${this.peer} within ${this.timeoutMs} ms`, { cause: err });
    }
    if (e?.errno === 'ECONNREFUSED' || e?.message === 'Port Not Open') {
      return new DisconnectedError(`Modbus connection to ${this.peer} is closed`, { cause: err });
    }
    return new OperationError(`Modbus function ${fc} to unit ${unit} at ${this.peer} failed: ${errText(err)}`, { cause: err });
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : typeof err === 'object' && err && 'message' in err ? String((err as { message: unknown }).message) : String(err);
}

function checkUnit(unit: number): void {
  if (!Number.isInteger(unit) || unit < 0 || unit > 255) throw new RangeError(`unit id ${unit} is outside 0..255`);
}

function checkRange(address: number, quantity: number, max: number): void {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > max) throw new RangeError(`quantity ${quantity} is outside 1..${max}`);
  if (!Number.isInteger(address) || address < 0 || address + quantity > 0x10000) {
    throw new RangeError(`address ${address} + quantity ${quantity} is outside 0..65535`);
  }
}

function checkWords(values: readonly number[]): void {
  for (const v of values) if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${v} is not a 16-bit register value`);
}
