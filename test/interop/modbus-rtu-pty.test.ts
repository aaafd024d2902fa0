/**
 * Our RTU server on a socat pty with each byte mover (serialport's poll handle with reads and writes on the event
 * loop, tty streams, serialport's stream): it serves a request, and when the far side goes away (socat killed: the
 * pty hangs up) the server closes itself with a DisconnectedError instead of crashing or spinning. 'auto' picks the
 * poll mover on Linux.
 */
import { spawn } from 'node:child_process';
import { DisconnectedError } from '../../core/errors';
import { appendCrc } from '../../protocols/modbus/framer/crc';
import { RegisterMap } from '../../protocols/modbus/register-map';
import { ModbusRtuServer } from '../../protocols/modbus/rtu/rtu-server';
import { PtyPair } from '../../protocols/modbus/rtu/rtu-pty-pair';
import { SerialLink } from '../../protocols/modbus/rtu/rtu-serial-link';
import { ModbusServerCore } from '../../protocols/modbus/server-core';
import { PYTHON, describeWithPeers } from '../support/peers';

/** One request from a plain pyserial master; prints the reply as hex. */
const ASK = `
import serial, sys
s = serial.Serial(sys.argv[1], 115200, timeout=2)
s.write(bytes.fromhex(sys.argv[2]))
print(s.read(int(sys.argv[3])).hex())
`;

function ask(path: string, request: Uint8Array, replyBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', ASK, path, Buffer.from(request).toString('hex'), String(replyBytes)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', () => resolve(out.trim()));
  });
}

describeWithPeers(['socat', 'python3-serial'], 'Modbus RTU server on a pty: serving and hang-up', () => {
  for (const io of ['poll', 'tty', 'serialport'] as const) {
    it(`serves, then closes with DisconnectedError when the pty goes away (${io} io)`, async () => {
      const pty = await PtyPair.start();
      const core = new ModbusServerCore();
      const map = new RegisterMap();
      map.addRegisters({ table: 'holding', start: 0, values: [0x1234, 0x5678] });
      core.addUnit(17, map);
      const server = await ModbusRtuServer.open({ path: pty.a, baudRate: 115200, parity: 'none', stopBits: 1, core, io });
      try {
        expect((server.link as SerialLink).ioKind).toBe(io);
        if (io === 'poll' && process.platform === 'linux') {
          const auto = await ModbusRtuServer.open({ path: pty.a, baudRate: 115200, parity: 'none', stopBits: 1, core });
          expect((auto.link as SerialLink).ioKind).toBe('poll');
          await auto.close();
        }
        const reply = await ask(pty.b, appendCrc(Uint8Array.of(17, 3, 0, 0, 0, 2)), 9);
        expect(reply).toBe(Buffer.from(appendCrc(Uint8Array.of(17, 3, 4, 0x12, 0x34, 0x56, 0x78))).toString('hex'));
        await pty.close(); // socat exits: both ptys hang up
        const why = await server.closed;
        expect(why).toBeInstanceOf(DisconnectedError);
        expect(server.isOpen).toBe(false);
      } finally {
        await server.close();
        await pty.close();
      }
    });
  }

  it('poll io: writes larger than the pty takes are queued and arrive whole and in order as the far side reads', async () => {
    const pty = await PtyPair.start();
    const a = await SerialLink.open({ path: pty.a, baudRate: 115200, parity: 'none', io: 'poll' });
    const b = await SerialLink.open({ path: pty.b, baudRate: 115200, parity: 'none', io: 'poll' });
    try {
      // 3 x 100 kB: far more than a pty and socat buffer, so the descriptor says EAGAIN and the rest waits.
      const parts = [0, 1, 2].map((k) => Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7 + k) & 0xff));
      const total = parts.reduce((n, p) => n + p.length, 0);
      const got: number[] = [];
      const all = new Promise<void>((resolve) =>
        b.onData((chunk) => {
          for (const x of chunk) got.push(x); // the chunk is the link's buffer: copied out here
          if (got.length >= total) resolve();
        }),
      );
      const writes = parts.map((p) => a.write(p));
      parts[0]!.fill(0); // the link keeps its own copy of what it has not sent yet
      await Promise.all([...writes, all]);
      const want = [0, 1, 2].flatMap((k) => Array.from({ length: 100_000 }, (_, i) => (i * 7 + k) & 0xff));
      expect(got.length).toBe(total);
      expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await pty.close();
    }
  });
});
