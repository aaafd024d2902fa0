import type { Command } from 'commander';
import { registerCanCommands } from './can';

/** A command group: adds its commands to the program. */
export type CommandRegistrar = (program: Command) => void;

/** Every command group of `hil`, in help order. Add a group here. */
export const commandRegistrars: CommandRegistrar[] = [registerCanCommands];
