import { parseDbc } from '../../protocols/can/dbc';
import { makeFrame } from '../../protocols/can/frame';
import { WireSignals } from '../bench/wire-signals';
import { TRAFFIC_LINE_CHARS, TRAFFIC_MESSAGES_PER_BUS, TRAFFIC_WRITES_PER_ENDPOINT, trafficEvidence, type TrafficSource } from './traffic-evidence';

/** A DBC with `n` one-byte messages M0..M(n-1) at ids 0x100.., and one message whose decoded line is long. */
function dbc(n: number): string {
  const lines = ['VERSION ""', '', 'BU_: BMS', ''];
  for (let i = 0; i < n; i++) lines.push(`BO_ ${0x100 + i} M${i}: 1 BMS`, ` SG_ Value${i} : 0|8@1+ (0.5,0) [0|127.5] "V" Vector__XXX`, '');
  lines.push(`BO_ ${0x200} LongOne: 8 BMS`);
  for (let b = 0; b < 64; b++) lines.push(` SG_ AVeryLongSignalNameNumber${b} : ${b}|1@1+ (1,0) [0|1] "" Vector__XXX`);
  lines.push('');
  return lines.join('\n');
}

const T0 = 1_000_000;

function source(): TrafficSource {
  const wire = new WireSignals(parseDbc(dbc(TRAFFIC_MESSAGES_PER_BUS + 6), 'many.dbc'), '/somewhere/many.dbc');
  let frames = 0;
  const send = (id: number, data: number[], at: number, extended = false): void => {
    const f = makeFrame(id, data, { extended });
    f.timestamp = at;
    wire.record(f);
    frames++;
  };
  for (let i = TRAFFIC_MESSAGES_PER_BUS + 5; i >= 0; i--) for (let k = 0; k <= i % 3; k++) send(0x100 + i, [2 * k + 10], T0 + 1000 * k);
  send(0x200, [255, 255, 255, 255, 255, 255, 255, 255], T0 + 2500);
  send(0x7ff, [1], T0 + 100); // not in the DBC
  send(0x7ff, [2], T0 + 200);
  send(0x1abcdef, [3], T0 - 500, true); // not in the DBC either, before t=0
  const writes = Array.from({ length: 8 }, (_, k) => ({ at: T0 + k * 1000, text: `site unit 1 fc6 @40000 = ${k} -> ok` }));
  return {
    timeZeroMs: T0,
    can: new Map([
      ['bus1', { name: 'bus1', frames, wire }],
      ['raw', { name: 'raw', frames: 42 }],
    ]),
    modbus: new Map([
      [
        'site',
        {
          name: 'site',
          requests: 30,
          unitRequests: new Map([
            [2, 10],
            [1, 20],
          ]),
          writeCount: 8,
          illegalWrites: 1,
          rejectedWrites: 2,
          units: new Map(),
          writes: { toArray: () => writes },
        },
      ],
    ]),
  };
}

describe('trafficEvidence', () => {
  it('lists DBC messages by id with counts and last values, bounded, and counts the rest', () => {
    const t = trafficEvidence(source());
    const bus = t.can[0]!;
    expect(bus).toMatchObject({ bus: 'bus1', dbc: 'many.dbc', omittedMessages: 7, unknownIds: { ids: 2, frames: 3 } });
    expect(bus.frames).toBe(bus.messages.reduce((n, m) => n + m.count, 0) + [...Array(6).keys()].map((j) => ((TRAFFIC_MESSAGES_PER_BUS + j) % 3) + 1).reduce((a, b) => a + b, 0) + 1 + 3);
    expect(bus.messages).toHaveLength(TRAFFIC_MESSAGES_PER_BUS);
    expect(bus.messages.map((m) => m.id)).toEqual(Array.from({ length: TRAFFIC_MESSAGES_PER_BUS }, (_, i) => `0x${(0x100 + i).toString(16).toUpperCase()}`));
    // M2 was sent three times (k = 0, 1, 2): the last one, 14 * 0.5 = 7 V, at t = 2 s.
    expect(bus.messages[2]).toEqual({ id: '0x102', name: 'M2', count: 3, lastAtMs: 2000, last: 'M2 Value2=7 V' });
    expect(bus.messages[0]).toEqual({ id: '0x100', name: 'M0', count: 1, lastAtMs: 0, last: 'M0 Value0=5 V' });
    expect(t.can[1]).toEqual({ bus: 'raw', frames: 42, messages: [] });
  });

  it('cuts a long decoded line, and keeps the last writes of an endpoint decoded where it can', () => {
    const src = source();
    const wire = src.can.get('bus1')!.wire!;
    const f = makeFrame(0x200, [255, 255, 255, 255, 255, 255, 255, 255]);
    f.timestamp = T0;
    // 0x200 is past the ids listed for bus1 in `source()`; a bus with it alone shows its line, cut.
    const only = new WireSignals(wire.db);
    only.record(f);
    const long = trafficEvidence({ ...src, can: new Map([['b', { name: 'b', frames: 1, wire: only }]]) }).can[0]!.messages[0]!;
    expect(long.name).toBe('LongOne');
    expect(long.last).toHaveLength(TRAFFIC_LINE_CHARS);
    expect(long.last.endsWith('…')).toBe(true);
    expect(long.last.startsWith('LongOne AVeryLongSignalNameNumber0=1 ')).toBe(true);

    const ep = trafficEvidence(src).modbus[0]!;
    expect(ep).toMatchObject({ endpoint: 'site', requests: 30, units: { '1': 20, '2': 10 }, writes: 8, illegalWrites: 1, rejectedWrites: 2 });
    expect(ep.lastWrites).toHaveLength(TRAFFIC_WRITES_PER_ENDPOINT);
    expect(ep.lastWrites.map((w) => w.line)).toEqual([3, 4, 5, 6, 7].map((k) => `t=${k}.000s site unit 1 fc6 @40000 = ${k} -> ok`));
    expect(ep.lastWrites.every((w) => w.decoded === '')).toBe(true); // no device at unit 1: nothing to name it with
    expect(ep.log).toBeUndefined();
  });

  it('points at the trace files the run kept, relative to the evidence folder', () => {
    // The files the bench opened for its buses and endpoints (CanMedia.openTraces, EvidenceRecorder.openTransactionLog).
    const src = source();
    const bus1 = src.can.get('bus1')!;
    const site = src.modbus.get('site')!;
    const kept: TrafficSource = {
      ...src,
      can: new Map([...src.can].map(([k, b]) => [k, b === bus1 ? { ...b, traceFiles: ['bus1.log.gz', 'bus1.pcap.gz'] } : b])),
      modbus: new Map([['site', { ...site, logFile: 'modbus-site.jsonl' }]]),
    };
    const t = trafficEvidence(kept);
    expect(t.can.map((b) => b.traces)).toEqual([['bus1.log.gz', 'bus1.pcap.gz'], undefined]);
    expect(t.modbus[0]!.log).toBe('modbus-site.jsonl');
  });
});
