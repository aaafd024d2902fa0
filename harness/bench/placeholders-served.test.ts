import { resolve } from 'node:path';
import { RealClock } from '../../core/clock';
import { knownPlaceholders, placeholderSpans } from './placeholders';
import { BenchInstance } from './bench-instance';
import { loadBench } from './load-bench';

describe('dut.command placeholders known from the bench file', () => {
  it('are exactly those a served bench substitutes', async () => {
    const bench = loadBench(resolve(__dirname, '..', '..', 'fixtures', 'benches', 'ci.yaml'));
    const inst = await BenchInstance.start(bench, { clock: new RealClock(), mode: 'real', seed: 1, serveNetwork: true });
    try {
      expect(knownPlaceholders(bench.file).sort()).toEqual(Object.keys(inst.substitutions()).sort());
    } finally {
      await inst.close();
    }
  });

  it('are found in an argument with their offsets', () => {
    expect(placeholderSpans('inv1=${modbus.site.url}/1?pack=${x}')).toEqual([
      { key: 'modbus.site.url', offset: 5 },
      { key: 'x', offset: 31 },
    ]);
    expect(placeholderSpans('plain')).toEqual([]);
  });
});
