import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { RealClock } from '../../../core/clock';
import { ConfigError } from '../../../core/errors';
import { BenchInstance } from '../../bench/bench-instance';
import { processStop, whenAborted } from './can/stop-signal';
import { loadBenchArg } from './scenario-args';

const HELP = [
  'commands (one per line on stdin):',
  '  show <device>.<signal> [...]        print signal values (e.g. show pack1.soc inv1.ac.power)',
  '  set <device>.<input> <value>        stimulus (e.g. set inv1.irradiance 300, set ambient 40)',
  '  fault <id> <device> <kind> [json]   inject (e.g. fault hot pack1 self-heating {"cell":3,"watts":20})',
  '  clear <id>                          clear a fault',
  '  signals <device>                    list a device\'s signals',
  '  quit',
].join('\n');

/** `hil emulate`: run a bench's emulated devices in real time for manual bench work. */
export function registerEmulateCommand(program: Command): void {
  program
    .command('emulate')
    .description('run the emulated devices of a bench in real time (no scenario), print the endpoints, take commands on stdin')
    .requiredOption('--bench <file>', 'bench file')
    .option('--seed <n>', 'seed', '1')
    .option('--step <ms>', 'plant step', '100')
    .option('--status <seconds>', 'print a status line every N seconds (0: never)', '10')
    .action(async (opts: { bench: string; seed: string; step: string; status: string }) => {
      const bench = loadBenchArg(opts.bench);
      const stepMs = Number(opts.step);
      if (!(stepMs >= 1 && stepMs <= 10_000)) throw new ConfigError(`--step ${opts.step}: expected 1..10000 ms`);
      const clock = new RealClock({ spinMs: 1 });
      const inst = await BenchInstance.start(bench, { clock, mode: 'real', seed: Number(opts.seed) || 1, serveNetwork: true, log: (l) => process.stderr.write(`${l}\n`) });
      const out = (l: string): void => void process.stdout.write(`${l}\n`);
      out(`bench '${bench.file.bench}' is up; endpoints:`);
      for (const [k, v] of Object.entries(inst.substitutions())) out(`  ${k} = ${v}`);
      out(`devices: ${[...inst.devices.values()].map((d) => `${d.name} (${d.type})`).join(', ')}`);
      out(HELP);
      const t0 = clock.now();
      let next = t0 + stepMs;
      let lastStatus = t0;
      const statusMs = Number(opts.status) * 1000;
      const tick = (): void => {
        inst.step(stepMs / 1000);
        next += stepMs;
        if (statusMs > 0 && clock.now() - lastStatus >= statusMs) {
          lastStatus = clock.now();
          const parts = [...inst.devices.values()].map((d) =>
            d.type === 'bms'
              ? `${d.name} soc=${fmt(d.signal('soc'))}% I=${fmt(d.signal('current'))}A T=${fmt(d.signal('temperature.max'))}C`
              : d.signal('ac.power') !== undefined
                ? `${d.name} P=${fmt(d.signal('ac.power'))}W`
                : `${d.name} battery I=${fmt(d.signal('battery.current'))}A heard CCL=${fmt(d.signal('bms.chargeLimit'))}A DCL=${fmt(d.signal('bms.dischargeLimit'))}A age=${fmt(d.signal('bms.age'))}s`,
          );
          out(`t=${((clock.now() - t0) / 1000).toFixed(0)}s ${parts.join(' | ')}`);
        }
        timer = clock.setTimer(next, tick);
      };
      let timer = clock.setTimer(next, tick);
      const stop = processStop();
      const quit = new AbortController();
      const rl = createInterface({ input: process.stdin, terminal: false });
      let faultSeq = 0;
      rl.on('line', (line) => {
        const [cmd, ...args] = line.trim().split(/\s+/);
        try {
          switch (cmd) {
            case undefined:
            case '':
              return;
            case 'show':
              out(args.map((a) => `${a}=${fmt(inst.signal(a))}`).join(' '));
              return;
            case 'signals':
              out(inst.devices.get(args[0] ?? '')?.signalNames().join(' ') ?? `no device '${args[0]}'`);
              return;
            case 'set':
              inst.setInput(args[0] ?? '', Number(args[1]), 'stdin');
              out('ok');
              return;
            case 'fault': {
              const [id = `f${++faultSeq}`, device = '', kind = '', ...json] = args;
              const params = json.length ? (JSON.parse(json.join(' ')) as Record<string, unknown>) : {};
              inst.injectFault(id, device, kind, params, 'stdin');
              out(`fault '${id}' injected`);
              return;
            }
            case 'clear':
              inst.clearFault(args[0] ?? '');
              out('ok');
              return;
            case 'quit':
            case 'exit':
              quit.abort();
              return;
            default:
              out(`unknown command '${cmd}'\n${HELP}`);
          }
        } catch (err) {
          out(`error: ${(err as Error).message}`);
        }
      });
      // Runs until SIGINT/SIGTERM or `quit`; a closed stdin (e.g. </dev/null, a service) keeps it running.
      await Promise.race([whenAborted(stop.signal), whenAborted(quit.signal)]);
      rl.close();
      clock.clearTimer(timer);
      stop.dispose();
      await inst.close();
      out('stopped');
    });
}

function fmt(v: number | boolean | undefined): string {
  return typeof v === 'number' ? String(+v.toFixed(2)) : String(v);
}
