import { createServer, connect, type Server, type Socket } from 'node:net';
import { ConnectionGate } from './connection-gate';

/** A server whose accepted sockets go under `gate` and echo what they read, tagged; one client connected to it. */
async function pair(gate: ConnectionGate): Promise<{ server: Server; client: Socket; received: () => string; served: () => string }> {
  let fromServer = '';
  let atServer = '';
  const server = createServer((s) => {
    gate.add(s);
    s.write('hi;');
    s.on('data', (d) => {
      atServer += d.toString();
      s.write(`echo ${d.toString()};`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  client.on('data', (d) => (fromServer += d.toString()));
  await new Promise<void>((r) => client.once('connect', () => r()));
  return { server, client, received: () => fromServer, served: () => atServer };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('ConnectionGate', () => {
  it('holds what the server writes until the clients turn, and what the clients send until the server turn', async () => {
    const gate = new ConnectionGate();
    const p = await pair(gate);
    try {
      await until(() => gate.size === 1, 'the connection under the gate');
      // Server's turn: the greeting is held.
      await new Promise((r) => setTimeout(r, 50)); // a failure bound for "nothing arrives": 50 ms is plenty on loopback
      expect(p.received()).toBe('');
      gate.clientsTurn();
      await until(() => p.received() === 'hi;', 'the greeting');
      // Clients' turn: what the client sends is not read by the server yet.
      p.client.write('x');
      await new Promise((r) => setTimeout(r, 50));
      expect(p.served()).toBe('');
      gate.serverTurn();
      await until(() => p.served() === 'x', 'the request read on the server turn');
      // ...and its answer is held until the next clients' turn.
      await new Promise((r) => setTimeout(r, 50));
      expect(p.received()).toBe('hi;');
      gate.clientsTurn();
      await until(() => p.received() === 'hi;echo x;', 'the answer');
      // stopReading ends a server turn's reading early: later bytes wait for the next server turn.
      gate.serverTurn();
      gate.stopReading();
      p.client.write('y');
      await new Promise((r) => setTimeout(r, 50));
      expect(p.served()).toBe('x');
      gate.serverTurn();
      await until(() => p.served() === 'xy', 'the late byte, on the next server turn');
      p.client.destroy();
      await until(() => gate.size === 0, 'the closed connection dropped');
    } finally {
      p.client.destroy();
      await new Promise((r) => p.server.close(r));
    }
  });
});
