import type { Command } from 'commander';
import { registerCampaignCommand } from './campaign';
import { registerCanCommands } from './can';
import { registerDemoCommand } from './demo';
import { registerEmulateCommand } from './emulate';
import { registerInitCommand } from './init';
import { registerMergeCommand } from './merge';
import { registerRunCommand } from './run';
import { registerValidateCommand } from './validate';
import { registerVerifyCommand } from './verify';

/** A command group: adds its commands to the program. */
export type CommandRegistrar = (program: Command) => void;

/** Every command group of `hil`, in help order. Add a group here. */
export const commandRegistrars: CommandRegistrar[] = [registerRunCommand, registerCampaignCommand, registerValidateCommand, registerInitCommand, registerEmulateCommand, registerMergeCommand, registerVerifyCommand, registerCanCommands, registerDemoCommand];
