/**
 * What the Modbus server side needs from an emulated device. Errors are values (STYLE.md point 7): a method
 * returns an `ExceptionCode` instead of throwing, and the server turns it into an exception response.
 */

/** Modbus exception codes (Modbus Application Protocol v1.1b3, section 7). */
export enum ExceptionCode {
  IllegalFunction = 0x01,
  IllegalDataAddress = 0x02,
  IllegalDataValue = 0x03,
  ServerDeviceFailure = 0x04,
  Acknowledge = 0x05,
  ServerDeviceBusy = 0x06,
  MemoryParityError = 0x08,
  GatewayPathUnavailable = 0x0a,
  GatewayTargetFailedToRespond = 0x0b,
}

/** Objects for function 43/14 (Read Device Identification). Basic objects 0x00-0x02 are mandatory. */
export interface DeviceIdentification {
  vendorName: string;
  productCode: string;
  majorMinorRevision: string;
  vendorUrl?: string;
  productName?: string;
  modelName?: string;
  userApplicationName?: string;
}

/**
 * One Modbus unit (slave id) as the server sees it. Addresses are 0-based wire addresses.
 *
 * Contract:
 * - Reads return exactly `quantity` values or an exception code; they must not throw. A method that is absent
 *   means the function is not supported (the server answers IllegalFunction).
 * - Writes are applied atomically: either every value is stored (and visible to the device model at once,
 *   synchronously, before the response is sent) or an exception code is returned and nothing changes.
 * - The server has already checked quantity limits (125 registers read, 123 write, 2000 bits) before calling.
 */
export interface ModbusDevice {
  readCoils?(address: number, quantity: number): boolean[] | ExceptionCode;
  readDiscreteInputs?(address: number, quantity: number): boolean[] | ExceptionCode;
  readHoldingRegisters?(address: number, quantity: number): ArrayLike<number> | ExceptionCode;
  readInputRegisters?(address: number, quantity: number): ArrayLike<number> | ExceptionCode;
  writeCoils?(address: number, values: readonly boolean[]): ExceptionCode | undefined;
  writeRegisters?(address: number, values: ArrayLike<number>): ExceptionCode | undefined;
  identification?(): DeviceIdentification;
}
