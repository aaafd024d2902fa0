import { ByteBudget, formatBytes, parseByteSize } from './byte-budget';

describe('ByteBudget', () => {
  it('runs out once at the limit and stays out', () => {
    const calls: number[] = [];
    const b = new ByteBudget(100, (used) => calls.push(used));
    b.spend(60);
    expect(b.exhausted).toBe(false);
    b.spend(50);
    expect(b.exhausted).toBe(true);
    b.spend(10);
    expect(calls).toEqual([110]);
    expect(b.used).toBe(120);
  });
  it('parses sizes', () => {
    expect(parseByteSize('500MB')).toBe(500e6);
    expect(parseByteSize('2G')).toBe(2e9);
    expect(parseByteSize('1MiB')).toBe(1024 * 1024);
    expect(parseByteSize('1234')).toBe(1234);
    expect(parseByteSize('unlimited')).toBe(Infinity);
    expect(parseByteSize('5 parsecs')).toBeUndefined();
    expect(parseByteSize('0')).toBeUndefined();
    expect(formatBytes(523_400_000)).toBe('523.4 MB');
  });
});
