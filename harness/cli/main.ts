#!/usr/bin/env node
// Run as the `hil` program (not when imported), modules load through a V8 code cache kept under the package's
// node_modules/.cache/hil-compile (core/compile-cache.ts; HIL_COMPILE_CACHE=off turns it off). It must come before
// the imports below, which TypeScript emits in place as `require` calls. Issue 19: start-up, docs/performance.md.
if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../../core/compile-cache') as typeof import('../../core/compile-cache')).enableCompileCache(`${__dirname}/../../../node_modules/.cache/hil-compile`);
}
import { Command, CommanderError } from 'commander';
import { exitCodeFor, HilError } from '../../core/errors';
import { registrarsFor } from './commands';
import { guardStandardStreams } from './safe-output';

/**
 * Build the `hil` program. Each command group lives in its own module under `commands/`; given the command line,
 * only the group of its command is loaded (see `registrarsFor`), otherwise all of them.
 */
export function buildProgram(argv?: readonly string[]): Command {
  const program = new Command('hil')
    .description('Hardware-in-the-loop harness: emulated second-life BMS packs and inverters on CAN and Modbus')
    .version(readVersion())
    .showHelpAfterError()
    .exitOverride();
  for (const register of registrarsFor(argv)) register(program);
  return program;
}

function readVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Run the CLI; resolves to the process exit code (`ExitCode` in core/errors: 0 ok, 1 failed, 2 bad input, 3 error, 4 not all ran, 130/143 interrupted). */
export async function main(argv: string[]): Promise<number> {
  guardStandardStreams(); // `hil run ... | head -1` must not die of EPIPE
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof HilError) {
      process.stderr.write(`hil: ${err.message}\n`);
      return exitCodeFor(err);
    }
    process.stderr.write(`hil: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 3;
  }
}

if (require.main === module) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`hil: ${String(err)}\n`);
      process.exitCode = 3;
    },
  );
}
