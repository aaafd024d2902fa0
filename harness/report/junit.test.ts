import { onePackBench } from '../../test/support/benches';
import { parseScenario } from '../scenario/load-scenario';
import { runScenario } from '../scenario/runner';
import { toJUnit } from './junit';

describe('JUnit as CI servers read it', () => {
  it('one classname per scenario, time on every testcase, file and line apart, controller output in system-out', async () => {
    const s = parseScenario(
      ['scenario: lone', 'duration: 3s', 'expect:', '  - id: frames', '    requirement: REQ-1', '    atEnd: can.pack1.frames > 0', '  - id: never', '    atEnd: can.pack1.frames < 0', ''].join('\n'),
      '/x/lone.yaml',
    );
    const r = await runScenario(onePackBench('junit'), s, { mode: 'virtual' });
    r.wallMs = 3000;
    r.evidence.dutOutput = ['ctl: started', 'ctl: <limits> & done'];
    const xml = toJUnit([r]);
    const cases = [...xml.matchAll(/<testcase ([^>]*)>/g)].map((m) => m[1]!);
    expect(cases).toHaveLength(2);
    for (const c of cases) expect(c).toMatch(/^classname="lone" /);
    expect(cases[0]).toMatch(/name="frames \[REQ-1\]" time="1\.500" file="\/x\/lone\.yaml" line="4"$/);
    expect(cases[1]).toMatch(/name="never" time="1\.500" file="\/x\/lone\.yaml" line="7"$/);
    expect(xml).toContain('<failure message=');
    expect(xml).toContain('<system-out>controller output (last lines):\nctl: started\nctl: &lt;limits&gt; &amp; done</system-out>');
  });
});
