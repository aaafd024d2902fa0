/**
 * Low-latency mode against real pseudo-terminals (socat): a pty has no serial driver, so Linux refuses the request
 * (serialport's set() fails with ENOTTY). The RTU link and the SLCAN medium keep working and say so once in their
 * log; with the option off nothing is asked and nothing is said. (What an FTDI adapter does with the flag is in
 * protocols/serial/low-latency.ts; it needs a lab.)
 */
import { appendCrc } from '../../protocols/modbus/framer/crc';
import { RegisterMap } from '../../protocols/modbus/register-map';
import { ModbusRtuServer } from '../../protocols/modbus/rtu/rtu-server';
import { PtyPair } from '../../protocols/modbus/rtu/rtu-pty-pair';
import { SerialLink } from '../../protocols/modbus/rtu/rtu-serial-link';
import { ModbusServerCore } from '../../protocols/modbus/server-core';
import { VirtualBus } from '../../protocols/can/media/virtual';
import { openBus } from '../../protocols/can/registry';
import { SlcanAdapter } from '../../protocols/can/slcan';
import { describeWithPeers } from '../support/peers';

const linux = process.platform === 'linux';
const REFUSED = /^low-latency mode not set \(.+\): received bytes may wait for the adapter's latency timer \(16 ms on FTDI adapters\)$/;

describeWithPeers(['socat'], 'low-latency mode on a pty (refused, tolerated, reported once)', () => {
  for (const io of ['poll', 'tty', 'serialport'] as const) {
    it(`RTU link (${io} io): refused and noted by default, not asked with lowLatency: false`, async () => {
      const pty = await PtyPair.start();
      try {
        const asked = await SerialLink.open({ path: pty.a, baudRate: 115200, parity: 'none', io });
        expect(asked.lowLatency).toBe(linux ? 'refused' : 'not-asked');
        expect(asked.notes).toHaveLength(linux ? 1 : 0);
        if (linux) expect(asked.notes[0]).toMatch(REFUSED);
        await asked.close();
        const off = await SerialLink.open({ path: pty.a, baudRate: 115200, parity: 'none', io, lowLatency: false });
        expect([off.lowLatency, off.notes]).toEqual(['not-asked', []]);
        await off.close();
      } finally {
        await pty.close();
      }
    });
  }

  it('RTU server: the note is in its log once, and the refused port serves requests', async () => {
    const pty = await PtyPair.start();
    const core = new ModbusServerCore();
    const map = new RegisterMap();
    map.addRegisters({ table: 'holding', start: 0, values: [0x1234] });
    core.addUnit(17, map);
    const log: string[] = [];
    const server = await ModbusRtuServer.open({ path: pty.a, baudRate: 115200, parity: 'none', core, log: (l) => log.push(l) });
    const master = await SerialLink.open({ path: pty.b, baudRate: 115200, parity: 'none', lowLatency: false });
    try {
      const reply = appendCrc(Uint8Array.of(17, 3, 2, 0x12, 0x34));
      const got: number[] = [];
      const done = new Promise<void>((resolve) =>
        master.onData((chunk) => {
          got.push(...chunk);
          if (got.length >= reply.length) resolve();
        }),
      );
      await master.write(appendCrc(Uint8Array.of(17, 3, 0, 0, 0, 1)));
      await done;
      expect(Buffer.from(got).equals(Buffer.from(reply))).toBe(true);
      const notes = log.filter((l) => l.includes('low-latency'));
      expect(notes).toHaveLength(linux ? 1 : 0);
      if (linux) expect(notes[0]).toBe(`modbus rtu ${pty.a}: ${(server.link as SerialLink).notes[0]}`);
    } finally {
      await master.close();
      await server.close();
      await pty.close();
    }
  });

  it('SLCAN medium: the note goes to the bus log once (slcan <path>: ...); lowlatency=0 turns it off', async () => {
    const adapterBus = new VirtualBus('low-latency-slcan');
    const adapter = await SlcanAdapter.start(adapterBus);
    try {
      const log: string[] = [];
      const bus = await openBus(`slcan://${adapter.path}?bitrate=500000`, { log: (l) => log.push(l) });
      await bus.close();
      expect(log).toHaveLength(linux ? 1 : 0);
      if (linux) {
        const prefix = `slcan ${adapter.path}: `;
        expect(log[0]!.startsWith(prefix)).toBe(true);
        expect(log[0]!.slice(prefix.length)).toMatch(REFUSED);
      }
      const quiet: string[] = [];
      const off = await openBus(`slcan://${adapter.path}?bitrate=500000&lowlatency=0`, { log: (l) => quiet.push(l) });
      await off.close();
      expect(quiet).toEqual([]);
    } finally {
      await adapter.close();
      await adapterBus.close();
    }
  });
});
