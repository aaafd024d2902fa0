import Ajv from 'ajv';
import { pointerSegments, schemaIssues, type SchemaIssueOptions } from './schema-errors';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string' },
    mode: { enum: ['real', 'virtual'] },
    limits: { type: 'object', additionalProperties: false, properties: { maxA: { type: 'number', maximum: 100 } } },
  },
};
const validate = new Ajv({ allErrors: true, verbose: true }).compile(schema);

function issues(data: unknown, options?: SchemaIssueOptions): Array<[string, boolean, string]> {
  expect(validate(data)).toBe(false);
  return schemaIssues(validate.errors ?? [], options).map((i) => [i.pointer, i.atKey, i.message]);
}

describe('schemaIssues', () => {
  const bad = { nmae: 'x', mode: 'virtaul', limits: { maxA: 500 } };

  it('words every problem with a JSON pointer subject by default, pointing at unknown keys themselves', () => {
    expect(issues(bad)).toEqual([
      ['', false, "(top level) is missing 'name'"],
      ['/nmae', true, "unknown key 'nmae' in (top level) (did you mean 'name'?) (expected one of: name, mode, limits)"],
      ['/mode', false, "/mode must be one of: real, virtual (did you mean 'virtual'?)"],
      ['/limits/maxA', false, '/limits/maxA must be <= 100'],
    ]);
  });

  it('names the subject by its last field, or not at all, with the noun the caller uses', () => {
    expect(issues(bad, { subject: 'field', noun: 'field', listAllowed: false }).map((i) => i[2])).toEqual([
      "missing field 'name'",
      "unknown field 'nmae' (did you mean 'name'?)",
      "mode must be one of: real, virtual (did you mean 'virtual'?)",
      'maxA must be <= 100',
    ]);
    expect(issues({ name: 'n', limits: { maxA: 500 } }, { subject: 'dotted' })[0]![2]).toBe('limits.maxA must be <= 100');
    expect(issues({ name: 'n', limits: { maxA: 500 } }, { subject: 'none' })[0]).toEqual(['/limits/maxA', false, 'must be <= 100']);
  });

  it('keeps one branch of a oneOf, or the deepest errors, and words the composite error only when nothing else is left', () => {
    const v = new Ajv({ allErrors: true, verbose: true }).compile({
      oneOf: [
        { type: 'object', properties: { kind: { const: 'a' }, x: { type: 'number' } }, required: ['kind', 'x'], additionalProperties: false },
        { type: 'object', properties: { kind: { const: 'b' }, y: { type: 'number' } }, required: ['kind', 'y'], additionalProperties: false },
      ],
    });
    expect(v({ kind: 'b', y: 'no' })).toBe(false);
    expect(schemaIssues(v.errors ?? [], { subject: 'field', schemaPath: '#/oneOf/1/' }).map((i) => i.message)).toEqual(['y must be number']);
    // deepestOnly keeps unknown and missing keys of every branch too (what the bench and scenario files want).
    expect(schemaIssues(v.errors ?? [], { deepestOnly: true }).map((i) => i.message)).toEqual([
      "(top level) is missing 'x'",
      "unknown key 'y' in (top level) (expected one of: kind, x)",
      '/kind must be equal to constant',
      '/y must be number',
    ]);
    const only = new Ajv({ allErrors: true }).compile({ oneOf: [{ type: 'number' }, { type: 'number', minimum: 0 }] });
    expect(only(5)).toBe(false);
    expect(schemaIssues(only.errors ?? []).map((i) => i.message)).toEqual(['(top level) must match exactly one schema in oneOf']);
  });

  it('unescapes pointer segments', () => {
    expect(pointerSegments('/a~1b/0/c~0d')).toEqual(['a/b', '0', 'c~d']);
    expect(pointerSegments('')).toEqual([]);
  });
});
