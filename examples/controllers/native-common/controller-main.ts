/**
 * What every example controller run as its own process does the same way (the vehicle controllers through
 * ./vehicle-main.ts, the translator): parse the arguments, open its CAN buses on a real clock, start the controller;
 * on SIGTERM/SIGINT stop it, close the buses and exit 0. A failure before it runs prints `<label>: <message>` and
 * exits with the code of its error class (2 bad arguments, 3 a bus that cannot be opened).
 */
import { RealClock } from '../../../core/clock';
import { exitCodeFor } from '../../../core/errors';
import type { CanBus } from '../../../protocols/can/bus';
import { openBus } from '../../../protocols/can/registry';

/** The controller as the process drives it. */
export interface ProcessController {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Run `label`'s process: `parse` reads the arguments (throw `ConfigError` on bad ones), `build` opens buses with
 * `open` (closed again at shutdown, in the order opened) and returns the controller to start.
 */
export function runControllerMain<A>(
  label: string,
  parse: (argv: string[]) => A,
  build: (args: A, clock: RealClock, open: (url: string) => Promise<CanBus>) => Promise<ProcessController>,
): void {
  main().catch((err: unknown) => {
    console.error(`${label}: ${(err as Error).message}`);
    process.exit(exitCodeFor(err));
  });

  async function main(): Promise<void> {
    const args = parse(process.argv.slice(2));
    const clock = new RealClock({ spinMs: 0 });
    const buses: CanBus[] = [];
    const open = async (url: string): Promise<CanBus> => {
      const bus = await openBus(url, { clock });
      buses.push(bus);
      return bus;
    };
    const c = await build(args, clock, open);
    const shutdown = async (): Promise<void> => {
      await c.stop();
      for (const b of buses) await b.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void shutdown());
    process.on('SIGINT', () => void shutdown());
    await c.start();
  }
}
