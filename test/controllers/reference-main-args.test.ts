import { ConfigError } from '../../core/errors';
import { parseInverterArg } from '../../examples/controllers/reference/main';

describe('reference controller: --inverter', () => {
  it('takes Modbus/TCP and RTU units', () => {
    expect(parseInverterArg('inv1=tcp://127.0.0.1:1502/3?pack=pack1')).toEqual({
      name: 'inv1',
      link: { kind: 'tcp', host: '127.0.0.1', port: 1502 },
      unitId: 3,
      pack: 'pack1',
    });
    expect(parseInverterArg('inv2=rtu:///dev/ttyUSB0?baud=19200&parity=none&unit=2')).toEqual({
      name: 'inv2',
      link: { kind: 'rtu', path: '/dev/ttyUSB0', baudRate: 19200, parity: 'none' },
      unitId: 2,
    });
    expect(parseInverterArg('inv3=rtu:///dev/pts/4').link).toEqual({ kind: 'rtu', path: '/dev/pts/4', baudRate: 9600, parity: 'even' });
  });

  it('takes a brand driver with map= (sunspec is the default and needs no driver)', () => {
    expect(parseInverterArg('inv2=tcp://127.0.0.1:1502/2?pack=pack2&map=sungrow-sh')).toMatchObject({ unitId: 2, pack: 'pack2', map: 'sungrow-sh' });
    expect(parseInverterArg('inv3=tcp://127.0.0.1:1502/1?map=huawei-sun2000').map).toBe('huawei-sun2000');
    expect(parseInverterArg('inv1=tcp://127.0.0.1:1502/1?map=sunspec').map).toBeUndefined();
    expect(() => parseInverterArg('inv1=tcp://127.0.0.1:1502/1?map=fronius-gen24')).toThrow(/map 'fronius-gen24' is not one the controller drives \(sunspec, sungrow-sh, huawei-sun2000\)/);
  });

  it('refuses what it cannot reach, naming the argument', () => {
    expect(() => parseInverterArg('inv1=udp://x:1/1')).toThrow(ConfigError);
    expect(() => parseInverterArg('inv1=rtu:///dev/ttyUSB0?baud=fast')).toThrow(/baud 'fast'/);
    expect(() => parseInverterArg('inv1=rtu:///dev/ttyUSB0?parity=mark')).toThrow(/parity/);
    expect(() => parseInverterArg('inv1=rtu:///dev/ttyUSB0?unit=300')).toThrow(/unit id '300'/);
    expect(() => parseInverterArg('inv1')).toThrow(/NAME=URL/);
  });
});
