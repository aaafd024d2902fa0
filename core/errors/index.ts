/**
 * The harness's error taxonomy (STYLE.md point 11). Every error the harness raises on purpose is a `HilError`
 * with a stable `code`; the CLI maps them to exit codes (DESIGN.md): bad input or configuration -> 2,
 * anything else unexpected -> 3.
 */
export type HilErrorCode =
  | 'CONFIG'
  | 'INTERFACE_NOT_AVAILABLE'
  | 'UNKNOWN_MEDIUM'
  | 'MEDIUM_LOAD'
  | 'OPERATION'
  | 'TIMEOUT'
  | 'ENCODE'
  | 'DECODE'
  | 'CLOSED'
  | 'DISCONNECTED'
  | 'PROTOCOL'
  | 'FRAME';

export interface HilErrorOptions {
  cause?: unknown;
}

/** Base class: a harness error with a machine-readable code. */
export class HilError extends Error {
  readonly code: HilErrorCode;
  constructor(code: HilErrorCode, message: string, options?: HilErrorOptions) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.name = new.target.name;
  }
}

/** What `codedError` returns: the constructor of an error that is a code, a message and an optional cause. */
export type CodedErrorClass = new (message: string, options?: HilErrorOptions) => HilError;

/**
 * The base of an error class whose whole shape is its code: `class XError extends codedError('X') {}` takes
 * `(message, options?)`, and is a `HilError` named after the class (`name` comes from `new.target`).
 */
function codedError(code: HilErrorCode): CodedErrorClass {
  return class extends HilError {
    constructor(message: string, options?: HilErrorOptions) {
      super(code, message, options);
    }
  };
}

/** Bad input from a user: a file, an option, a URL. Exit code 2. */
export class ConfigError extends HilError {
  /** Where in a file, if known: `file:line:column`. */
  readonly location: string | undefined;
  constructor(message: string, location?: string, options?: HilErrorOptions) {
    super('CONFIG', location ? `${location}: ${message}` : message, options);
    this.location = location;
  }
}

/** A medium or device exists in the code but cannot be used on this machine (no kernel CAN, no port). */
export class InterfaceNotAvailableError extends codedError('INTERFACE_NOT_AVAILABLE') {}

/** A medium name nobody registered (`foo://...`). */
export class UnknownMediumError extends HilError {
  constructor(readonly medium: string, known: readonly string[]) {
    super('UNKNOWN_MEDIUM', `unknown CAN medium '${medium}' (known: ${known.join(', ')})`);
  }
}

/** A registered medium whose module failed to load (missing optional dependency, native build failed). */
export class MediumLoadError extends HilError {
  constructor(readonly medium: string, options?: HilErrorOptions) {
    const why = options?.cause instanceof Error ? `: ${options.cause.message.split('\n')[0]}` : '';
    super('MEDIUM_LOAD', `CAN medium '${medium}' failed to load${why}`, options);
  }
}

/** An operation failed at run time (I/O error, peer refused). */
export class OperationError extends codedError('OPERATION') {}

/** Something did not happen within its deadline. */
export class HilTimeoutError extends codedError('TIMEOUT') {}

/** A value could not be encoded (names the message and signal where there is one). */
export class EncodeError extends codedError('ENCODE') {}

/** Bytes could not be decoded (names the message and signal where there is one). */
export class DecodeError extends codedError('DECODE') {}

/** The object was closed by its owner; pending operations are cancelled with this (not a fault). */
export class ClosedError extends HilError {
  constructor(what: string) {
    super('CLOSED', `${what} is closed`);
  }
}

/** The peer or device went away (TCP reset, USB adapter unplugged): a fault, unlike `ClosedError`. */
export class DisconnectedError extends codedError('DISCONNECTED') {}

/** The peer sent bytes that break the protocol. Usually counted and logged, not thrown to the top. */
export class ProtocolError extends codedError('PROTOCOL') {}

/** A CAN frame that is not valid (id out of range, too many bytes). */
export class FrameError extends HilError {
  constructor(message: string) {
    super('FRAME', message);
  }
}

/**
 * The process exit codes of `hil` (DESIGN.md, README "Exit codes"). One table, so the CLI, the docs and the tests
 * agree. When several apply, the first in this order wins: interrupted (130/143), failed (1), error (3), not
 * everything ran (4), passed (0); bad input (2) is found before anything runs.
 */
export const ExitCode = {
  /** Every selected scenario ran and passed. */
  PASSED: 0,
  /** At least one scenario failed (the controller did something wrong). */
  FAILED: 1,
  /** Bad input or configuration: nothing ran (or, for `hil merge`, nothing was merged). */
  BAD_INPUT: 2,
  /** A harness or controller error: a scenario could not be judged (crash, hang, lost adapter). */
  ERROR: 3,
  /** Not everything ran: a selected scenario was skipped (its time mode), and `--allow-skip` was not given. */
  NOT_ALL_RAN: 4,
  /** Interrupted by SIGINT (128 + 2, as shells report it). */
  SIGINT: 130,
  /** Interrupted by SIGTERM (128 + 15). */
  SIGTERM: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Exit code for a run stopped by a signal: 128 + its number (130 SIGINT, 143 SIGTERM). */
export function exitCodeForSignal(signal: 'SIGINT' | 'SIGTERM'): 130 | 143 {
  return signal === 'SIGINT' ? ExitCode.SIGINT : ExitCode.SIGTERM;
}

/** Exit code for an error per DESIGN.md: 2 for bad input/configuration, 3 for anything else. */
export function exitCodeFor(err: unknown): 2 | 3 {
  if (err instanceof ConfigError || err instanceof UnknownMediumError) return 2;
  if (err instanceof InterfaceNotAvailableError || err instanceof MediumLoadError) return 2;
  return 3;
}

/** A Modbus server answered with an exception response (function code | 0x80, exception code). */
export class ModbusExceptionError extends OperationError {
  constructor(
    readonly functionCode: number,
    readonly exceptionCode: number,
    detail?: string,
  ) {
    super(`Modbus exception ${exceptionCode} to function ${functionCode}${detail ? `: ${detail}` : ''}`);
  }
}
