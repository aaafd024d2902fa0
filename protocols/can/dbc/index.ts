import { readFileSync } from 'node:fs';
import { ConfigError } from '../../../core/errors';
import type { Database } from './database';
import { parseDbc } from './dbc-parser';

export { Database } from './database';
export type { DbcNode } from './database';
export { Message } from './message';
export type { DecodedMessage, DecodeOptions, EncodeOptions, MessageSpec } from './message';
export { Signal } from './signal';
export type { MultiplexCondition, RawValue, SignalInput, SignalSpec, SignalValueType } from './signal';
export type { ByteOrder } from './bit-layout';
export type { AttributeDefinition, AttributeObjectType, AttributeValue } from './attributes';
export { parseDbc } from './dbc-parser';
export { formatDecoded } from './format-decoded';

/**
 * Read and parse a DBC file. Throws `ConfigError` for a file that cannot be read and for any syntax or
 * consistency error (located `path:line:column`). DBC files are often Latin-1 (Vector tools): bytes that are not
 * valid UTF-8 are read as Latin-1.
 */
export function loadDbc(path: string): Database {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ConfigError(`cannot read DBC file: ${(err as Error).message}`, path, { cause: err });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = bytes.toString('latin1');
  }
  return parseDbc(text, path);
}
