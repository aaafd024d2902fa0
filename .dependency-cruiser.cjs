/**
 * The import rules of ARCHITECTURE.md, checked by `npm run lint:deps` (part of `npm test`).
 * Layers, arrows one way: scripts -> harness -> emulators -> protocols -> core. Inside harness/ the folders are
 * ordered too (config < evidence < bench < operator < dut < scenario < report < campaign < ui < cli). Controllers (the reference
 * controller and the examples) are users of the wire: they import core/ and protocols/ only, never the harness or
 * the emulators that judge them. Test code (jest, test kits) never reaches the build.
 */
const TEST = '(\\.test\\.ts$|^test/)';

/** Folder `name` may only import from the folders in `allowed` (itself included). */
function layer(name, from, allowed) {
  return {
    name: `layer-${name}`,
    comment: `${from} may import only from ${allowed.join(', ')} (ARCHITECTURE.md, "Layers")`,
    severity: 'error',
    from: { path: `^${from}/`, pathNot: TEST },
    to: { path: '^(core|protocols|emulators|harness|scripts|fixtures|examples|test)/', pathNot: `^(${allowed.join('|')})/` },
  };
}

const HARNESS = ['config', 'evidence', 'bench', 'operator', 'dut', 'scenario', 'report', 'campaign', 'ui', 'cli'];

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no import cycle, type-only imports included', severity: 'error', from: {}, to: { circular: true } },
    layer('core', 'core', ['core']),
    layer('protocols', 'protocols', ['core', 'protocols']),
    layer('emulators', 'emulators', ['core', 'protocols', 'emulators']),
    layer('harness', 'harness', ['core', 'protocols', 'emulators', 'harness']),
    layer('controllers', 'examples/controllers', ['core', 'protocols', 'examples/controllers']),
    layer('examples', 'examples', ['core', 'protocols', 'examples']),
    {
      name: 'can-apart-from-modbus',
      comment: 'the two wire families do not know each other',
      severity: 'error',
      from: { path: '^protocols/(can|modbus)/', pathNot: TEST },
      to: { path: '^protocols/(can|modbus)/', pathNot: '^protocols/$1/' },
    },
    {
      name: 'device-kinds-apart',
      comment: 'the BMS and the inverter emulators meet only in the harness (or through an interface in emulators/)',
      severity: 'error',
      from: { path: '^emulators/(bms|inverter)/', pathNot: TEST },
      to: { path: '^emulators/(bms|inverter)/', pathNot: '^emulators/$1/' },
    },
    ...HARNESS.map((folder, i) => ({
      name: `harness-order-${folder}`,
      comment: `harness/${folder} may import only the harness folders before it: ${HARNESS.slice(0, i).join(', ') || '(none)'}`,
      severity: 'error',
      from: { path: `^harness/${folder}/`, pathNot: TEST },
      to: { path: `^harness/(${HARNESS.slice(i + 1).join('|') || 'NONE'})/` },
    })),
    {
      name: 'no-test-code-in-build',
      comment: 'product code never imports jest, test files or test kits (they would be compiled into dist/)',
      severity: 'error',
      from: { path: '^(core|protocols|emulators|harness|scripts|fixtures|examples)/', pathNot: TEST },
      to: { path: `(${TEST}|node_modules/(@jest|jest|ts-jest|@stryker-mutator)/)` },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
