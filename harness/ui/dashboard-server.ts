import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faultCatalog } from '../bench/fault-catalog';
import type { EmulateTarget } from '../operator/interpreter';
import { BadActionError, DashboardActions, type ActionRecord } from './dashboard-actions';
import { dashboardPage } from './dashboard-page';
import { DashboardSampler, type DashboardTarget } from './dashboard-sampler';

/** Options of {@link DashboardServer}. */
export interface DashboardServerOptions {
  inst: DashboardTarget & EmulateTarget;
  /** Milliseconds, the bench's clock. */
  now: () => number;
  /** Default 127.0.0.1; anything else only when the user asked (`--ui-host`). */
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** Snapshots per second (default 10). */
  rateHz?: number;
  /** One line per manual action (the run's events). */
  log?: (line: string) => void;
  /** Fixed token (tests, and `hil run --ui` keeping one URL over its scenarios); default 128 random bits. */
  token?: string;
  /** A run's events so far (`hil run --ui`: scenario starts, timeline steps, failed expectations, verdicts). */
  runEvents?: readonly Record<string, unknown>[];
}

const MAX_BODY = 64 * 1024;
const MAX_STREAMS = 32;

/**
 * The dashboard: the page and its JSON/HTTP API (docs/ui-api.yaml) on one Node http server.
 *
 * Contract:
 * - Every request must carry the token (`?token=`, or `Authorization: Bearer <token>`), else 403 and nothing else.
 * - Samples the bench `rateHz` times a second whether or not a page is open (history for late joiners); streams
 *   each sample to the open `/api/stream` clients (SSE), at most 32 of them (503 beyond).
 * - `close()` ends the streams, stops sampling and the server; idempotent, never throws.
 */
export class DashboardServer {
  readonly token: string;
  readonly actions: DashboardActions;
  readonly sampler: DashboardSampler;
  private readonly server: Server;
  private readonly streams = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private address: AddressInfo | undefined;

  constructor(private readonly options: DashboardServerOptions) {
    this.token = options.token ?? randomBytes(16).toString('hex');
    this.sampler = new DashboardSampler(options.inst, options.now);
    const nowS = (): number => (options.now() - options.inst.startMs) / 1000;
    this.actions = new DashboardActions(options.inst, nowS, (r) => this.onAction(r));
    this.server = createServer((req, res) => this.handle(req, res));
  }

  /** Listen; resolves with the page's URL (token included). */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.address = this.server.address() as AddressInfo;
    this.sampler.sample();
    this.timer = setInterval(() => this.tick(), 1000 / (this.options.rateHz ?? 10));
    return this.url();
  }

  /** The port listened on (after `listen`). */
  port(): number {
    return this.address!.port;
  }

  /** A run event as it happens: kept by the caller in `runEvents`, streamed to the pages as `event: run`. */
  runEvent(r: Record<string, unknown>): void {
    this.broadcast('run', r);
  }

  url(): string {
    const a = this.address!;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}/?token=${this.token}`;
  }

  /** The page's state as `GET /api/state` returns it. */
  state(): Record<string, unknown> {
    const inst = this.options.inst;
    const history = this.sampler.history.toArray();
    return {
      bench: inst.bench.file.bench,
      t: (this.options.now() - inst.startMs) / 1000,
      devices: [...inst.devices.values()].map((d) => ({
        name: d.name,
        type: d.type,
        inputs: d.inputNames(),
        faultKinds: faultCatalog(d, inst.bench.file.devices.find((s) => s.name === d.name)?.modbus !== undefined),
      })),
      faults: inst.activeFaults(),
      snapshot: history[history.length - 1] ?? this.sampler.sample(),
      traffic: this.sampler.traffic(),
      actions: this.actions.log,
      ...(this.options.runEvents ? { run: this.options.runEvents } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.streams) s.end();
    this.streams.clear();
    this.sampler.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private tick(): void {
    const snap = this.sampler.sample();
    if (this.streams.size === 0) return;
    this.broadcast('snapshot', snap);
    if (++this.ticks % 5 === 0) this.broadcast('traffic', this.sampler.traffic());
  }

  private onAction(r: ActionRecord): void {
    this.options.log?.(`ui: t=${r.t.toFixed(3)}s ${JSON.stringify(r.action)} -> ${r.ok ? '' : 'refused: '}${r.message}`);
    this.broadcast('action', { record: r, faults: this.options.inst.activeFaults() });
  }

  private broadcast(event: string, data: unknown): void {
    if (this.streams.size === 0) return;
    const chunk = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const s of this.streams) s.write(chunk);
  }

  private authorised(req: IncomingMessage, url: URL): boolean {
    const given = url.searchParams.get('token') ?? /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!this.authorised(req, url)) return json(res, 403, { error: 'missing or wrong token (use the URL printed at start)' });
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    switch (route) {
      case 'GET /':
        return send(res, 200, 'text/html; charset=utf-8', dashboardPage());
      case 'GET /api/state':
        return json(res, 200, this.state());
      case 'GET /api/history': {
        const since = Number(url.searchParams.get('since') ?? '-1');
        return json(res, 200, { snapshots: this.sampler.history.toArray().filter((s) => s.t > since) });
      }
      case 'GET /api/stream':
        return this.openStream(res);
      case 'GET /api/export': {
        const name = url.searchParams.get('name') ?? 'ui-session';
        if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) return json(res, 400, { error: 'name: letters, digits, _ . -' });
        return send(res, 200, 'application/yaml; charset=utf-8', this.actions.exportScenario(name));
      }
      case 'POST /api/actions':
        return void this.postAction(req, res);
      default:
        return json(res, 404, { error: `no route ${route}` });
    }
  }

  private openStream(res: ServerResponse): void {
    if (this.streams.size >= MAX_STREAMS) return json(res, 503, { error: `at most ${MAX_STREAMS} streams` });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': hil dashboard\n\n');
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
  }

  private async postAction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let size = 0;
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > MAX_BODY) return json(res, 413, { error: `body over ${MAX_BODY} bytes` });
        chunks.push(c as Buffer);
      }
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const r = this.actions.apply(body);
      json(res, r.ok ? 200 : 422, r);
    } catch (err) {
      if (err instanceof BadActionError || err instanceof SyntaxError) return json(res, 400, { error: err.message });
      json(res, 500, { error: (err as Error).message });
    }
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', JSON.stringify(body));
}
