import Ajv from 'ajv';
import { ConfigError } from '../../core/errors';
import { FaultRegistry } from './fault-registry';

const faults = new FaultRegistry<'heat' | 'trip' | 'noise'>('toy', {
  heat: { description: 'adds heat', params: { watts: { type: 'number', minimum: 0, maximum: 100, required: true, unit: 'W', description: 'heat' }, cell: { type: 'integer', minimum: 0, maximum: 9, description: 'which cell' } } },
  trip: { description: 'trips' },
  noise: { description: 'noisy sensor', params: { sensor: { type: 'string', enum: ['v', 't'], required: true, description: 'which sensor' } } },
});

const message = (spec: unknown): string => {
  try {
    faults.check(spec, "toy 'x'");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  return '';
};

describe('FaultRegistry', () => {
  it('accepts a spec of a declared kind within its ranges', () => {
    expect(message({ kind: 'heat', watts: 5, cell: 2 })).toBe('');
    expect(message({ kind: 'trip' })).toBe('');
  });

  it('names an unknown kind with what is close and every kind it takes', () => {
    expect(message({ kind: 'hat' })).toBe("toy 'x' has no fault 'hat' (did you mean 'heat'?) (it takes: heat, trip, noise)");
    expect(message({ kind: 'meteor' })).toBe("toy 'x' has no fault 'meteor' (it takes: heat, trip, noise)");
    expect(message({})).toBe("toy 'x' has no fault 'undefined' (it takes: heat, trip, noise)");
    expect(faults.unknownKind('trp', 'dev', ['extra-kind'])).toBe("dev has no fault 'trp' (did you mean 'trip'?) (it takes: heat, trip, noise, extra-kind)");
  });

  it('names each bad parameter: missing, out of range, unknown (with what is close), not an allowed value', () => {
    expect(message({ kind: 'heat' })).toBe("toy 'x': fault 'heat': missing field 'watts'");
    expect(message({ kind: 'heat', watts: 500 })).toBe("toy 'x': fault 'heat': watts must be <= 100");
    expect(message({ kind: 'heat', watts: 5, wats: 1 })).toBe("toy 'x': fault 'heat': unknown field 'wats' (did you mean 'watts'?) (it takes: watts, cell)");
    expect(message({ kind: 'trip', watts: 1 })).toBe("toy 'x': fault 'trip': unknown field 'watts' (it takes none)");
    expect(message({ kind: 'noise', sensor: 'i' })).toBe("toy 'x': fault 'noise': sensor must be one of: v, t");
  });

  it('derives a JSON Schema and a catalogue from the same declarations; a subset shares them', () => {
    const validate = new Ajv().compile(faults.schema());
    expect(validate({ kind: 'heat', watts: 1 })).toBe(true);
    expect(validate({ kind: 'heat', watts: -1 })).toBe(false);
    expect(validate({ kind: 'nope' })).toBe(false);
    expect(faults.catalog()).toEqual([
      {
        kind: 'heat',
        description: 'adds heat',
        params: [
          { name: 'watts', type: 'number', required: true, description: 'heat', unit: 'W', minimum: 0, maximum: 100 },
          { name: 'cell', type: 'integer', required: false, description: 'which cell', minimum: 0, maximum: 9 },
        ],
      },
      { kind: 'trip', description: 'trips', params: [] },
      { kind: 'noise', description: 'noisy sensor', params: [{ name: 'sensor', type: 'string', required: true, values: ['v', 't'], description: 'which sensor' }] },
    ]);
    const sub = faults.subset('toy2', ['trip']);
    expect(sub.kinds).toEqual(['trip']);
    expect(sub.has('heat')).toBe(false);
    expect(sub.decl('trip')).toBe(faults.decl('trip'));
  });
});
