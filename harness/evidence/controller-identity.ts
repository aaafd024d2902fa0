/**
 * What a controller said about itself during a run. Two sources: the BMS name frame a controller sends when it plays
 * the battery's side of a battery-to-inverter CAN protocol (a translator, a BMS under test: LV 0x35E, HV
 * 0x7330/0x7340), heard by the bench's battery-CAN inverters; and SunSpec model 1 of a controller that is itself a
 * SunSpec server (bench `dut.identity.sunspec`), read by the harness once the controller is ready.
 */
export interface ControllerIdentity {
  /** The name each battery-CAN inverter heard, by bench device. Absent: none heard one. */
  bmsName?: Record<string, string>;
  /** SunSpec model 1 (Mn, Md, Opt, Vr, SN, DA as text; unimplemented points absent). Absent: not read (see the note). */
  sunspecCommon?: Record<string, string>;
  /** Where model 1 was read, or why it was not (present whenever the bench declares `dut.identity.sunspec`). */
  sunspecNote?: string;
}

/** Identity from devices' `heardIdentity()`; undefined when none heard anything. */
export function collectIdentity(devices: Iterable<{ name: string; heardIdentity?(): { bmsName?: string } | undefined }>): ControllerIdentity | undefined {
  const bmsName: Record<string, string> = {};
  for (const d of devices) {
    let heard: { bmsName?: string } | undefined;
    try {
      heard = d.heardIdentity?.();
    } catch {
      heard = undefined; // evidence only: a device that cannot say is not an error of the run
    }
    if (heard?.bmsName !== undefined) bmsName[d.name] = heard.bmsName;
  }
  return Object.keys(bmsName).length > 0 ? { bmsName } : undefined;
}

/** Both parts of one scenario's identity in one record; undefined when neither says anything. */
export function withSunSpec(heard: ControllerIdentity | undefined, sunspec: { common?: Record<string, string>; note: string } | undefined): ControllerIdentity | undefined {
  if (!sunspec) return heard;
  return { ...(heard ?? {}), ...(sunspec.common ? { sunspecCommon: sunspec.common } : {}), sunspecNote: sunspec.note };
}

/**
 * One identity over many scenario results, for the run's manifest: per device (BMS names) and per model 1 point, the
 * values seen, in first-seen order, joined with ' | ' when a controller changed what it said between scenarios (worth
 * an auditor's look); SunSpec notes likewise, distinct ones joined with ' | '.
 */
export function mergeIdentities(identities: Iterable<ControllerIdentity | undefined>): ControllerIdentity | undefined {
  const names = new Map<string, string[]>();
  const points = new Map<string, string[]>();
  const notes: string[] = [];
  const add = (m: Map<string, string[]>, key: string, value: string): void => {
    const list = m.get(key) ?? [];
    if (!list.includes(value)) list.push(value);
    m.set(key, list);
  };
  for (const id of identities) {
    for (const [device, name] of Object.entries(id?.bmsName ?? {})) add(names, device, name);
    for (const [point, value] of Object.entries(id?.sunspecCommon ?? {})) add(points, point, value);
    if (id?.sunspecNote !== undefined && !notes.includes(id.sunspecNote)) notes.push(id.sunspecNote);
  }
  const joined = (m: Map<string, string[]>): Record<string, string> => Object.fromEntries([...m].map(([k, v]) => [k, v.join(' | ')]));
  const out: ControllerIdentity = {
    ...(names.size > 0 ? { bmsName: joined(names) } : {}),
    ...(points.size > 0 ? { sunspecCommon: joined(points) } : {}),
    ...(notes.length > 0 ? { sunspecNote: notes.join(' | ') } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}
