/**
 * The error classes' public shape: each one's `name`, `code`, message, cause, place in the class tree and exit code,
 * written out class by class (a refactor of `core/errors` must leave every line of this true).
 */
import {
  ClosedError,
  ConfigError,
  DecodeError,
  DisconnectedError,
  EncodeError,
  exitCodeFor,
  FrameError,
  HilError,
  HilTimeoutError,
  InterfaceNotAvailableError,
  MediumLoadError,
  ModbusExceptionError,
  OperationError,
  ProtocolError,
  UnknownMediumError,
} from './index';

const cause = new Error('first line\nsecond line');

describe('core/errors: the classes keep their names, codes, messages and causes', () => {
  it('ConfigError puts the location before the message and keeps it', () => {
    const e = new ConfigError('bad value', 'bench.yaml:3:7', { cause });
    expect([e.name, e.code, e.message, e.location, e.cause]).toEqual(['ConfigError', 'CONFIG', 'bench.yaml:3:7: bad value', 'bench.yaml:3:7', cause]);
    expect(new ConfigError('bad value').message).toBe('bad value');
    expect(e).toBeInstanceOf(HilError);
    expect(e).toBeInstanceOf(Error);
    expect(exitCodeFor(e)).toBe(2);
  });

  it('UnknownMediumError names the medium and the known ones', () => {
    const e = new UnknownMediumError('foo', ['virtual', 'socketcan']);
    expect([e.name, e.code, e.message, e.medium]).toEqual(['UnknownMediumError', 'UNKNOWN_MEDIUM', "unknown CAN medium 'foo' (known: virtual, socketcan)", 'foo']);
    expect(exitCodeFor(e)).toBe(2);
  });

  it('MediumLoadError takes the first line of its cause', () => {
    const e = new MediumLoadError('socketcan', { cause });
    expect([e.name, e.code, e.message, e.medium, e.cause]).toEqual(['MediumLoadError', 'MEDIUM_LOAD', "CAN medium 'socketcan' failed to load: first line", 'socketcan', cause]);
    expect(new MediumLoadError('socketcan').message).toBe("CAN medium 'socketcan' failed to load");
    expect(exitCodeFor(e)).toBe(2);
  });

  it('ClosedError says what is closed', () => {
    const e = new ClosedError('bus vcan0');
    expect([e.name, e.code, e.message, e.cause]).toEqual(['ClosedError', 'CLOSED', 'bus vcan0 is closed', undefined]);
    expect(e).toBeInstanceOf(HilError);
  });

  it('FrameError', () => {
    const e = new FrameError('id 0x800 out of range');
    expect([e.name, e.code, e.message, e.cause]).toEqual(['FrameError', 'FRAME', 'id 0x800 out of range', undefined]);
    expect(e).toBeInstanceOf(HilError);
  });

  // The classes that are a code and a message (and a cause): one row each, checked the same way.
  it.each([
    ['InterfaceNotAvailableError', InterfaceNotAvailableError, 'INTERFACE_NOT_AVAILABLE', 2],
    ['OperationError', OperationError, 'OPERATION', 3],
    ['HilTimeoutError', HilTimeoutError, 'TIMEOUT', 3],
    ['EncodeError', EncodeError, 'ENCODE', 3],
    ['DecodeError', DecodeError, 'DECODE', 3],
    ['DisconnectedError', DisconnectedError, 'DISCONNECTED', 3],
    ['ProtocolError', ProtocolError, 'PROTOCOL', 3],
  ] as const)('%s has its name, code, message, cause and exit code', (name, Class, code, exit) => {
    const e = new Class('what went wrong', { cause });
    expect([e.name, e.code, e.message, e.cause]).toEqual([name, code, 'what went wrong', cause]);
    expect(e).toBeInstanceOf(Class);
    expect(e).toBeInstanceOf(HilError);
    expect(e).toBeInstanceOf(Error);
    expect(exitCodeFor(e)).toBe(exit);
  });

  it('a cause is only set when given', () => {
    expect('cause' in new OperationError('x')).toBe(false);
    expect('cause' in new OperationError('x', {})).toBe(false);
    expect('cause' in new OperationError('x', { cause })).toBe(true);
  });

  it('the classes are apart: an error is an instance of its own class and its bases only', () => {
    expect(new DecodeError('x')).not.toBeInstanceOf(EncodeError);
    expect(new EncodeError('x')).not.toBeInstanceOf(DecodeError);
    expect(new OperationError('x')).not.toBeInstanceOf(HilTimeoutError);
    expect(new ProtocolError('x')).not.toBeInstanceOf(DisconnectedError);
    expect(new DisconnectedError('x')).not.toBeInstanceOf(OperationError);
  });

  it('ModbusExceptionError is an OperationError with the function and exception codes', () => {
    const e = new ModbusExceptionError(3, 2, 'register 40001');
    expect([e.name, e.code, e.message, e.functionCode, e.exceptionCode]).toEqual(['ModbusExceptionError', 'OPERATION', 'Modbus exception 2 to function 3: register 40001', 3, 2]);
    expect(new ModbusExceptionError(3, 2).message).toBe('Modbus exception 2 to function 3');
    expect(e).toBeInstanceOf(OperationError);
    expect(e).toBeInstanceOf(HilError);
    expect(exitCodeFor(e)).toBe(3);
  });
});
