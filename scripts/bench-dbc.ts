/**
 * DBC codec throughput: decode and encode of the LV battery limits frame (0x351, four 16-bit fields) with the
 * Database, against a hand-written DataView codec of the same frame measured in the same run (the floor any
 * table-driven codec pays on top of), and python3-canmatrix's decode of the same frames where installed.
 *
 *   npm run build && node dist/scripts/bench-dbc.js
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadDbc } from '../protocols/can/dbc';

const N = 200_000;
const db = loadDbc(join(__dirname, '../../data/dbc/pylon-lv.dbc'));
const msg = db.getMessage(0x351);
const frames = Array.from({ length: 1024 }, (_, i) =>
  msg.encode({ ChargeVoltageLimit: 50 + (i % 40) / 10, ChargeCurrentLimit: i % 300, DischargeCurrentLimit: -(i % 300), DischargeVoltageLimit: 46 }),
);

function rate(fn: (i: number) => unknown): number {
  for (let i = 0; i < 20_000; i++) fn(i); // warm up
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < N; i++) sink += fn(i) ? 1 : 0;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink < 0) console.log(sink);
  return N / s;
}

const handDecode = (d: Uint8Array): Record<string, number> => {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  return {
    ChargeVoltageLimit: v.getUint16(0, true) / 10,
    ChargeCurrentLimit: v.getInt16(2, true) / 10,
    DischargeCurrentLimit: v.getInt16(4, true) / 10,
    DischargeVoltageLimit: v.getUint16(6, true) / 10,
  };
};
const handEncode = (x: Record<string, number>): Uint8Array => {
  const d = new Uint8Array(8);
  const v = new DataView(d.buffer);
  v.setUint16(0, Math.round(x.ChargeVoltageLimit! * 10), true);
  v.setInt16(2, Math.round(x.ChargeCurrentLimit! * 10), true);
  v.setInt16(4, Math.round(x.DischargeCurrentLimit! * 10), true);
  v.setUint16(6, Math.round(x.DischargeVoltageLimit! * 10), true);
  return d;
};
const values = frames.map((f) => msg.decode(f).signals);

const ourDecode = rate((i) => msg.decode(frames[i & 1023]!));
const refDecode = rate((i) => handDecode(frames[i & 1023]!));
const ourEncode = rate((i) => msg.encode(values[i & 1023]!));
const refEncode = rate((i) => handEncode(values[i & 1023]!));

const fmt = (x: number): string => `${Math.round(x).toLocaleString('en-US')}/s`;
console.log(`decode 0x351: ${fmt(ourDecode)}  hand-written DataView ${fmt(refDecode)}  ratio ${(ourDecode / refDecode).toFixed(2)}`);
console.log(`encode 0x351: ${fmt(ourEncode)}  hand-written DataView ${fmt(refEncode)}  ratio ${(ourEncode / refEncode).toFixed(2)}`);

const py = spawnSync('/usr/bin/python3', ['-c', `
import logging, sys, time
logging.disable(logging.CRITICAL)
import canmatrix.formats
db = canmatrix.formats.loadp_flat(sys.argv[1])
f = db.frame_by_id(canmatrix.ArbitrationId(0x351))
data = [bytearray.fromhex(h) for h in sys.argv[2].split(',')]
n = 20000
t = time.perf_counter()
for i in range(n):
    f.decode(data[i & 1023])
print(n / (time.perf_counter() - t))
`, join(__dirname, '../../data/dbc/pylon-lv.dbc'), frames.map((f) => Buffer.from(f).toString('hex')).join(',')], { encoding: 'utf8' });
if (py.status === 0) {
  const cm = Number(py.stdout.trim());
  console.log(`decode 0x351: python3-canmatrix ${fmt(cm)}  ours/canmatrix ratio ${(ourDecode / cm).toFixed(1)}`);
} else {
  console.log('python3-canmatrix not available: no canmatrix reference');
}
