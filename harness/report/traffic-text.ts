import { sinceZero } from '../bench/evidence-recorder';
import type { TrafficEvidence } from '../scenario/traffic-evidence';

/** One line per CAN bus and Modbus endpoint: what the whole block says in a summary. */
export function trafficHeadline(t: TrafficEvidence): string {
  const frames = t.can.reduce((n, b) => n + b.frames, 0);
  const requests = t.modbus.reduce((n, m) => n + m.requests, 0);
  const parts = [
    ...(t.can.length > 0 ? [`${t.can.length} CAN bus(es), ${frames} frame(s)`] : []),
    ...(t.modbus.length > 0 ? [`${t.modbus.length} Modbus endpoint(s), ${requests} request(s)`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : 'no CAN bus or Modbus endpoint on the bench';
}

/** A CAN bus's heading: frames, DBC, trace files. */
export function canHeading(b: TrafficEvidence['can'][number]): string {
  return `CAN ${b.bus}${b.dbc ? ` (${b.dbc})` : ' (no DBC)'}: ${b.frames} frame(s), ${b.messages.length + (b.omittedMessages ?? 0)} DBC message(s) seen${
    b.unknownIds ? `, ${b.unknownIds.ids} id(s) not in the DBC (${b.unknownIds.frames} frame(s))` : ''
  }${b.traces ? `; trace: ${b.traces.join(', ')}` : ''}`;
}

/** A Modbus endpoint's heading: requests per unit, writes, the transaction log. */
export function modbusHeading(m: TrafficEvidence['modbus'][number]): string {
  const units = Object.entries(m.units).map(([u, n]) => `unit ${u}: ${n}`).join(', ');
  return `Modbus ${m.endpoint}: ${m.requests} request(s)${units ? ` (${units})` : ''}, ${m.writes} write(s) (${m.illegalWrites} illegal address, ${m.rejectedWrites} rejected value)${m.log ? `; log: ${m.log}` : ''}`;
}

/** The traffic as plain text (JUnit's `<system-out>`, logs): headings, each message's last value, the last writes. */
export function trafficText(t: TrafficEvidence): string[] {
  const out: string[] = [`traffic: ${trafficHeadline(t)}`];
  for (const b of t.can) {
    out.push(canHeading(b));
    for (const m of b.messages) out.push(`  ${m.id} ${m.name} x${m.count}, last ${sinceZero(m.lastAtMs, 0)}: ${m.last || '(not decodable)'}`);
    if (b.omittedMessages) out.push(`  ... ${b.omittedMessages} more message(s) in the trace`);
  }
  for (const m of t.modbus) {
    out.push(modbusHeading(m));
    for (const w of m.lastWrites) out.push(`  ${w.line}${w.decoded ? `  = ${w.decoded}` : ''}`);
  }
  return out;
}
