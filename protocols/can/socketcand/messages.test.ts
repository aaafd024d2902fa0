import { framesEqual, makeFrame, type CanFrame } from '../frame';
import {
  formatAddMessage,
  formatErrorMessage,
  formatFrameMessage,
  formatSeconds,
  formatSendMessage,
  formatUpdateMessage,
  parseMessage,
  type SocketcandMessage,
} from './messages';
import { SocketcandTokenizer } from './tokenizer';

function ok(text: string): SocketcandMessage {
  const r = parseMessage(text);
  if (!r.ok) throw new Error(`expected '${text}' to parse: ${r.reason}`);
  return r.message;
}

function bad(text: string): string {
  const r = parseMessage(text);
  if (r.ok) throw new Error(`expected '${text}' to be rejected, got ${JSON.stringify(r.message)}`);
  return r.reason;
}

function sentFrame(text: string): CanFrame {
  const m = ok(text);
  if (m.kind !== 'send') throw new Error(`not a send: ${m.kind}`);
  return m.frame;
}

function bytes(f: CanFrame): number[] {
  return [...f.data];
}

describe('parseMessage', () => {
  it('reads the bare commands', () => {
    for (const k of ['hi', 'ok', 'echo', 'rawmode', 'bcmmode', 'controlmode', 'isotpmode']) {
      expect(ok(k)).toEqual({ kind: k });
    }
    expect(ok('open vcan0')).toEqual({ kind: 'open', bus: 'vcan0' });
    expect(bad('ok please')).toMatch(/unexpected arguments/);
    expect(bad('open')).toMatch(/no bus name/);
    expect(bad('open two words')).toMatch(/one word/);
    expect(bad('')).toMatch(/empty/);
    expect(bad('launch rockets')).toMatch(/launch: unknown command/);
  });

  it('reads send with data as separate tokens (doc form) and run together', () => {
    const doc = sentFrame('send 1AAAAAAA 2 1 F1');
    expect(doc).toMatchObject({ id: 0x1aaaaaaa, extended: true });
    expect(bytes(doc)).toEqual([0x01, 0xf1]);
    expect(bytes(sentFrame('send 123 4 11223344'))).toEqual([0x11, 0x22, 0x33, 0x44]);
    expect(bytes(sentFrame('send 123 4 1122 3344'))).toEqual([0x11, 0x22, 0x33, 0x44]);
    expect(bytes(sentFrame('send 123 0'))).toEqual([]);
  });

  it('reads python-can 4.1 sends: unpadded upper-case id, lower-case unpadded bytes, blank for no data', () => {
    const f = sentFrame('send 7B 3 1 a ff');
    expect(f).toMatchObject({ id: 0x7b, extended: false });
    expect(bytes(f)).toEqual([0x01, 0x0a, 0xff]);
    // python-can writes `< send 123 0  >` for an empty frame
    expect(bytes(sentFrame('send 123 0 '))).toEqual([]);
  });

  it('tells extended ids by 8 digits or by value', () => {
    expect(sentFrame('send 00000123 0')).toMatchObject({ id: 0x123, extended: true });
    expect(sentFrame('send 123 0')).toMatchObject({ id: 0x123, extended: false });
    expect(sentFrame('send 7FF 0')).toMatchObject({ id: 0x7ff, extended: false });
    expect(sentFrame('send 800 0')).toMatchObject({ id: 0x800, extended: true });
    expect(sentFrame('send 1FFFFFFF 0')).toMatchObject({ id: 0x1fffffff, extended: true });
  });

  it('rejects bad sends with a reason naming the token', () => {
    expect(bad('send 20000000 0')).toMatch(/does not fit 29 bits/);
    expect(bad('send 123456789 0')).toMatch(/id '123456789' is not 1-8 hex digits/);
    expect(bad('send XYZ 0')).toMatch(/id 'XYZ'/);
    expect(bad('send 123 9 1 2 3 4 5 6 7 8 9')).toMatch(/dlc '9' is not 0\.\.8/);
    expect(bad('send 123 2 11')).toMatch(/dlc 2 but 1 data bytes/);
    expect(bad('send 123 2 11 zz')).toMatch(/data 'zz' is not hex/);
    expect(bad('send 123 2 112')).toMatch(/odd number of hex digits/);
    expect(bad('send 123')).toMatch(/at least 2 arguments/);
    expect(bad('send 123 8 112233445566778899')).toMatch(/9 data bytes/);
  });

  it('reads sendrtr, frame, rtr and error frames', () => {
    expect(sentFrame('sendrtr 1AAAAAAA 2')).toMatchObject({ id: 0x1aaaaaaa, extended: true, rtr: true, dlc: 2 });
    const f = ok('frame 123 23.424242 11 22 33 44');
    expect(f).toMatchObject({ kind: 'frame', seconds: 23.424242, frame: { id: 0x123, extended: false } });
    expect(bytes((f as { frame: CanFrame }).frame)).toEqual([0x11, 0x22, 0x33, 0x44]);
    const run = ok('frame 12345678 1.5 DEADBEEF') as { frame: CanFrame };
    expect(run.frame).toMatchObject({ id: 0x12345678, extended: true });
    expect(bytes(run.frame)).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(bytes((ok('frame 123 1.000000') as { frame: CanFrame }).frame)).toEqual([]);
    expect(ok('rtr 123 23.424242 4')).toMatchObject({ kind: 'frame', frame: { id: 0x123, rtr: true, dlc: 4 } });
    expect(ok('error 0A4 12.000001')).toMatchObject({ kind: 'frame', frame: { id: 0xa4, error: true } });
    expect(ok('error could not open bus')).toEqual({ kind: 'error', text: 'could not open bus' });
    expect(bad('frame 123 yesterday 11')).toMatch(/timestamp 'yesterday'/);
  });

  it('reads the BCM and control commands', () => {
    expect(ok('add 1 0 123 8 11 22 33 44 55 66 77 88')).toMatchObject({ kind: 'add', intervalUs: 1_000_000, frame: { id: 0x123 } });
    expect(ok('add 0 20000 123 4 42 42 42 42')).toMatchObject({ kind: 'add', intervalUs: 20_000 });
    expect(ok('update 123 3 11 22 33')).toMatchObject({ kind: 'update', frame: { id: 0x123 } });
    expect(ok('delete 123')).toEqual({ kind: 'delete', id: 0x123, extended: false });
    expect(ok('subscribe 0 500000 12345678')).toEqual({ kind: 'subscribe', intervalUs: 500_000, id: 0x12345678, extended: true });
    expect(ok('unsubscribe 123')).toEqual({ kind: 'unsubscribe', id: 0x123, extended: false });
    expect(ok('statistics 1000')).toEqual({ kind: 'statistics', intervalMs: 1000 });
    expect(ok('stat 1 2 3 4')).toEqual({ kind: 'stat', rbytes: 1, rpackets: 2, tbytes: 3, tpackets: 4 });
    expect(ok('filter 0 0 123 1 FF')).toEqual({ kind: 'unsupported', verb: 'filter' });
    expect(bad('add 1 0 123 2 11')).toMatch(/dlc 2 but 1/);
    expect(bad('statistics -1')).toMatch(/interval '-1'/);
  });
});

describe('formatting', () => {
  it('writes raw-mode frames as socketcand does: padded id, data run together, two blanks for no data', () => {
    expect(formatFrameMessage(makeFrame(0x123, [0x11, 0x22, 0x33, 0x44]), 23424.242)).toBe('< frame 123 23.424242 11223344 >');
    expect(formatFrameMessage(makeFrame(0x1ab, [], { extended: true }), 1000)).toBe('< frame 000001AB 1.000000  >');
    expect(formatFrameMessage(makeFrame(0x123, [], { rtr: true, dlc: 4 }), 0)).toBe('< rtr 123 0.000000 4 >');
    expect(formatFrameMessage(makeFrame(0x4, [], { error: true }), 0)).toBe('< error 004 0.000000 >');
  });

  it('writes sends with separate byte tokens as in the protocol doc', () => {
    expect(formatSendMessage(makeFrame(0x1aaaaaaa, [0x01, 0xf1]))).toBe('< send 1AAAAAAA 2 01 F1 >');
    expect(formatSendMessage(makeFrame(0x123, []))).toBe('< send 123 0 >');
    expect(formatSendMessage(makeFrame(0x123, [], { rtr: true, dlc: 2 }))).toBe('< sendrtr 123 2 >');
    expect(formatAddMessage(makeFrame(0x123, [0x42]), 1_500_000)).toBe('< add 1 500000 123 1 42 >');
    expect(formatUpdateMessage(makeFrame(0x123, [0x11, 0x22]))).toBe('< update 123 2 11 22 >');
    expect(formatErrorMessage('bad <thing>')).toBe('< error bad  thing >');
  });

  it('carries microseconds that round up to a whole second', () => {
    expect(formatSeconds(1999.9999)).toBe('2.000000');
    expect(formatSeconds(0.001)).toBe('0.000001');
  });

  it('round-trips frames through format, tokenizer and parser', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 500; i++) {
      const extended = rnd(2) === 1;
      const id = extended ? rnd(0x20000000) : rnd(0x800);
      const rtr = rnd(8) === 0;
      const frame = rtr
        ? makeFrame(id, [], { extended, rtr, dlc: rnd(9) })
        : makeFrame(id, Array.from({ length: rnd(9) }, () => rnd(256)), { extended });
      const got: SocketcandMessage[] = [];
      const tok = new SocketcandTokenizer(
        (t) => got.push(ok(t)),
        (r) => {
          throw new Error(r);
        },
      );
      tok.push(formatSendMessage(frame) + formatFrameMessage(frame, 1234.5678));
      expect(got).toHaveLength(2);
      for (const m of got) {
        const f = (m as { frame: CanFrame }).frame;
        expect(framesEqual(f, frame)).toBe(true);
      }
    }
  });
});
