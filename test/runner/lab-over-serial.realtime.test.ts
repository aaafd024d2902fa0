import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseBench } from '../../harness/bench/load-bench';
import { loadScenario } from '../../harness/scenario/load-scenario';
import { runScenario } from '../../harness/scenario/runner';
import { PtyPair } from '../../protocols/modbus/rtu/rtu-pty-pair';
import { describeIf, NEEDS_BUILD } from '../support/describe-if';
import { describeWithPeers } from '../support/peers';

const root = resolve(__dirname, '..', '..');
const main = join(root, 'dist', 'examples', 'controllers', 'reference', 'main.js');

/**
 * The lab path without lab hardware: the controller reaches each BMS through an SLCAN "USB adapter" (the harness
 * acting as one on a pseudo-terminal) and the inverters as two units on one Modbus RTU line (a socat pty pair standing
 * in for the RS-485 dongle). Same devices and scenario as the CI bench; the controller runs as its own process.
 */
const needsBuild = (_p: unknown, name: string, body: () => void): void => describeIf(false, NEEDS_BUILD, name, body);
(existsSync(main) ? describeWithPeers : needsBuild)(
  ['socat'],
  'lab media over pseudo-terminals: SLCAN adapters and an RTU line',
  () => {
    let dir: string;
    let line: PtyPair;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hil-lab-'));
      line = await PtyPair.start();
    });
    afterAll(async () => {
      await line.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('runs the over-temperature scenario in real time and judges the controller', async () => {
      const bench = parseBench(
        `bench: lab-sim
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 }, slcanPty: ${join(dir, 'ttyPack1')} }
  pack2: { hub: { socketcand: "127.0.0.1:0", bus: pack2 }, slcanPty: ${join(dir, 'ttyPack2')} }
modbus:
  site: { rtu: { path: ${line.a}, baud: 115200, parity: even } }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1, params: { soc: 55, soh: 92 } }
  - { name: pack2, type: bms, pack: tesla-model-s-module, protocol: pylon-lv, can: pack2, params: { soc: 50, soh: 75 } }
  - { name: inv1, type: inverter, modbus: site, unitId: 1, battery: pack1, params: { ratedW: 5000, batteryMaxW: 6000, honourBmsLimits: false, startTime: "11:00", profile: { kind: clear } } }
  - { name: inv2, type: inverter, modbus: site, unitId: 2, battery: pack2, params: { ratedW: 3000, batteryMaxW: 3000, honourBmsLimits: false, startTime: "11:00", profile: { kind: clear } } }
dut:
  command: [node, ${main}, --pack, "pack1=slcan://\${can.pack1.pty}?bitrate=500000", --pack, "pack2=slcan://\${can.pack2.pty}?bitrate=500000",
            --inverter, "inv1=rtu://${line.b}?baud=115200&parity=even&unit=1&pack=pack1",
            --inverter, "inv2=rtu://${line.b}?baud=115200&parity=even&unit=2&pack=pack2"]
  readyLine: controller ready
  readyTimeout: 30s
`,
        join(dir, 'lab-sim.yaml'),
      );
      const s = loadScenario(join(root, 'fixtures', 'scenarios', 'overtemp-fast-charge.yaml'));
      const r = await runScenario(bench, s, { mode: 'real' });
      expect(r.errors).toEqual([]);
      expect(r.expectations.filter((e) => e.verdict !== 'pass').map((e) => `${e.id}: ${e.verdict}: ${e.message}`)).toEqual([]);
      expect(r.verdict).toBe('pass');
    }, 90_000);
  },
);
