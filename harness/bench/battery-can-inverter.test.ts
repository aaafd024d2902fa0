import { join, resolve } from 'node:path';
import { ConfigError } from '../../core/errors';
import { parseScenario } from '../scenario/load-scenario';
import { runScenario } from '../scenario/runner';
import { parseBench } from './load-bench';

const benchFile = resolve(__dirname, '..', '..', 'fixtures', 'benches', 'inline.yaml');

/** A Pylontech LV BMS and an inverter that hears it on the same bus: no controller at all (both sides emulated). */
const direct = (inverterParams = '{ timeoutS: 5, demandA: 40 }', extra = '') =>
  parseBench(
    `bench: direct
can:
  bat: { hub: { socketcand: "127.0.0.1:0", bus: bat } }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: bat, params: { soc: 50, heartbeat: { armAtStart: true, timeoutS: 3, reaction: zero-limits } } }
  - { name: inv1, type: inverter, battery: pack1, batteryCan: { bus: bat, protocol: pylon-lv }${extra}, params: ${inverterParams} }
`,
    benchFile,
  );

describe('bench inverter with batteryCan', () => {
  it('hears the BMS, keeps its watchdog fed with 0x305, charges within the limit; the BMS zeroes the limits when its heartbeat stops', async () => {
    const s = parseScenario(`scenario: direct
duration: 30s
step: 100ms
timeMode: virtual
timeline:
  - at: 15s
    fault: { id: mute, device: inv1, kind: battery-comms-loss }
expect:
  - id: heard
    eventually: inv1.bms.chargeLimit > 0 and abs(inv1.bms.chargeLimit - pack1.chargeCurrentLimit) < 1 and can.bat.BMS_Limits.ChargeCurrentLimit > 0
    by: 3s
  - id: charging
    eventually: inv1.battery.current > 39 and pack1.current > 39
    by: 5s
  - id: bms-hears-the-inverter
    always: t > 15 or not pack1.heartbeatLost
  - id: bms-loses-the-inverter
    atEnd: pack1.heartbeatLost and pack1.chargeCurrentLimit == 0
  - id: muted-inverter-stops-when-it-stops-hearing
    atEnd: inv1.battery.current == 0 and inv1.lost
`);
    const r = await runScenario(direct(), s, { mode: 'virtual' });
    expect(r.errors).toEqual([]);
    expect(r.expectations.filter((e) => e.verdict !== 'pass').map((e) => `${e.id}: ${e.message ?? ''}`)).toEqual([]);
  });

  it.each([
    ['{ demandA: "x" }', '', /demandA needs a number/],
    ['{ bogus: 1 }', '', /unknown parameter 'bogus'/],
    ['{ onTimeout: "later" }', '', /onTimeout must be 'stop' or 'hold-last'/],
    ['{}', ', modbus: site', /no Modbus endpoint 'site'|'batteryCan' is for an inverter without 'modbus'/],
  ])('refuses params %s%s with a ConfigError naming the problem', async (params, extra, message) => {
    const s = parseScenario('scenario: x\nduration: 1s\nexpect:\n  - { id: a, atEnd: "t > 0" }\n');
    let err: unknown;
    try {
      const r = await runScenario(direct(params, extra), s, { mode: 'virtual' });
      err = r.errors[0] ? new ConfigError(r.errors[0].message) : undefined;
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
  });

  it('refuses a batteryCan bus the bench does not have, with file:line:column', () => {
    expect(() => parseBench(`bench: b\ncan:\n  x: { hub: { socketcand: "127.0.0.1:0" } }\ndevices:\n  - { name: i, type: inverter, batteryCan: { bus: y, protocol: pylon-lv } }\n`, join(__dirname, 'b.yaml'))).toThrow(
      /b\.yaml:5:\d+: device 'i': no CAN bus 'y'/,
    );
  });
});
