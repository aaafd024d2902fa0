import { ConfigError } from '../../core/errors';
import { MODBUS_FAULT_KINDS, modbusFaultRule } from './modbus-faults';

describe('modbusFaultRule', () => {
  it('maps every scenario Modbus fault to a server-core rule on the unit, with filters', () => {
    for (const kind of MODBUS_FAULT_KINDS) {
      const rule = modbusFaultRule(kind, kind === 'modbus-delay' ? { ms: 300 } : {}, 2);
      expect(rule.unitId).toBe(2);
      expect(`modbus-${rule.fault.kind}`).toBe(kind);
    }
    expect(modbusFaultRule('modbus-exception', { code: 6, functionCode: 3, address: { from: 40000, to: 40100 }, remaining: 2 }, 1)).toEqual({
      fault: { kind: 'exception', code: 6 },
      unitId: 1,
      functionCode: 3,
      address: { from: 40000, to: 40100 },
      remaining: 2,
    });
  });

  it('a missing or non-numeric parameter, or an unknown kind, is a ConfigError', () => {
    expect(() => modbusFaultRule('modbus-delay', {}, 1)).toThrow(new ConfigError(`fault 'modbus-delay' needs a number 'ms'`));
    expect(() => modbusFaultRule('modbus-split', { chunks: 'two' }, 1)).toThrow(ConfigError);
    expect(() => modbusFaultRule('modbus-melt', {}, 1)).toThrow(/unknown Modbus fault/);
  });
});
