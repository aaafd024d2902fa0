import { connect, type Socket } from 'node:net';
import { SocketcandTokenizer } from './tokenizer';

/**
 * Test helper: a bare TCP client that writes exact bytes and reads the server's messages one by one, so tests can
 * put garbage on the wire and wait on what comes back (events, never sleeps). Not part of the medium.
 */
export class RawTestClient {
  readonly messages: string[] = [];
  private readonly waiters: Array<(m: string | null) => void> = [];
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    const tok = new SocketcandTokenizer(
      (m) => {
        const w = this.waiters.shift();
        if (w) w(m);
        else this.messages.push(m);
      },
      () => undefined,
    );
    socket.on('data', (c: Buffer) => tok.push(c));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        for (const w of this.waiters.splice(0)) w(null);
        resolve();
      }),
    );
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawTestClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => {
        s.off('error', reject);
        resolve(new RawTestClient(s));
      });
      s.once('error', reject);
    });
  }

  /** Connect, expect hi, open `bus`, optionally switch to raw mode. */
  static async joined(port: number, bus: string, raw = true): Promise<RawTestClient> {
    const c = await RawTestClient.open(port);
    await c.expect('hi');
    c.write(`< open ${bus} >`);
    await c.expect('ok');
    if (raw) {
      c.write('< rawmode >');
      await c.expect('ok');
    }
    return c;
  }

  write(s: string | Buffer): void {
    this.socket.write(s);
  }

  /** Next message (inner text), or null once the connection closed. Rejects after `timeoutMs` of wall time. */
  next(timeoutMs = 5000): Promise<string | null> {
    const m = this.messages.shift();
    if (m !== undefined) return Promise.resolve(m);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no message within ${timeoutMs} ms (got so far: ${this.messages.join(' | ')})`));
      }, timeoutMs);
      const done = (v: string | null): void => {
        clearTimeout(t);
        resolve(v);
      };
      this.waiters.push(done);
    });
  }

  async expect(text: string): Promise<void> {
    const m = await this.next();
    if (m !== text) throw new Error(`expected '< ${text} >', got ${m === null ? 'connection closed' : `'< ${m} >'`}`);
  }

  /** Send `< echo >` and collect every message before its echo: all earlier input has been handled then. */
  async sync(): Promise<string[]> {
    this.write('< echo >');
    const before: string[] = [];
    for (;;) {
      const m = await this.next();
      if (m === null) throw new Error('connection closed before the echo came back');
      if (m === 'echo') return before;
      before.push(m);
    }
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}
