/**
 * `bench-runner --floor`'s controller (scripts/bench-floor-controller.ts) makes the traffic it claims on the scale
 * bench, so the floor it measures is the reference controller's traffic: per simulated second one 0x305 per pack
 * (16 more frames on the buses), every BMS frame handed to its handles (208 more deliveries: 13 frames x 16 packs,
 * plus its 16 heartbeats delivered to the BMSs), one read per inverter of 122 WAval .. 124 InWRte (55 registers).
 */
import { join } from 'node:path';
import { loadBench } from '../../harness/bench/load-bench';
import { runScenario } from '../../harness/scenario/runner';
import { loadScenario } from '../../harness/scenario/load-scenario';
import { builtFile, describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';
import { benchTraffic, type BenchTraffic } from '../../scripts/bench-traffic';

const floor = join(ROOT, 'dist', 'scripts', 'bench-floor-controller.js');

async function traffic(withFloor: boolean, seconds = 60): Promise<BenchTraffic & { lines: string[] }> {
  const bench = loadBench(join(ROOT, 'fixtures', 'benches', 'scale-16x4.yaml'));
  if (withFloor) bench.file.dut = { module: floor };
  const scenario = loadScenario(join(ROOT, 'fixtures', 'scenarios-bench', 'day-24h.yaml'));
  scenario.durationMs = seconds * 1000;
  const lines: string[] = [];
  let t: BenchTraffic = { frames: 0, deliveries: 0, modbus: 0 };
  await runScenario(bench, scenario, {
    mode: 'virtual',
    log: (line) => lines.push(line),
    onBench: (inst) => () => {
      t = benchTraffic(inst);
      return Promise.resolve();
    },
  });
  return { ...t, lines };
}

describeIf(builtFile('scripts', 'bench-floor-controller.js'), NEEDS_BUILD, 'the traffic-floor controller of bench-runner --floor', () => {
  it("makes the reference controller's one-second traffic: 16 heartbeats, every BMS frame heard, 4 reads of 55 registers", async () => {
    const plant = await traffic(false);
    const withFloor = await traffic(true);
    const longer = await traffic(true, 120);
    const perS = (n: number): number => n / 60;
    expect(perS(withFloor.frames - plant.frames)).toBeCloseTo(16, 0);
    // Every BMS frame reaches the floor's handle (13 per pack per second) and each heartbeat reaches a BMS.
    expect(perS(withFloor.deliveries - plant.deliveries)).toBeCloseTo(13 * 16 + 16, 0);
    // 4 reads a second once discovery (SunS and each model's header, once per inverter) is done: the second minute.
    expect(longer.modbus - withFloor.modbus).toBeGreaterThanOrEqual(4 * 60 - 4);
    expect(longer.modbus - withFloor.modbus).toBeLessThanOrEqual(4 * 60 + 4);
    expect(withFloor.lines.join('\n')).toMatch(/floor controller: 16 pack\(s\), reads of 55, 55, 55, 55 register\(s\) every second/);
    expect(withFloor.lines.join('\n')).toMatch(/floor controller: [1-9]\d* frame\(s\) heard, 0 failure\(s\)/);
  }, 60_000);
});
