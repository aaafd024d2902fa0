import { SocketcandTokenizer, type DropReason } from './tokenizer';

function collect(maxMessageLength?: number): {
  tok: SocketcandTokenizer;
  messages: string[];
  drops: Array<{ reason: DropReason; excerpt: string }>;
} {
  const messages: string[] = [];
  const drops: Array<{ reason: DropReason; excerpt: string }> = [];
  const tok = new SocketcandTokenizer(
    (m) => messages.push(m),
    (reason, excerpt) => drops.push({ reason, excerpt }),
    maxMessageLength === undefined ? {} : { maxMessageLength },
  );
  return { tok, messages, drops };
}

const STREAM = '< hi >< ok >\r\n< frame 123 1.000000 1122 >  < send 1ABCDEF0 2 1 F1 >';
const EXPECTED = ['hi', 'ok', 'frame 123 1.000000 1122', 'send 1ABCDEF0 2 1 F1'];

describe('SocketcandTokenizer', () => {
  it('finds messages merged in one chunk, ignoring blanks between them', () => {
    const { tok, messages, drops } = collect();
    tok.push(Buffer.from(STREAM));
    expect(messages).toEqual(EXPECTED);
    expect(drops).toEqual([]);
  });

  it('gives the same messages for every split of the stream into two chunks', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const { tok, messages, drops } = collect();
      tok.push(STREAM.slice(0, cut));
      tok.push(STREAM.slice(cut));
      expect({ cut, messages }).toEqual({ cut, messages: EXPECTED });
      expect(drops).toEqual([]);
    }
  });

  it('gives the same messages when fed one byte at a time', () => {
    const { tok, messages } = collect();
    for (const c of STREAM) tok.push(Buffer.from(c));
    expect(messages).toEqual(EXPECTED);
  });

  it('drops text outside messages as one counted run per gap, with an excerpt', () => {
    const { tok, messages, drops } = collect();
    tok.push('junk\x00\xff more< ok >');
    tok.push('tail');
    tok.push('< echo >');
    expect(messages).toEqual(['ok', 'echo']);
    expect(drops.map((d) => d.reason)).toEqual(['text-outside-message', 'text-outside-message']);
    expect(drops[0]!.excerpt).toContain('junk');
    expect(drops[1]!.excerpt).toBe('tail');
  });

  it('reports trailing garbage and a cut-off message on flush', () => {
    const { tok, drops } = collect();
    tok.push('< ok > garbage');
    tok.flush();
    tok.push('< half');
    tok.flush();
    expect(drops.map((d) => d.reason)).toEqual(['text-outside-message', 'unterminated-message']);
  });

  it('drops a message cut off by a new "<" and keeps the new one', () => {
    const { tok, messages, drops } = collect();
    tok.push('< send 123 1 <');
    tok.push(' echo >');
    expect(messages).toEqual(['echo']);
    expect(drops).toEqual([{ reason: 'unterminated-message', excerpt: '< send 123 1 ' }]);
  });

  it('keeps memory bounded when a peer sends megabytes without ">", then recovers', () => {
    const { tok, messages, drops } = collect(64);
    tok.push('< send ');
    const block = 'A'.repeat(64 * 1024);
    let maxHeld = 0;
    for (let i = 0; i < 64; i++) {
      tok.push(block); // 4 MiB in all
      maxHeld = Math.max(maxHeld, tok.buffered);
    }
    expect(maxHeld).toBeLessThanOrEqual(64);
    tok.push('AAAA > < echo >');
    expect(messages).toEqual(['echo']);
    expect(drops.map((d) => d.reason)).toEqual(['message-too-long']);
  });

  it('resynchronises on "<" inside an over-long message', () => {
    const { tok, messages, drops } = collect(16);
    tok.push(`< ${'x'.repeat(100)}< ok >`);
    expect(messages).toEqual(['ok']);
    expect(drops.map((d) => d.reason)).toEqual(['message-too-long']);
  });

  it('accepts a message of exactly the bound and drops one byte more', () => {
    const ok = collect(16);
    ok.tok.push(`<${'y'.repeat(14)}>`);
    expect(ok.messages).toEqual(['y'.repeat(14)]);
    const over = collect(16);
    over.tok.push(`<${'y'.repeat(15)}>`);
    expect(over.messages).toEqual([]);
    expect(over.drops.map((d) => d.reason)).toEqual(['message-too-long']);
  });
});
