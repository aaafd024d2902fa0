import { ConfigError } from '../../../core/errors';
import { MAX_EXT_ID, MAX_STD_ID } from '../frame';
import { Attributes, type AttributeDefinition, type AttributeObjectType, type AttributeValue } from './attributes';
import { Database } from './database';
import { tokenize, type Token } from './dbc-lexer';
import { Message } from './message';
import { Signal } from './signal';
import { checkLayout } from './layout-check';

/** Statements this parser reads past without keeping (they do not affect encode/decode). */
const SKIPPED = new Set([
  'EV_', 'ENVVAR_DATA_', 'SGTYPE_', 'SGTYPE_VAL_', 'BA_DEF_SGTYPE_', 'BA_SGTYPE_', 'SIG_TYPE_REF_', 'SIG_GROUP_',
  'SIGTYPE_VALTYPE_', 'BA_DEF_REL_', 'BA_REL_', 'BA_DEF_DEF_REL_', 'BU_SG_REL_', 'BU_EV_REL_', 'BU_BO_REL_',
  'CAT_DEF_', 'CAT_', 'FILTER', 'EV_DATA_', 'SIG_VALTYPE_REL_',
]);
const HANDLED = ['VERSION', 'NS_', 'BS_', 'BU_', 'VAL_TABLE_', 'BO_', 'BO_TX_BU_', 'CM_', 'BA_DEF_', 'BA_DEF_DEF_', 'BA_',
  'VAL_', 'SIG_VALTYPE_', 'SG_MUL_VAL_'];
const KEYWORDS = new Set([...HANDLED, ...SKIPPED, 'SG_']);
/** Vector's placeholder for "no node". */
const NO_NODE = 'Vector__XXX';
/** Vector's pseudo message holding signals not mapped to any message; it is not a real frame. */
const INDEPENDENT_SIGNALS = 'VECTOR__INDEPENDENT_SIG_MSG';

/**
 * Parse DBC text into a {@link Database}: VERSION, NS_, BS_, BU_, VAL_TABLE_, BO_/SG_ (incl. multiplexing `M`,
 * `mN`, `mNM`), BO_TX_BU_, CM_, BA_DEF_/BA_DEF_DEF_/BA_, VAL_, SIG_VALTYPE_, SG_MUL_VAL_. Other Vector statements
 * (EV_, SIG_GROUP_, ...) are read past. Any error is a `ConfigError` located `file:line:column` that says what
 * was expected.
 */
export function parseDbc(text: string, fileName = '<dbc>'): Database {
  return new DbcParser(tokenize(text, fileName), fileName).parse();
}

class DbcParser {
  private pos = 0;
  private readonly db = new Database();
  private readonly byDbcId = new Map<number, Message>();
  private readonly signalAt = new Map<Signal, Token>();
  private readonly messageAt = new Map<Message, Token>();
  /** `mN` values waiting for their multiplexer to be resolved once the file is read. */
  private readonly simpleMux = new Map<Signal, number>();
  private readonly extendedMux = new Map<Signal, { multiplexer: string; ranges: Array<[number, number]>; at: Token }>();
  private readonly ignoredMessages = new Set<number>();

  constructor(private readonly tokens: Token[], private readonly file: string) {}

  parse(): Database {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (t.kind !== 'ident') this.fail(t, 'a keyword (VERSION, BU_, BO_, CM_, BA_, VAL_, ...)');
      this.next();
      switch (t.text) {
        case 'VERSION': this.db.version = this.expectString('the version string').text; break;
        case 'NS_': this.parseNewSymbols(); break;
        case 'BS_': this.parseBitTiming(); break;
        case 'BU_': this.parseNodes(); break;
        case 'VAL_TABLE_': this.parseValueTable(); break;
        case 'BO_': this.parseMessage(t); break;
        case 'BO_TX_BU_': this.parseTransmitters(); break;
        case 'CM_': this.parseComment(); break;
        case 'BA_DEF_': this.parseAttributeDefinition(); break;
        case 'BA_DEF_DEF_': this.parseAttributeDefault(); break;
        case 'BA_': this.parseAttribute(); break;
        case 'VAL_': this.parseValueDescriptions(); break;
        case 'SIG_VALTYPE_': this.parseValueType(); break;
        case 'SG_MUL_VAL_': this.parseExtendedMultiplexing(); break;
        case 'SG_': this.fail(t, 'BO_ before SG_ (a signal must follow its message)'); break;
        default:
          if (SKIPPED.has(t.text)) this.skipStatement();
          else this.fail(t, `a DBC keyword (${HANDLED.join(', ')})`);
      }
    }
    this.resolveMultiplexing();
    for (const m of this.db.messages) checkLayout(m, (s) => this.where(this.signalAt.get(s) ?? this.messageAt.get(m)!));
    return this.db;
  }

  // --- sections ---------------------------------------------------------------------------------------------

  private parseNewSymbols(): void {
    this.expectPunct(':');
    // The list holds keyword names, indented; it ends at the first token in column 1 (normally BS_).
    while (this.peek().kind === 'ident' && this.peek().col > 1) this.next();
  }

  private parseBitTiming(): void {
    this.expectPunct(':');
    if (this.peek().kind === 'number' && this.peek().line === this.tokens[this.pos - 1]!.line) {
      this.db.baudrate = this.expectInt('the baud rate');
      if (this.acceptPunct(':')) {
        this.expectInt('BTR1');
        this.expectPunct(',');
        this.expectInt('BTR2');
      }
    }
  }

  private parseNodes(): void {
    this.expectPunct(':');
    const line = this.tokens[this.pos - 1]!.line;
    // Names follow on the same line (or indented continuation lines).
    while (this.isName(this.peek()) && (this.peek().line === line || this.peek().col > 1)) {
      const name = this.next().text;
      if (!this.db.nodes.some((n) => n.name === name)) {
        this.db.nodes.push({ name, attributes: new Attributes(this.db.attributeDefinitions) });
      }
    }
  }

  private parseValueTable(): void {
    const name = this.expectIdent('the value table name').text;
    this.db.valueTables.set(name, this.parseValuePairs());
  }

  private parseMessage(at: Token): void {
    const idTok = this.expectNumberToken('the message id');
    const dbcId = this.toInt(idTok, 'the message id');
    const name = this.expectIdent('the message name').text;
    this.expectPunct(':');
    const length = this.expectInt('the message length (DLC in bytes)');
    const senderTok = this.expectIdent('the sending node (or Vector__XXX)');
    const extended = dbcId >= 0x80000000;
    const frameId = extended ? dbcId - 0x80000000 : dbcId;
    if (name === INDEPENDENT_SIGNALS) {
      this.ignoredMessages.add(dbcId);
      while (this.peekIs('SG_')) {
        this.next();
        this.parseSignal();
      }
      return;
    }
    if (extended ? frameId > MAX_EXT_ID : frameId > MAX_STD_ID) {
      this.fail(idTok, extended
        ? `an extended id of at most 29 bits (0x${frameId.toString(16)} is too large)`
        : `an 11-bit id (0x${frameId.toString(16)} > 0x7FF; add 0x80000000 = ${dbcId + 0x80000000} for an extended id)`);
    }
    if (length < 0 || length > 64) this.fail(this.tokens[this.pos - 2]!, 'a message length of 0..64 bytes');
    const message = new Message(
      { frameId, isExtended: extended, name, length, senders: senderTok.text === NO_NODE ? [] : [senderTok.text] },
      this.db.attributeDefinitions,
    );
    try {
      this.db.addMessage(message);
    } catch (err) {
      throw new ConfigError((err as Error).message, this.where(at));
    }
    this.byDbcId.set(dbcId, message);
    this.messageAt.set(message, at);
    while (this.peekIs('SG_')) {
      this.next();
      const signal = this.parseSignal();
      if (message.getSignal(signal.name)) this.fail(this.signalAt.get(signal)!, `a signal name not used before in ${name}`);
      message.addSignal(signal);
    }
  }

  private parseSignal(): Signal {
    const nameTok = this.expectIdent('the signal name');
    let isMultiplexer = false;
    let muxValue: number | undefined;
    if (this.peek().kind === 'ident') {
      const mt = this.next();
      const m = /^(?:(M)|m(\d+)(M?))$/.exec(mt.text);
      if (!m) this.fail(mt, "a multiplexer indicator ('M', 'm<n>' or 'm<n>M') or ':'");
      if (m![1]) isMultiplexer = true;
      else {
        muxValue = Number(m![2]);
        isMultiplexer = m![3] === 'M';
      }
    }
    this.expectPunct(':');
    const startBit = this.expectInt('the start bit');
    this.expectPunct('|');
    const lenTok = this.peek();
    const length = this.expectInt('the signal length in bits');
    if (length < 1 || length > 64) this.fail(lenTok, 'a signal length of 1..64 bits');
    this.expectPunct('@');
    const orderTok = this.expectNumberToken("the byte order ('1' little endian, '0' big endian)");
    if (orderTok.text !== '0' && orderTok.text !== '1') this.fail(orderTok, "the byte order '0' (big endian) or '1' (little endian)");
    const signTok = this.next();
    if (signTok.kind !== 'punct' || (signTok.text !== '+' && signTok.text !== '-')) {
      this.fail(signTok, "'+' (unsigned) or '-' (signed) after the byte order");
    }
    this.expectPunct('(');
    const factor = this.expectNumber('the factor');
    this.expectPunct(',');
    const offset = this.expectNumber('the offset');
    this.expectPunct(')');
    this.expectPunct('[');
    const minimum = this.expectNumber('the minimum');
    this.expectPunct('|');
    const maximum = this.expectNumber('the maximum');
    this.expectPunct(']');
    const unit = this.expectString('the unit string').text;
    const receivers: string[] = [];
    // Comma-separated per the format; some tools separate with spaces. Either way they end with the line.
    const line = this.tokens[this.pos - 1]!.line;
    while (this.isName(this.peek()) && this.peek().line === line) {
      const r = this.next().text;
      if (r !== NO_NODE) receivers.push(r);
      this.acceptPunct(',');
    }
    if (factor === 0) this.fail(nameTok, 'a non-zero factor');
    const signal = new Signal(
      { name: nameTok.text, startBit, length, byteOrder: orderTok.text === '1' ? 'little_endian' : 'big_endian',
        isSigned: signTok.text === '-', factor, offset, minimum, maximum, unit, receivers, isMultiplexer },
      this.db.attributeDefinitions,
    );
    this.signalAt.set(signal, nameTok);
    if (muxValue !== undefined) this.simpleMux.set(signal, muxValue);
    return signal;
  }

  private parseTransmitters(): void {
    const m = this.messageRef();
    this.expectPunct(':');
    while (this.isName(this.peek())) {
      const name = this.next().text;
      if (m && !m.senders.includes(name)) m.senders.push(name);
      if (!this.acceptPunct(',')) break;
    }
    this.expectPunct(';');
  }

  private parseComment(): void {
    const t = this.peek();
    if (t.kind === 'string') {
      this.db.comment = this.next().text;
    } else {
      const kind = this.expectIdent('BU_, BO_, SG_, EV_ or the comment string').text;
      if (kind === 'BU_') {
        const node = this.nodeRef();
        node.comment = this.expectString('the comment string').text;
      } else if (kind === 'BO_') {
        const m = this.messageRef();
        const c = this.expectString('the comment string').text;
        if (m) m.comment = c;
      } else if (kind === 'SG_') {
        const s = this.signalRef();
        const c = this.expectString('the comment string').text;
        if (s) s.comment = c;
      } else if (kind === 'EV_') {
        this.expectIdent('the environment variable name');
        this.expectString('the comment string');
      } else {
        this.fail(t, 'BU_, BO_, SG_ or EV_ after CM_');
      }
    }
    this.expectPunct(';');
  }

  private parseAttributeDefinition(): void {
    let objectType: AttributeObjectType = 'network';
    const t = this.peek();
    if (t.kind === 'ident') {
      const map: Record<string, AttributeObjectType> = { BU_: 'node', BO_: 'message', SG_: 'signal', EV_: 'envvar' };
      const o = map[t.text];
      if (!o) this.fail(t, 'BU_, BO_, SG_, EV_ or the attribute name string');
      objectType = o!;
      this.next();
    }
    const name = this.expectString('the attribute name string').text;
    const typeTok = this.expectIdent('the attribute type (INT, HEX, FLOAT, STRING or ENUM)');
    const def: AttributeDefinition = { name, objectType, valueType: 'INT' };
    switch (typeTok.text) {
      case 'INT':
      case 'HEX':
      case 'FLOAT':
        def.valueType = typeTok.text;
        def.minimum = this.expectNumber('the minimum');
        def.maximum = this.expectNumber('the maximum');
        break;
      case 'STRING':
        def.valueType = 'STRING';
        break;
      case 'ENUM':
        def.valueType = 'ENUM';
        def.choices = [];
        if (this.peek().kind === 'string') {
          def.choices.push(this.next().text);
          while (this.acceptPunct(',')) def.choices.push(this.expectString('an ENUM value string').text);
        }
        break;
      default:
        this.fail(typeTok, 'the attribute type INT, HEX, FLOAT, STRING or ENUM');
    }
    this.expectPunct(';');
    const prev = this.db.attributeDefinitions.get(name);
    if (prev?.defaultValue !== undefined) def.defaultValue = prev.defaultValue;
    this.db.attributeDefinitions.set(name, def);
  }

  private parseAttributeDefault(): void {
    const nameTok = this.expectString('the attribute name string');
    const value = this.parseAttributeValue();
    this.expectPunct(';');
    const def = this.db.attributeDefinitions.get(nameTok.text);
    if (!def) this.fail(nameTok, `an attribute defined with BA_DEF_ before (no BA_DEF_ "${nameTok.text}")`);
    def!.defaultValue = def!.valueType === 'ENUM' && typeof value === 'string' && def!.choices?.includes(value)
      ? def!.choices.indexOf(value)
      : value;
  }

  private parseAttribute(): void {
    const name = this.expectString('the attribute name string').text;
    const t = this.peek();
    let target: Attributes | undefined = this.db.attributes;
    if (t.kind === 'ident') {
      this.next();
      if (t.text === 'BU_') target = this.nodeRef().attributes;
      else if (t.text === 'BO_') target = this.messageRef()?.attributes;
      else if (t.text === 'SG_') target = this.signalRef()?.attributes;
      else if (t.text === 'EV_') {
        this.expectIdent('the environment variable name');
        target = undefined;
      } else this.fail(t, 'BU_, BO_, SG_, EV_ or the attribute value');
    }
    const value = this.parseAttributeValue();
    this.expectPunct(';');
    target?.values.set(name, value);
  }

  private parseAttributeValue(): AttributeValue {
    const t = this.next();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    return this.fail(t, 'an attribute value (a number or a string)');
  }

  private parseValueDescriptions(): void {
    const t = this.peek();
    if (t.kind === 'ident') {
      // VAL_ for an environment variable.
      this.next();
      this.parseValuePairs();
      return;
    }
    const signal = this.signalRef();
    const choices = this.parseValuePairs();
    if (signal) signal.choices = choices;
  }

  private parseValuePairs(): Map<number, string> {
    const values = new Map<number, string>();
    while (this.peek().kind === 'number') {
      const v = this.expectNumber('a raw value');
      values.set(v, this.expectString('the value description string').text);
    }
    this.expectPunct(';');
    return values;
  }

  private parseValueType(): void {
    const signal = this.signalRef();
    this.acceptPunct(':');
    const t = this.expectNumberToken('the value type (0 integer, 1 float, 2 double)');
    this.expectPunct(';');
    if (!signal) return;
    if (t.text === '0') signal.valueType = 'integer';
    else if (t.text === '1' || t.text === '2') {
      const bits = t.text === '1' ? 32 : 64;
      if (signal.length !== bits) {
        this.fail(t, `a ${bits}-bit signal for SIG_VALTYPE_ ${t.text} (${signal.name} has ${signal.length} bits)`);
      }
      signal.valueType = t.text === '1' ? 'float32' : 'float64';
    } else this.fail(t, 'the value type 0 (integer), 1 (float) or 2 (double)');
  }

  private parseExtendedMultiplexing(): void {
    const at = this.peek();
    const signal = this.signalRef();
    const multiplexer = this.expectIdent('the multiplexer signal name').text;
    const ranges: Array<[number, number]> = [];
    do {
      const lo = this.expectInt('a range start');
      const hiTok = this.expectNumberToken('a range end (written lo-hi)');
      // The lexer reads "0-5" as 0 and -5: the dash is the range separator.
      const hi = Math.abs(this.toInt(hiTok, 'a range end'));
      if (!hiTok.text.startsWith('-') || hi < lo) this.fail(hiTok, 'a range written lo-hi with lo <= hi');
      ranges.push([lo, hi]);
    } while (this.acceptPunct(','));
    this.expectPunct(';');
    if (!signal) return;
    const prev = this.extendedMux.get(signal);
    if (prev && prev.multiplexer === multiplexer) prev.ranges.push(...ranges);
    else this.extendedMux.set(signal, { multiplexer, ranges, at });
  }

  // --- after the file is read ---------------------------------------------------------------------------

  private resolveMultiplexing(): void {
    for (const m of this.db.messages) {
      const muxers = m.signals.filter((s) => s.isMultiplexer);
      for (const s of m.signals) {
        const ext = this.extendedMux.get(s);
        if (ext) {
          const mux = m.getSignal(ext.multiplexer);
          if (!mux || !mux.isMultiplexer) {
            this.fail(ext.at, `a multiplexer signal of ${m.name} ('${ext.multiplexer}' is not marked M or m<n>M)`);
          }
          s.multiplexedBy = { multiplexer: ext.multiplexer, ranges: ext.ranges };
          continue;
        }
        const value = this.simpleMux.get(s);
        if (value === undefined) continue;
        const candidates = muxers.filter((x) => x !== s);
        if (candidates.length !== 1) {
          this.fail(this.signalAt.get(s)!, candidates.length === 0
            ? `a multiplexer signal ('M') in message ${m.name} for m${value}`
            : `SG_MUL_VAL_ for ${s.name}: ${m.name} has several multiplexers (${candidates.map((c) => c.name).join(', ')})`);
        }
        s.multiplexedBy = { multiplexer: candidates[0]!.name, ranges: [[value, value]] };
      }
    }
  }

  // --- references ---------------------------------------------------------------------------------------

  /** `<dbc id>`: the message, undefined for the ignored pseudo message; fails for an unknown id. */
  private messageRef(): Message | undefined {
    const t = this.expectNumberToken('a message id');
    const id = this.toInt(t, 'a message id');
    const m = this.byDbcId.get(id);
    if (!m && !this.ignoredMessages.has(id)) this.fail(t, `the id of a message defined with BO_ (no BO_ ${id})`);
    return m;
  }

  private signalRef(): Signal | undefined {
    const m = this.messageRef();
    const t = this.expectIdent('a signal name');
    if (!m) return undefined;
    const s = m.getSignal(t.text);
    if (!s) this.fail(t, `a signal of ${m.name} (signals: ${m.signals.map((x) => x.name).join(', ') || 'none'})`);
    return s;
  }

  private nodeRef(): { name: string; comment?: string; attributes: Attributes } {
    const t = this.expectIdent('a node name');
    const node = this.db.nodes.find((n) => n.name === t.text);
    if (!node) this.fail(t, `a node listed in BU_ (no node '${t.text}')`);
    return node!;
  }

  // --- token helpers ----------------------------------------------------------------------------------

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private peekIs(keyword: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text === keyword;
  }

  private isName(t: Token): boolean {
    return t.kind === 'ident' && !KEYWORDS.has(t.text);
  }

  private acceptPunct(p: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === p) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expectPunct(p: string): void {
    if (!this.acceptPunct(p)) this.fail(this.peek(), `'${p}'`);
  }

  private expectIdent(what: string): Token {
    const t = this.next();
    if (t.kind !== 'ident') this.fail(t, what);
    return t;
  }

  private expectString(what: string): Token {
    const t = this.next();
    if (t.kind !== 'string') this.fail(t, `${what} in double quotes`);
    return t;
  }

  private expectNumberToken(what: string): Token {
    const t = this.next();
    if (t.kind !== 'number') this.fail(t, what);
    return t;
  }

  private expectNumber(what: string): number {
    return Number(this.expectNumberToken(what).text);
  }

  private expectInt(what: string): number {
    return this.toInt(this.expectNumberToken(what), what);
  }

  private toInt(t: Token, what: string): number {
    const v = Number(t.text);
    if (!Number.isSafeInteger(v)) this.fail(t, `${what} as an integer`);
    return v;
  }

  private skipStatement(): void {
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') this.fail(t, "';' to end the statement");
      if (t.kind === 'punct' && t.text === ';') return;
    }
  }

  private where(t: Token): string {
    return `${this.file}:${t.line}:${t.col}`;
  }

  private fail(t: Token, expected: string): never {
    const got = t.kind === 'eof' ? 'end of file' : t.kind === 'string' ? `"${t.text}"` : `'${t.text}'`;
    throw new ConfigError(`expected ${expected}, got ${got}`, this.where(t));
  }
}
