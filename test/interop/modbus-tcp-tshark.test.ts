/**
 * tshark (Debian) dissects our Modbus/TCP traffic: every function code we serve, exceptions, two requests in one
 * segment. Live capture on loopback where the machine allows it (root or capture rights); otherwise a pcap built
 * from the exact bytes exchanged (modbus-tcp-pcap.ts). Either way: no malformed packets, no expert warnings, and
 * the function codes, transaction ids and exception codes tshark reads are the ones we sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeAdu } from '../../protocols/modbus/framer/mbap';
import { encodeRequest, type ModbusRequest } from '../../protocols/modbus/pdu';
import { describeWithPeers } from '../support/peers';
import { run, startFixture, type Fixture } from './modbus-tcp-fixture';
import { writeTcpPcap, type Segment } from './modbus-tcp-pcap';

interface Exchange {
  tid: number;
  unit: number;
  req: ModbusRequest;
  /** Exception code expected in the response, if any. */
  exception?: number;
}

const EXCHANGES: Exchange[] = [
  { tid: 1, unit: 1, req: { fc: 3, address: 0, quantity: 10 } },
  { tid: 2, unit: 1, req: { fc: 4, address: 0, quantity: 5 } },
  { tid: 3, unit: 1, req: { fc: 1, address: 0, quantity: 16 } },
  { tid: 4, unit: 1, req: { fc: 2, address: 0, quantity: 8 } },
  { tid: 5, unit: 1, req: { fc: 5, address: 3, value: true } },
  { tid: 6, unit: 1, req: { fc: 6, address: 21, value: 7 } },
  { tid: 7, unit: 1, req: { fc: 15, address: 8, values: [true, false, true] } },
  { tid: 8, unit: 1, req: { fc: 16, address: 24, values: [1, 2, 3] } },
  { tid: 9, unit: 1, req: { fc: 23, readAddress: 24, readQuantity: 3, writeAddress: 20, values: [5] } },
  { tid: 10, unit: 1, req: { fc: 43, meiType: 14, code: 1, objectId: 0 } },
  { tid: 11, unit: 1, req: { fc: 3, address: 100, quantity: 2 }, exception: 2 },
  { tid: 12, unit: 9, req: { fc: 3, address: 0, quantity: 1 }, exception: 0x0b },
  { tid: 13, unit: 2, req: { fc: 3, address: 0, quantity: 2 } },
  { tid: 14, unit: 1, req: { fc: 6, address: 20, value: 5000 }, exception: 3 },
];

interface Capture {
  child: ChildProcess;
  /** Resolves once tshark has printed both FINs of the connection (dumpcap hands packets over in blocks). */
  closed: Promise<void>;
}

/** Start tshark on loopback; resolves once it says the capture started, or with null if it cannot capture here. */
function startCapture(port: number, file: string): Promise<Capture | null> {
  return new Promise((resolve) => {
    // -P -l: also print each packet as it is written, so we can tell when the last one is in the file.
    const child = spawn('tshark', ['-i', 'lo', '-f', `tcp port ${port}`, '-w', file, '-P', '-l'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    let done = false;
    let finsSeen: () => void = () => undefined;
    const closed = new Promise<void>((r) => (finsSeen = r));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if ((out.match(/\bFIN\b/g) ?? []).length >= 2) finsSeen();
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (!done && /Capture started/.test(err)) {
        done = true;
        resolve({ child, closed });
      }
    });
    child.once('error', () => !done && ((done = true), resolve(null)));
    child.once('exit', () => {
      if (!done) {
        done = true;
        process.stderr.write(`[tshark] live capture not possible here, dissecting a pcap built from the bytes instead: ${err.trim().split('\n').at(-1)}\n`);
        resolve(null);
      }
    });
  });
}

async function stopCapture(c: Capture): Promise<void> {
  await c.closed;
  await new Promise<void>((resolve) => {
    c.child.once('exit', () => resolve());
    c.child.kill('SIGINT');
  });
}

/** Send every exchange on one connection (the last two in one segment), recording the bytes both ways. */
async function talk(port: number): Promise<{ segments: Segment[]; clientPort: number }> {
  const segments: Segment[] = [];
  const sock = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  sock.setNoDelay(true);
  // Count whole answers by their MBAP length; resolve the waiter when enough have arrived.
  let buf = Buffer.alloc(0);
  let answered = 0;
  let waiter: { until: number; resolve: () => void } | undefined;
  sock.on('data', (d: Buffer) => {
    segments.push({ fromClient: false, bytes: d, time: Date.now() / 1000 });
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 6 && buf.length >= 6 + buf.readUInt16BE(4)) {
      buf = buf.subarray(6 + buf.readUInt16BE(4));
      answered++;
    }
    if (waiter && answered >= waiter.until) waiter.resolve();
  });
  const send = (items: Exchange[]): Promise<void> => {
    const bytes = Buffer.concat(items.map((x) => encodeAdu(x.tid, x.unit, encodeRequest(x.req))));
    const until = answered + items.length;
    const done = new Promise<void>((resolve) => (waiter = { until, resolve }));
    segments.push({ fromClient: true, bytes, time: Date.now() / 1000 });
    sock.write(bytes);
    return done;
  };
  for (const x of EXCHANGES.slice(0, -2)) await send([x]);
  await send(EXCHANGES.slice(-2));
  const clientPort = sock.localPort!;
  await new Promise<void>((resolve) => {
    sock.once('close', () => resolve());
    sock.end();
  });
  return { segments, clientPort };
}

describeWithPeers(['tshark'], 'Modbus/TCP interop: tshark dissects our traffic', () => {
  let fx: Fixture;
  let dir: string;

  beforeEach(async () => {
    fx = await startFixture();
    dir = mkdtempSync(join(tmpdir(), 'hil-mbtcp-'));
  });
  afterEach(async () => {
    await fx.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Dissect a capture: the expert/malformed lines, and one `dir tid unit fc [exception]` entry per Modbus PDU. */
  async function dissect(file: string): Promise<{ bad: string; seen: string[] }> {
    const base = ['-r', file, '-d', `tcp.port==${fx.port},mbtcp`, '-o', `mbtcp.tcp.port:${fx.port}`];
    const bad = await run('tshark', [...base, '-Y', '_ws.malformed || _ws.expert.severity >= 0x00600000']);
    expect(bad.code).toBe(0);
    const fields = await run('tshark', [
      ...base,
      ...['-Y', 'mbtcp', '-T', 'fields', '-E', 'separator=;', '-E', 'aggregator=,'],
      ...['-e', 'tcp.srcport', '-e', 'mbtcp.trans_id', '-e', 'mbtcp.unit_id', '-e', 'modbus.func_code', '-e', 'modbus.exception_code'],
    ]);
    expect(fields.code).toBe(0);
    const seen: string[] = [];
    for (const line of fields.stdout.trim().split('\n').filter((l) => l !== '')) {
      const [src, tids = '', units = '', fcs = '', excs = ''] = line.split(';');
      const unitList = units.split(',');
      const fcList = fcs.split(',');
      const excList = excs ? excs.split(',') : [];
      let e = 0;
      const dir = Number(src) === fx.port ? 'res' : 'req';
      tids.split(',').forEach((tid, i) => {
        const expectsException = dir === 'res' && EXCHANGES.find((x) => x.tid === Number(tid))?.exception !== undefined;
        const exc = expectsException ? excList[e++] : undefined;
        seen.push(`${dir} ${tid} u${unitList[i]} fc${fcList[i]}${exc ? ` ex${exc}` : ''}`);
      });
    }
    return { bad: bad.stdout.trim(), seen };
  }

  const expected = EXCHANGES.flatMap((x) => [
    `req ${x.tid} u${x.unit} fc${x.req.fc}`,
    `res ${x.tid} u${x.unit} fc${x.req.fc}${x.exception !== undefined ? ` ex${x.exception}` : ''}`,
  ]);

  it('finds no malformed packets and the function codes, ids and exceptions we exchanged', async () => {
    const live = join(dir, 'live.pcapng');
    const capture = await startCapture(fx.port, live);
    const { segments, clientPort } = await talk(fx.port);
    const files: string[] = [];
    if (capture) {
      await stopCapture(capture);
      files.push(live);
    }
    // The pcap built from the bytes is always checked too, so the fallback path cannot rot.
    const built = join(dir, 'built.pcap');
    writeTcpPcap(built, clientPort, fx.port, segments);
    files.push(built);
    for (const file of files) {
      const { bad, seen } = await dissect(file);
      expect({ file, bad }).toEqual({ file, bad: '' });
      // The last two requests share one segment, so their answers follow both requests.
      expect([...seen].sort()).toEqual([...expected].sort());
      expect(seen.slice(0, 24)).toEqual(expected.slice(0, 24));
    }
  });

  it('control: the same check flags a malformed response (odd register byte count)', async () => {
    const file = join(dir, 'control.pcap');
    const t = Date.now() / 1000;
    writeTcpPcap(file, 40000, fx.port, [
      { fromClient: true, bytes: Buffer.from('000100000006010300000001', 'hex'), time: t },
      { fromClient: false, bytes: Buffer.from('00010000000601030300640a', 'hex'), time: t },
    ]);
    const { bad } = await dissect(file);
    expect(bad).toMatch(/Malformed/);
  });
});
