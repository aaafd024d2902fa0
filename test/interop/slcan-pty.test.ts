/**
 * The SLCAN client medium against our SlcanAdapter over a real pseudo-terminal (socat), through node-serialport:
 * the shared CanBus contract, garbage on the line, the adapter going away.
 */
import { existsSync } from 'node:fs';
import { ClosedError, DisconnectedError } from '../../core/errors';
import { describeCanBusContract } from '../kits/can-bus-contract';
import { framesEqual, makeFrame, type CanFrame } from '../../protocols/can/frame';
import { openSlcanBus, type SlcanBus } from '../../protocols/can/media/slcan';
import { VirtualBus } from '../../protocols/can/media/virtual';
import { openBus } from '../../protocols/can/registry';
import { SlcanAdapter } from '../../protocols/can/slcan';
import { openSerialPort } from '../../protocols/can/slcan/serialport-transport';
import type { SerialTransport } from '../../protocols/can/slcan/serial-transport';
import { describeWithPeers } from '../support/peers';

describeWithPeers(['socat'], 'slcan over a pty (SlcanAdapter <-> client medium)', () => {
  describeCanBusContract('slcan (client medium on SlcanAdapter over a socat pty)', async ({ channel }) => {
    const adapterBus = new VirtualBus(channel);
    const adapter = await SlcanAdapter.start(adapterBus);
    const a = await openBus(`slcan://${adapter.path}?bitrate=500000`);
    return {
      a,
      b: new VirtualBus(channel),
      async cleanup() {
        await adapter.close();
        await adapterBus.close();
      },
    };
  }, { skipReasons: { errorFrames: 'SLCAN (Lawicel) has no error frames' } });

  describe('adapter behaviour on the line', () => {
    let adapter: SlcanAdapter | undefined;
    let adapterBus: VirtualBus | undefined;
    let peer: VirtualBus | undefined;
    let client: SlcanBus | undefined;
    let raw: SerialTransport | undefined;

    afterEach(async () => {
      await client?.close();
      await raw?.close();
      await adapter?.close();
      await adapterBus?.close();
      await peer?.close();
      client = raw = adapter = adapterBus = peer = undefined;
    });

    async function start(channel: string): Promise<SlcanAdapter> {
      adapterBus = new VirtualBus(channel);
      peer = new VirtualBus(channel);
      adapter = await SlcanAdapter.start(adapterBus);
      return adapter;
    }

    /** Collect what the raw port receives until `done(text)` says enough. */
    function readUntil(port: SerialTransport, done: (text: string) => boolean): Promise<string> {
      let text = '';
      return new Promise((resolve) => {
        port.onData((chunk) => {
          text += Buffer.from(chunk).toString('latin1');
          if (done(text)) resolve(text);
        });
      });
    }

    it('exposes a pty link, answers V/N over it, and removes the link on close', async () => {
      const ad = await start('slcan-pty-info');
      expect(existsSync(ad.path)).toBe(true);
      const opened = ad.whenOpen();
      expect(ad.ptyPath).toMatch(/^\/dev\/pts\/\d+$/);
      client = await openSlcanBus(ad.path, { bitrate: 125000 });
      expect(await client.version()).toEqual({ hardware: 10, software: 13, raw: 'V1013' });
      expect(await client.serialNumber()).toBe('HIL0');
      await opened;
      expect(ad.state).toMatchObject({ open: true, bitrate: 125000 });
      const closeSeen = new Promise<void>((resolve) => {
        const off = ad.onCommand((cmd) => cmd?.kind === 'close' && (off(), resolve()));
      });
      await client.close();
      client = undefined;
      await closeSeen;
      expect(ad.state.open).toBe(false);
      const neverOpened = expect(ad.whenOpen()).rejects.toBeInstanceOf(ClosedError);
      await ad.close();
      await neverOpened;
      expect(existsSync(ad.path)).toBe(false);
    });

    it('answers garbage with BEL, counts it, and keeps serving frames both ways', async () => {
      const ad = await start('slcan-pty-garbage');
      raw = await openSerialPort(ad.path);
      const replies = readUntil(raw, (t) => t.includes('V1013\r'));
      await raw.write('\x00\x01\xff\rhello\r' + 'x'.repeat(200) + '\rt1239\rV\r');
      expect(await replies).toBe('\x07\x07\x07\x07V1013\r');
      expect(ad.stats.bells).toBe(4);
      expect(ad.stats.errors).toEqual({ 'non-printable': 1, 'unknown-command': 1, 'too-long': 1, 'bad-frame': 1 });
      // Still an adapter: open it and move frames.
      const opened = readUntil(raw, (t) => t.endsWith('\r\r'));
      await raw.write('S6\rO\r');
      await opened;
      const onBus = new Promise<CanFrame>((resolve) => peer!.onFrame(resolve));
      const ack = readUntil(raw, (t) => t.includes('Z\r'));
      await raw.write('T1ABCDEF02BEEF\r');
      await ack;
      expect(framesEqual(await onBus, makeFrame(0x1abcdef0, [0xbe, 0xef]))).toBe(true);
      const toHost = readUntil(raw, (t) => t.includes('t7FF3010203\r'));
      await peer!.send(makeFrame(0x7ff, [1, 2, 3]));
      await toHost;
    });

    it('gives the client DisconnectedError when the adapter goes away, and closes cleanly', async () => {
      const ad = await start('slcan-pty-vanish');
      client = await openSlcanBus(ad.path);
      const lost = new Promise<Error>((resolve) => client!.onDisconnect(resolve));
      await ad.close(); // socat exits: the pty hangs up
      expect(await lost).toBeInstanceOf(DisconnectedError);
      await expect(client.send(makeFrame(1, []))).rejects.toBeInstanceOf(DisconnectedError);
      await client.close();
      expect(client.closed).toBe(true);
    });

    it('tells onExit listeners when socat dies on its own, and its host sees the disconnect', async () => {
      const ad = await start('slcan-pty-socat-dies');
      client = await openSlcanBus(ad.path);
      const exited = new Promise<string>((resolve) => ad.onExit(resolve));
      const lost = new Promise<Error>((resolve) => client!.onDisconnect(resolve));
      process.kill(ad.socatPid!, 'SIGKILL');
      expect(await exited).toMatch(/socat exited/);
      expect(await lost).toBeInstanceOf(DisconnectedError);
      await peer!.send(makeFrame(1, [])); // nobody to write to: no crash
      await ad.close();
      expect(existsSync(ad.path)).toBe(false);
    });

    it('serves one host after another on the same link', async () => {
      const ad = await start('slcan-pty-reopen');
      for (const id of [0x101, 0x102]) {
        client = await openSlcanBus(ad.path);
        const got = new Promise<CanFrame>((resolve) => peer!.onFrame(resolve));
        await client.send(makeFrame(id, [id & 0xff]));
        expect((await got).id).toBe(id);
        await client.close();
        client = undefined;
      }
      expect(ad.stats.framesToBus).toBe(2);
    });
  });
});
