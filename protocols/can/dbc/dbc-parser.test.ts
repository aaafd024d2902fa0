import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../core/errors';
import { loadDbc, parseDbc } from './index';

const FIXTURES = join(__dirname, '../../../data/dbc');

const HEADER = 'VERSION ""\nNS_ :\n\tCM_\n\tBA_\nBS_:\nBU_: A B\n';

function parseError(text: string): ConfigError {
  try {
    parseDbc(text, 'bad.dbc');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseDbc', () => {
  it('reads messages, signals, nodes, comments, attributes and value tables of the feature fixture', () => {
    const db = loadDbc(join(FIXTURES, 'features.dbc'));
    expect(db.version).toBe('features-1');
    expect(db.nodes.map((n) => n.name)).toEqual(['Tester', 'DUT']);
    expect(db.nodes[1]!.comment).toBe('The device under test.');
    expect(db.nodes[1]!.attributes.get('NodeLayer')).toBe(3);
    expect(db.comment).toMatch(/every DBC feature/);
    expect(db.attributes.get('BusType')).toBe('CAN');
    expect(db.valueTables.get('GearTable')?.get(3)).toBe('Drive');
    expect(db.messages.map((m) => m.name)).toEqual(['Mixed', 'Floats', 'Double', 'Wide', 'Muxed', 'Ext29', 'ExtMux']);

    const mixed = db.getMessage('Mixed');
    expect(mixed.frameId).toBe(0x100);
    expect(mixed.isExtended).toBe(false);
    expect(mixed.senders).toEqual(['DUT', 'Tester']); // BO_TX_BU_ adds Tester
    expect(mixed.cycleTime).toBe(100);
    expect(mixed.comment).toMatch(/Little- and big-endian/);
    const le = mixed.getSignal('LeSigned')!;
    expect([le.startBit, le.length, le.byteOrder, le.isSigned, le.factor, le.offset]).toEqual([12, 12, 'little_endian', true, 0.25, 0]);
    expect(le.receivers).toEqual(['Tester', 'DUT']);
    const be = mixed.getSignal('BeSigned')!;
    expect([be.startBit, be.length, be.byteOrder, be.minimum, be.maximum]).toEqual([53, 10, 'big_endian', -507, 516]);
    expect(be.comment).toMatch(/crossing a byte boundary/);
    expect(mixed.getSignal('NoRange')!.hasRange).toBe(false);
    expect(mixed.getSignal('Gear')!.choices.get(1)).toBe('Reverse');
    expect(mixed.getSignal('Gear')!.attributes.get('GenSigStartValue')).toBe(2);
    expect(mixed.getSignal('Flag')!.attributes.get('SignalLabel')).toBe('flag');
    expect(mixed.getSignal('Tail')!.attributes.get('SignalLabel')).toBe('');

    expect(db.getMessage('Floats').getSignal('BeFloat')!.valueType).toBe('float32');
    expect(db.getMessage('Double').getSignal('Value')!.valueType).toBe('float64');
    expect(db.getMessage('Muxed').attributes.getText('GenMsgSendType')).toBe('Event');
    expect(db.getMessage('Mixed').attributes.getText('GenMsgSendType')).toBe('Cyclic');

    const ext = db.getMessage(0x0cff1234);
    expect(ext.name).toBe('Ext29');
    expect(ext.isExtended).toBe(true);
    expect(ext.cycleTime).toBe(50);

    const muxed = db.getMessage('Muxed');
    expect(muxed.getSignal('Mux')!.isMultiplexer).toBe(true);
    expect(muxed.getSignal('TempB')!.multiplexedBy).toEqual({ multiplexer: 'Mux', ranges: [[0, 0]] });
    expect(muxed.getSignal('Counter')!.multiplexedBy).toBeUndefined();
    const extMux = db.getMessage('ExtMux');
    expect(extMux.getSignal('Mux2')!.isMultiplexer).toBe(true);
    expect(extMux.getSignal('Mux2')!.multiplexedBy).toEqual({ multiplexer: 'Mux1', ranges: [[1, 1]] });
    expect(extMux.getSignal('SigB')!.multiplexedBy).toEqual({ multiplexer: 'Mux2', ranges: [[2, 2], [4, 5]] });
  });

  it('reads the three protocol fixtures', () => {
    const lv = loadDbc(join(FIXTURES, 'pylon-lv.dbc'));
    expect(lv.messages.map((m) => m.frameId)).toEqual(
      [0x351, 0x355, 0x356, 0x359, 0x35c, 0x35e, 0x35a, 0x35f, 0x370, 0x371, 0x372, 0x373, 0x379, 0x305],
    );
    expect(lv.messages.every((m) => m.cycleTime === 1000)).toBe(true);
    const sma = loadDbc(join(FIXTURES, 'sma-lv-bigendian.dbc'));
    expect(sma.getMessage(0x351).signals.map((s) => s.name)).toEqual(
      ['ChargeVoltageLimit', 'DischargeCurrentLimit', 'ChargeCurrentLimit', 'DischargeVoltageLimit'],
    );
    expect(sma.getMessage(0x351).signals.every((s) => s.byteOrder === 'big_endian')).toBe(true);
    expect(sma.getMessage(0x351).cycleTime).toBe(100);
    const smaLe = loadDbc(join(FIXTURES, 'sma-lv.dbc'));
    expect(smaLe.getMessage(0x351).signals.map((s) => s.name)).toEqual(['ChargeVoltageLimit', 'ChargeCurrentLimit', 'DischargeCurrentLimit', 'DischargeVoltageLimit']);
    expect(smaLe.messages.every((m) => m.signals.every((s) => s.byteOrder === 'little_endian'))).toBe(true);
    const hv = loadDbc(join(FIXTURES, 'pylon-hv.dbc'));
    expect(hv.messages.every((m) => m.isExtended)).toBe(true);
    expect(hv.getMessage(0x4200).getSignal('RequestType')!.choices.get(2)).toBe('SystemEquipmentInformation');
    expect(hv.messages.map((m) => m.frameId)).toContain(0x7340);
    expect(hv.comment).toMatch(/Battery-Emulator/);
  });

  it('tolerates Windows line ends, comments and statements it does not model', () => {
    const text = `${HEADER}BO_ 1 M: 1 A\r\n SG_ S : 0|8@1+ (1,0) [0|255] "" B\r\n// a comment\r\nSIG_GROUP_ 1 G 1 : S;\r\nEV_ E: 0 [0|1] "" 0 1 DUMMY_NODE_VECTOR0 Vector__XXX;\r\n`;
    const db = parseDbc(text);
    expect(db.getMessage('M').getSignal('S')!.receivers).toEqual(['B']);
  });

  it('accepts receivers separated by spaces as well as commas', () => {
    const db = parseDbc(`${HEADER}BO_ 1 M: 2 A\n SG_ S : 0|8@1+ (1,0) [0|0] "" A B\n SG_ T : 8|8@1+ (1,0) [0|0] "" A, B\n`);
    expect(db.getMessage('M').signals.map((s) => s.receivers)).toEqual([['A', 'B'], ['A', 'B']]);
  });

  it('drops the VECTOR__INDEPENDENT_SIG_MSG pseudo message', () => {
    const db = parseDbc(`${HEADER}BO_ 3221225472 VECTOR__INDEPENDENT_SIG_MSG: 0 Vector__XXX\n SG_ X : 0|8@1+ (1,0) [0|0] "" Vector__XXX\nCM_ SG_ 3221225472 X "x";\n`);
    expect(db.messages).toHaveLength(0);
  });

  describe('errors give file:line:column and what was expected', () => {
    it.each([
      ['a missing colon', `${HEADER}BO_ 1 M 8 A\n`, 'bad.dbc:7:9', "expected ':'"],
      ['a bad byte order', `${HEADER}BO_ 1 M: 8 A\n SG_ S : 0|8@2+ (1,0) [0|0] "" B\n`, 'bad.dbc:8:14', 'byte order'],
      ['a missing sign', `${HEADER}BO_ 1 M: 8 A\n SG_ S : 0|8@1 (1,0) [0|0] "" B\n`, 'bad.dbc:8:16', "'+' (unsigned) or '-' (signed)"],
      ['an unterminated string', `${HEADER}CM_ "open\n`, 'bad.dbc:7:5', 'closing'],
      ['an unknown keyword', `${HEADER}FOO_ 1;\n`, 'bad.dbc:7:1', 'a DBC keyword'],
      ['a comment on an unknown message', `${HEADER}CM_ BO_ 99 "x";\n`, 'bad.dbc:7:9', 'no BO_ 99'],
      ['a signal that is not in the message', `${HEADER}BO_ 1 M: 1 A\n SG_ S : 0|8@1+ (1,0) [0|0] "" B\nVAL_ 1 T 0 "x" ;\n`, 'bad.dbc:9:8', 'a signal of M'],
      ['a standard id above 0x7FF', `${HEADER}BO_ 4096 M: 8 A\n`, 'bad.dbc:7:5', 'add 0x80000000'],
      ['a signal outside the message', `${HEADER}BO_ 1 M: 1 A\n SG_ S : 4|8@1+ (1,0) [0|0] "" B\n`, 'bad.dbc:8:6', 'needs 2 bytes'],
      ['a big-endian signal outside the message', `${HEADER}BO_ 1 M: 2 A\n SG_ S : 0|16@0+ (1,0) [0|0] "" B\n`, 'bad.dbc:8:6', 'needs 3 bytes'],
      ['overlapping signals', `${HEADER}BO_ 1 M: 2 A\n SG_ S : 0|8@1+ (1,0) [0|0] "" B\n SG_ T : 7|4@1+ (1,0) [0|0] "" B\n`, 'bad.dbc:9:6', 'overlaps signal S'],
      ['a float of the wrong size', `${HEADER}BO_ 1 M: 2 A\n SG_ S : 0|16@1+ (1,0) [0|0] "" B\nSIG_VALTYPE_ 1 S : 1;\n`, 'bad.dbc:9:20', 'a 32-bit signal'],
      ['mN without a multiplexer', `${HEADER}BO_ 1 M: 2 A\n SG_ S m1 : 0|8@1+ (1,0) [0|0] "" B\n`, 'bad.dbc:8:6', "multiplexer signal ('M')"],
      ['a duplicate message id', `${HEADER}BO_ 1 M: 1 A\nBO_ 1 N: 1 A\n`, 'bad.dbc:8:1', 'used twice'],
      ['a truncated file', `${HEADER}BO_ 1 M: 1 A\n SG_ S : 0|8@1+ (1,0`, 'bad.dbc:8:21', "expected ')', got end of file"],
    ])('%s', (_name, text, location, expected) => {
      const err = parseError(text);
      expect(err.location).toBe(location);
      expect(err.message).toContain(expected);
      expect(err.message.startsWith(`${location}: `)).toBe(true);
    });
  });

  it('reads Latin-1 files (as Vector tools write them)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-dbc-'));
    try {
      const path = join(dir, 'latin1.dbc');
      writeFileSync(path, Buffer.from('BU_: A\nBO_ 1 M: 1 A\n SG_ T : 0|8@1- (1,0) [-40|80] "\u00b0C" Vector__XXX\n', 'latin1'));
      expect(loadDbc(path).getMessage('M').getSignal('T')!.unit).toBe('\u00b0C');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing file as a ConfigError naming the path', () => {
    expect(() => loadDbc('/nonexistent/x.dbc')).toThrow(/\/nonexistent\/x\.dbc: cannot read DBC file/);
  });
});
