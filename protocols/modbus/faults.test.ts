import { ExceptionCode } from './device';
import { FaultInjector } from './faults';

const q = (over: Partial<Parameters<FaultInjector['match']>[0]> = {}) => ({ transport: 'tcp' as const, unitId: 1, functionCode: 3, address: 10, quantity: 5, ...over });

describe('FaultInjector', () => {
  it('matches on unit, function, transport and overlapping address range', () => {
    const f = new FaultInjector();
    f.add({ fault: { kind: 'no-response' }, unitId: 2 });
    f.add({ fault: { kind: 'delay', ms: 5 }, functionCode: 16 });
    f.add({ fault: { kind: 'bad-crc' }, transport: 'rtu' });
    f.add({ fault: { kind: 'exception', code: ExceptionCode.ServerDeviceBusy }, address: { from: 14, to: 20 } });
    expect(f.match(q())).toEqual([{ kind: 'exception', code: 6 }]); // 10..14 overlaps 14..20
    expect(f.match(q({ address: 5, quantity: 9 }))).toEqual([]); // 5..13
    expect(f.match(q({ address: undefined }))).toEqual([]);
    expect(f.match(q({ unitId: 2, functionCode: 16, transport: 'rtu', address: 0 }))).toEqual([
      { kind: 'no-response' },
      { kind: 'delay', ms: 5 },
      { kind: 'bad-crc' },
    ]);
    expect(f.applied).toBe(4);
  });

  it('expires rules after `remaining` uses; remove() and clear() work and are idempotent', () => {
    const f = new FaultInjector();
    f.add({ fault: { kind: 'no-response' }, remaining: 2 });
    const remove = f.add({ fault: { kind: 'wrong-unit-id' } });
    expect(f.match(q())).toHaveLength(2);
    expect(f.match(q())).toHaveLength(2);
    expect(f.match(q())).toEqual([{ kind: 'wrong-unit-id' }]);
    remove();
    remove();
    expect(f.match(q())).toEqual([]);
    f.add({ fault: { kind: 'no-response' } });
    f.clear();
    expect(f.size).toBe(0);
  });

  it('rejects malformed rules', () => {
    const f = new FaultInjector();
    expect(() => f.add({ fault: { kind: 'no-response' }, probability: 1.5 })).toThrow(RangeError);
    expect(() => f.add({ fault: { kind: 'no-response' }, remaining: 0 })).toThrow(RangeError);
    expect(() => f.add({ fault: { kind: 'delay', ms: -1 } })).toThrow(RangeError);
    expect(() => f.add({ fault: { kind: 'split', chunks: 0, gapMs: 1 } })).toThrow(RangeError);
    expect(() => f.add({ fault: { kind: 'no-response' }, address: { from: 5, to: 4 } })).toThrow(RangeError);
  });

  it('probability follows the seeded PRNG; reseed replays the sequence', () => {
    const f = new FaultInjector({ seed: 7 });
    f.add({ fault: { kind: 'no-response' }, probability: 0.3 });
    const draw = (): string => Array.from({ length: 200 }, () => (f.match(q()).length ? '1' : '0')).join('');
    const a = draw();
    f.reseed(7);
    expect(draw()).toBe(a);
    const hits = [...a].filter((c) => c === '1').length;
    expect(hits).toBeGreaterThan(30);
    expect(hits).toBeLessThan(90);
  });
});
