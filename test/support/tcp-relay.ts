import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** A loopback TCP relay in front of a server, see {@link startTcpRelay}. */
export interface TcpRelay {
  /** Where clients connect (chosen by the kernel: port 0). */
  readonly port: number;
  /** Drop every relayed connection at once, as a server or gateway that resets them; keeps listening. */
  cut(): Promise<void>;
  /** Cut, then stop listening. Idempotent. */
  close(): Promise<void>;
}

/**
 * Relay connections on a fresh loopback port to `127.0.0.1:targetPort`. For tests of clients that must survive a
 * dropped connection: `cut()` drops them while the address stays valid, so the test never has to close a server and
 * listen again on the port it released (another process may have taken it in between).
 */
export async function startTcpRelay(targetPort: number): Promise<TcpRelay> {
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((inbound) => {
    const outbound = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    for (const s of pair) s.on('error', end).on('close', end);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = async (): Promise<void> => {
    const closing = [...pairs].flat().map((s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve()))));
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    await Promise.all(closing);
  };
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    cut,
    close: () => (closed ??= cut().then(() => new Promise<void>((resolve) => server.close(() => resolve())))),
  };
}
