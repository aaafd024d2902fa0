import { VirtualClock } from '../clock';
import { PeerLogs, RateLimitedLog } from './rate-limited-log';

describe('RateLimitedLog', () => {
  it('writes the first `limit` lines of a window, one notice, then counts; the summary counts what was held back', () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const log = new RateLimitedLog((l) => lines.push(l), 'peer', { limit: 3, windowMs: 1000, clock });
    for (let i = 0; i < 10; i++) log.write(`e${i}`);
    expect(lines).toEqual(['peer: e0', 'peer: e1', 'peer: e2', 'peer: more than 3 events in 1 s; counting, not logging them']);
    expect(log.logged).toBe(3);
    expect(log.suppressed).toBe(7);
    log.flush();
    expect(lines.at(-1)).toBe('peer: 7 more events not logged (over 3 per 1 s)');
    log.flush();
    expect(lines).toHaveLength(5); // nothing new held back: no second summary
  });

  it('opens a new window after windowMs, summarizing the last one first', () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const log = new RateLimitedLog((l) => lines.push(l), 'p', { limit: 2, windowMs: 1000, clock });
    for (let i = 0; i < 5; i++) log.write(`a${i}`);
    clock.advance(999);
    log.write('still held'); // same window
    clock.advance(1);
    log.write('b0');
    expect(lines).toEqual([
      'p: a0',
      'p: a1',
      'p: more than 2 events in 1 s; counting, not logging them',
      'p: 4 more events not logged (over 2 per 1 s)',
      'p: b0',
    ]);
    expect(log.suppressed).toBe(4);
  });

  it('with windowMs Infinity keeps only the first lines for ever; always() bypasses the budget; empty prefix adds nothing', () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const log = new RateLimitedLog((l) => lines.push(l), '', { limit: 1, windowMs: Infinity, clock });
    log.write('x');
    clock.advance(1e9);
    log.write('y');
    log.always('decision');
    log.flush();
    expect(lines).toEqual(['x', 'more than 1 event; counting, not logging them', 'decision', '1 more event not logged (over 1)']);
  });
});

describe('PeerLogs', () => {
  it('bounds each peer and all peers together, and the totals add up', () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const logs = new PeerLogs((l) => lines.push(l), clock, { perPeer: 5, total: 50, windowMs: 10_000 });
    const peers = Array.from({ length: 100 }, (_, i) => logs.forPeer(`c${i}`));
    for (const p of peers) for (let i = 0; i < 100; i++) p.write(`junk ${i}`);
    for (const p of peers) p.flush();
    logs.total.flush();
    // 50 lines in the window, one notice, one summary: bounded whatever the number of peers.
    expect(lines).toHaveLength(52);
    const held = Number(/^(\d+) more events not logged/.exec(lines.at(-1)!)![1]);
    const perPeerOut = peers.length * (5 + 1 + 1); // each peer: 5 lines, its notice, its summary
    expect(held + 50).toBe(perPeerOut);
    expect(peers.reduce((n, p) => n + p.suppressed, 0)).toBe(100 * 95);
  });
});
