import { DecodeError, EncodeError } from '../../../core/errors';
import { Attributes, type AttributeDefinition } from './attributes';
import { Signal, SignalValueError, type RawValue, type SignalInput } from './signal';

/** Result of decoding one frame. */
export interface DecodedMessage {
  message: Message;
  /** Physical values of the signals present in this frame (multiplexed signals only when selected). */
  signals: Record<string, number>;
  /** Raw values (after sign/float interpretation, before factor/offset). */
  raw: Record<string, RawValue>;
  /** Value-table names for signals whose raw value has one. */
  choices: Record<string, string>;
}

/** Options for {@link Message.encode}. */
export interface EncodeOptions {
  /** Fill signals the caller left out with their initial value (`GenSigStartValue`, else raw 0). Default false. */
  allowMissing?: boolean;
}

/** Options for {@link Message.decode}. */
export interface DecodeOptions {
  /** Decode the signals that fit a frame shorter than the message, leaving the rest out. Default false. */
  allowTruncated?: boolean;
}

/** Everything needed to build a {@link Message}. */
export interface MessageSpec {
  frameId: number;
  isExtended: boolean;
  name: string;
  length: number;
  senders?: string[];
  signals?: Signal[];
  comment?: string;
}

/**
 * One message (cantools' `Message`): id, name, length and signals, and the encode/decode of its payload.
 *
 * Contract:
 * - `encode` throws `EncodeError` naming the message and the signal for an unknown signal, a missing one (unless
 *   `allowMissing`), a value outside `[min|max]` or the raw range, an unknown choice name, or a multiplexed signal
 *   whose multiplexer selects another group.
 * - `decode` throws `DecodeError` naming the message and the signal when the frame is too short for a signal it
 *   should carry (unless `allowTruncated`). Longer frames are accepted; extra bytes are ignored.
 */
export class Message {
  readonly frameId: number;
  readonly isExtended: boolean;
  readonly name: string;
  readonly length: number;
  readonly senders: string[];
  readonly signals: Signal[];
  comment: string | undefined;
  readonly attributes: Attributes;
  private readonly byName = new Map<string, Signal>();

  constructor(spec: MessageSpec, definitions: ReadonlyMap<string, AttributeDefinition> = new Map()) {
    this.frameId = spec.frameId;
    this.isExtended = spec.isExtended;
    this.name = spec.name;
    this.length = spec.length;
    this.senders = spec.senders ?? [];
    this.signals = [];
    this.comment = spec.comment;
    this.attributes = new Attributes(definitions);
    for (const s of spec.signals ?? []) this.addSignal(s);
  }

  /** @internal used by the parser while building the database. */
  addSignal(signal: Signal): void {
    this.signals.push(signal);
    this.byName.set(signal.name, signal);
  }

  /** Signal by name, or undefined. */
  getSignal(name: string): Signal | undefined {
    return this.byName.get(name);
  }

  /** `GenMsgCycleTime` in ms (set on the message, else the attribute default); undefined when absent or 0. */
  get cycleTime(): number | undefined {
    const v = this.attributes.getNumber('GenMsgCycleTime');
    return v ? v : undefined;
  }

  /** Whether any signal is multiplexed. */
  get isMultiplexed(): boolean {
    return this.signals.some((s) => s.isMultiplexer || s.multiplexedBy !== undefined);
  }

  /** `0x351`-style label for errors. */
  get label(): string {
    return `'${this.name}' (0x${this.frameId.toString(16).toUpperCase()}${this.isExtended ? ' ext' : ''})`;
  }

  /** Payload bytes (`length` long) carrying the given values. See the class contract for errors. */
  encode(values: Readonly<Record<string, SignalInput>>, options: EncodeOptions = {}): Uint8Array {
    for (const key of Object.keys(values)) {
      if (!this.byName.has(key)) {
        throw new EncodeError(`message ${this.label} has no signal '${key}' (signals: ${this.signalNames()})`);
      }
    }
    const raws = new Map<Signal, RawValue>();
    const rawOf = (s: Signal): RawValue => {
      let raw = raws.get(s);
      if (raw !== undefined) return raw;
      const v = values[s.name];
      if (v === undefined) {
        if (!options.allowMissing) {
          throw new EncodeError(`message ${this.label}: signal '${s.name}' is missing${s.isMultiplexer ? ' (it is the multiplexer)' : ''}`);
        }
        raw = s.initialRaw();
      } else {
        try {
          raw = s.toRaw(v);
        } catch (err) {
          if (err instanceof SignalValueError) {
            throw new EncodeError(`message ${this.label} signal '${s.name}': ${err.message}`);
          }
          throw err;
        }
      }
      raws.set(s, raw);
      return raw;
    };
    const data = new Uint8Array(this.length);
    for (const s of this.signals) {
      const inactive = this.inactiveReason(s, rawOf);
      if (inactive) {
        if (values[s.name] !== undefined) {
          throw new EncodeError(`message ${this.label} signal '${s.name}' is not sent when ${inactive}`);
        }
        continue;
      }
      s.writeRaw(data, rawOf(s));
    }
    return data;
  }

  /** Decode a payload. See the class contract for errors. */
  decode(data: Uint8Array, options: DecodeOptions = {}): DecodedMessage {
    const result: DecodedMessage = { message: this, signals: {}, raw: {}, choices: {} };
    const raws = new Map<Signal, RawValue | null>();
    const rawOf = (s: Signal): RawValue | null => {
      if (raws.has(s)) return raws.get(s)!;
      let raw: RawValue | null = null;
      if (s.bytesNeeded > data.length) {
        if (!options.allowTruncated) {
          throw new DecodeError(
            `message ${this.label} signal '${s.name}' needs ${s.bytesNeeded} bytes, frame has ${data.length}`,
          );
        }
      } else {
        raw = s.readRaw(data);
      }
      raws.set(s, raw);
      return raw;
    };
    for (const s of this.signals) {
      if (this.inactiveReason(s, rawOf)) continue;
      const raw = rawOf(s);
      if (raw === null) continue;
      result.raw[s.name] = raw;
      result.signals[s.name] = s.toPhysical(raw);
      const choice = s.choiceFor(raw);
      if (choice !== undefined) result.choices[s.name] = choice;
    }
    return result;
  }

  /**
   * Why a multiplexed signal is not present ("Mux = 1, it needs 0"), or undefined when it is. `rawOf` gives the
   * multiplexer's raw value (null: not available, which makes its dependants absent).
   */
  private inactiveReason(s: Signal, rawOf: (m: Signal) => RawValue | null, depth = 0): string | undefined {
    const cond = s.multiplexedBy;
    if (!cond) return undefined;
    const mux = this.byName.get(cond.multiplexer);
    if (!mux || depth > this.signals.length) return `multiplexer '${cond.multiplexer}' is unknown`;
    const up = this.inactiveReason(mux, rawOf, depth + 1);
    if (up) return up;
    const raw = rawOf(mux);
    if (raw === null) return `multiplexer '${mux.name}' is not in the frame`;
    const r = Number(raw);
    if (cond.ranges.some(([lo, hi]) => r >= lo && r <= hi)) return undefined;
    const want = cond.ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(', ');
    return `${mux.name} = ${r} (it needs ${want})`;
  }

  private signalNames(): string {
    return this.signals.map((s) => s.name).join(', ') || 'none';
  }
}
