import { coerce, resolveControllerOptions } from './controller-options';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    periodMs: { type: 'number', exclusiveMinimum: 0 },
    tries: { type: 'integer', minimum: 1 },
    verbose: { type: 'boolean' },
    defects: { type: 'array', items: { type: 'string', enum: ['slow', 'deaf'] } },
    name: { type: 'string' },
  },
} as const;

const resolveWith = (declared: unknown, cli: string[], moduleOptions?: Record<string, unknown>) =>
  resolveControllerOptions(declared, { ...(moduleOptions ? { moduleOptions } : {}), whereModuleOption: (k) => `bench.yaml:9:${k.length}`, cli }, 'ctl.js');

describe('controller options declared by an in-process module', () => {
  it('turns option text into the declared type', () => {
    expect(coerce('2.5', { type: 'number' })).toBe(2.5);
    expect(coerce('abc', { type: 'number' })).toBeUndefined();
    expect(coerce('', { type: 'number' })).toBeUndefined();
    expect(coerce('Infinity', { type: 'number' })).toBeUndefined();
    expect(coerce('3', { type: 'integer' })).toBe(3);
    expect(coerce('3.5', { type: 'integer' })).toBeUndefined();
    expect(coerce('true', { type: 'boolean' })).toBe(true);
    expect(coerce('yes', { type: 'boolean' })).toBeUndefined();
    expect(coerce('a, b', { type: 'array', items: { type: 'string' } })).toEqual(['a', 'b']);
    expect(coerce('1,x', { type: 'array', items: { type: 'number' } })).toBeUndefined();
    expect(coerce('', { type: 'array' })).toEqual([]);
    expect(coerce('42', { type: 'string' })).toBe('42');
  });

  it('merges the bench options with the command line (the command line wins), typed', () => {
    const r = resolveWith(schema, ['periodMs=50', 'defects=slow,deaf', 'verbose=true', 'name=007'], { periodMs: 100, tries: 2 });
    expect(r.problems).toEqual([]);
    expect(r.options).toEqual({ periodMs: 50, tries: 2, defects: ['slow', 'deaf'], verbose: true, name: '007' });
  });

  it('refuses unknown keys (did you mean), wrong types, values out of range or not allowed, and text that is not key=value', () => {
    const r = resolveWith(schema, ['periodMS=5', 'tries=0', 'verbose=maybe', 'defects=slo', 'oops'], { tris: 1, periodMs: -1 });
    expect(r.problems.map((p) => `${p.where} | ${p.message}`)).toEqual([
      "--dut-option oops | 'oops' is not key=value",
      "bench.yaml:9:4 | dut.moduleOptions: the controller module 'ctl.js' has no option 'tris' (did you mean 'tries'?) (it takes: periodMs, tries, verbose, defects, name)",
      "--dut-option periodMS=5 | the controller module 'ctl.js' has no option 'periodMS' (did you mean 'periodMs'?) (it takes: periodMs, tries, verbose, defects, name)",
      "--dut-option verbose=maybe | 'maybe' is not true or false",
      'bench.yaml:9:8 | option periodMs must be > 0 (got -1)',
      '--dut-option tries=0 | option tries must be >= 1 (got 0)',
      "--dut-option defects=slo | option defects: 'slo' is not one of slow, deaf (did you mean 'slow'?)",
    ]);
  });

  it('a module that declares nothing takes no options; a declaration must be an object schema', () => {
    expect(resolveWith(undefined, []).problems).toEqual([]);
    expect(resolveWith(undefined, ['a=1']).problems).toEqual([
      { where: '--dut-option a=1', message: "the controller module 'ctl.js' declares no options (it exports no 'controllerOptions' schema), so it takes none" },
    ]);
    expect(resolveWith(undefined, [], { a: 1 }).problems[0]!.where).toBe('bench.yaml:9:1');
    expect(resolveWith({ type: 'string' }, ['a=1']).problems[0]!.message).toContain('is not a JSON schema of an object');
  });
});
