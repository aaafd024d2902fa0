import type { Clock } from '../../../../core/clock';
import { ConfigError, OperationError } from '../../../../core/errors';
import type { CanBus } from '../../../../protocols/can/bus';
import { SlcanAdapter } from '../../../../protocols/can/slcan';
import { SocketcandServer, type SocketcandServerStats } from '../../../../protocols/can/socketcand';
import type { SlcanAdapterStats } from '../../../../protocols/can/slcan';
import type { ConnectionLimits } from '../../../../protocols/net/connection-guard';
import type { CliIo } from './cli-io';
import { whenAborted } from './stop-signal';

/** Options for {@link runServe}. */
export interface ServeOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** TCP port (default 29536; 0 picks a free one, printed). */
  port?: number;
  /** Also act as an SLCAN adapter for `bus` on a pseudo-terminal whose link is this path. */
  slcanPty?: string;
  /** Hub bus for the SLCAN adapter and the printed examples (default `can0`). */
  bus?: string;
  /** Runs until this aborts (the CLI's SIGINT/SIGTERM). */
  signal?: AbortSignal;
  clock?: Clock;
  /** Connection limits (default the hub's: 64 clients, 30 s to open a bus). */
  limits?: ConnectionLimits;
}

/** Counters taken just before the hub closed. */
export interface ServeResult {
  hub: SocketcandServerStats;
  slcan: Readonly<SlcanAdapterStats> | undefined;
}

/**
 * `hil can serve`: run a socketcand hub (buses are created when a client first opens them) and, optionally, an
 * SLCAN adapter on a pty for one of its buses. Prints the endpoint as its first `out` line,
 * `socketcand://<host>:<port>/<bus>`, then how to join it; when the signal aborts, prints per-bus and per-client
 * counters and closes everything. A port in use, a bad pty path or a missing socat are `ConfigError` /
 * `InterfaceNotAvailableError` (exit 2) and leave nothing running.
 */
export async function runServe(options: ServeOptions, io: CliIo): Promise<ServeResult> {
  const busName = options.bus ?? 'can0';
  const server = new SocketcandServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 29536,
    ...(options.clock ? { clock: options.clock } : {}),
    log: (line) => io.err(`hub: ${line}`),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  let adapter: SlcanAdapter | undefined;
  try {
    let address: { host: string; port: number };
    try {
      address = await server.listen();
    } catch (err) {
      if (err instanceof OperationError) throw new ConfigError(`${err.message} (choose another --port, or 0 for a free one)`, undefined, { cause: err });
      throw err;
    }
    const { host, port } = address;
    if (options.slcanPty !== undefined) {
      const member: CanBus = server.attach(busName);
      adapter = await SlcanAdapter.start(member, { link: options.slcanPty });
      adapter.onExit((why) => io.err(`serve: SLCAN adapter on ${options.slcanPty} stopped: ${why}`));
    }
    io.out(`socketcand://${host}:${port}/${busName}`);
    io.out(`socketcand hub listening on ${host}:${port}; a bus is created when a client first opens it (any name up to 16 characters)`);
    io.out(`  hil:        hil can dump socketcand://${host}:${port}/${busName}    hil can send socketcand://${host}:${port}/${busName} 123#DEADBEEF`);
    io.out(`  python-can: can.Bus(interface='socketcand', host='${host}', port=${port}, channel='${busName}')`);
    io.out(`  logger:     python3 -m can.logger -i socketcand -c ${busName} --host=${host} --port=${port}`);
    if (adapter) {
      io.out(`SLCAN adapter for bus ${busName} on ${adapter.path} (pty ${adapter.ptyPath})`);
      io.out(`  python-can: can.Bus(interface='slcan', channel='${adapter.path}', bitrate=500000)`);
      io.out(`  hil:        hil can dump slcan://${adapter.path}?bitrate=500000`);
    }
    io.err('serve: running; Ctrl-C (SIGINT) or SIGTERM stops it and prints the counters');
    await whenAborted(options.signal);
    const result: ServeResult = { hub: server.stats(), slcan: adapter ? { ...adapter.stats } : undefined };
    printCounters(result, io, options.slcanPty);
    return result;
  } finally {
    await adapter?.close();
    await server.close();
  }
}

function printCounters(result: ServeResult, io: CliIo, pty: string | undefined): void {
  const { hub, slcan } = result;
  io.out(`hub: ${hub.connections} connection${hub.connections === 1 ? '' : 's'} since start, ${hub.clients.length} connected now, ${hub.buses.length} bus${hub.buses.length === 1 ? '' : 'es'}`);
  for (const b of hub.buses) {
    io.out(`  bus ${b.name}: ${b.members} members, ${b.frames} frames, ${b.deliveries} deliveries, ${b.dropped} dropped`);
  }
  for (const c of hub.clients) {
    const bad = Object.values(c.drops).reduce((a, n) => a + n, 0);
    const why = Object.entries(c.drops).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
    io.out(
      `  client ${c.remote} on ${c.bus ?? '-'} (${c.mode}): ${c.framesIn} frames in, ${c.framesOut} out, ` +
        `${c.framesDropped} dropped, ${bad} bad inputs${why ? ` (${why})` : ''}`,
    );
  }
  if (slcan) {
    const errors = Object.entries(slcan.errors).map(([k, n]) => `${k} ${n}`).join(', ');
    io.out(
      `slcan ${pty}: ${slcan.commands} commands, ${slcan.framesToBus} frames to bus, ${slcan.framesToHost} to host, ` +
        `${slcan.framesDropped} dropped, ${slcan.bells} BEL${errors ? ` (${errors})` : ''}`,
    );
  }
}
