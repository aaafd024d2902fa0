/** Where the socketcand server and client write their log lines. */
export type LogSink = (line: string) => void;

/** Default sink: one line on stderr. */
export const stderrLog: LogSink = (line) => {
  process.stderr.write(`[socketcand] ${line}\n`);
};

/**
 * Logs at most `limit` lines, then one line saying that further events are only counted. Keeps a peer that
 * floods garbage from flooding the log too (its drops stay counted in full).
 */
export class RateLimitedLog {
  private lines = 0;

  constructor(
    private readonly sink: LogSink,
    private readonly prefix: string,
    private readonly limit = 20,
  ) {}

  write(line: string): void {
    this.lines++;
    if (this.lines <= this.limit) this.sink(`${this.prefix}: ${line}`);
    else if (this.lines === this.limit + 1) this.sink(`${this.prefix}: more events; counted, no longer logged`);
  }

  /** Always written (connects, disconnects, policy decisions). */
  always(line: string): void {
    this.sink(`${this.prefix}: ${line}`);
  }
}
