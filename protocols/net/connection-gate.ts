import type { Socket } from 'node:net';

/**
 * Takes turns between a server and its clients (lock step, docs/lockstep.md). On the server's turn it reads the
 * clients' connections, one after the other in the order they were accepted, and what it writes to them is held
 * (corked); on the clients' turn what it wrote goes out (again in accept order) and their connections are not read
 * (paused), so nothing they send is handled until the next server turn. The order in which the server handles
 * several clients' bytes is then the accept order, not the order the bytes happened to arrive in.
 *
 * Contract: the gate starts on the server's turn; a socket added (call `add` before anything is written to or read
 * from it) follows the current turn; closed sockets are dropped; the gate itself reads and writes nothing.
 */
export class ConnectionGate {
  private readonly sockets: Socket[] = [];
  private serversTurn = true;

  /** Put a newly accepted socket under the gate. */
  add(socket: Socket): void {
    this.sockets.push(socket);
    if (this.serversTurn) socket.cork();
    else socket.pause();
    socket.once('close', () => {
      const i = this.sockets.indexOf(socket);
      if (i >= 0) this.sockets.splice(i, 1);
    });
  }

  /** The clients' turn: release what was written, stop reading. */
  clientsTurn(): void {
    if (!this.serversTurn) return;
    this.serversTurn = false;
    for (const s of this.sockets) {
      s.pause();
      s.uncork();
    }
  }

  /** The server's turn: hold what is written from now on, read what the clients sent. */
  serverTurn(): void {
    if (this.serversTurn) return;
    this.serversTurn = true;
    for (const s of this.sockets) {
      s.cork();
      s.resume();
    }
  }

  /** Connections under the gate now. */
  get size(): number {
    return this.sockets.length;
  }
}
