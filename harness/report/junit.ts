import { trafficText } from './traffic-text';
import { GrowingReportFile, MemoryParts, type PartStore } from './part-spool';
import type { ScenarioResult } from '../scenario/result';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');

/** Testcase counts of one scenario: expectations, plus one for harness errors or a skipped scenario. */
function counts(r: ScenarioResult): { tests: number; failures: number; errors: number; skipped: number } {
  const n = (v: string): number => r.expectations.filter((e) => e.verdict === v).length;
  return {
    tests: r.expectations.length + (r.errors.length > 0 || r.verdict === 'skip' ? 1 : 0),
    failures: n('fail'),
    errors: n('error') + (r.errors.length > 0 ? 1 : 0),
    skipped: n('skip') + (r.verdict === 'skip' ? 1 : 0),
  };
}

/** JUnit `type` of a testcase that did not pass, from the expectation's status. */
const TYPES: Record<string, string> = { fail: 'ExpectationFailed', 'not-exercised': 'NotExercised', 'not-judged': 'NotJudged' };

/**
 * JUnit XML: one `<testsuite>` per scenario, one `<testcase>` per expectation (plus one for harness errors), with
 * the evidence in the failure body. An expectation's status gives the element: `fail` a `<failure>`, `not-judged`
 * and `not-exercised` an `<error>` (type NotJudged / NotExercised), one not counted (an optional reaction not
 * exercised, an expectation left open by --stop-on-fail) `<skipped>`. The scenario's t=0 (epoch and ISO) is a
 * property, so times in the report line up with the CAN traces and controller.log. `<system-out>` carries the
 * controller's last lines and the run's traffic (every suite, a passing one too: see `TrafficEvidence`). CI systems (GitLab, Jenkins,
 * GitHub test reporters) read this.
 */
export function toJUnit(results: ScenarioResult[], name = 'hil'): string {
  const doc = new JUnitDocument(name, new MemoryParts());
  for (const r of results) doc.add(r);
  const out: string[] = [];
  doc.emit((c) => out.push(typeof c === 'string' ? c : c.toString('utf8')));
  return out.join('');
}

/** The document as its suites come in: totals, and each suite rendered once into a part store. */
class JUnitDocument {
  private readonly totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  private wallMs = 0;
  count = 0;

  constructor(
    private readonly name: string,
    readonly parts: PartStore,
  ) {}

  add(r: ScenarioResult, order?: number): void {
    const c = counts(r);
    this.totals.tests += c.tests;
    this.totals.failures += c.failures;
    this.totals.errors += c.errors;
    this.totals.skipped += c.skipped;
    this.wallMs += r.wallMs;
    this.count++;
    this.parts.append('suite', testsuite(r, c), order);
  }

  emit(sink: (chunk: string | Buffer) => void): void {
    const t = this.totals;
    sink(`<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${esc(this.name)}" tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}" time="${(this.wallMs / 1000).toFixed(3)}">\n`);
    if (this.count > 0) {
      this.parts.emit('suite', sink);
      sink('\n');
    }
    sink('</testsuites>\n');
  }
}

/**
 * A JUnit file that grows as results come in (a campaign): each suite is rendered once, when its result is added,
 * into a temporary folder (`SpooledParts`), and the file is rewritten atomically from the pieces after each of the
 * first results and then as it grows (`rewriteDue`); `close()` writes it a last time and removes the pieces. What it
 * keeps in memory is the totals, whatever the number of results. The file is the one `toJUnit` gives for the same
 * results in the same order.
 */
export class JUnitReport {
  private readonly file: GrowingReportFile;
  private readonly doc: JUnitDocument;

  constructor(
    readonly path: string,
    name = 'hil',
  ) {
    this.file = new GrowingReportFile(path, 'JUnit report', (sink) => this.doc.emit(sink));
    this.doc = new JUnitDocument(name, this.file.spool);
  }

  /**
   * Render one result into the file. `order`: where its suite goes among the others (a resumed campaign's results
   * kept from the earlier run and the new ones, in the order of the selection); none: after the ones added so far.
   */
  add(result: ScenarioResult, order?: number): void {
    this.file.checkOpen();
    this.doc.add(result, order);
    this.file.added(this.doc.count);
  }

  /** Rewrite the file if results came in since it was last written (or it was never written). */
  flush(): void {
    this.file.flush();
  }

  /** Flush, then remove the temporary pieces; the file stays. Idempotent. */
  close(): void {
    this.file.close();
  }
}

/** One scenario's `<testsuite>` element (indented, no trailing newline). */
function testsuite(r: ScenarioResult, c: ReturnType<typeof counts>): string {
  const out: string[] = [];
  out.push(
    `  <testsuite name="${esc(r.scenario)}" tests="${c.tests}" skipped="${c.skipped}" failures="${c.failures}" errors="${c.errors}" time="${(r.wallMs / 1000).toFixed(3)}" timestamp="${esc(r.startedAt)}" file="${esc(r.source)}">`,
  );
  out.push('    <properties>');
  out.push(`      <property name="bench" value="${esc(r.bench)}"/>`);
  out.push(`      <property name="seed" value="${r.seed}"/>`);
  out.push(`      <property name="timeMode" value="${r.timeMode}"/>`);
  out.push(`      <property name="simulatedMs" value="${r.simulatedMs}"/>`);
  if (r.forcedRealTime) out.push('      <property name="forcedRealTime" value="true"/>');
  if (r.speed !== undefined) out.push(`      <property name="speed" value="${r.speed}"/>`);
  if (r.lockstep) out.push('      <property name="lockstep" value="true"/>');
  if (r.interrupted) out.push(`      <property name="interrupted" value="${esc(`${r.interrupted.signal} at t=${(r.interrupted.atMs / 1000).toFixed(3)}s`)}"/>`);
  if (r.t0) {
    out.push(`      <property name="t0" value="${esc(r.t0.iso)}"/>`);
    out.push(`      <property name="t0EpochMs" value="${r.t0.epochMs}"/>`);
    out.push(`      <property name="t0Clock" value="${r.t0.clock}"/>`);
  }
  for (const req of r.requirements) out.push(`      <property name="requirement" value="${esc(req)}"/>`);
  if (r.provenance) {
    const p = r.provenance;
    out.push(`      <property name="harnessVersion" value="${esc(p.harnessVersion)}"/>`);
    out.push(`      <property name="benchSha256" value="${p.bench.sha256}"/>`);
    out.push(`      <property name="scenarioSha256" value="${p.scenario.sha256}"/>`);
    out.push(`      <property name="dut" value="${esc(p.dut)}"/>`);
  }
  out.push('    </properties>');
  if (r.verdict === 'skip') out.push(`    <testcase classname="${esc(r.scenario)}" name="scenario" time="0.000"><skipped message="${esc(r.summary)}"/></testcase>`);
  // The expectations are judged together over one run: each testcase gets an equal share of its wall time, so
  // a CI server's sum of testcase times is the suite's time.
  const cases = r.expectations.length + (r.errors.length > 0 ? 1 : 0);
  const share = cases > 0 ? (r.wallMs / 1000 / cases).toFixed(3) : '0.000';
  for (const x of r.expectations) {
    const name = `${x.id}${x.requirement ? ` [${x.requirement}]` : ''}`;
    out.push(`    <testcase classname="${esc(r.scenario)}" name="${esc(name)}" time="${share}"${fileLine(x.where)}>`);
    if (x.verdict === 'skip') out.push(`      <skipped message="${esc(x.message)}"/>`);
    else if (x.verdict !== 'pass') {
      const tag = x.verdict === 'fail' ? 'failure' : 'error';
      const body = [
        x.message,
        x.atMs !== undefined ? `at t=${(x.atMs / 1000).toFixed(3)}s` : '',
        x.observed ? `observed: ${JSON.stringify(x.observed)}` : '',
        r.evidence.events.length ? `events:\n${r.evidence.events.join('\n')}` : '',
        r.evidence.frames.length ? `frames before failure:\n${r.evidence.frames.join('\n')}` : '',
        r.evidence.writes.length ? `Modbus writes before failure:\n${r.evidence.writes.join('\n')}` : '',
      ].filter(Boolean);
      out.push(`      <${tag} message="${esc(x.message)}" type="${TYPES[x.status] ?? 'Error'}">${esc(body.join('\n'))}</${tag}>`);
    }
    out.push('    </testcase>');
  }
  if (r.errors.length > 0) {
    out.push(`    <testcase classname="${esc(r.scenario)}" name="harness" time="${share}"${fileLine(r.source)}>`);
    const msg = r.errors.map((e) => `t=${(e.atMs / 1000).toFixed(3)}s ${e.message}`).join('\n');
    out.push(`      <error message="${esc(r.errors[0]!.message)}" type="${r.interrupted ? 'Interrupted' : 'HarnessError'}">${esc(msg + (r.evidence.dutOutput.length ? `\ncontroller output:\n${r.evidence.dutOutput.join('\n')}` : ''))}</error>`);
    out.push('    </testcase>');
  }
  // Controller output and the run's traffic (counts, last decoded values, trace files): a passing suite has evidence too.
  const sysout = [
    ...(r.evidence.dutOutput.length ? [`controller output (last lines):\n${r.evidence.dutOutput.join('\n')}`] : []),
    ...(r.evidence.traffic ? [trafficText(r.evidence.traffic).join('\n')] : []),
  ];
  if (sysout.length > 0) out.push(`    <system-out>${esc(sysout.join('\n'))}</system-out>`);
  out.push('  </testsuite>');
  return out.join('\n');
}

/** `file="…" line="…"` from a `file:line:column` location (CI servers link them separately). */
function fileLine(where: string | undefined): string {
  if (!where) return '';
  const m = /^(.*?):(\d+)(?::\d+)?$/.exec(where);
  return m ? ` file="${esc(m[1]!)}" line="${m[2]!}"` : ` file="${esc(where)}"`;
}

