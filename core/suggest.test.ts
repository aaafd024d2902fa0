import { closest, didYouMean } from './suggest';

describe('did you mean', () => {
  it('finds other letter case, names cut short, and close typos', () => {
    expect(closest('PACK1', ['pack1', 'pack2'])).toBe('pack1');
    expect(closest('ProtectionOverTemp', ['ProtectionOverVoltage', 'ProtectionOverTemperature'])).toBe('ProtectionOverTemperature');
    expect(closest('irradience', ['irradiance', 'ambient'])).toBe('irradiance');
    expect(closest('cell.voltage.maks', ['cell.voltage.max', 'cell.voltage.min', 'soc'])).toBe('cell.voltage.max');
    expect(closest('pakc1', ['pack1', 'inv1'])).toBe('pack1');
  });

  it('says nothing when nothing is close, or for the name itself', () => {
    expect(closest('zzz', ['pack1', 'inv1'])).toBeUndefined();
    expect(closest('ab', ['xy'])).toBeUndefined();
    expect(closest('pack1', ['pack1'])).toBeUndefined();
    expect(closest('', ['a'])).toBeUndefined();
    expect(didYouMean('zzz', ['pack1'])).toBe('');
    expect(didYouMean('pakc1', ['pack1'])).toBe(" (did you mean 'pack1'?)");
  });
});
