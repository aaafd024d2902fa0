import { connect } from 'node:net';

/**
 * A loopback TCP port where a connection is refused, for "nothing listens there" tests: port 1 (tcpmux, privileged,
 * unused). Not a port one of our servers just released: a parallel test or process may get that very port from
 * the kernel in between, and the test then connects to a stranger. Everything in the suite listens on port 0.
 * Resolves 1 after checking that a connection there is indeed refused; rejects with a clear message otherwise.
 */
export function refusedPort(): Promise<number> {
  const port = 1;
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      reject(new Error(`something listens on 127.0.0.1:${port}; the "connection refused" tests need that port closed`));
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve(port);
      else reject(new Error(`probing 127.0.0.1:${port} for a refused connection: ${err.message}`));
    });
  });
}
