import { DecodeError, EncodeError } from '../../../core/errors';
import { makeFrame, type CanFrame } from '../frame';
import { Attributes, type AttributeDefinition } from './attributes';
import type { DecodedMessage, DecodeOptions, EncodeOptions, Message } from './message';
import type { SignalInput } from './signal';

/** A node (ECU) from `BU_`. */
export interface DbcNode {
  name: string;
  comment?: string;
  attributes: Attributes;
}

/**
 * A CAN database (cantools' `Database`, STYLE.md point 10): messages, nodes, value tables and attribute
 * definitions, independent of the file format it was read from.
 *
 * Contract:
 * - `getMessage(nameOrId)` finds by name, or by id (standard before extended when `extended` is not given); it
 *   throws `EncodeError` for an unknown message (the caller is about to encode). `findMessage` returns undefined.
 * - `encode` returns a validated `CanFrame`; errors are `EncodeError`s naming message and signal.
 * - `decode` throws `DecodeError` for an id the database does not know and for frames too short for their signals;
 *   `tryDecode` returns undefined for unknown ids (for dump tools) and still throws for malformed frames.
 */
export class Database {
  version = '';
  readonly nodes: DbcNode[] = [];
  readonly messages: Message[] = [];
  /** `VAL_TABLE_` tables by name (raw value -> text). */
  readonly valueTables = new Map<string, Map<number, string>>();
  readonly attributeDefinitions = new Map<string, AttributeDefinition>();
  /** Network-level attributes (`BA_ "name" value;`). */
  readonly attributes = new Attributes(this.attributeDefinitions);
  /** Network comment (`CM_ "text";`). */
  comment: string | undefined;
  /** Bus speed from `BS_: <baud>`, if given. */
  baudrate: number | undefined;
  private readonly byName = new Map<string, Message>();
  private readonly byId = new Map<string, Message>();

  /** @internal used by the parser. Throws if the name or id is taken; the parser reports it with a location. */
  addMessage(message: Message): void {
    if (this.byName.has(message.name)) throw new Error(`message name '${message.name}' is used twice`);
    const key = idKey(message.frameId, message.isExtended);
    if (this.byId.has(key)) throw new Error(`message id ${message.label} is used twice`);
    this.messages.push(message);
    this.byName.set(message.name, message);
    this.byId.set(key, message);
  }

  /** Message by name or id, or undefined. */
  findMessage(nameOrId: string | number, extended?: boolean): Message | undefined {
    if (typeof nameOrId === 'string') return this.byName.get(nameOrId);
    if (extended !== undefined) return this.byId.get(idKey(nameOrId, extended));
    return this.byId.get(idKey(nameOrId, false)) ?? this.byId.get(idKey(nameOrId, true));
  }

  /** Message by name or id; throws `EncodeError` naming what was asked for. */
  getMessage(nameOrId: string | number, extended?: boolean): Message {
    const m = this.findMessage(nameOrId, extended);
    if (m) return m;
    const what = typeof nameOrId === 'string' ? `'${nameOrId}'` : `id 0x${nameOrId.toString(16).toUpperCase()}`;
    throw new EncodeError(`unknown message ${what} (the database has ${this.messages.length} messages)`);
  }

  /** Build the frame for a message from signal values (physical numbers, choice names, booleans). */
  encode(nameOrId: string | number, values: Readonly<Record<string, SignalInput>>, options?: EncodeOptions): CanFrame {
    const m = this.getMessage(nameOrId);
    return makeFrame(m.frameId, m.encode(values, options), { extended: m.isExtended });
  }

  /** Decode a frame; throws `DecodeError` for an unknown id or a frame too short for its signals. */
  decode(frame: CanFrame, options?: DecodeOptions): DecodedMessage {
    const decoded = this.tryDecode(frame, options);
    if (!decoded) {
      throw new DecodeError(
        `no message with id 0x${frame.id.toString(16).toUpperCase()} (${frame.extended ? 'extended' : 'standard'}) in the database`,
      );
    }
    return decoded;
  }

  /** Decode a frame, or undefined for an id the database does not know (and for RTR/error frames). */
  tryDecode(frame: CanFrame, options?: DecodeOptions): DecodedMessage | undefined {
    if (frame.rtr || frame.error) return undefined;
    const m = this.byId.get(idKey(frame.id, frame.extended));
    return m?.decode(frame.data, options);
  }
}

function idKey(id: number, extended: boolean): string {
  return `${extended ? 'x' : 's'}${id}`;
}
