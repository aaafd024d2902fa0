/**
 * Where a `hil can` command writes. `out` gets results (frames, decoded signals) and `err` diagnostics (readiness,
 * summaries, bad input); each call is one line without its newline. Tests inject collectors; the CLI writes to
 * the process's stdout and stderr.
 */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** The process's stdout and stderr. */
export function processIo(): CliIo {
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
  };
}
