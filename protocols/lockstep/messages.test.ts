import { ProtocolError } from '../../core/errors';
import { encodeMessage, LineSplitter, parseControllerMessage, parseHarnessMessage } from './messages';

describe('lock-step messages', () => {
  it('reads a hello and a done; missing conns count as 0, ready only when true', () => {
    expect(parseControllerMessage('{"type":"hello","protocol":1,"name":"ems"}')).toEqual({ type: 'hello', protocol: 1, name: 'ems' });
    expect(parseControllerMessage('{"type":"done","wake":1767225600100.5,"rx":10,"tx":3}')).toEqual({ type: 'done', wake: 1767225600100.5, rx: 10, tx: 3, conns: 0, ready: false });
    expect(parseControllerMessage('{"type":"done","wake":null,"rx":0,"tx":0,"conns":2,"ready":true,"extra":"ignored"}')).toEqual({
      type: 'done',
      wake: null,
      rx: 0,
      tx: 0,
      conns: 2,
      ready: true,
    });
  });

  it.each([
    ['not json', /not a JSON line: 'not json'/],
    ['[1,2]', /not a JSON object/],
    ['{"type":"hello","protocol":2}', /speaks protocol 2; this harness speaks 1/],
    ['{"type":"done","wake":"soon","rx":0,"tx":0}', /'wake' must be a time in ms or null/],
    ['{"type":"done","wake":null,"rx":-1,"tx":0}', /'rx' must be a whole number >= 0/],
    ['{"type":"done","wake":null,"rx":0}', /'tx' must be a whole number >= 0/],
    ['{"type":"grant","now":1}', /unknown message type "grant" from the controller \(hello or done expected\)/],
  ])('refuses %s with a ProtocolError saying what is wrong', (line, message) => {
    expect(() => parseControllerMessage(line)).toThrow(ProtocolError);
    expect(() => parseControllerMessage(line)).toThrow(message);
  });

  it('round-trips the harness messages through their lines', () => {
    const grant = { type: 'grant', now: 1767225600000, rx: 42 } as const;
    expect(encodeMessage(grant)).toBe('{"type":"grant","now":1767225600000,"rx":42}\n');
    expect(parseHarnessMessage(encodeMessage(grant).trim())).toEqual(grant);
    expect(parseHarnessMessage('{"type":"end"}')).toEqual({ type: 'end' });
    expect(() => parseHarnessMessage('{"type":"grant","now":"x","rx":0}')).toThrow(/'now' must be a time in ms/);
  });

  it('splits a stream into lines across chunks, skips blank lines, refuses an endless line', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), 16);
    s.push('{"a"');
    s.push(':1}\n\n{"b":2}\r\n{"c"');
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    s.push(':3}\n');
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    expect(() => s.push('x'.repeat(17))).toThrow(/a line of more than 16 bytes/);
  });
});
