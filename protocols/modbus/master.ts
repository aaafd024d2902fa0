/** Per-call override of the unit id. */
export interface CallOptions {
  unitId?: number;
}

/**
 * What a Modbus master (a controller, a test) needs, whatever carries the bytes: `ModbusClient` over TCP/RTU
 * sockets (real time) or `InProcessMaster` straight into a server core (virtual time, no sockets).
 *
 * Contract (both implementations): an exception response rejects with `ModbusExceptionError`; no answer within
 * the timeout rejects with `HilTimeoutError`; after `close()` calls reject with `ClosedError`; arguments outside the
 * Modbus limits reject with `RangeError`. Calls run one at a time, in call order.
 */
export interface ModbusMaster {
  readHolding(address: number, quantity: number, opts?: CallOptions): Promise<number[]>;
  readInput(address: number, quantity: number, opts?: CallOptions): Promise<number[]>;
  readCoils(address: number, quantity: number, opts?: CallOptions): Promise<boolean[]>;
  writeRegister(address: number, value: number, opts?: CallOptions): Promise<void>;
  writeRegisters(address: number, values: number[], opts?: CallOptions): Promise<void>;
  writeCoil(address: number, value: boolean, opts?: CallOptions): Promise<void>;
  close(): Promise<void>;
}
