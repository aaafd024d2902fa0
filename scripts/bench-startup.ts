/**
 * Start-up in CPU time (issue 19, goal 4): the CPU a `hil run` process has used when it writes its first CAN frame.
 * On the shared 2-core machine the wall clock from spawn to the first frame (`bench-runner.js`, section 1) swings by
 * a factor of two from one run to the next with the load; the CPU used up to the same instant moves far less, so
 * changes of 10 % show. A preload module (written to a temporary file here) stamps `process.cpuUsage()` (all threads)
 * and `performance.now()` (since the process started) at the first frame written to a CAN trace, then ends the
 * process: only start-up is measured. Variants alternate, `--runs` rounds (default 15), medians printed:
 *
 *   - this checkout, as users run it (V8 code cache of core/compile-cache.ts on, warmed by one run first);
 *   - this checkout with HIL_COMPILE_CACHE=off;
 *   - with `--base <dir>`, another built checkout (e.g. main in a temporary clone with `npm ci && npm run build`);
 *   - reference: the same stamps at exit of a bare `node -e ''`.
 *
 *   npm run build && node dist/scripts/bench-startup.js [--runs 15] [--base /tmp/main-clone]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from './bench-stats';

const root = resolve(__dirname, '..', '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const PROBE = `
const Module = require('node:module');
const { writeFileSync } = require('node:fs');
const out = process.env.HIL_STARTUP_PROBE_OUT;
const load = Module._load;
let done = false;
const stamp = () => { const c = process.cpuUsage(); writeFileSync(out, JSON.stringify({ cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() })); };
Module._load = function (request) {
  const m = load.apply(this, arguments);
  if (/trace-writer$/.test(request) && !m.__probed) {
    m.__probed = true;
    const open = m.openTraceWriter;
    Object.defineProperty(m, 'openTraceWriter', { value: async (path, options) => {
      const w = await open(path, options);
      const write = w.write.bind(w);
      w.write = (frame) => { if (!done) { done = true; stamp(); setImmediate(() => process.exit(0)); } return write(frame); };
      return w;
    } });
  }
  return m;
};
if (process.env.HIL_STARTUP_PROBE_BARE) process.on('exit', stamp);
`;

interface Stamp {
  cpuMs: number;
  wallMs: number;
}

function once(cwd: string, probe: string, env: Record<string, string>, bare = false): Stamp {
  const work = mkdtempSync(join(tmpdir(), 'hil-bench-startup-cpu-'));
  try {
    const outFile = join(work, 'stamp.json');
    const args = bare
      ? ['-r', probe, '-e', '']
      : ['-r', probe, join(cwd, 'dist', 'harness', 'cli', 'main.js'), 'run', join(cwd, 'fixtures', 'scenarios-bench', 'startup.yaml'), '--bench', join(cwd, 'fixtures', 'benches', 'ci.yaml'), '--time-mode', 'real', '--out', join(work, 'out')];
    const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env, HIL_STARTUP_PROBE_OUT: outFile, ...(bare ? { HIL_STARTUP_PROBE_BARE: '1' } : {}) } });
    if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
    return JSON.parse(readFileSync(outFile, 'utf8')) as Stamp;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function main(): void {
  const runs = Number(arg('runs') ?? 15);
  const base = arg('base');
  console.log(`bench-startup: node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`CPU used (all threads) and time since process start, at the first CAN frame of 'hil run' (CI bench, real time); ${runs} rounds`);
  const dir = mkdtempSync(join(tmpdir(), 'hil-bench-startup-probe-'));
  const probe = join(dir, 'probe.js');
  writeFileSync(probe, PROBE);
  try {
    const variants: Array<{ label: string; run: () => Stamp }> = [
      { label: 'this checkout', run: () => once(root, probe, {}) },
      { label: 'this checkout, HIL_COMPILE_CACHE=off', run: () => once(root, probe, { HIL_COMPILE_CACHE: 'off' }) },
      ...(base ? [{ label: `base ${base}`, run: () => once(resolve(base), probe, {}) }] : []),
      { label: "reference: node -e '' at exit", run: () => once(root, probe, {}, true) },
    ];
    for (const v of variants) v.run(); // warm the file cache and the code and validator caches
    const stamps = variants.map(() => [] as Stamp[]);
    for (let i = 0; i < runs; i++) variants.forEach((v, k) => stamps[k]!.push(v.run()));
    const ref = median(stamps[variants.length - 1]!.map((s) => s.cpuMs));
    variants.forEach((v, k) => {
      const cpu = stamps[k]!.map((s) => s.cpuMs);
      const wall = stamps[k]!.map((s) => s.wallMs);
      console.log(
        `   ${v.label.padEnd(40)} CPU median ${median(cpu).toFixed(1).padStart(6)} ms (min ${Math.min(...cpu).toFixed(1)}) = ${(median(cpu) / ref).toFixed(2)} x reference;  wall median ${median(wall).toFixed(1).padStart(6)} ms`,
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
