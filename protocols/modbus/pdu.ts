/**
 * Modbus PDU codec (Modbus Application Protocol v1.1b3): requests and responses for function codes
 * 1, 2, 3, 4, 5, 6, 15, 16, 23 and 43/14, plus exception responses. Transport-free: no MBAP, no CRC.
 *
 * Errors are values (STYLE.md point 7): decoding a bad request yields a {@link PduException} naming the exception
 * code the server must answer with (IllegalFunction for an unknown function, IllegalDataValue for a bad quantity,
 * byte count or length). Encoding a request the caller built wrongly is a programming error: `EncodeError`.
 */
import { DecodeError, EncodeError } from '../../core/errors';
import { ExceptionCode, type DeviceIdentification } from './device';
import { slabBytes } from './slab';

/** Function codes this codec knows. */
export enum FunctionCode {
  ReadCoils = 0x01,
  ReadDiscreteInputs = 0x02,
  ReadHoldingRegisters = 0x03,
  ReadInputRegisters = 0x04,
  WriteSingleCoil = 0x05,
  WriteSingleRegister = 0x06,
  WriteMultipleCoils = 0x0f,
  WriteMultipleRegisters = 0x10,
  ReadWriteMultipleRegisters = 0x17,
  EncapsulatedInterface = 0x2b,
}

/** MEI type of Read Device Identification inside function 43. */
export const MEI_READ_DEVICE_ID = 0x0e;

/** Quantity limits from the specification. */
export const LIMITS = {
  readBits: 2000,
  writeBits: 1968,
  readRegisters: 125,
  writeRegisters: 123,
  rwWriteRegisters: 121,
  rwReadRegisters: 125,
  /** Largest PDU: 256-byte serial ADU minus address and CRC; 260-byte TCP ADU minus the 7-byte MBAP header. */
  maxPdu: 253,
} as const;

/** Read Device Identification access: 1 basic stream, 2 regular stream, 3 extended stream, 4 one object. */
export type ReadDeviceIdCode = 1 | 2 | 3 | 4;

export type ModbusRequest =
  | { fc: FunctionCode.ReadCoils | FunctionCode.ReadDiscreteInputs; address: number; quantity: number }
  | { fc: FunctionCode.ReadHoldingRegisters | FunctionCode.ReadInputRegisters; address: number; quantity: number }
  | { fc: FunctionCode.WriteSingleCoil; address: number; value: boolean }
  | { fc: FunctionCode.WriteSingleRegister; address: number; value: number }
  | { fc: FunctionCode.WriteMultipleCoils; address: number; values: boolean[] }
  | { fc: FunctionCode.WriteMultipleRegisters; address: number; values: number[] }
  | {
      fc: FunctionCode.ReadWriteMultipleRegisters;
      readAddress: number;
      readQuantity: number;
      writeAddress: number;
      values: number[];
    }
  | { fc: FunctionCode.EncapsulatedInterface; meiType: typeof MEI_READ_DEVICE_ID; code: ReadDeviceIdCode; objectId: number };

/** One Read Device Identification object (id 0x00..0x06 basic/regular). */
export interface DeviceIdObject {
  id: number;
  value: string;
}

export type ModbusResponse =
  | { fc: FunctionCode.ReadCoils | FunctionCode.ReadDiscreteInputs; values: boolean[] }
  | {
      fc: FunctionCode.ReadHoldingRegisters | FunctionCode.ReadInputRegisters | FunctionCode.ReadWriteMultipleRegisters;
      values: number[];
    }
  | { fc: FunctionCode.WriteSingleCoil; address: number; value: boolean }
  | { fc: FunctionCode.WriteSingleRegister; address: number; value: number }
  | { fc: FunctionCode.WriteMultipleCoils | FunctionCode.WriteMultipleRegisters; address: number; quantity: number }
  | {
      fc: FunctionCode.EncapsulatedInterface;
      meiType: typeof MEI_READ_DEVICE_ID;
      code: ReadDeviceIdCode;
      conformityLevel: number;
      moreFollows: boolean;
      nextObjectId: number;
      objects: DeviceIdObject[];
    };

/** An exception: as a decoded request error (answer with it) or as a decoded exception response. */
export interface PduException {
  fc: number;
  exception: ExceptionCode;
}

export function isException(x: ModbusRequest | ModbusResponse | PduException): x is PduException {
  return (x as PduException).exception !== undefined;
}

const KNOWN_FC = new Set<number>([1, 2, 3, 4, 5, 6, 15, 16, 23, 43]);

const WRITE_FC = new Set<number>([
  FunctionCode.WriteSingleCoil,
  FunctionCode.WriteSingleRegister,
  FunctionCode.WriteMultipleCoils,
  FunctionCode.WriteMultipleRegisters,
  FunctionCode.ReadWriteMultipleRegisters,
]);

/**
 * Whether a function code changes the device: 5, 6, 15, 16, and 23 (which writes, then reads). Judged on the code
 * alone, so a malformed write is still a write.
 */
export function isWriteFunction(fc: number): boolean {
  return WRITE_FC.has(fc);
}

function ex(fc: number, exception: ExceptionCode): PduException {
  return { fc, exception };
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function readRegs(b: Uint8Array, o: number, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = (b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!;
  return out;
}

function readBits(b: Uint8Array, o: number, n: number): boolean[] {
  const out = new Array<boolean>(n);
  for (let i = 0; i < n; i++) out[i] = ((b[o + (i >> 3)]! >> (i & 7)) & 1) === 1;
  return out;
}

/**
 * Decode a request PDU (function code first). Checks, in the specification's order: function known
 * (IllegalFunction), PDU length and byte count consistent and quantity within limits (IllegalDataValue).
 * Address range (address + quantity <= 65536) is checked too (IllegalDataAddress); whether the device has those
 * addresses is the device's business. An empty PDU has no function code: `fc` is -1.
 */
export function decodeRequest(pdu: Uint8Array): ModbusRequest | PduException {
  if (pdu.length === 0) return ex(-1, ExceptionCode.IllegalDataValue);
  const fc = pdu[0]!;
  if (!KNOWN_FC.has(fc)) return ex(fc, ExceptionCode.IllegalFunction);
  const bad = ex(fc, ExceptionCode.IllegalDataValue);
  switch (fc) {
    case 1:
    case 2:
    case 3:
    case 4: {
      if (pdu.length !== 5) return bad;
      const address = u16(pdu, 1);
      const quantity = u16(pdu, 3);
      const max = fc <= 2 ? LIMITS.readBits : LIMITS.readRegisters;
      if (quantity < 1 || quantity > max) return bad;
      if (address + quantity > 0x10000) return ex(fc, ExceptionCode.IllegalDataAddress);
      return { fc, address, quantity } as ModbusRequest;
    }
    case 5: {
      if (pdu.length !== 5) return bad;
      const v = u16(pdu, 3);
      if (v !== 0x0000 && v !== 0xff00) return bad;
      return { fc, address: u16(pdu, 1), value: v === 0xff00 };
    }
    case 6:
      if (pdu.length !== 5) return bad;
      return { fc, address: u16(pdu, 1), value: u16(pdu, 3) };
    case 15: {
      if (pdu.length < 6) return bad;
      const address = u16(pdu, 1);
      const quantity = u16(pdu, 3);
      const byteCount = pdu[5]!;
      if (quantity < 1 || quantity > LIMITS.writeBits || byteCount !== Math.ceil(quantity / 8)) return bad;
      if (pdu.length !== 6 + byteCount) return bad;
      if (address + quantity > 0x10000) return ex(fc, ExceptionCode.IllegalDataAddress);
      return { fc, address, values: readBits(pdu, 6, quantity) };
    }
    case 16: {
      if (pdu.length < 6) return bad;
      const address = u16(pdu, 1);
      const quantity = u16(pdu, 3);
      const byteCount = pdu[5]!;
      if (quantity < 1 || quantity > LIMITS.writeRegisters || byteCount !== quantity * 2) return bad;
      if (pdu.length !== 6 + byteCount) return bad;
      if (address + quantity > 0x10000) return ex(fc, ExceptionCode.IllegalDataAddress);
      return { fc, address, values: readRegs(pdu, 6, quantity) };
    }
    case 23: {
      if (pdu.length < 10) return bad;
      const readAddress = u16(pdu, 1);
      const readQuantity = u16(pdu, 3);
      const writeAddress = u16(pdu, 5);
      const writeQuantity = u16(pdu, 7);
      const byteCount = pdu[9]!;
      if (readQuantity < 1 || readQuantity > LIMITS.rwReadRegisters) return bad;
      if (writeQuantity < 1 || writeQuantity > LIMITS.rwWriteRegisters || byteCount !== writeQuantity * 2) return bad;
      if (pdu.length !== 10 + byteCount) return bad;
      if (readAddress + readQuantity > 0x10000 || writeAddress + writeQuantity > 0x10000) {
        return ex(fc, ExceptionCode.IllegalDataAddress);
      }
      return { fc, readAddress, readQuantity, writeAddress, values: readRegs(pdu, 10, writeQuantity) };
    }
    default: {
      // 43: only MEI 14 (Read Device Identification) is supported.
      if (pdu.length < 2 || pdu[1] !== MEI_READ_DEVICE_ID) return ex(fc, ExceptionCode.IllegalFunction);
      if (pdu.length !== 4) return bad;
      const code = pdu[2]!;
      if (code < 1 || code > 4) return bad;
      return { fc, meiType: MEI_READ_DEVICE_ID, code: code as ReadDeviceIdCode, objectId: pdu[3]! };
    }
  }
}

function checkU16(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new EncodeError(`${what} ${v} is not a 16-bit unsigned integer`);
}

function checkQuantity(q: number, max: number, what: string): void {
  if (!Number.isInteger(q) || q < 1 || q > max) throw new EncodeError(`${what} quantity ${q} is outside 1..${max}`);
}

function writeBitsInto(out: Uint8Array, o: number, values: readonly boolean[]): void {
  for (let i = 0; i < values.length; i++) if (values[i]) out[o + (i >> 3)]! |= 1 << (i & 7);
}

function writeRegsInto(out: Uint8Array, o: number, values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    checkU16(v, `${what} value[${i}]`);
    out[o + 2 * i] = v >> 8;
    out[o + 2 * i + 1] = v & 0xff;
  }
}

/** `fc, hi(a), lo(a), hi(b), lo(b)` (the five-byte requests; not `Uint8Array.of`, which is slower on hot paths). */
function five(fc: number, a: number, b: number): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = fc;
  out[1] = a >> 8;
  out[2] = a & 0xff;
  out[3] = b >> 8;
  out[4] = b & 0xff;
  return out;
}

/** Encode a request PDU. Throws `EncodeError` for values outside the specification's limits. */
export function encodeRequest(req: ModbusRequest): Uint8Array {
  switch (req.fc) {
    case FunctionCode.ReadCoils:
    case FunctionCode.ReadDiscreteInputs:
    case FunctionCode.ReadHoldingRegisters:
    case FunctionCode.ReadInputRegisters: {
      checkU16(req.address, 'address');
      checkQuantity(req.quantity, req.fc <= 2 ? LIMITS.readBits : LIMITS.readRegisters, `function ${req.fc}`);
      return five(req.fc, req.address, req.quantity);
    }
    case FunctionCode.WriteSingleCoil:
      checkU16(req.address, 'address');
      return Uint8Array.of(5, req.address >> 8, req.address & 0xff, req.value ? 0xff : 0, 0);
    case FunctionCode.WriteSingleRegister:
      checkU16(req.address, 'address');
      checkU16(req.value, 'value');
      return five(6, req.address, req.value);
    case FunctionCode.WriteMultipleCoils: {
      checkU16(req.address, 'address');
      const n = req.values.length;
      checkQuantity(n, LIMITS.writeBits, 'function 15');
      const bc = Math.ceil(n / 8);
      const out = new Uint8Array(6 + bc);
      out.set([15, req.address >> 8, req.address & 0xff, n >> 8, n & 0xff, bc]);
      writeBitsInto(out, 6, req.values);
      return out;
    }
    case FunctionCode.WriteMultipleRegisters: {
      checkU16(req.address, 'address');
      const n = req.values.length;
      checkQuantity(n, LIMITS.writeRegisters, 'function 16');
      const out = slabBytes(6 + 2 * n);
      out[0] = 16;
      out[1] = req.address >> 8;
      out[2] = req.address & 0xff;
      out[3] = n >> 8;
      out[4] = n & 0xff;
      out[5] = 2 * n;
      writeRegsInto(out, 6, req.values, 'function 16');
      return out;
    }
    case FunctionCode.ReadWriteMultipleRegisters: {
      checkU16(req.readAddress, 'read address');
      checkU16(req.writeAddress, 'write address');
      checkQuantity(req.readQuantity, LIMITS.rwReadRegisters, 'function 23 read');
      const n = req.values.length;
      checkQuantity(n, LIMITS.rwWriteRegisters, 'function 23 write');
      const out = new Uint8Array(10 + 2 * n);
      out.set([
        23,
        req.readAddress >> 8,
        req.readAddress & 0xff,
        req.readQuantity >> 8,
        req.readQuantity & 0xff,
        req.writeAddress >> 8,
        req.writeAddress & 0xff,
        n >> 8,
        n & 0xff,
        2 * n,
      ]);
      writeRegsInto(out, 10, req.values, 'function 23');
      return out;
    }
    case FunctionCode.EncapsulatedInterface:
      if (req.code < 1 || req.code > 4) throw new EncodeError(`read device id code ${req.code} is outside 1..4`);
      if (!Number.isInteger(req.objectId) || req.objectId < 0 || req.objectId > 0xff) {
        throw new EncodeError(`object id ${req.objectId} is not a byte`);
      }
      return Uint8Array.of(43, MEI_READ_DEVICE_ID, req.code, req.objectId);
  }
}

/** Encode an exception response: `fc | 0x80`, code. */
export function encodeException(fc: number, code: ExceptionCode): Uint8Array {
  return Uint8Array.of((fc | 0x80) & 0xff, code);
}

/** Encode a response PDU. Throws `EncodeError` for values that do not fit. */
export function encodeResponse(res: ModbusResponse): Uint8Array {
  switch (res.fc) {
    case FunctionCode.ReadCoils:
    case FunctionCode.ReadDiscreteInputs: {
      const bc = Math.ceil(res.values.length / 8);
      if (bc > 250) throw new EncodeError(`function ${res.fc} response of ${res.values.length} bits is too long`);
      const out = new Uint8Array(2 + bc);
      out[0] = res.fc;
      out[1] = bc;
      writeBitsInto(out, 2, res.values);
      return out;
    }
    case FunctionCode.ReadHoldingRegisters:
    case FunctionCode.ReadInputRegisters:
    case FunctionCode.ReadWriteMultipleRegisters: {
      const n = res.values.length;
      if (n > LIMITS.readRegisters) throw new EncodeError(`function ${res.fc} response of ${n} registers is too long`);
      const out = new Uint8Array(2 + 2 * n);
      out[0] = res.fc;
      out[1] = 2 * n;
      writeRegsInto(out, 2, res.values, `function ${res.fc} response`);
      return out;
    }
    case FunctionCode.WriteSingleCoil:
      return Uint8Array.of(5, res.address >> 8, res.address & 0xff, res.value ? 0xff : 0, 0);
    case FunctionCode.WriteSingleRegister:
      checkU16(res.value, 'value');
      return Uint8Array.of(6, res.address >> 8, res.address & 0xff, res.value >> 8, res.value & 0xff);
    case FunctionCode.WriteMultipleCoils:
    case FunctionCode.WriteMultipleRegisters:
      return Uint8Array.of(res.fc, res.address >> 8, res.address & 0xff, res.quantity >> 8, res.quantity & 0xff);
    case FunctionCode.EncapsulatedInterface: {
      const enc = new TextEncoder();
      const parts = res.objects.map((o) => ({ id: o.id, bytes: enc.encode(o.value) }));
      const len = 7 + parts.reduce((s, p) => s + 2 + p.bytes.length, 0);
      if (len > LIMITS.maxPdu) throw new EncodeError(`device identification response of ${len} bytes is too long`);
      const out = new Uint8Array(len);
      out.set([43, MEI_READ_DEVICE_ID, res.code, res.conformityLevel, res.moreFollows ? 0xff : 0, res.nextObjectId, parts.length]);
      let o = 7;
      for (const p of parts) {
        if (p.bytes.length > 0xff) throw new EncodeError(`device identification object ${p.id} is too long`);
        out[o++] = p.id;
        out[o++] = p.bytes.length;
        out.set(p.bytes, o);
        o += p.bytes.length;
      }
      return out;
    }
  }
}

/**
 * Decode a response PDU (client side). `request` gives the quantity for bit reads (the response only carries a
 * byte count) and is used to check that the response matches. Returns a `PduException` for an exception response;
 * throws `DecodeError` for bytes that are not a valid response to it.
 */
export function decodeResponse(pdu: Uint8Array, request?: ModbusRequest): ModbusResponse | PduException {
  if (pdu.length < 2) throw new DecodeError(`response PDU of ${pdu.length} bytes is too short`);
  const fc = pdu[0]!;
  if (fc & 0x80) {
    if (pdu.length !== 2) throw new DecodeError(`exception response of ${pdu.length} bytes (expected 2)`);
    return ex(fc & 0x7f, pdu[1] as ExceptionCode);
  }
  if (request && request.fc !== fc) throw new DecodeError(`response function ${fc} does not match request ${request.fc}`);
  const need = (n: number): void => {
    if (pdu.length !== n) throw new DecodeError(`function ${fc} response of ${pdu.length} bytes (expected ${n})`);
  };
  switch (fc) {
    case 1:
    case 2: {
      const bc = pdu[1]!;
      need(2 + bc);
      const q = request && 'quantity' in request ? request.quantity : bc * 8;
      if (Math.ceil(q / 8) !== bc) throw new DecodeError(`function ${fc} byte count ${bc} does not fit ${q} bits`);
      return { fc, values: readBits(pdu, 2, q) };
    }
    case 3:
    case 4:
    case 23: {
      const bc = pdu[1]!;
      need(2 + bc);
      if (bc % 2 !== 0) throw new DecodeError(`function ${fc} odd byte count ${bc}`);
      const q = request ? ('quantity' in request ? request.quantity : 'readQuantity' in request ? request.readQuantity : bc / 2) : bc / 2;
      if (q * 2 !== bc) throw new DecodeError(`function ${fc} byte count ${bc} does not fit ${q} registers`);
      return { fc, values: readRegs(pdu, 2, q) };
    }
    case 5:
      need(5);
      return { fc, address: u16(pdu, 1), value: u16(pdu, 3) === 0xff00 };
    case 6:
      need(5);
      return { fc, address: u16(pdu, 1), value: u16(pdu, 3) };
    case 15:
    case 16:
      need(5);
      return { fc, address: u16(pdu, 1), quantity: u16(pdu, 3) };
    case 43: {
      if (pdu.length < 7 || pdu[1] !== MEI_READ_DEVICE_ID) throw new DecodeError('bad device identification response');
      const count = pdu[6]!;
      const objects: DeviceIdObject[] = [];
      const dec = new TextDecoder();
      let o = 7;
      for (let i = 0; i < count; i++) {
        if (o + 2 > pdu.length) throw new DecodeError('device identification response truncated');
        const id = pdu[o]!;
        const len = pdu[o + 1]!;
        if (o + 2 + len > pdu.length) throw new DecodeError('device identification object truncated');
        objects.push({ id, value: dec.decode(pdu.subarray(o + 2, o + 2 + len)) });
        o += 2 + len;
      }
      if (o !== pdu.length) throw new DecodeError('device identification response has trailing bytes');
      return {
        fc,
        meiType: MEI_READ_DEVICE_ID,
        code: pdu[2] as ReadDeviceIdCode,
        conformityLevel: pdu[3]!,
        moreFollows: pdu[4] === 0xff,
        nextObjectId: pdu[5]!,
        objects,
      };
    }
    default:
      throw new DecodeError(`unknown function code ${fc} in response`);
  }
}

/** Basic (0x00-0x02) and regular (0x03-0x06) object ids of Read Device Identification, in order. */
const ID_OBJECTS: Array<[number, keyof DeviceIdentification]> = [
  [0x00, 'vendorName'],
  [0x01, 'productCode'],
  [0x02, 'majorMinorRevision'],
  [0x03, 'vendorUrl'],
  [0x04, 'productName'],
  [0x05, 'modelName'],
  [0x06, 'userApplicationName'],
];

/** Conformity level we answer: 0x82 = regular identification, stream and individual access. */
export const CONFORMITY_LEVEL = 0x82;

/**
 * Build the Read Device Identification response for a request, per the specification: stream access (codes 1-3;
 * extended is answered with the regular objects since we have no extended ones) from `objectId`, restarting at
 * object 0 when `objectId` is not in the category; splitting with `moreFollows` when the objects do not fit in one
 * PDU. Individual access (code 4) to an object the device lacks answers IllegalDataAddress.
 */
export function deviceIdResponse(
  id: DeviceIdentification,
  req: { code: ReadDeviceIdCode; objectId: number },
): ModbusResponse | PduException {
  const present = ID_OBJECTS.filter(([, key]) => id[key] !== undefined).map(([oid, key]) => ({ id: oid, value: String(id[key]).slice(0, 240) }));
  const base = { fc: FunctionCode.EncapsulatedInterface as const, meiType: MEI_READ_DEVICE_ID as typeof MEI_READ_DEVICE_ID, code: req.code, conformityLevel: CONFORMITY_LEVEL };
  if (req.code === 4) {
    const obj = present.find((o) => o.id === req.objectId);
    if (!obj) return ex(FunctionCode.EncapsulatedInterface, ExceptionCode.IllegalDataAddress);
    return { ...base, moreFollows: false, nextObjectId: 0, objects: [obj] };
  }
  const last = req.code === 1 ? 0x02 : 0x06;
  const category = present.filter((o) => o.id <= last);
  let start = category.findIndex((o) => o.id >= req.objectId);
  if (req.objectId > last || start < 0 || !category.some((o) => o.id === req.objectId)) start = 0;
  const objects: DeviceIdObject[] = [];
  let size = 7;
  const enc = new TextEncoder();
  for (let i = start; i < category.length; i++) {
    const o = category[i]!;
    const n = 2 + enc.encode(o.value).length;
    if (size + n > LIMITS.maxPdu && objects.length > 0) {
      return { ...base, moreFollows: true, nextObjectId: o.id, objects };
    }
    objects.push(o);
    size += n;
  }
  return { ...base, moreFollows: false, nextObjectId: 0, objects };
}
