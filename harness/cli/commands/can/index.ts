import { Command, Option } from 'commander';
import type { CanFilter } from '../../../../protocols/can/bus';
import { knownMedia } from '../../../../protocols/can/registry';
import { processIo } from './cli-io';
import { runDump, type TimestampMode } from './dump';
import { parseFilterArg } from './filter-arg';
import { parseCount, parseDurationArg, parsePort, parsePositive } from './number-args';
import { runRecord } from './record';
import { runReplay } from './replay';
import { runSend } from './send';
import { runServe } from './serve';
import { processStop } from './stop-signal';
import { addRealtimeOption, applyRealtime, realtimeOption } from '../realtime-option';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const MEDIA_HELP = [
  '',
  '',
  'Media (any command, any medium):',
  '  virtual:<channel>                     in-process (only useful inside one process)',
  '  socketcand://host:port/<bus>          a socketcand server, e.g. `hil can serve`',
  '  slcan:///dev/ttyACM0?bitrate=500000   an SLCAN USB adapter (CANable, USBtin, ...)',
  '  socketcan://can0                      a Linux SocketCAN interface',
].join('\n');

/** Run a command body with a stop signal from SIGINT/SIGTERM; a non-zero result becomes the exit code. */
async function withStop(body: (signal: AbortSignal) => Promise<number>): Promise<void> {
  const stop = processStop();
  try {
    const code = await body(stop.signal);
    if (code !== 0) process.exitCode = code;
  } finally {
    stop.dispose();
  }
}

/** `hil can ...`: CAN tools for people at a bench. */
export function registerCanCommands(program: Command): void {
  const can = program
    .command('can')
    .description('CAN at the bench: run a socketcand hub, dump, send, record and replay frames on any medium')
    .addHelpText('after', `${MEDIA_HELP}\n  (registered here: ${knownMedia().join(', ')})`);

  can
    .command('serve')
    .description('run a socketcand hub (a virtual CAN bus other processes join over TCP) until Ctrl-C')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'TCP port (0: pick a free one)', '29536')
    .option('--slcan-pty <path>', 'also act as an SLCAN adapter for --bus on a pseudo-terminal at this path')
    .option('--bus <name>', 'hub bus for the SLCAN adapter and the printed examples', 'can0')
    .option('--max-connections <n>', 'clients held at once; one more closes the longest idle (default 64)')
    .option('--idle-timeout <duration>', 'close a client that opens no bus for this long (default 30s)')
    .action(async (opts: { host: string; port: string; slcanPty?: string; bus: string; maxConnections?: string; idleTimeout?: string }) => {
      const port = parsePort('--port', opts.port);
      const limits = {
        ...(opts.maxConnections !== undefined ? { maxConnections: parseCount('--max-connections', opts.maxConnections) } : {}),
        ...(opts.idleTimeout !== undefined ? { idleTimeoutMs: parseDurationArg('--idle-timeout', opts.idleTimeout) } : {}),
      };
      await withStop(async (signal) => {
        await runServe({ host: opts.host, port, bus: opts.bus, signal, limits, ...(opts.slcanPty !== undefined ? { slcanPty: opts.slcanPty } : {}) }, processIo());
        return 0;
      });
    });

  can
    .command('dump')
    .description('print frames like candump -L, optionally decoded with a DBC')
    .argument('<medium>', 'e.g. socketcand://127.0.0.1:29536/can0')
    .option('--dbc <file>', 'decode frames the DBC knows (signals on the next line)')
    .option('--filter <id[:mask],...>', 'only these ids (hex; 8 digits = extended), repeatable', collect)
    .option('--count <n>', 'stop after n frames')
    .option('--timeout <duration>', 'stop after this long without a frame (500ms, 2s, 1m); with --count, exit 1 if short')
    .addOption(new Option('--timestamps <mode>', 'abs (candump -L), delta (since previous) or none').choices(['abs', 'delta', 'none']).default('abs'))
    .addHelpText('after', `\nExamples:\n  hil can dump socketcand://127.0.0.1:29536/can0 --dbc data/dbc/pylon-lv.dbc\n  hil can dump slcan:///dev/ttyACM0?bitrate=500000 --filter 351,355 --count 10${MEDIA_HELP}`)
    .action(async (medium: string, opts: { dbc?: string; filter?: string[]; count?: string; timeout?: string; timestamps: TimestampMode }) => {
      const filters: CanFilter[] | undefined = opts.filter?.flatMap(parseFilterArg);
      const count = opts.count !== undefined ? parseCount('--count', opts.count) : undefined;
      const idleTimeoutMs = opts.timeout !== undefined ? parseDurationArg('--timeout', opts.timeout) : undefined;
      await withStop(async (signal) => {
        const r = await runDump(
          {
            medium,
            timestamps: opts.timestamps,
            signal,
            ...(opts.dbc !== undefined ? { dbc: opts.dbc } : {}),
            ...(filters ? { filters } : {}),
            ...(count !== undefined ? { count } : {}),
            ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}),
          },
          processIo(),
        );
        return r.exitCode;
      });
    });

  addRealtimeOption(can
    .command('send')
    .description('send frames (cansend form), or one DBC message by signal values; once or periodically')
    .argument('<medium>', 'e.g. socketcand://127.0.0.1:29536/can0')
    .argument('[frame...]', '123#DEADBEEF, 1FFFFFFF#00, 123#R')
    .option('--dbc <file>', 'DBC for --message')
    .option('--message <name>', 'message to encode (name or id); signals not set get their start value')
    .option('--set <sig=value,...>', 'signal values (numbers, true/false, value-table names), repeatable', collect)
    .option('--period <ms>', 'send every period ms (until Ctrl-C, or --count rounds)')
    .option('--count <n>', 'rounds to send (default 1)'))
    .addHelpText('after', `\nExamples:\n  hil can send socketcand://127.0.0.1:29536/can0 305#0000000000000000\n  hil can send socketcand://127.0.0.1:29536/can0 --dbc data/dbc/pylon-lv.dbc --message BMS_Limits --set ChargeVoltageLimit=53.2,ChargeCurrentLimit=50 --period 1000${MEDIA_HELP}`)
    .action(async (medium: string, frames: string[], opts: { dbc?: string; message?: string; set?: string[]; period?: string; count?: string; realtime?: string | boolean }) => {
      const periodMs = opts.period !== undefined ? parsePositive('--period', opts.period) : undefined;
      const count = opts.count !== undefined ? parseCount('--count', opts.count) : undefined;
      const rt = realtimeOption(opts.realtime);
      await applyRealtime(rt, (l) => process.stderr.write(`hil can send: ${l}\n`), periodMs === undefined ? 'no --period: nothing is timed' : undefined);
      await withStop(async (signal) => {
        await runSend(
          {
            medium,
            frames,
            signal,
            ...(opts.dbc !== undefined ? { dbc: opts.dbc } : {}),
            ...(opts.message !== undefined ? { message: opts.message } : {}),
            ...(opts.set ? { set: opts.set } : {}),
            ...(periodMs !== undefined ? { periodMs } : {}),
            ...(count !== undefined ? { count } : {}),
          },
          processIo(),
        );
        return 0;
      });
    });

  can
    .command('record')
    .description('record frames to a candump log (.log) or a pcap (.pcap) until Ctrl-C, --duration or --count')
    .argument('<medium>', 'e.g. socketcand://127.0.0.1:29536/can0')
    .argument('<file>', 'file.log or file.pcap')
    .option('--duration <duration>', 'stop after this long (30s, 5m, 1h)')
    .option('--count <n>', 'stop after n frames')
    .action(async (medium: string, file: string, opts: { duration?: string; count?: string }) => {
      const durationMs = opts.duration !== undefined ? parseDurationArg('--duration', opts.duration) : undefined;
      const count = opts.count !== undefined ? parseCount('--count', opts.count) : undefined;
      await withStop(async (signal) => {
        const r = await runRecord(
          { medium, file, signal, ...(durationMs !== undefined ? { durationMs } : {}), ...(count !== undefined ? { count } : {}) },
          processIo(),
        );
        return r.exitCode;
      });
    });

  addRealtimeOption(can
    .command('replay')
    .description('replay a candump log or pcap onto a medium with its original timing')
    .argument('<file>', 'file.log or file.pcap')
    .argument('<medium>', 'e.g. socketcand://127.0.0.1:29536/can0')
    .option('--speed <x>', "time factor: 2 twice as fast, 0.5 half speed, 'max' back to back", '1')
    .option('--loop', 'start again at the end, until Ctrl-C')
    .option('--channel <name>', 'replay only lines of this channel (candump logs)'))
    .action(async (file: string, medium: string, opts: { speed: string; loop?: boolean; channel?: string; realtime?: string | boolean }) => {
      const speed = parsePositive('--speed', opts.speed, true);
      const rt = realtimeOption(opts.realtime);
      await applyRealtime(rt, (l) => process.stderr.write(`hil can replay: ${l}\n`));
      await withStop(async (signal) => {
        await runReplay({ file, medium, speed, loop: !!opts.loop, signal, ...(opts.channel !== undefined ? { channel: opts.channel } : {}) }, processIo());
        return 0;
      });
    });
}
