import { Decimator, SeriesRecorder, downsample } from './series';

describe('Decimator', () => {
  it('keeps every sample while they fit, one bucket each', () => {
    const d = new Decimator(100, 10);
    for (let t = 0; t < 500; t += 10) d.add(t, t / 10);
    const s = d.toSeries();
    expect(s.bucketMs).toBe(10);
    expect(s.t).toEqual(Array.from({ length: 50 }, (_v, i) => i * 10));
    expect(s.min).toEqual(s.max);
    expect(s.min[49]).toBe(49);
  });

  it('stays within its bucket budget over a long run and preserves the extremes', () => {
    const d = new Decimator(2000, 1000);
    // 24 h at 1 s: a slow sine plus one 1-sample spike up and one down, which a plain subsample would lose.
    let trueMin = Infinity;
    let trueMax = -Infinity;
    for (let t = 0; t <= 86_400_000; t += 1000) {
      let v = Math.sin(t / 3_600_000);
      if (t === 43_201_000) v = 7.5;
      if (t === 50_003_000) v = -3.25;
      trueMin = Math.min(trueMin, v);
      trueMax = Math.max(trueMax, v);
      d.add(t, v);
    }
    const s = d.toSeries();
    expect(s.t.length).toBeLessThanOrEqual(2000);
    expect(s.t.length).toBeGreaterThan(1000);
    expect(Math.max(...s.max)).toBe(trueMax);
    expect(Math.min(...s.min)).toBe(trueMin);
    // The spike sits in the bucket that covers its time.
    const k = s.max.indexOf(7.5);
    expect(s.t[k]!).toBeLessThanOrEqual(43_201_000);
    expect(s.t[k]! + s.bucketMs).toBeGreaterThan(43_201_000);
    // Every bucket's min <= max and buckets ascend.
    for (let i = 0; i < s.t.length; i++) {
      expect(s.min[i]!).toBeLessThanOrEqual(s.max[i]!);
      if (i > 0) expect(s.t[i]!).toBeGreaterThan(s.t[i - 1]!);
    }
  });

  it('leaves gaps out and drops non-finite values and negative times (counted)', () => {
    const d = new Decimator(10, 1);
    d.add(0, 1);
    d.add(5, NaN);
    d.add(-1, 3);
    d.add(8, 2);
    const s = d.toSeries();
    expect(s.t).toEqual([0, 8]);
    expect(d.dropped).toBe(2);
  });

  it('rejects a bad bucket budget', () => {
    expect(() => new Decimator(3)).toThrow(RangeError);
    expect(() => new Decimator(10, 0)).toThrow(RangeError);
  });
});

describe('SeriesRecorder', () => {
  it('records each signal once, booleans as 0/1, skips t and unknown values', () => {
    const values: Record<string, number | boolean | undefined> = { a: 1, b: true, c: undefined };
    const rec = new SeriesRecorder(['a', 'b', 'a', 't', 'c'], (n) => values[n], { initialBucketMs: 100 });
    rec.sample(0);
    values.a = 4;
    values.b = false;
    rec.sample(100);
    const r = rec.result();
    expect(Object.keys(r)).toEqual(['a', 'b', 'c']);
    expect(r.a).toMatchObject({ t: [0, 100], min: [1, 4], max: [1, 4] });
    expect(r.a!.boolean).toBeUndefined();
    expect(r.b).toMatchObject({ t: [0, 100], min: [1, 0], max: [1, 0], boolean: true });
    expect(r.c!.t).toEqual([]);
  });
});

describe('downsample', () => {
  it('merges to at most the points asked for, keeping min and max', () => {
    const d = new Decimator(2000, 1);
    for (let t = 0; t < 2000; t++) d.add(t, t % 7 === 0 ? -t : t);
    const s = d.toSeries();
    const small = downsample(s, 300);
    expect(small.t.length).toBeLessThanOrEqual(300);
    expect(Math.min(...small.min)).toBe(Math.min(...s.min));
    expect(Math.max(...small.max)).toBe(Math.max(...s.max));
    expect(downsample(s, 5000)).toBe(s);
  });
});
