/**
 * What a controller said about itself on the bus during a run, as the emulated devices heard it. Today: the BMS
 * name frame a controller sends when it plays the battery's side of a battery-to-inverter CAN protocol (a
 * translator, a BMS under test: LV 0x35E, HV 0x7330/0x7340), heard by the bench's battery-CAN inverters.
 */
export interface ControllerIdentity {
  /** The name each battery-CAN inverter heard, by bench device. */
  bmsName: Record<string, string>;
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

/**
 * One identity over many scenario results, for the run's manifest: per device, the names heard, in first-heard
 * order, joined with ' | ' when a controller changed its name between scenarios (worth an auditor's look).
 */
export function mergeIdentities(identities: Iterable<ControllerIdentity | undefined>): ControllerIdentity | undefined {
  const seen = new Map<string, string[]>();
  for (const id of identities) {
    for (const [device, name] of Object.entries(id?.bmsName ?? {})) {
      const list = seen.get(device) ?? [];
      if (!list.includes(name)) list.push(name);
      seen.set(device, list);
    }
  }
  if (seen.size === 0) return undefined;
  return { bmsName: Object.fromEntries([...seen].map(([d, names]) => [d, names.join(' | ')])) };
}
