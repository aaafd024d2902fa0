/** JSON Schema for bench files. Unknown keys are errors. */
const hostPort = { type: 'string', pattern: '^[^\\s:]+:\\d{1,5}$' };
const duration = { type: ['number', 'string'] };
/** Connection limits of a server the harness runs (a Modbus TCP endpoint, a socketcand hub). */
const serverLimits = {
  maxConnections: { type: 'integer', minimum: 1 },
  idleTimeout: duration,
  whenFull: { enum: ['evict-idle', 'refuse'] },
} as const;

export const benchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['bench', 'devices'],
  properties: {
    bench: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
    description: { type: 'string' },
    can: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_-]*$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          medium: { type: 'string' },
          hub: {
            type: 'object',
            additionalProperties: false,
            required: ['socketcand'],
            properties: { socketcand: hostPort, bus: { type: 'string', maxLength: 16 }, ...serverLimits },
          },
          slcanPty: { type: 'string' },
          dbc: { type: 'string' },
          record: { type: 'boolean' },
        },
      },
    },
    modbus: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_-]*$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          tcp: hostPort,
          rtu: {
            type: 'object',
            additionalProperties: false,
            required: ['path'],
            properties: {
              path: { type: 'string' },
              baud: { type: 'integer', minimum: 300 },
              parity: { enum: ['none', 'even', 'odd'] },
              stopBits: { enum: [1, 2] },
              lowLatency: { type: 'boolean' },
            },
          },
          ...serverLimits,
        },
      },
    },
    devices: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'type'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]*$' },
          type: { enum: ['bms', 'inverter'] },
          pack: { type: 'string' },
          protocol: { type: 'string' },
          can: { type: 'string' },
          modbus: { type: 'string' },
          unitId: { type: 'integer', minimum: 0, maximum: 255 },
          map: { type: 'string' },
          battery: { type: 'string' },
          batteryCan: {
            type: 'object',
            additionalProperties: false,
            required: ['bus', 'protocol'],
            properties: { bus: { type: 'string' }, protocol: { type: 'string' }, variant: { type: 'string' } },
          },
          params: { type: 'object' },
        },
      },
    },
    dut: {
      type: 'object',
      additionalProperties: false,
      properties: {
        command: { type: 'array', minItems: 1, items: { type: 'string' } },
        cwd: { type: 'string' },
        env: { type: 'object', additionalProperties: { type: 'string' } },
        readyLine: { type: 'string' },
        readyWhen: { enum: ['first-frame', 'first-modbus-connection'] },
        readyTimeout: duration,
        stopTimeout: duration,
        livenessTimeout: duration, // or 'off'
        clock: { enum: ['lockstep'] },
        module: { type: 'string' },
        moduleOptions: { type: 'object' },
        identity: {
          type: 'object',
          additionalProperties: false,
          properties: {
            sunspec: {
              type: 'object',
              additionalProperties: false,
              required: ['tcp'],
              properties: {
                tcp: hostPort,
                unitId: { type: 'integer', minimum: 0, maximum: 255 },
                timeout: duration,
              },
            },
          },
        },
      },
    },
  },
} as const;
