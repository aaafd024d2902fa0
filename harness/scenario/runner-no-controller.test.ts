import { onePackBench } from '../../test/support/benches';
import { parseScenario } from './load-scenario';
import { runScenario } from './runner';

// A bench with no controller: the runner drives the plant alone in virtual time.
const bench = (): ReturnType<typeof onePackBench> => onePackBench('lone-pack');

describe('runner without a controller (virtual time)', () => {
  it('settles each step: frames the BMS sends are counted on the bus while the run goes on, not at its end', async () => {
    const s = parseScenario(
      `
scenario: lone
duration: 30s
step: 1s
timeMode: virtual
expect:
  - id: frames-seen-early
    eventually: can.pack1.frames > 0
    by: 3s
  - id: frames-keep-coming
    atEnd: can.pack1.frames > 20
`,
      'lone.yaml',
    );
    const r = await runScenario(bench(), s, { mode: 'virtual' });
    expect(r.errors).toEqual([]);
    expect(r.expectations.map((e) => [e.id, e.verdict])).toEqual([
      ['frames-seen-early', 'pass'],
      ['frames-keep-coming', 'pass'],
    ]);
  });
});
