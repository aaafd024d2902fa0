import { resolve } from 'node:path';
import { parseBench, type Bench } from '../../harness/bench/load-bench';

/** A bench with one LFP pack on a socketcand hub bus and nothing else (no inverter, no controller). */
export function onePackBench(name = 'one-pack'): Bench {
  return parseBench(
    `
bench: ${name}
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }
devices:
  - name: pack1
    type: bms
    pack: lfp-lishen-16s-202ah
    protocol: pylon-lv
    can: pack1
`,
    resolve(__dirname, '..', '..', 'fixtures', 'benches', `${name}.yaml`),
  );
}
