import { randomBytes } from 'node:crypto';
import type { BenchInstance } from '../bench/bench-instance';
import { DashboardServer } from './dashboard-server';

/** Most run events kept for pages opened late. */
const MAX_EVENTS = 5000;

/**
 * The dashboard over a whole `hil run`: each scenario brings its own bench up, so each gets its own
 * {@link DashboardServer}, on the same address and token (the URL is printed once, at the first scenario; an open
 * page follows to the next scenario by itself). The run's events (scenario starts, timeline steps, failed
 * expectations, verdicts) are kept here and shown on every page.
 *
 * Contract: `onBench` and `onEvent` never throw; a port that cannot be bound again is printed and that scenario
 * runs without a page.
 */
export class RunDashboard {
  readonly token = randomBytes(16).toString('hex');
  readonly events: Record<string, unknown>[] = [];
  private port: number;
  private current: DashboardServer | undefined;
  private printed = false;

  constructor(private readonly options: { host: string; port: number; print: (line: string) => void }) {
    this.port = options.port;
  }

  readonly onBench = (inst: BenchInstance, now: () => number): (() => Promise<void>) => {
    const ui = new DashboardServer({ inst, now, host: this.options.host, port: this.port, token: this.token, runEvents: this.events, log: this.options.print });
    this.current = ui;
    const ready = ui.listen().then(
      (url) => {
        this.port = ui.port();
        if (!this.printed) this.options.print(`dashboard: ${url}`);
        this.printed = true;
      },
      (err: Error) => this.options.print(`dashboard: cannot listen on ${this.options.host}:${this.port}: ${err.message}`),
    );
    return async () => {
      await ready;
      if (this.current === ui) this.current = undefined;
      await ui.close().catch(() => undefined);
    };
  };

  readonly onEvent = (r: Record<string, unknown>): void => {
    this.events.push(r);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    this.current?.runEvent(r);
  };
}
