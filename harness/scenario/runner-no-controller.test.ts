import { parseBench } from '../bench/load-bench';
import { parseScenario } from './load-scenario';
import { runScenario } from './runner';
import { resolve } from 'node:path';

// A bench with no controller: the runner drives the plant alone in virtual time.
const bench = (): ReturnType<typeof parseBench> =>
  parseBench(
    `
bench: lone-pack
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }
devices:
  - name: pack1
    type: bms
    pack: lfp-lishen-16s-202ah
    protocol: pylon-lv
    can: pack1
`,
    resolve(__dirname, '..', '..', 'fixtures', 'benches', 'lone-pack.yaml'),
  );

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
