/**
 * Run a TypeScript entry module of this repository from its sources, the way `node dist/<entry>.js` runs the build:
 * `node run-ts-main.js <entry.ts> args...` transpiles each `.ts` file on require (no type check; `npm test`
 * type-checks) and calls the entry's `runMain(argv)`. Lets a child-process test exercise the code under test
 * rather than a possibly stale `dist/`.
 */
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true };
require.extensions['.ts'] = function compileTs(module, filename) {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename }).outputText;
  module._compile(out, filename);
};

const [entry, ...args] = process.argv.slice(2);
require(entry).runMain([process.argv[0], entry, ...args]);
