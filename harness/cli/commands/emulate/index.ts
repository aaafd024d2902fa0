import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PeriodicSchedule, RealClock } from '../../../../core/clock';
import { ConfigError } from '../../../../core/errors';
import { BenchInstance } from '../../../bench/bench-instance';
import { DashboardServer } from '../../../ui/dashboard-server';
import { processStop, whenAborted } from '../can/stop-signal';
import { createCompleter } from '../../../operator/completer';
import { EmulateInterpreter, helpText, MAX_LINE_LENGTH, statusLine } from '../../../operator/interpreter';
import { readBoundedLines } from './line-reader';
import { TerminalPrompt } from './terminal';
import { loadBenchArg } from '../scenario-args';
import { addRealtimeOption, applyRealtime, realtimeOption } from '../realtime-option';

interface EmulateOptions {
  bench: string;
  seed: string;
  step: string;
  status: string;
  /** A file, or false with --no-history. */
  history: string | false;
  ui?: boolean;
  uiHost: string;
  uiPort: string;
  realtime?: string | boolean;
}

/** Default history file of the interactive prompt. */
const DEFAULT_HISTORY = join(homedir(), '.hil_emulate_history');

/** `hil emulate`: run a bench's emulated devices in real time for manual bench work. */
export function registerEmulateCommand(program: Command): void {
  const cmd = program
    .command('emulate')
    .description(
      'run the emulated devices of a bench in real time (no scenario), print the endpoints, take commands: ' +
        'at a terminal a prompt with history and Tab completion, from a pipe one command per line',
    )
    .requiredOption('--bench <file>', 'bench file')
    .option('--seed <n>', 'seed', '1')
    .option('--step <ms>', 'plant step', '100')
    .option('--status <seconds>', 'print a status line every N seconds (0: never)', '10')
    .option('--history <file>', 'history file of the interactive prompt', DEFAULT_HISTORY)
    .option('--no-history', 'keep the prompt history for this session only')
    .option('--ui', 'serve the live dashboard (plots, manual faults and stimuli, export); its URL with a token is printed')
    .option('--ui-host <address>', 'address the dashboard listens on (only this explicit flag opens it beyond loopback)', '127.0.0.1')
    .option('--ui-port <n>', 'dashboard port (0: any free port)', '0');
  addRealtimeOption(cmd).action(async (opts: EmulateOptions) => emulate(opts));
}

async function emulate(opts: EmulateOptions): Promise<void> {
  const bench = loadBenchArg(opts.bench);
  const stepMs = Number(opts.step);
  if (!(stepMs >= 1 && stepMs <= 10_000)) throw new ConfigError(`--step ${opts.step}: expected 1..10000 ms`);
  const statusS = Number(opts.status);
  if (!(statusS >= 0 && statusS <= 86_400)) throw new ConfigError(`--status ${opts.status}: expected 0..86400 seconds`);
  const rtPriority = realtimeOption(opts.realtime);
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const clock = new RealClock({ spinMs: 1 });
  // Until the prompt exists, log lines go straight to stderr.
  let warn = (l: string): void => void process.stderr.write(`${l}\n`);
  const inst = await BenchInstance.start(bench, { clock, mode: 'real', seed: Number(opts.seed) || 1, serveNetwork: true, log: (l) => warn(l) });
  let print = (l: string): void => void process.stdout.write(`${l}\n`);
  await applyRealtime(rtPriority, (l) => warn(l));
  const interpreter = new EmulateInterpreter(inst, () => statusLine(inst));

  print(`bench '${bench.file.bench}' is up; endpoints:`);
  for (const [k, v] of Object.entries(inst.substitutions())) print(`  ${k} = ${v}`);
  print(`devices: ${[...inst.devices.values()].map((d) => `${d.name} (${d.type})`).join(', ')}`);
  let ui: DashboardServer | undefined;
  if (opts.ui) {
    const uiPort = Number(opts.uiPort);
    if (!(Number.isInteger(uiPort) && uiPort >= 0 && uiPort <= 65535)) {
      await inst.close();
      throw new ConfigError(`--ui-port ${opts.uiPort}: expected 0..65535`);
    }
    ui = new DashboardServer({ inst, now: () => clock.now(), host: opts.uiHost, port: uiPort, log: (l) => print(l) });
    try {
      print(`dashboard: ${await ui.listen()}`);
    } catch (err) {
      await inst.close();
      throw new ConfigError(`--ui: cannot listen on ${opts.uiHost}:${opts.uiPort}: ${(err as Error).message}`);
    }
  }

  const stop = processStop();
  const quit = new AbortController();
  const runLine = (line: string, length?: number): void | 'quit' => {
    const r = interpreter.run(line, length);
    for (const l of r.lines) print(l);
    if (!r.quit) return;
    quit.abort();
    return 'quit';
  };
  let input: { close(): void };
  if (interactive) {
    print('type help for the commands; Tab completes, Up/Down recall, Ctrl+D quits');
    const prompt = new TerminalPrompt({
      input: process.stdin,
      output: process.stdout,
      errorOutput: process.stderr,
      completer: createCompleter(inst, interpreter),
      ...(opts.history ? { historyFile: opts.history } : {}),
      maxLineLength: MAX_LINE_LENGTH,
      onLine: (line) => runLine(line),
      onQuit: () => quit.abort(),
    });
    print = (l) => prompt.print(l);
    warn = (l) => prompt.warn(l);
    prompt.showPrompt();
    input = prompt;
  } else {
    for (const l of helpText()) print(l);
    // A closed stdin (</dev/null, a service) keeps it running until SIGINT/SIGTERM or `quit`.
    input = readBoundedLines(process.stdin, MAX_LINE_LENGTH, (line, length) => void runLine(line, length));
  }

  let lastStatus = clock.now();
  // One plant step per slot; after a stall the step also covers the skipped slots, so plant time keeps up with the clock.
  const stepping = new PeriodicSchedule(clock, stepMs, ({ skipped }) => {
    inst.step(((1 + skipped) * stepMs) / 1000);
    if (statusS > 0 && clock.now() - lastStatus >= statusS * 1000) {
      lastStatus = clock.now();
      print(statusLine(inst));
    }
  });

  await Promise.race([whenAborted(stop.signal), whenAborted(quit.signal)]);
  input.close();
  stepping.stop();
  stop.dispose();
  print = (l) => void process.stdout.write(`${l}\n`);
  warn = (l) => void process.stderr.write(`${l}\n`);
  await ui?.close();
  await inst.close();
  print('stopped');
}
