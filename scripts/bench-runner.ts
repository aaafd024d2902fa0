/**
 * Runner figures (issue 6):
 *
 * 1. Start-up: from spawning `hil run <scenario> --bench fixtures/benches/ci.yaml --out <dir>` (real time, the
 *    reference controller as its own process) to the first CAN frame on the bus. The harness records every frame
 *    with --out (`<dir>/<scenario>/<bus>.log.gz`, candump format, gzip, stamped by the run's real clock = epoch ms), so the
 *    first line of the traces, minus the spawn instant taken here on the same wall clock, is the start-up. Also:
 *    to the controller's first output line and to "controller ready" (its log lines carry wall-clock stamps), and
 *    to process exit. Median of `--runs` runs (default 7); reference measured in the same run: spawn-to-exit of a
 *    bare `node -e ''`, so figures read as a ratio on a busy or slow machine. Goal: first frame < 300 ms (issue 19).
 *
 * 2. Scale: 24 simulated hours, 1 s step, 16 LV packs on 16 hub buses and 4 inverters
 *    (fixtures/benches/scale-16x4.yaml + fixtures/scenarios-bench/day-24h.yaml), no controller (the inverters
 *    honour the BMS limits themselves), through the runner API (`runScenario`, virtual time). Prints wall time,
 *    x-real-time, and heap (live, after a forced GC) / RSS sampled from the progress callback at 1, 6, 12, 24 h of
 *    simulated time. Then the same scenario through the CLI (`hil run --virtual-time`, timed from outside). With
 *    `--controller` also runs it with the reference controller in-process (periodMs 1000). Reference measured in
 *    the same run: a fixed typed-array pass (16 x 96 elements x 86,400 steps). Goals: wall < 10 s, memory flat.
 *    Wall and CPU time of each; with `--repeat n` the variants alternate n times and medians are printed. Issue 19's
 *    goal (controller in the loop <= 1.3 x the plant alone) is judged on the CPU ratio: on a shared machine wall
 *    time mostly measures the wait for a core.
 *
 *    Where the controller's time goes (issue 19; `node --cpu-prof`, 6 h of this case, samples attributed to the
 *    first matching frame of their stack; the plant-alone profile beside it). Before the fixes, the controller run
 *    spent 36 % of its time in the garbage collector: each controller bus handle kept a 1024-frame receive queue
 *    nobody read (every frame promoted to the old generation), a promise and a closure per frame sent, three frame
 *    copies per frame. After (2026-12-07, load average 12-20 on 2 cores, so shares, not times):
 *
 *      share of the run                                   controller run   plant alone
 *      Modbus serving (inverter maps refreshed on read)       18 %             -
 *      plant (devices, encoders, wire signals)                22 %            30 %
 *      CAN send path (copy, hub, own delivery)                14 %            24 %
 *      garbage collector                                      12 %            20 %
 *      CAN delivery to the controller's bus handles            9 %             -
 *      Modbus client (in-process master, SunSpec link)         8 %             -
 *      runner (judge, series)                                  6 %             4 %
 *      timers (VirtualClock)                                   3 %             7 %
 *      DBC decode (on change only)                           0.6 %             -
 *      start-up (modules, files, bench instance)               4 %            12 %
 *
 *    What is left above the plant is mostly work a controller causes: every read refreshes the inverter's SunSpec
 *    models from its state, every frame to the controller is a copy it owns. docs/performance.md. A second pass
 *    (reads refresh only the SunSpec points they cover, the controller reads only what it uses, one promise per
 *    in-process Modbus call, slab-carved register arrays, zero-copy borrowed frames) took the ratio from 2.4-2.6 x
 *    to 1.9-2.0 x in the same sitting; its profile is in docs/performance.md.
 *
 *    `--awake` adds the plant alone with its BMS watchdogs off; `--floor` adds a controller that makes the reference
 *    controller's traffic and nothing else (scripts/bench-floor-controller.ts), which splits what a controller costs
 *    into the harness's share (serving its traffic) and the controller's own work. Either implies `--controller`.
 *
 * 3. Years in seconds (issue 19): the scenario step `age` on the scale bench, 3 simulated years of the
 *    'solar-self-consumption' duty on all 16 packs (BenchInstance.agePacks, what the runner calls), wall time against
 *    the goal of 5 s; then, for one pack (pack2's Tesla Model S module), 30 days of the same duty by the fast method
 *    (a duty day integrated at 60 s, applied in 60-day blocks, predictor-corrector) against stepping every second of it: SOH, weakest
 *    cell, resistance factor, their relative differences (goal < 1 %) and the two wall times (the stepped one is the
 *    reference of this section).
 *
 * 4. Lab timing (issue 19 goal 3): cyclic CAN p99 at most python-can's for both start patterns
 *    (`bench-can-timing.js`), and Modbus RTU turnaround beyond wire time at most pymodbus's with the t3.5 silence kept
 *    (`bench-modbus-rtu.js`), each against its peer in the same run, first at normal scheduling and then with
 *    `--realtime` (SCHED_FIFO for both sides, as `hil run --realtime` gives the harness; said so when refused). Each
 *    bench runs as its own process; its goal lines are relayed here, its full tables are in its own output. About
 *    90 s; needs /usr/bin/python3 with python3-can and python3-pymodbus (the goal lines say "not judged" without).
 *
 *   npm run build && node dist/scripts/bench-runner.js [--runs 7] [--hours 24] [--controller] [--skip-startup]
 *     [--skip-scale] [--skip-cli] [--skip-aging] [--aging-days 30] [--repeat 1] [--awake] [--floor] [--skip-timing]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { engineGc, VirtualClock } from '../core/clock';
import { benchTraffic, type BenchTraffic } from './bench-traffic';
import { ageUnderDuty, dutyProfile } from '../emulators/bms/pack/duty';
import { loadPackFixture } from '../emulators/bms/pack/fixtures';
import { PackModel } from '../emulators/bms/pack/pack-model';
import { BenchInstance } from '../harness/bench/bench-instance';
import { loadBench } from '../harness/bench/load-bench';
import { loadScenario } from '../harness/scenario/load-scenario';
import { runScenario, VIRTUAL_EPOCH_MS } from '../harness/scenario/runner';
import { median, pairedRatio } from './bench-stats';

const root = resolve(__dirname, '..', '..');
const cli = join(root, 'dist', 'harness', 'cli', 'main.js');
const ciBench = join(root, 'fixtures', 'benches', 'ci.yaml');
const startupScenario = join(root, 'fixtures', 'scenarios-bench', 'startup.yaml');
const scaleBench = join(root, 'fixtures', 'benches', 'scale-16x4.yaml');
const dayScenario = join(root, 'fixtures', 'scenarios-bench', 'day-24h.yaml');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** Wall clock in epoch ms with sub-ms resolution (same base as the harness's RealClock). */
const wallNow = (): number => performance.timeOrigin + performance.now();
const f1 = (x: number): string => x.toFixed(1);
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Spawn a command; resolve with its spawn instant, exit instant, exit code and output. */
function run(argv: string[], cwd = root, env?: Record<string, string>): Promise<{ spawnedAt: number; exitedAt: number; code: number | null; out: string }> {
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const spawnedAt = wallNow();
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise({ spawnedAt, exitedAt: wallNow(), code, out }));
  });
}

/** First candump timestamp `(1796131419.641145) bus 351#...` in a trace file, epoch ms. */
function firstTraceMs(file: string): number | undefined {
  const raw = readFileSync(file);
  const m = /^\((\d+\.\d+)\)/m.exec((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));
  return m ? Number(m[1]) * 1000 : undefined;
}

/** Wall-clock stamp of the first controller.log line matching `re` (`2026-12-01T13:23:39.762Z stdout ...`). */
function controllerLineMs(file: string, re: RegExp): number | undefined {
  if (!existsSync(file)) return undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (re.test(line)) return Date.parse(line.slice(0, line.indexOf(' ')));
  }
  return undefined;
}

async function startupFigures(runs: number): Promise<void> {
  console.log(`\n1. Start-up: hil run (real time, CI bench, controller as a process) -> first CAN frame; ${runs} runs`);
  const cmd = ['node', cli, 'run', startupScenario, '--bench', ciBench, '--time-mode', 'real', '--out'];
  console.log(`   command: node dist/harness/cli/main.js run fixtures/scenarios-bench/startup.yaml --bench fixtures/benches/ci.yaml --time-mode real --out <tmp>`);
  // Warm the file cache once (not counted), as a user's second run would be.
  const warm = mkdtempSync(join(tmpdir(), 'hil-bench-startup-'));
  await run([...cmd, warm]);
  rmSync(warm, { recursive: true, force: true });

  const firstFrame: number[] = [];
  const ctlFirst: number[] = [];
  const ctlReady: number[] = [];
  const exit: number[] = [];
  const ref: number[] = [];
  const uncached: number[] = [];
  /** Spawn `hil run` into a fresh evidence folder; its spawn -> first CAN frame, and the folder (the caller removes it). */
  const firstFrameOf = async (env?: Record<string, string>): Promise<{ ms: number; r: Awaited<ReturnType<typeof run>>; dir: string }> => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-bench-startup-'));
    try {
      const r = await run([...cmd, dir], root, env);
      if (r.code !== 0) throw new Error(`hil run exited ${r.code}:\n${r.out}`);
      const sdir = join(dir, 'startup');
      const traces = readdirSync(sdir).filter((f) => /\.log(\.gz)?$/.test(f) && f !== 'controller.log');
      const firsts = traces.map((f) => firstTraceMs(join(sdir, f))).filter((x): x is number => x !== undefined);
      if (firsts.length === 0) throw new Error(`no CAN frame in the traces under ${sdir}`);
      return { ms: Math.min(...firsts) - r.spawnedAt, r, dir };
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  };
  for (let i = 0; i < runs; i++) {
    const r0 = await run(['node', '-e', '']);
    ref.push(r0.exitedAt - r0.spawnedAt);
    // The same command without the code cache (core/compile-cache.ts), alternated with it: what the cache saves.
    const off = await firstFrameOf({ HIL_COMPILE_CACHE: 'off' });
    rmSync(off.dir, { recursive: true, force: true });
    uncached.push(off.ms);
    const { ms, r, dir } = await firstFrameOf();
    try {
      const sdir = join(dir, 'startup');
      firstFrame.push(ms);
      const log = join(sdir, 'controller.log');
      const a = controllerLineMs(log, /./);
      const b = controllerLineMs(log, /controller ready/);
      if (a !== undefined) ctlFirst.push(a - r.spawnedAt);
      if (b !== undefined) ctlReady.push(b - r.spawnedAt);
      exit.push(r.exitedAt - r.spawnedAt);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const refMed = median(ref);
  const line = (label: string, xs: number[]): void => {
    if (xs.length === 0) return void console.log(`   ${label.padEnd(40)} (not seen)`);
    const m = median(xs);
    console.log(`   ${label.padEnd(40)} median ${f1(m).padStart(7)} ms  (min ${f1(Math.min(...xs))}, max ${f1(Math.max(...xs))})  = ${(m / refMed).toFixed(2)} x reference`);
  };
  line('spawn -> first CAN frame (goal < 300)', firstFrame);
  line('  the same, HIL_COMPILE_CACHE=off', uncached);
  line('spawn -> controller first output', ctlFirst);
  line("spawn -> 'controller ready'", ctlReady);
  line('spawn -> exit (1 s scenario, teardown)', exit);
  line("reference: spawn -> exit of node -e ''", ref);
  const m = median(firstFrame);
  // The goal is absolute (issue 19: < 300 ms; issue 6 had < 500 ms) but the machine is shared: the ratio to a bare
  // node start in the same run is the figure that travels (a quiet 2-core box starts node in about 40 ms).
  console.log(`   first frame ${m < 300 ? 'MEETS' : 'MISSES'} the 300 ms goal (${f1(m)} ms = ${(m / refMed).toFixed(2)} x a bare node start in this run)`);
}

function referencePass(): number {
  const elements = 16 * 96;
  const steps = 86_400;
  const a = new Float64Array(elements);
  const b = new Float64Array(elements).fill(1e-6);
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) for (let i = 0; i < elements; i++) a[i] = a[i]! * 0.999999 + b[i]!;
  const t = performance.now() - t0;
  if (a[0] === 42) console.log(''); // keep the loop
  return t;
}

async function scaleFigures(hours: number, withController: boolean, withCli: boolean, repeat: number): Promise<void> {
  const gc = engineGc()!;
  const refMs = Math.min(referencePass(), referencePass());
  console.log(`\n2. Scale: ${hours} h simulated, 1 s step, 16 packs (16 CAN hub buses) + 4 inverters, virtual time`);
  console.log(`   reference: typed-array pass 16 x 96 elements x 86,400 steps = ${f1(refMs)} ms`);
  const variants: Array<{ label: string; controller: boolean; awake?: boolean; floor?: boolean; module?: string }> = [{ label: 'no controller', controller: false }];
  if (withController) variants.push({ label: 'reference controller in-process, periodMs 1000', controller: true });
  // --floor: a controller that makes the reference's traffic and does nothing else (bench-floor-controller.ts): what
  // the harness itself costs for serving a controller like the reference, apart from the controller's own work.
  if (withController && flag('floor')) {
    variants.push({ label: "traffic floor: the reference's CAN and one-second Modbus traffic, no decisions", controller: true, floor: true, module: join(root, 'dist', 'scripts', 'bench-floor-controller.js') });
  }
  // --awake: the plant alone with every BMS heartbeat watchdog at its longest (24 h), so no pack goes idle for want of
  // a controller's 0x305: is the plant-alone reference lighter only because its packs sleep?
  if (withController && flag('awake')) variants.push({ label: 'no controller, BMS watchdogs off (packs awake)', controller: false, awake: true });
  // Per variant, per round: wall and CPU (user + system of this process: on a shared machine CPU time is the steadier
  // figure, wall time includes waiting for a core). Rounds alternate the variants, so both see the same load.
  const walls = variants.map(() => [] as number[]);
  const cpus = variants.map(() => [] as number[]);
  // What crossed the bench in each variant's last round: frames put on the buses, frame copies handed to hub members
  // (harness recorder, BMS, controller), Modbus requests served. The controller's share of the run is read against it.
  const traffic = variants.map((): BenchTraffic => ({ frames: 0, deliveries: 0, modbus: 0 }));
  for (let round = 0; round < repeat; round++) {
    for (const [vi, v] of variants.entries()) {
      const bench = loadBench(scaleBench);
      if (v.controller) bench.file.dut = { module: v.module ?? join(root, 'dist', 'examples', 'controllers', 'reference', 'controller.js') };
      if (v.awake) for (const d of bench.file.devices) if (d.type === 'bms') d.params = { ...d.params, heartbeat: { timeoutS: 86_400 } };
      const scenario = loadScenario(dayScenario);
      scenario.durationMs = hours * 3_600_000;
      const marks = new Set([1, 6, 12, 24].filter((h) => h <= hours).map((h) => h * 3_600_000));
      const samples: Array<{ h: number; wallS: number; heap: number; rss: number }> = [];
      gc();
      const base = process.memoryUsage();
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      let gcMs = 0; // time spent in the forced GCs of the samples, taken out of wall and CPU
      const result = await runScenario(bench, scenario, {
        mode: 'virtual',
        ...(v.controller && !v.module ? { dutOptions: { periodMs: 1000 } } : {}),
        onBench: (inst) => () => {
          traffic[vi] = benchTraffic(inst);
          return Promise.resolve();
        },
        progress: (simMs) => {
          if (!marks.has(simMs)) return;
          marks.delete(simMs);
          const wallS = (performance.now() - t0 - gcMs) / 1000;
          const g0 = performance.now();
          gc();
          const m = process.memoryUsage();
          gcMs += performance.now() - g0;
          samples.push({ h: simMs / 3_600_000, wallS, heap: m.heapUsed, rss: m.rss });
        },
      });
      const wallMs = performance.now() - t0 - gcMs;
      const c = process.cpuUsage(c0);
      const cpuMs = (c.user + c.system) / 1000 - gcMs;
      walls[vi]!.push(wallMs);
      cpus[vi]!.push(cpuMs);
      const ratio = v.controller ? ` = ${(wallMs / walls[0]![round]!).toFixed(2)} x the plant alone (wall), ${(cpuMs / cpus[0]![round]!).toFixed(2)} x (CPU)` : '';
      console.log(`   [${v.label}] round ${round + 1}/${repeat}: runScenario (runner API) in this process`);
      console.log(`   verdict ${result.verdict} (${result.summary}); simulated ${f1(result.simulatedMs / 3_600_000)} h`);
      console.log(`   wall ${f1(wallMs / 1000)} s = ${f1(wallMs / refMs)} x reference, CPU ${f1(cpuMs / 1000)} s; ${Math.round(result.simulatedMs / wallMs).toLocaleString('en')} x real time${ratio}`);
      if (round > 0) continue; // memory once per variant
      console.log(`   memory before the run: heap ${mb(base.heapUsed)}, RSS ${mb(base.rss)}`);
      for (const s of samples) {
        console.log(`   at ${String(s.h).padStart(2)} h simulated (wall ${f1(s.wallS).padStart(5)} s): heap ${mb(s.heap).padStart(10)} (live, after GC), RSS ${mb(s.rss)}`);
      }
      if (samples.length >= 2) {
        const first = samples[0]!;
        const last = samples[samples.length - 1]!;
        console.log(`   heap growth ${first.h} h -> ${last.h} h: ${mb(last.heap - first.heap)} (${f1(((last.heap - first.heap) / first.heap) * 100)} %)`);
      }
    }
  }
  const plantWall = median(walls[0]!);
  console.log(`   median of ${repeat} round(s): plant alone wall ${f1(plantWall / 1000)} s, CPU ${f1(median(cpus[0]!) / 1000)} s (issue 6 goal for the plant alone, < 10 s for 24 h: ${hours === 24 ? (plantWall < 10_000 ? 'MEETS' : 'MISSES') : 'n/a'})`);
  if (withController) {
    const wallRatio = pairedRatio(walls[1]!, walls[0]!);
    const cpuRatio = pairedRatio(cpus[1]!, cpus[0]!);
    console.log(`   median of ${repeat} round(s): controller in the loop wall ${f1(median(walls[1]!) / 1000)} s, CPU ${f1(median(cpus[1]!) / 1000)} s`);
    console.log(`   controller in the loop / plant alone: ${wallRatio.toFixed(2)} x (wall), ${cpuRatio.toFixed(2)} x (CPU); issue 19 goal <= 1.3: ${cpuRatio <= 1.3 ? 'MEETS' : 'MISSES'} (judged on CPU)`);
    console.log(`   (the same goal read against the plant alone of the build the issue was filed on: node dist/scripts/bench-builds.js --reference <that checkout>)`);
    // The controller's share per simulated second, and what it buys: the 1.3 x goal leaves 0.3 x the plant's CPU for
    // everything a controller causes (its own work, serving its Modbus requests, delivering frames to it and its own).
    const simS = hours * 3600;
    const [p, c] = traffic as [BenchTraffic, BenchTraffic];
    const plantUs = (median(cpus[0]!) * 1000) / simS;
    const addedUs = ((median(cpus[1]!) - median(cpus[0]!)) * 1000) / simS;
    const perS = (n: number): string => f1(n / simS);
    console.log(`   per simulated second: plant alone ${f1(plantUs)} us of CPU (${perS(p.frames)} frames on the buses, ${perS(p.deliveries)} copies delivered, ${perS(p.modbus)} Modbus requests)`);
    console.log(`   the controller adds ${f1(addedUs)} us for ${perS(c.modbus - p.modbus)} Modbus requests, ${perS(c.frames - p.frames)} more frames on the buses and ${perS(c.deliveries - p.deliveries)} more frame copies delivered, and its own work`);
    console.log(`   goal 1.3 x leaves ${f1(0.3 * plantUs)} us per simulated second for all of that (${f1(addedUs / (0.3 * plantUs))} x over)`);
    const awake = variants.findIndex((v) => v.awake);
    if (awake > 0) {
      const awakeRatio = pairedRatio(cpus[awake]!, cpus[0]!);
      console.log(`   plant alone with its packs awake / plant alone: ${awakeRatio.toFixed(2)} x (CPU); controller in the loop / plant awake: ${pairedRatio(cpus[1]!, cpus[awake]!).toFixed(2)} x (CPU)`);
    }
    const floor = variants.findIndex((v) => v.floor);
    if (floor > 0) {
      const floorRatio = pairedRatio(cpus[floor]!, cpus[0]!);
      const [f, r] = [traffic[floor]!, traffic[1]!];
      const floorUs = ((median(cpus[floor]!) - median(cpus[0]!)) * 1000) / simS;
      console.log(`   traffic floor / plant alone: ${floorRatio.toFixed(2)} x (CPU): the harness's share, ${f1(floorUs)} us per simulated second for ${perS(f.modbus - p.modbus)} Modbus requests, ${perS(f.frames - p.frames)} more frames and ${perS(f.deliveries - p.deliveries)} more copies delivered`);
      console.log(`   reference controller / traffic floor: ${pairedRatio(cpus[1]!, cpus[floor]!).toFixed(2)} x (CPU): its own work (decoding, policy, setpoint writes, fifth-second reads: ${perS(r.modbus - f.modbus)} more Modbus requests)`);
    }
  }
  if (withCli) {
    const argv = ['node', cli, 'run', dayScenario, '--bench', scaleBench, '--virtual-time'];
    const r = await run(argv);
    const wall = r.exitedAt - r.spawnedAt;
    console.log(`   CLI: node dist/harness/cli/main.js run fixtures/scenarios-bench/day-24h.yaml --bench fixtures/benches/scale-16x4.yaml --virtual-time`);
    console.log(`   exit ${r.code}; spawn -> exit ${f1(wall / 1000)} s = ${f1(wall / refMs)} x reference (24 h scenario, start-up and teardown included)`);
  }
  console.log(`   peak RSS of this process: ${mb(process.resourceUsage().maxRSS * 1024)}`);
}

async function agingFigures(compareDays: number): Promise<void> {
  const duty = dutyProfile('solar-self-consumption');
  const years = 3;
  console.log(`\n3. Years in seconds: scenario step 'age: { for: ${years}y, duty: ${duty.name} }' on the scale bench (16 packs)`);
  console.log(`   duty: ${duty.description}`);
  const inst = await BenchInstance.start(loadBench(scaleBench), { clock: new VirtualClock(VIRTUAL_EPOCH_MS), mode: 'virtual', seed: 7, serveNetwork: false });
  let wallAll: number;
  let cpuAll: number;
  let lines: string[];
  try {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    lines = inst.agePacks(years * 365.25, duty.name, undefined, 'bench-runner');
    wallAll = performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuAll = (c.user + c.system) / 1000;
  } finally {
    await inst.close();
  }
  const refMs = Math.min(referencePass(), referencePass());
  console.log(`   ${lines.length} packs aged ${years} y in ${f1(wallAll)} ms wall, ${f1(cpuAll)} ms CPU (goal < 5000 ms: ${wallAll < 5000 ? 'MEETS' : 'MISSES'}) = ${(wallAll / refMs).toFixed(2)} x reference (typed-array pass, ${f1(refMs)} ms)`);
  for (const l of lines.slice(0, 2)) console.log(`     ${l}`);

  const id = 'tesla-model-s-module';
  console.log(`   one pack (${id}, seed 7), ${compareDays} days of ${duty.name}: fast (60 s duty day, 60-day blocks) vs stepped at 1 s`);
  const fastPack = new PackModel(loadPackFixture(id), { seed: 7 });
  const stepPack = new PackModel(loadPackFixture(id), { seed: 7 });
  let t0 = performance.now();
  const rf = ageUnderDuty(fastPack, duty, compareDays);
  const fastMs = performance.now() - t0;
  t0 = performance.now();
  const rs = ageUnderDuty(stepPack, duty, compareDays, { method: 'stepped', stepS: 1 });
  const stepMs = performance.now() - t0;
  const pct = (a: number, b: number): string => `${f1x(((a - b) / b) * 100, 3)} %`;
  const row = (label: string, a: number, b: number): void => console.log(`     ${label.padEnd(30)} fast ${a.toFixed(5)}  stepped ${b.toFixed(5)}  difference ${pct(a, b)}`);
  row('SOH', rf.soh, rs.soh);
  row('SOH lost (from ' + rs.sohBefore.toFixed(3) + ')', rf.sohBefore - rf.soh, rs.sohBefore - rs.soh);
  row('weakest cell SOH', rf.minCellSoh, rs.minCellSoh);
  row('resistance factor', rf.resistanceFactor, rs.resistanceFactor);
  row('resistance gained', rf.resistanceFactor - rf.resistanceFactorBefore, rs.resistanceFactor - rs.resistanceFactorBefore);
  row('EFC', rf.efc, rs.efc);
  console.log(`     wall: fast ${f1(fastMs)} ms, stepped at 1 s ${f1(stepMs)} ms (reference) = ${f1(stepMs / fastMs)} x faster`);
}

const f1x = (x: number, d: number): string => (x >= 0 ? '+' : '') + x.toFixed(d);

/** The timing benches of goal 3, each with the arguments that compare it with its peer. */
const TIMING_BENCHES: ReadonlyArray<{ label: string; script: string; args: string[] }> = [
  { label: 'cyclic CAN, python-can beside', script: 'bench-can-timing.js', args: ['--only', 'default,python,staggered,python-stag'] },
  { label: 'Modbus RTU, pymodbus beside', script: 'bench-modbus-rtu.js', args: ['--only', 'fixed reply, poll|ours, no gap, poll io|pymodbus|t3.5'] },
];

async function timingFigures(): Promise<void> {
  console.log(`\n4. Lab timing (issue 19 goal 3): ours against python-can and pymodbus in the same run, each bench a process of its own`);
  for (const realtime of [false, true]) {
    for (const b of TIMING_BENCHES) {
      const argv = ['node', join(root, 'dist', 'scripts', b.script), ...b.args, ...(realtime ? ['--realtime'] : [])];
      console.log(`   ${b.label}, ${realtime ? 'with --realtime' : 'normal scheduling'}: node dist/scripts/${b.script} ${b.args.map((a) => (/[ |,]/.test(a) ? `'${a}'` : a)).join(' ')}${realtime ? ' --realtime' : ''}`);
      const r = await run(argv);
      const lines = r.out.split('\n');
      // The scheduling each side got (the RTU bench says it on a line of its own; the CAN bench in its goal lines).
      for (const l of lines.filter((x) => /^(SCHED_FIFO|normal scheduling|real-time scheduling)/.test(x))) console.log(`     ${l}`);
      const goals = lines.filter((l) => l.startsWith('goal "'));
      for (const g of goals) console.log(`     ${g}`);
      if (goals.length === 0) console.log(`     not judged: the bench printed no goal line (exit ${r.code}): ${lines.filter((l) => l.trim()).slice(-1)[0] ?? ''}`);
    }
  }
}

async function main(): Promise<void> {
  console.log(`bench-runner: node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (!flag('skip-startup')) await startupFigures(arg('runs', 7));
  if (!flag('skip-scale')) await scaleFigures(arg('hours', 24), flag('controller') || flag('floor') || flag('awake'), !flag('skip-cli'), arg('repeat', 1)); // the floor and awake variants are read against the controller
  if (!flag('skip-aging')) await agingFigures(arg('aging-days', 30));
  if (!flag('skip-timing')) await timingFigures();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
