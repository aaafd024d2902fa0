import type { ScenarioResult } from '../scenario/result';
import type { TrafficEvidence } from '../scenario/traffic-evidence';
import { escapeHtml as esc } from './html-escape';
import { canHeading, modbusHeading, trafficHeadline } from './traffic-text';

/**
 * The evidence of a scenario as a reviewer reads it: CAN frames with their DBC message and signal names, Modbus
 * writes with their SunSpec point names and scaled values; the raw line and its bytes one click away in a
 * `<details>` (the lines as the runner recorded them, for grep and for tools). Then the run's traffic (every
 * verdict): per CAN bus each DBC message's count and last decoded value, per Modbus endpoint the counts and the last
 * writes decoded, and the trace files behind them; collapsed, it is a summary line until opened.
 */
export function renderEvidence(r: ScenarioResult, open: boolean): string {
  const e = r.evidence;
  const out: string[] = [];
  if (e.frames.length > 0) {
    out.push(`<details class="ev frames"${open ? ' open' : ''}><summary>CAN frames before the first failure (${e.frames.length})</summary>`);
    out.push('<div class="scroll"><table class="evidence"><thead><tr><th>t</th><th>bus</th><th>decoded (DBC)</th></tr></thead><tbody>');
    e.frames.forEach((line, i) => out.push(frameRow(line, e.framesDecoded?.[i] ?? '')));
    out.push('</tbody></table></div></details>');
  }
  if (e.writes.length > 0) {
    out.push(`<details class="ev writes"${open ? ' open' : ''}><summary>Modbus writes before the first failure (${e.writes.length})</summary>`);
    out.push('<div class="scroll"><table class="evidence"><thead><tr><th>t</th><th>endpoint / unit</th><th>decoded (SunSpec points, vendor map registers)</th></tr></thead><tbody>');
    e.writes.forEach((line, i) => out.push(writeRow(line, e.writesDecoded?.[i] ?? '')));
    out.push('</tbody></table></div></details>');
  }
  if (e.traffic) out.push(renderTraffic(r.scenario, e.traffic));
  if (e.dutOutput.length > 0) {
    out.push(`<details class="ev output"${open ? ' open' : ''}><summary>Controller output (${e.dutOutput.length})</summary><pre>${esc(e.dutOutput.join('\n'))}</pre></details>`);
  }
  return out.length > 0 ? `<h3>Evidence</h3>\n${out.join('\n')}` : '';
}

const FRAME = /^t=(-?[\d.]+)s (\S+) ([0-9A-F]+)#([0-9A-F]*)$/i;

function frameRow(line: string, decoded: string): string {
  const m = FRAME.exec(line);
  if (!m) return `<tr><td colspan="3">${raw(line, '')}</td></tr>`;
  const bytes = (m[4]!.match(/../g) ?? []).join(' ');
  const shown = decoded ? `<span class="decoded">${esc(decoded)}</span>` : '<span class="muted">(no message with this id in the bus DBC)</span>';
  return `<tr><td class="num">${esc(m[1]!)} s</td><td>${esc(m[2]!)}</td><td>${shown}${raw(line, `id 0x${m[3]!.toUpperCase()}, ${bytes.length ? `${bytes.split(' ').length} byte(s): ${bytes}` : 'no data'}`)}</td></tr>`;
}

const WRITE = /^t=(-?[\d.]+)s (\S+) unit (\d+) (.*)$/;

function writeRow(line: string, decoded: string): string {
  const m = WRITE.exec(line);
  if (!m) return `<tr><td colspan="3">${raw(line, '')}</td></tr>`;
  const outcome = / -> (.*)$/.exec(m[4]!)?.[1] ?? '';
  const regs = /= \[?([\d,]+)\]?/.exec(m[4]!)?.[1]?.split(',').map(Number) ?? [];
  const words = regs.map((v) => `0x${v.toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
  const shown = decoded ? `<span class="decoded">${esc(decoded)}</span>` : `<span class="muted">${esc(m[4]!.replace(/ -> .*$/, ''))}</span>`;
  const result = outcome && outcome !== 'ok' ? ` <span class="badge fail">${esc(outcome)}</span>` : '';
  return `<tr><td class="num">${esc(m[1]!)} s</td><td>${esc(m[2]!)} / unit ${esc(m[3]!)}</td><td>${shown}${result}${raw(line, words ? `registers: ${words}` : '')}</td></tr>`;
}

function raw(line: string, bytes: string): string {
  return `<details class="raw"><summary>raw</summary><code>${esc(line)}</code>${bytes ? `<br><code class="bytes">${esc(bytes)}</code>` : ''}</details>`;
}

/** The traffic block: collapsed, its summary says how much was said; opened, the last of each message and write. */
function renderTraffic(scenario: string, t: TrafficEvidence): string {
  const out: string[] = [];
  out.push(`<details class="ev traffic"><summary>Traffic: ${esc(trafficHeadline(t))}</summary>`);
  out.push(`<p class="hint">Counted over the whole run; the last frame of each DBC message and the last writes, decoded. Trace files are in the scenario's evidence folder <code>${esc(scenario)}/</code>.</p>`);
  for (const b of t.can) {
    out.push(`<h4 class="traffic-bus" data-bus="${esc(b.bus)}">${esc(canHeading(b))}</h4>`);
    if (b.messages.length === 0) continue;
    out.push('<div class="scroll"><table class="evidence traffic-can"><thead><tr><th>id</th><th>message</th><th>frames</th><th>last at</th><th>last decoded (DBC)</th></tr></thead><tbody>');
    for (const m of b.messages) {
      out.push(`<tr><td><code>${esc(m.id)}</code></td><td>${esc(m.name)}</td><td class="num">${m.count}</td><td class="num">${(m.lastAtMs / 1000).toFixed(3)} s</td><td>${m.last ? `<span class="decoded">${esc(m.last)}</span>` : '<span class="muted">(not decodable)</span>'}</td></tr>`);
    }
    out.push('</tbody></table></div>');
    if (b.omittedMessages) out.push(`<p class="muted">${b.omittedMessages} more message(s): in the trace.</p>`);
  }
  for (const m of t.modbus) {
    out.push(`<h4 class="traffic-endpoint" data-endpoint="${esc(m.endpoint)}">${esc(modbusHeading(m))}</h4>`);
    if (m.lastWrites.length === 0) continue;
    out.push('<div class="scroll"><table class="evidence traffic-modbus"><thead><tr><th>t</th><th>endpoint / unit</th><th>last writes, decoded (SunSpec points, vendor map registers)</th></tr></thead><tbody>');
    for (const w of m.lastWrites) out.push(writeRow(w.line, w.decoded));
    out.push('</tbody></table></div>');
  }
  out.push('</details>');
  return out.join('\n');
}
