/**
 * JSON Schema of a declarative vendor register map (data/inverters/*.yaml). The loader (vendor-map.ts) checks
 * every file against it before it checks meaning; `data/inverters/vendor-map.schema.json` is the same schema
 * for editors (a test keeps the two equal).
 */
const num = { type: 'number' } as const;
const name = { type: 'string', minLength: 1 } as const;
/** A value a binding compares with: a raw number or a symbol of the setting's enum table. */
const value = { anyOf: [num, name] } as const;
const settingRef = { type: 'string', minLength: 1, description: 'the name of an RW register that holds a setting' } as const;
const limitBinding = {
  type: 'object',
  required: ['setting'],
  additionalProperties: false,
  properties: {
    setting: settingRef,
    unit: { enum: ['W', 'A', 'pct'], description: 'W; A (times battery voltage); pct (of the battery reference power, 124 WChaMax)' },
    none: { ...num, description: 'a value that means "no limit" (Victron writes -1)' },
    enable: { $ref: '#/$defs/flag' },
  },
} as const;

const register = {
  type: 'object',
  required: ['address', 'name', 'type', 'access'],
  additionalProperties: false,
  properties: {
    address: { type: 'integer', minimum: 0, maximum: 65536, description: 'as numbered in this file (see addressBase)' },
    table: { enum: ['holding', 'input'] },
    name,
    type: { enum: ['uint16', 'int16', 'uint32', 'int32', 'uint64', 'float32', 'string'] },
    length: { type: 'integer', minimum: 1, maximum: 125, description: 'string: registers (2 characters each)' },
    wordOrder: { enum: ['big', 'little'] },
    scale: { type: 'number', not: { const: 0 } },
    scaleRegister: { ...name, description: 'value = raw x 10^(that register), SunSpec style' },
    offset: { ...num, description: 'value = raw x scale + offset (Deye temperatures: 0.1 degC steps from -100)' },
    unit: { type: 'string' },
    access: { enum: ['R', 'RW'] },
    mirrors: name,
    constant: { anyOf: [num, { type: 'string' }] },
    drives: name,
    setting: { ...name, description: 'RW: the setting this register holds (default: its name); two registers may hold one setting' },
    initial: { ...num, description: 'RW setting: value at power-on, in the register unit' },
    enum: { ...name, description: 'an enums table: writes must be one of its values; reads of an enum quantity go through it' },
    default: { ...num, description: 'enum read: raw value for a quantity symbol the table lacks' },
    bits: { type: 'object', patternProperties: { '^([0-9]|[1-2][0-9]|3[01])$': name }, additionalProperties: false, description: 'bit number -> 0/1 quantity' },
    min: num,
    max: num,
    source: { type: 'string', description: 'citation: repository, file, commit (or the brand document)' },
  },
} as const;

export const VENDOR_MAP_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://second-life-hil/vendor-map.schema.json',
  title: 'second-life-hil vendor inverter register map',
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  $defs: {
    register,
    flag: {
      type: 'object',
      required: ['setting'],
      additionalProperties: false,
      properties: { setting: settingRef, on: value, mask: { type: 'integer', minimum: 1, description: 'on when (value & mask) != 0 (bit fields; `on` is then not used)' } },
    },
  },
  properties: {
    name,
    vendor: { type: 'string' },
    model: { type: 'string' },
    description: { type: 'string' },
    sources: { type: 'array', items: { type: 'string' } },
    addressBase: { enum: [0, 1], description: 'how addresses in this file count: 0 = wire (PDU) address, 1 = wire + 1' },
    documentBase: { enum: [0, 1], description: "how the brand's own document numbers registers (informational)" },
    wordOrder: { enum: ['big', 'little'] },
    gaps: { enum: ['exception', 'zero'] },
    tables: { enum: ['separate', 'shared'], description: 'shared: function codes 3 and 4 read one register space (Victron GX); separate (default): holding and input tables' },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxReadRegisters: { type: 'integer', minimum: 1, maximum: 125 },
        maxWriteRegisters: { type: 'integer', minimum: 1, maximum: 123 },
        overLimitException: { enum: [2, 3, 4], description: 'exception for a request over the limits (default 3, illegal data value)' },
        unitIds: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0, maximum: 255 } },
        connectDelayS: { type: 'number', minimum: 0, description: 'requests sooner than this after connecting go unanswered' },
      },
    },
    enums: {
      type: 'object',
      additionalProperties: { type: 'object', minProperties: 1, additionalProperties: { type: 'integer', minimum: -2147483648, maximum: 4294967295 } },
    },
    registers: { type: 'array', minItems: 1, items: { $ref: '#/$defs/register' } },
    units: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['ids', 'registers'],
        additionalProperties: false,
        properties: {
          ids: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0, maximum: 255 } },
          name: { type: 'string' },
          registers: { type: 'array', minItems: 1, items: { $ref: '#/$defs/register' } },
        },
      },
    },
    behaviour: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rampS: { type: 'number', minimum: 0, description: "seconds the battery power takes to reach a new command (the brand's ramp)" },
        mode: {
          type: 'object',
          required: ['setting', 'map'],
          additionalProperties: false,
          properties: {
            setting: settingRef,
            map: { type: 'object', minProperties: 1, additionalProperties: { enum: ['auto', 'command', 'setpoint'] } },
          },
        },
        command: {
          type: 'object',
          required: ['setting'],
          additionalProperties: false,
          properties: {
            setting: settingRef,
            charge: value,
            discharge: value,
            stop: value,
            power: settingRef,
            chargePower: settingRef,
            dischargePower: settingRef,
            unit: { enum: ['W', 'pct'] },
          },
        },
        setpoint: {
          type: 'object',
          required: ['settings'],
          additionalProperties: false,
          properties: {
            settings: { type: 'array', minItems: 1, items: settingRef },
            positive: { enum: ['import', 'charge'], description: 'import: AC power into the inverter (battery gets it plus PV); charge: battery power' },
          },
        },
        exportLimit: { anyOf: [limitBinding, { type: 'array', minItems: 1, items: limitBinding }], description: 'one binding or several (the lowest enabled one applies); pct: of the rated AC power' },
        chargeLimit: limitBinding,
        dischargeLimit: limitBinding,
        disableCharge: { $ref: '#/$defs/flag' },
        disableFeedIn: { $ref: '#/$defs/flag' },
        gridCharge: { $ref: '#/$defs/flag' },
        minSoc: { type: 'object', required: ['setting'], additionalProperties: false, properties: { setting: settingRef } },
        tou: {
          type: 'object',
          required: ['enable', 'slots'],
          additionalProperties: false,
          description: 'time-of-use programme (in auto mode): the slot in force caps discharge at its power, keeps its SOC, and charges from the grid up to that SOC where allowed',
          properties: {
            enable: { $ref: '#/$defs/flag' },
            timeFormat: { enum: ['hhmm', 'minutes'], description: 'hhmm: 1430 = 14:30 (default); minutes since midnight' },
            chargePower: { type: 'object', required: ['setting'], additionalProperties: false, properties: { setting: settingRef, unit: { enum: ['W', 'A', 'pct'] } } },
            slots: {
              type: 'array',
              minItems: 1,
              items: {
                type: 'object',
                required: ['start', 'power', 'soc'],
                additionalProperties: false,
                properties: { start: settingRef, power: settingRef, soc: settingRef, gridCharge: { $ref: '#/$defs/flag' } },
              },
            },
          },
        },
        timeout: {
          type: 'object',
          required: ['watch', 'revert'],
          additionalProperties: false,
          properties: {
            seconds: { type: 'number', exclusiveMinimum: 0 },
            setting: settingRef,
            unit: { enum: ['s', 'min'] },
            watch: { type: 'array', minItems: 1, items: settingRef },
            revert: { type: 'object', minProperties: 1, additionalProperties: value },
          },
        },
      },
    },
  },
} as const;
