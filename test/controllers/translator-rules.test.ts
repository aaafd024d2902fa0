import { translatorOptions } from '../../examples/controllers/translator/controller';
import { parseTranslatorArgs } from '../../examples/controllers/translator/main';
import { DEFAULT_RULES, mapLimits, ramp, type PackView } from '../../examples/controllers/translator/rules';

const pack: PackView = { voltage: 380, chargeKw: 19, dischargeKw: 30.4, full: false, empty: false, relayCut: false, cellMaxV: 3.95, cellMinV: 3.9, tempMinC: 20, tempMaxC: 25 };

describe('translator rules (Leaf -> Pylontech LV)', () => {
  it('turns the pack kW limits into amperes at the pack voltage, capped by the converter', () => {
    expect(mapLimits(pack, DEFAULT_RULES)).toEqual({ chargeA: 50, dischargeA: 60 }); // 19 kW / 380 V; 80 A capped at 60
  });

  it('zeroes charge on the full flag, discharge on the empty flag, both on a relay cut request (Battery-Emulator rules)', () => {
    expect(mapLimits({ ...pack, full: true }, DEFAULT_RULES).chargeA).toBe(0);
    expect(mapLimits({ ...pack, empty: true }, DEFAULT_RULES).dischargeA).toBe(0);
    expect(mapLimits({ ...pack, relayCut: true }, DEFAULT_RULES)).toEqual({ chargeA: 0, dischargeA: 0 });
  });

  it('tapers on the highest and lowest cells within the window', () => {
    expect(mapLimits({ ...pack, cellMaxV: 4.025 }, DEFAULT_RULES).chargeA).toBe(25);
    expect(mapLimits({ ...pack, cellMaxV: 4.06 }, DEFAULT_RULES).chargeA).toBe(0);
    expect(mapLimits({ ...pack, cellMinV: 3.425 }, DEFAULT_RULES).dischargeA).toBe(30);
    expect(mapLimits({ ...pack, cellMinV: 3.39 }, DEFAULT_RULES).dischargeA).toBe(0);
  });

  it('derates charge in the cold (0 at 5 degC, full from 15 degC) unless the cold rule is skipped, and both when hot', () => {
    expect(mapLimits({ ...pack, tempMinC: 4 }, DEFAULT_RULES).chargeA).toBe(0);
    expect(mapLimits({ ...pack, tempMinC: 10 }, DEFAULT_RULES).chargeA).toBe(25);
    expect(mapLimits({ ...pack, tempMinC: 4 }, DEFAULT_RULES, false).chargeA).toBe(50);
    expect(mapLimits({ ...pack, tempMaxC: 47.5 }, DEFAULT_RULES)).toEqual({ chargeA: 25, dischargeA: 30 });
    expect(mapLimits({ ...pack, tempMaxC: 50 }, DEFAULT_RULES)).toEqual({ chargeA: 0, dischargeA: 0 });
  });

  it('ramp is clamped and works both ways', () => {
    expect([ramp(0, 1, 2), ramp(1.5, 1, 2), ramp(3, 1, 2), ramp(1.5, 2, 1)]).toEqual([0, 0.5, 1, 0.5]);
  });

  it('options: numbers or number strings; unknown options and defects are ConfigErrors naming them', () => {
    expect(translatorOptions({ inverterTimeoutS: '5', defect: 'stale-limits' })).toEqual({ inverterTimeoutS: 5, defect: 'stale-limits' });
    expect(() => translatorOptions({ inverterTimeoutS: 'soon' })).toThrow(/inverterTimeoutS needs a number/);
    expect(() => translatorOptions({ colour: 1 })).toThrow(/unknown option 'colour'/);
    expect(() => translatorOptions({ defect: 'nope' })).toThrow(/unknown defect 'nope'/);
    expect(translatorOptions({ pack: 'orion-bms2' })).toEqual({ pack: 'orion-bms2' });
    expect(() => translatorOptions({ pack: 'tesla' })).toThrow(/pack must be nissan-leaf or orion-bms2/);
  });

  it('command line: one pack, one inverter, options and a defect', () => {
    expect(parseTranslatorArgs(['--pack', 'p=virtual:a', '--inverter', 'i=virtual:b', '--option', 'packTimeoutS=3', '--defect', 'no-keep-alive'])).toEqual({
      pack: { name: 'p', url: 'virtual:a' },
      inverter: { name: 'i', url: 'virtual:b' },
      options: { packTimeoutS: '3', defect: 'no-keep-alive' },
    });
    expect(() => parseTranslatorArgs(['--pack', 'p=a', '--pack', 'q=b'])).toThrow(/one --pack/);
    expect(() => parseTranslatorArgs(['--bogus', 'x=y'])).toThrow(/unknown argument '--bogus'/);
  });
});
