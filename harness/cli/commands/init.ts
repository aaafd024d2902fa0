import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../../core/errors';
import { parseBench } from '../../bench/load-bench';
import { benchYaml, splitCommand, STARTER_SCENARIOS } from './init-files';

/** `hil init --controller "<command>"`: a bench and three starter scenarios for an external controller. */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('write a bench (bench.yaml) and three starter scenarios (scenarios/) for your controller, with comments saying what to change')
    .requiredOption('--controller <command>', 'how to start your controller, e.g. "python3 ctl.py --can ${can.pack1.socketcand} --modbus ${modbus.site.tcp}"')
    .option('--dir <dir>', 'where to write (created if missing)', '.')
    .option('--force', 'overwrite files that exist')
    .action((opts: { controller: string; dir: string; force?: boolean }) => {
      let command: string[];
      try {
        command = splitCommand(opts.controller);
      } catch (err) {
        throw new ConfigError(`--controller: ${(err as Error).message}`);
      }
      if (command.length === 0) throw new ConfigError('--controller: the command is empty');
      const bench = benchYaml(command);
      parseBench(bench, join(opts.dir, 'bench.yaml')); // placeholders and keys checked before anything is written
      const files: Array<[string, string]> = [['bench.yaml', bench], ...Object.entries(STARTER_SCENARIOS).map(([n, t]): [string, string] => [join('scenarios', n), t])];
      const existing = files.map(([f]) => join(opts.dir, f)).filter((p) => existsSync(p));
      if (existing.length > 0 && !opts.force) throw new ConfigError(`hil init: ${existing.join(', ')} exist(s); nothing written (--force overwrites)`);
      mkdirSync(join(opts.dir, 'scenarios'), { recursive: true });
      for (const [f, text] of files) writeFileSync(join(opts.dir, f), text);
      const rel = relative(process.cwd(), opts.dir);
      const dir = rel === '' ? '.' : rel.startsWith('..') ? resolve(opts.dir) : rel;
      const at = (p: string): string => (dir === '.' ? p : join(dir, p));
      process.stdout.write(
        [
          `wrote ${files.map(([f]) => at(f)).join(', ')}`,
          'next:',
          `  hil validate ${at('bench.yaml')} ${at('scenarios')}/*.yaml --bench ${at('bench.yaml')}`,
          `  hil run ${at('scenarios')} --bench ${at('bench.yaml')} --time-mode real      # add --speed 10 to run 10x faster (docs/speed.md)`,
          '',
        ].join('\n'),
      );
    });
}
