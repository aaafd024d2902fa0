import type { Socket } from 'node:net';

/**
 * Takes turns between a server and its clients (lock step, docs/lockstep.md). On the server's turn what it writes
 * to the clients is held (corked) and their connections are read, one after the other in the order they were
 * accepted; on the clients' turn what the server wrote goes out (again in accept order) and their connections are
 * not read (paused), so nothing they send is handled until the server's next turn. The order in which the server
 * handles several clients' bytes is then the accept order, not the order the bytes happened to arrive in.
 * `stopReading()` ends the reading part of a server turn early (the server has what it was waiting for; anything
 * later waits for the next turn).
 *
 * Contract: the gate starts on the server's turn, reading; a socket added (call `add` before anything is written to
 * or read from it) follows the current state; closed sockets are dropped; the gate itself reads and writes nothing.
 */
export class ConnectionGate {
  private readonly sockets: Socket[] = [];
  private writesHeld = true;
  private reading = true;

  /** Put a newly accepted socket under the gate. */
  add(socket: Socket): void {
    this.sockets.push(socket);
    if (this.writesHeld) socket.cork();
    if (!this.reading) socket.pause();
    socket.once('close', () => {
      const i = this.sockets.indexOf(socket);
      if (i >= 0) this.sockets.splice(i, 1);
    });
  }

  /** The clients' turn: stop reading, release what was written. */
  clientsTurn(): void {
    this.stopReading();
    if (!this.writesHeld) return;
    this.writesHeld = false;
    for (const s of this.sockets) s.uncork();
  }

  /** The server's turn: hold what is written from now on, read what the clients sent. */
  serverTurn(): void {
    if (!this.writesHeld) {
      this.writesHeld = true;
      for (const s of this.sockets) s.cork();
    }
    if (this.reading) return;
    this.reading = true;
    for (const s of this.sockets) s.resume();
  }

  /** Stop reading the clients (until the next `serverTurn`). */
  stopReading(): void {
    if (!this.reading) return;
    this.reading = false;
    for (const s of this.sockets) s.pause();
  }

  /** Connections under the gate now. */
  get size(): number {
    return this.sockets.length;
  }
}
