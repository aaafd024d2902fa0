import type { LogSink } from '../../../core/log/rate-limited-log';

export type { LogSink } from '../../../core/log/rate-limited-log';

/** Default sink of the socketcand server and client: one line on stderr. */
export const stderrLog: LogSink = (line) => {
  process.stderr.write(`[socketcand] ${line}\n`);
};
