import { writeFileSync, renameSync } from 'node:fs';
import type { ScenarioResult } from './result';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');

/**
 * JUnit XML: one `<testsuite>` per scenario, one `<testcase>` per expectation (plus one for harness errors), with
 * the evidence in the failure body. CI systems (GitLab, Jenkins, GitHub test reporters) read this.
 */
export function toJUnit(results: ScenarioResult[], name = 'hil'): string {
  const tests = results.reduce((n, r) => n + r.expectations.length + (r.errors.length > 0 || r.verdict === 'skip' ? 1 : 0), 0);
  const failures = results.reduce((n, r) => n + r.expectations.filter((e) => e.verdict === 'fail').length, 0);
  const errors = results.reduce((n, r) => n + r.expectations.filter((e) => e.verdict === 'error').length + (r.errors.length > 0 ? 1 : 0), 0);
  const time = results.reduce((t, r) => t + r.wallMs, 0) / 1000;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="${esc(name)}" tests="${tests}" failures="${failures}" errors="${errors}" time="${time.toFixed(3)}">`);
  for (const r of results) {
    const f = r.expectations.filter((e) => e.verdict === 'fail').length;
    const e = r.expectations.filter((x) => x.verdict === 'error').length + (r.errors.length > 0 ? 1 : 0);
    out.push(
      `  <testsuite name="${esc(r.scenario)}" tests="${r.expectations.length + (r.errors.length > 0 || r.verdict === 'skip' ? 1 : 0)}" skipped="${r.verdict === 'skip' ? 1 : 0}" failures="${f}" errors="${e}" time="${(r.wallMs / 1000).toFixed(3)}" timestamp="${esc(r.startedAt)}" file="${esc(r.source)}">`,
    );
    out.push('    <properties>');
    out.push(`      <property name="bench" value="${esc(r.bench)}"/>`);
    out.push(`      <property name="seed" value="${r.seed}"/>`);
    out.push(`      <property name="timeMode" value="${r.timeMode}"/>`);
    out.push(`      <property name="simulatedMs" value="${r.simulatedMs}"/>`);
    if (r.forcedRealTime) out.push('      <property name="forcedRealTime" value="true"/>');
    if (r.interrupted) out.push(`      <property name="interrupted" value="${esc(`${r.interrupted.signal} at t=${(r.interrupted.atMs / 1000).toFixed(3)}s`)}"/>`);
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
      if (x.verdict !== 'pass') {
        const tag = x.verdict === 'fail' ? 'failure' : 'error';
        const body = [
          x.message,
          x.atMs !== undefined ? `at t=${(x.atMs / 1000).toFixed(3)}s` : '',
          x.observed ? `observed: ${JSON.stringify(x.observed)}` : '',
          r.evidence.events.length ? `events:\n${r.evidence.events.join('\n')}` : '',
          r.evidence.frames.length ? `frames before failure:\n${r.evidence.frames.join('\n')}` : '',
          r.evidence.writes.length ? `Modbus writes before failure:\n${r.evidence.writes.join('\n')}` : '',
        ].filter(Boolean);
        out.push(`      <${tag} message="${esc(x.message)}" type="${tag === 'failure' ? 'ExpectationFailed' : 'NotJudged'}">${esc(body.join('\n'))}</${tag}>`);
      }
      out.push('    </testcase>');
    }
    if (r.errors.length > 0) {
      out.push(`    <testcase classname="${esc(r.scenario)}" name="harness" time="${share}"${fileLine(r.source)}>`);
      const msg = r.errors.map((e) => `t=${(e.atMs / 1000).toFixed(3)}s ${e.message}`).join('\n');
      out.push(`      <error message="${esc(r.errors[0]!.message)}" type="${r.interrupted ? 'Interrupted' : 'HarnessError'}">${esc(msg + (r.evidence.dutOutput.length ? `\ncontroller output:\n${r.evidence.dutOutput.join('\n')}` : ''))}</error>`);
      out.push('    </testcase>');
    }
    if (r.evidence.dutOutput.length) out.push(`    <system-out>${esc(`controller output (last lines):\n${r.evidence.dutOutput.join('\n')}`)}</system-out>`);
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

/** `file="…" line="…"` from a `file:line:column` location (CI servers link them separately). */
function fileLine(where: string | undefined): string {
  if (!where) return '';
  const m = /^(.*?):(\d+)(?::\d+)?$/.exec(where);
  return m ? ` file="${esc(m[1]!)}" line="${m[2]!}"` : ` file="${esc(where)}"`;
}

/** Write atomically (temp file + rename), so a crash never leaves a half-written report. */
export function writeJUnit(path: string, results: ScenarioResult[]): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, toJUnit(results));
  renameSync(tmp, path);
}
