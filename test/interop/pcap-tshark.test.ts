/**
 * Our pcap traces (link type 227, SocketCAN) as Wireshark sees them: tshark must dissect every frame with the
 * right id, flags, length, data and timestamp, and report no malformed packet.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFrame, type CanFrame } from '../../protocols/can/frame';
import { openTraceWriter } from '../../protocols/can/trace';
import { describeWithPeers } from '../support/peers';

const FIELDS = ['frame.number', 'frame.time_epoch', 'can.id', 'can.flags.xtd', 'can.flags.rtr', 'can.flags.err', 'can.len', 'data.data', '_ws.malformed', '_ws.expert.severity', 'can.err.ctrl', 'can.err.ctrl.rx_warning'];

function tshark(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('tshark', [...NO_PAYLOAD_HEURISTICS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`tshark exited ${code}: ${err}`))));
  });
}

/**
 * tshark 4.0 guesses at CAN payloads with heuristic dissectors (AUTOSAR NM claims id 0 and then calls an empty
 * frame malformed). They judge the payload, not our framing, so they are off: payloads stay plain `data`.
 */
const NO_PAYLOAD_HEURISTICS = ['autosar-nm', 'ipdum', 'signal_pdu'].flatMap((h) => ['--disable-protocol', h]);

const hex = (d: Uint8Array): string => Buffer.from(d).toString('hex');

describeWithPeers(['tshark'], 'pcap traces dissected by tshark', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-tshark-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('dissects standard, extended, RTR, empty and error frames with their ids, data and timestamps', async () => {
    const frames: CanFrame[] = [
      makeFrame(0x351, [0x14, 0x02, 0x74, 0x0e, 0x74, 0x0e, 0xcc, 0x01]),
      makeFrame(0x7ff, [0xff]),
      makeFrame(0x000, []),
      makeFrame(0x4210, [0xa5, 0x09, 0x30, 0x75, 0x9d, 0x04, 0x2e, 0x64], { extended: true }),
      makeFrame(0x1fffffff, [1, 2, 3], { extended: true }),
      makeFrame(0x5, [], { extended: true }),
      makeFrame(0x123, [], { rtr: true, dlc: 8 }),
      makeFrame(0x4200, [], { extended: true, rtr: true, dlc: 2 }),
      makeFrame(0x004, [0, 0x04, 0, 0, 0, 0, 0, 0], { error: true }),
    ].map((f, i) => ({ ...f, timestamp: 1700000000000 + i * 10.25 }));
    const path = join(dir, 'mixed.pcap');
    const w = await openTraceWriter(path);
    frames.forEach((f) => w.write(f));
    await w.close();

    const out = await tshark(['-r', path, '-T', 'fields', '-E', 'separator=;', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f])]);
    const rows = out.trim().split('\n').map((l) => l.split(';'));
    expect(rows).toHaveLength(frames.length);
    rows.forEach((r, i) => {
      const f = frames[i]!;
      const [num, epoch, id, xtd, rtr, err, len, data, malformed, severity, ctrl, rxWarning] = r as string[] as [string, string, string, string, string, string, string, string, string, string, string, string];
      const label = `frame ${i + 1}`;
      expect([label, Number(num)]).toEqual([label, i + 1]);
      expect([label, Math.round(Number(epoch) * 1e6)]).toEqual([label, Math.round(f.timestamp! * 1000)]);
      const flag = (b: string): boolean => b === '1' || b === 'True';
      if (f.error) {
        // Error class 0x004 (controller problem), data[1] 0x04 (RX warning level), as SocketCAN defines them.
        expect([label, flag(ctrl), flag(rxWarning)]).toEqual([label, true, true]);
      } else {
        // tshark shows can.id without the flag bits.
        expect([label, Number(id)]).toEqual([label, f.id]);
      }
      expect([label, flag(xtd), flag(rtr), flag(err)]).toEqual([label, f.extended, !!f.rtr, !!f.error]);
      expect([label, Number(len)]).toEqual([label, f.rtr ? f.dlc : f.data.length]);
      if (!f.rtr && !f.error) expect([label, data]).toEqual([label, hex(f.data)]);
      expect([label, malformed, severity]).toEqual([label, '', '']);
    });
  });

  it('finds no malformed or error-severity packet in a larger recording', async () => {
    const path = join(dir, 'many.pcap');
    const w = await openTraceWriter(path);
    for (let i = 0; i < 500; i++) {
      const ext = i % 3 === 0;
      w.write({ ...makeFrame(ext ? 0x18ff0000 + i : i % 0x800, Array.from({ length: i % 9 }, (_, k) => (i + k) & 0xff), { extended: ext }), timestamp: i });
    }
    await w.close();
    const all = await tshark(['-r', path, '-T', 'fields', '-e', 'can.id']);
    expect(all.trim().split('\n')).toHaveLength(500);
    const bad = await tshark(['-r', path, '-Y', '_ws.malformed || _ws.expert.severity >= "warning"', '-T', 'fields', '-e', 'frame.number']);
    expect(bad.trim()).toBe('');
  });
});
