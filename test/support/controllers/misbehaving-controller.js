/**
 * A controller process that misbehaves on request, for the cross-process tests of interrupts, process groups and
 * hang detection (test/cli/signals.test.ts). Plain JavaScript, so it runs without a build.
 *
 *   node misbehaving-controller.js --dir <dir> [--ignore-term] [--child] [--child-ignores-term] [--silent] [--exit-after-ms N]
 *
 * Writes `<dir>/controller.pid` (and `<dir>/child.pid` with --child) once everything is up, then prints
 * "controller ready". Unless --silent, it prints "alive" every 100 ms (a sign of life for the harness).
 * --ignore-term: SIGTERM is ignored (the harness must SIGKILL). --child: starts a child process in its own process
 * group's default (the controller's group) that lives until killed; with --child-ignores-term it ignores SIGTERM too.
 */
'use strict';
const { spawn } = require('node:child_process');
const { writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = value('--dir');
if (!dir) {
  console.error('--dir is required');
  process.exit(2);
}
/** Write atomically, so a reader never sees a half-written pid. */
const writeAtomic = (file, text) => {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
};

if (flag('--ignore-term')) process.on('SIGTERM', () => console.log('SIGTERM ignored'));

function up() {
  writeAtomic(join(dir, 'controller.pid'), String(process.pid));
  console.log('controller ready');
  if (!flag('--silent')) setInterval(() => console.log('alive'), 100);
  else setInterval(() => undefined, 1000);
  const exitAfter = value('--exit-after-ms');
  if (exitAfter) setTimeout(() => process.exit(7), Number(exitAfter));
}

if (flag('--child')) {
  const body = `${flag('--child-ignores-term') ? "process.on('SIGTERM', () => undefined);" : ''} setInterval(() => undefined, 1000); process.stdout.write('up\\n');`;
  // The child keeps no pipe to the harness (stdio ignored but for a private one): only its process group ties it to the run.
  const child = spawn(process.execPath, ['-e', body], { stdio: ['ignore', 'pipe', 'ignore'] });
  child.stdout.once('data', () => {
    writeAtomic(join(dir, 'child.pid'), String(child.pid));
    child.stdout.destroy();
    up();
  });
} else {
  up();
}
