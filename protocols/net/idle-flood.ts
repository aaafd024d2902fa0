import { connect, type Socket } from 'node:net';

/** Options for {@link IdleFlood.open}. */
export interface IdleFloodOptions {
  host?: string;
  port: number;
  /** Connections to open. */
  count: number;
  /** Connections being set up at once (default 200, under Node's default listen backlog of 511). */
  concurrency?: number;
  /** Bytes each connection sends once connected (default none: idle). */
  send?: Buffer;
  /**
   * Keep the flood within what the server has accepted: open a connection only while fewer than `maxAhead` are
   * connected but not yet accepted (`accepted()` reads the server's count). Without it a flood outruns the listen
   * backlog and the kernel holds the excess back for up to a minute of SYN-ACK retries, which makes a test slow
   * without making the server's job any different.
   */
  pace?: { accepted: () => number; maxAhead: number };
}

/**
 * Test and benchmark tool: opens many TCP connections that stay idle (or send one burst of bytes), the way a
 * broken tool or a port scanner leaves them, to show a server stays reachable. Not part of any medium.
 *
 * Our side closes a connection when the server closes it (Node's default), which is all the server can see of an
 * abuser that keeps its end open: the server's sockets and file descriptors are what a cap protects.
 */
export class IdleFlood {
  /** Connections that completed the TCP handshake. */
  opened = 0;
  /** Connections that failed to open, by error code. */
  readonly failures: Record<string, number> = {};
  /** Connections the server closed (after they opened). */
  closedByServer = 0;
  /** Wall time to open them all, ms. */
  openMs = 0;
  private readonly sockets = new Set<Socket>();
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  private closing = false;
  private turn: Promise<void> | undefined;

  private constructor(private readonly options: IdleFloodOptions) {}

  /** Open `count` connections; resolves when every attempt has connected or failed. */
  static async open(options: IdleFloodOptions): Promise<IdleFlood> {
    const flood = new IdleFlood(options);
    const t0 = performance.now();
    let next = 0;
    const pace = options.pace;
    const worker = async (): Promise<void> => {
      while (next < options.count) {
        next++;
        while (pace && flood.opened - pace.accepted() >= pace.maxAhead) await flood.shortPause();
        await flood.openOne();
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 200, options.count) }, worker));
    flood.openMs = performance.now() - t0;
    return flood;
  }

  /** Connections still open on our side. */
  get held(): number {
    return this.sockets.size;
  }

  /** Resolves once at most `n` connections are still open (the server closed the rest). */
  whenHeldAtMost(n: number): Promise<void> {
    if (this.sockets.size <= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /** Close every connection still open. */
  close(): void {
    this.closing = true;
    for (const s of this.sockets) s.destroy();
  }

  /**
   * One shared 1 ms pause for every worker held back by `pace`: the server's count has no event to wait on, and
   * spinning on `setImmediate` would burn a core the server (and a busy machine) needs.
   */
  private shortPause(): Promise<void> {
    this.turn ??= new Promise((resolve) =>
      setTimeout(() => {
        this.turn = undefined;
        resolve();
      }, 1),
    );
    return this.turn;
  }

  private openOne(): Promise<void> {
    return new Promise((resolve) => {
      const s = connect({ host: this.options.host ?? '127.0.0.1', port: this.options.port });
      let connected = false;
      s.on('error', (err: NodeJS.ErrnoException) => {
        if (!connected) {
          const code = err.code ?? err.message;
          this.failures[code] = (this.failures[code] ?? 0) + 1;
          resolve();
        }
      });
      s.once('connect', () => {
        connected = true;
        this.opened++;
        this.sockets.add(s);
        if (this.options.send) s.write(this.options.send);
        resolve();
      });
      s.once('close', () => {
        if (!connected) return;
        this.sockets.delete(s);
        if (!this.closing) this.closedByServer++;
        this.waiters = this.waiters.filter((w) => {
          if (this.sockets.size > w.n) return true;
          w.resolve();
          return false;
        });
      });
      s.resume(); // read and discard what the server says (a greeting), so its close is seen
    });
  }
}
