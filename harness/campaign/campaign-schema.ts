/** JSON schema of a campaign file (see docs/certification.md). */
export const campaignSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['campaign', 'bench', 'requirements'],
  properties: {
    campaign: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    title: { type: 'string' },
    description: { type: 'string' },
    bench: { type: 'string', minLength: 1 },
    scenarios: {
      type: 'array',
      items: {
        oneOf: [
          { type: 'string', minLength: 1 },
          {
            type: 'object',
            additionalProperties: false,
            required: ['path'],
            properties: { path: { type: 'string', minLength: 1 }, tags: { type: 'array', items: { type: 'string' }, minItems: 1 } },
          },
        ],
      },
    },
    sweeps: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['scenario', 'matrix'],
        properties: {
          scenario: { type: 'string', minLength: 1 },
          matrix: {
            type: 'object',
            minProperties: 1,
            additionalProperties: { type: 'array', minItems: 1, items: { type: ['number', 'string', 'boolean'] } },
          },
        },
      },
    },
    requirements: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'clause'],
        properties: {
          id: { type: 'string', minLength: 1 },
          title: { type: 'string' },
          clause: { type: 'string' },
          judgedBy: { type: 'array', items: { type: 'string', pattern: '^[^/]+(/[^/]+)?$' } },
        },
      },
    },
  },
} as const;
