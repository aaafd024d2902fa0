/**
 * The files `hil init --controller "<command>"` writes: a bench for an external controller (one second-life pack
 * behind a BMS on CAN via socketcand, one hybrid inverter on Modbus TCP, both on loopback) and three starter
 * scenarios. Every "CHANGE:" comment marks something a user adapts to their controller.
 */

/** Split a command line the way a POSIX shell splits words (quotes and backslashes; no expansions). */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) cur += line[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in the controller command`);
  if (inWord) out.push(cur);
  return out;
}

const yamlString = (s: string): string => JSON.stringify(s);

/** bench.yaml for the given controller argv. */
export function benchYaml(command: string[]): string {
  const hasPlaceholders = command.some((a) => a.includes('${'));
  const cmd = command.map((a) => `    - ${yamlString(a)}`).join('\n');
  return `# A bench for your controller, written by \`hil init\`. Check it with: hil validate bench.yaml scenarios/*.yaml --bench bench.yaml
# Run the starter scenarios:                                      hil run scenarios --bench bench.yaml --time-mode real
# Everything runs on loopback; nothing here needs hardware. Lines marked CHANGE: are the ones to adapt.
bench: my-controller
description: One second-life pack (LFP 16s, 48 V) behind a Pylontech-protocol BMS on CAN, one hybrid inverter on Modbus TCP (SunSpec)

# The pack's CAN bus, served as a socketcand hub: your controller connects over TCP (python-can's socketcand
# interface, or a plain socket speaking socketcand's ASCII protocol). Port 0 = any free port, given to the controller
# through the placeholders below. CHANGE: a fixed port ("127.0.0.1:29536") if your controller cannot take arguments;
# or, on a lab bench, medium: "slcan:///dev/ttyACM0" / "socketcan://can0" for a real adapter.
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }

# The inverter's Modbus TCP listener. CHANGE: a fixed port ("127.0.0.1:1502"), or rtu: { path: /dev/ttyUSB0 } for RS-485.
modbus:
  site: { tcp: "127.0.0.1:0" }

devices:
  # CHANGE: pack (data/packs: lfp-lishen-16s-202ah, nissan-leaf-24kwh, bmw-i3-60ah, tesla-model-s-module) and
  # protocol (pylon-lv, sma-lv, pylon-hv) to what your controller expects. The BMS wants your controller's 0x305
  # heartbeat and zeroes its limits 3 s after it stops (CHANGE: timeoutS, or remove 'heartbeat' for the protocol's default).
  - name: pack1
    type: bms
    pack: lfp-lishen-16s-202ah
    protocol: pylon-lv
    can: pack1
    params: { soc: 55, soh: 92, heartbeat: { armAtStart: true, timeoutS: 3, reaction: zero-limits } }
  # A 5 kW hybrid inverter with pack1 on its battery port, SunSpec models 1/103/120/121/123/124/160 at unit id 1.
  # CHANGE: map (a vendor map file, see data/inverters) and unitId if your controller speaks a vendor map.
  - name: inv1
    type: inverter
    modbus: site
    unitId: 1
    battery: pack1
    params: { ratedW: 5000, batteryMaxW: 6000, honourBmsLimits: false, startTime: "11:00", profile: { kind: clear } }

# Your controller, started for every scenario and stopped after it (SIGTERM to its process group, SIGKILL after stopTimeout).
dut:
  # Placeholders (substituted at run time; unknown ones are refused by hil validate):
  #   \${can.pack1.host} \${can.pack1.port} \${can.pack1.bus} \${can.pack1.socketcand} (HOST:PORT/BUS) \${can.pack1.url}
  #   \${modbus.site.host} \${modbus.site.port} \${modbus.site.tcp} (HOST:PORT) \${modbus.site.url}
${hasPlaceholders ? '' : `  # CHANGE: pass the endpoints to your controller, e.g. append "--can", "\${can.pack1.socketcand}", "--modbus", "\${modbus.site.tcp}".\n`}  command:
${cmd}
  # CHANGE: cwd and env if your controller needs them (PYTHONUNBUFFERED=1 is set for you).
  # cwd: .
  # env: { LOG_LEVEL: debug }
  # Readiness: the scenario's t=0 waits for your controller's first CAN frame. CHANGE: readyLine: "<text it prints
  # when up>" (then unbuffer its output: stdbuf -oL for C), or readyWhen: first-modbus-connection.
  readyWhen: first-frame
  readyTimeout: 20s
  stopTimeout: 5s
  # A controller silent (no frame, no Modbus request, no output line) this long is reported hung.
  livenessTimeout: 30s
`;
}

const NOMINAL = `# Starter scenario 1, written by \`hil init\`: a sunny midday, nothing goes wrong. Your controller keeps the BMS
# heartbeat going and charges the pack from PV within the BMS's charge current limit.
# CHANGE: the expectations to your controller's policy (signal names: hil validate lists what a device has).
scenario: nominal
title: Nominal midday charge
timeMode: any
seed: 1
duration: 2m
initial:
  ambient: 25
  devices:
    pack1: { soc: 50 }
expect:
  - id: heartbeat
    description: the controller's 0x305 heartbeat reaches the BMS about once a second
    atEnd: pack1.heartbeats >= 100
  - id: charges-from-pv
    description: "CHANGE: drop this if your controller does not charge the battery from PV"
    eventually: pack1.current > 5
    by: 60s
  - id: within-charge-limit
    always: pack1.current <= pack1.chargeCurrentLimit * 1.05 + 1
    tolerance: 2s
`;

const PROTECTION = `# Starter scenario 2, written by \`hil init\`: a protection alarm. The pack heats up (a blocked vent) until its BMS
# raises over-temperature and zeroes its limits; your controller must stop charging and discharging.
# CHANGE: 'within' to your controller's reaction time (the BMS broadcasts once a second).
scenario: protection-alarm
title: Over-temperature alarm stops the battery
timeMode: any
seed: 2
duration: 90s
initial:
  ambient: 38
  devices:
    pack1: { soc: 40, temperature: 48, ambient: 38 }
timeline:
  - at: 5s
    fault: { id: vent-blocked, device: pack1, kind: external-heat, module: 0, watts: 4000 }
expect:
  - id: overtemp-raised
    description: the fault does raise the alarm (a check of the scenario itself)
    eventually: pack1.alarm.overTemperature
    by: 80s
  - id: overtemp-stops-battery
    description: "the controller commands the inverter to stop charging and discharging (SunSpec 124 InWRte/OutWRte; CHANGE: to the registers your controller writes)"
    when: pack1.alarm.overTemperature
    within: 3s
    then: inv1.InWRte == 0 && inv1.OutWRte == 0
  - id: overtemp-no-battery-power
    when: pack1.alarm.overTemperature
    within: 5s
    then: abs(inv1.battery.power) < 20
`;

const COMMS_LOSS = `# Starter scenario 3, written by \`hil init\`: CAN comms loss. At t=30s the BMS goes silent (a pulled cable) and
# no longer hears the heartbeat; at t=60s it is back. Your controller must notice the silence and stop using the
# battery, then resume. CHANGE: 'within' to your controller's comms timeout + reaction time.
scenario: comms-loss
title: CAN comms loss and recovery
timeMode: any
seed: 3
duration: 2m
initial:
  ambient: 25
  devices:
    pack1: { soc: 50 }
timeline:
  - at: 30s
    fault: { id: cable-pulled, device: pack1, kind: comms-loss }
  - at: 60s
    clear: cable-pulled
expect:
  - id: comms-loss-goes-safe
    when: pack1.commsLost
    within: 5s
    then: abs(inv1.battery.power) < 20
  - id: heartbeat-resumes
    description: the heartbeat reaches the BMS again after the cable is back
    atEnd: pack1.heartbeats >= 60
`;

/** Scenario files by name. */
export const STARTER_SCENARIOS: Readonly<Record<string, string>> = {
  'nominal.yaml': NOMINAL,
  'protection-alarm.yaml': PROTECTION,
  'comms-loss.yaml': COMMS_LOSS,
};
