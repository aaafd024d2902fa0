import type { Command } from 'commander';

/** A command group: adds its commands to the program. */
export type CommandRegistrar = (program: Command) => void;

/** One top-level command and the module that registers it, loaded only when needed. */
export interface CommandGroup {
  readonly name: string;
  load(): CommandRegistrar;
}

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * Every command group of `hil`, in help order. Add a group here. Modules load on demand (`require` inside `load`),
 * so `hil run` does not load the CAN tools, the emulator prompt, the dashboard or the campaign merger: start-up is
 * what users feel first (issue 19).
 */
export const commandGroups: readonly CommandGroup[] = [
  { name: 'run', load: () => (require('./run') as typeof import('./run')).registerRunCommand },
  { name: 'campaign', load: () => (require('./campaign') as typeof import('./campaign')).registerCampaignCommand },
  { name: 'validate', load: () => (require('./validate') as typeof import('./validate')).registerValidateCommand },
  { name: 'init', load: () => (require('./init') as typeof import('./init')).registerInitCommand },
  { name: 'emulate', load: () => (require('./emulate') as typeof import('./emulate')).registerEmulateCommand },
  { name: 'merge', load: () => (require('./merge') as typeof import('./merge')).registerMergeCommand },
  { name: 'verify', load: () => (require('./verify') as typeof import('./verify')).registerVerifyCommand },
  { name: 'can', load: () => (require('./can') as typeof import('./can')).registerCanCommands },
  { name: 'demo', load: () => (require('./demo') as typeof import('./demo')).registerDemoCommand },
];
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The registrars a command line needs: when its first word (`argv[2]` on, options skipped) names a command, only
 * that command's group; otherwise (help, a typo that deserves a did-you-mean, no command) every group.
 */
export function registrarsFor(argv?: readonly string[]): CommandRegistrar[] {
  const first = argv?.slice(2).find((a) => !a.startsWith('-'));
  const group = first === undefined ? undefined : commandGroups.find((g) => g.name === first);
  return group ? [group.load()] : commandGroups.map((g) => g.load());
}
