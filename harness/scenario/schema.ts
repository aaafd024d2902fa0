import { BMS_FAULTS } from '../../emulators/bms/faults';
import { INVERTER_FAULTS } from '../../emulators/inverter/faults';
import { MODBUS_FAULTS } from '../bench/modbus-faults';

/**
 * Every fault kind any device takes, from the fault registries (an annotation for editors: which kinds a device
 * takes, and their parameters, are checked against the bench, `harness/scenario/bench-check.ts`).
 */
const FAULT_KINDS: readonly string[] = [...new Set([...BMS_FAULTS.kinds, ...INVERTER_FAULTS.kinds, ...MODBUS_FAULTS.kinds])];

/** JSON Schema for scenario files (see README "Scenario files"). Unknown keys are errors. */
const duration = { type: ['number', 'string'] };
const expr = { type: ['string', 'number', 'boolean'] };
const scalar = { type: ['number', 'string', 'boolean'] };

export const scenarioSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['scenario', 'duration', 'expect'],
  properties: {
    scenario: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
    title: { type: 'string' },
    description: { type: 'string' },
    requirements: { type: 'array', items: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    duration,
    step: duration,
    timeMode: { enum: ['real', 'virtual', 'any'] },
    initial: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ambient: { type: 'number' },
        devices: { type: 'object', additionalProperties: { type: 'object', additionalProperties: scalar } },
      },
    },
    timeline: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at'],
        properties: {
          at: duration,
          set: { type: 'object', minProperties: 1, additionalProperties: scalar },
          ramp: {
            type: 'object',
            additionalProperties: false,
            required: ['target', 'to', 'over'],
            properties: { target: { type: 'string' }, from: { type: 'number' }, to: { type: 'number' }, over: duration },
          },
          fault: {
            type: 'object',
            required: ['device', 'kind'],
            properties: { id: { type: 'string' }, device: { type: 'string' }, kind: { type: 'string', description: 'a fault kind of the device (docs/faults.md)', examples: FAULT_KINDS } },
          },
          clear: { type: 'string' },
          age: {
            type: 'object',
            additionalProperties: false,
            required: ['for', 'duty'],
            properties: { for: duration, duty: { type: 'string' }, devices: { type: 'array', minItems: 1, items: { type: 'string' } } },
          },
          note: { type: 'string' },
        },
      },
    },
    expect: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
          requirement: { type: 'string' },
          description: { type: 'string' },
          when: expr,
          within: duration,
          then: expr,
          optional: { type: 'boolean' },
          always: expr,
          tolerance: duration,
          after: duration,
          eventually: expr,
          by: duration,
          atEnd: expr,
        },
      },
    },
  },
} as const;
