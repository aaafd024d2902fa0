/** Which objects an attribute applies to (`BA_DEF_ [BU_|BO_|SG_|EV_]`, none = the network). */
export type AttributeObjectType = 'network' | 'node' | 'message' | 'signal' | 'envvar';

/** An attribute value as written in the file: numbers for INT/HEX/FLOAT/ENUM index, strings for STRING. */
export type AttributeValue = number | string;

/** `BA_DEF_` plus its `BA_DEF_DEF_` default. */
export interface AttributeDefinition {
  name: string;
  objectType: AttributeObjectType;
  valueType: 'INT' | 'HEX' | 'FLOAT' | 'STRING' | 'ENUM';
  minimum?: number;
  maximum?: number;
  /** ENUM choices; a `BA_` value for an ENUM attribute is an index into this list. */
  choices?: string[];
  /** From `BA_DEF_DEF_`, if any. */
  defaultValue?: AttributeValue;
}

/** Attribute values set on one object, with lookup that falls back to the definition's default. */
export class Attributes {
  readonly values = new Map<string, AttributeValue>();

  constructor(private readonly definitions: ReadonlyMap<string, AttributeDefinition>) {}

  /** The value set with `BA_`, else the `BA_DEF_DEF_` default, else undefined. ENUM indexes stay numbers. */
  get(name: string): AttributeValue | undefined {
    return this.values.get(name) ?? this.definitions.get(name)?.defaultValue;
  }

  /** Like `get`, but an ENUM value is returned as its choice name. */
  getText(name: string): string | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    const def = this.definitions.get(name);
    if (def?.valueType === 'ENUM' && typeof v === 'number') return def.choices?.[v] ?? String(v);
    return String(v);
  }

  /** Numeric value (set or default), or undefined when absent or not a number. */
  getNumber(name: string): number | undefined {
    const v = this.get(name);
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    return undefined;
  }
}
