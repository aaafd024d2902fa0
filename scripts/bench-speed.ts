/**
 * `--speed k` alignment figures (issue 16): how far the controller's clock is from the harness's, at 10x and 100x
 * real time over 10 simulated minutes.
 *
 * For each k, the harness's clock (a ScaledClock over a RealClock, as `hil run --speed k` makes it) starts a probe
 * exactly as it starts a controller: the `faketime` wrapper, the alignment launcher (whose report aligns the clock),
 * then the probe. Two probes, one after the other:
 * - python: the launcher in probe mode (harness/dut/launcher/align-exec.py --probe): every simulated second it sleeps
 *   (time.sleep, sped up) and reads its faked wall clock F and the real monotonic clock R (raw system call) at one
 *   instant. Clock offset = F - H(R), H the harness's clock at real instant R: no transport in it. Drift = how much
 *   the offset moved over the run: median of the last tenth of the readings minus median of the first tenth.
 * - node: the process the CI's reference controller is: a 1 s setTimeout loop printing its faked wall clock; the
 *   harness stamps each line when it reads it. Observed offset = F - H(receipt): includes the pipe and event-loop
 *   latency, multiplied by k - what a controller's message timestamps look like from the harness.
 * Figures are ms of simulated (scaled) time; divided by k they are real ms. Reference measured in the same run: the
 * real interval between probe lines against the 1000/k ms the sped-up sleep asks for (the sleep's own scaling error).
 *
 *   npm run bench:speed [-- --minutes 10 --speeds 10,100]
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { RealClock, ScaledClock } from '../core/clock';
import { faketimeLaunch, launcherPath, parseAlignReport, removeFaketimeShm, type AlignReport } from '../harness/dut/faketime';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

interface Sample {
  /** Harness scaled time at the real instant of the reading (python) or at receipt (node). */
  h: number;
  /** Controller's faked wall clock, ms. */
  f: number;
  /** Real monotonic ms of the reading (python) or receipt (node). */
  realMs: number;
}

interface ProbeOutcome {
  samples: Sample[];
  alignOffsetMs: number;
  alignUncertaintyMs: number;
}

const NODE_PROBE = "let n=0;const N=Number(process.argv[1]);const tick=()=>{console.log(String(Date.now()));if(++n<N)setTimeout(tick,1000);};setTimeout(tick,1000);";

async function runProbe(kind: 'python' | 'node', speed: number, count: number): Promise<ProbeOutcome> {
  const clock = new ScaledClock(new RealClock({ spinMs: 1 }), speed);
  const python = '/usr/bin/python3';
  const probeArgv = kind === 'python' ? [python, launcherPath(), '--probe', '1', String(count)] : [process.execPath, '-e', NODE_PROBE, String(count)];
  const launch = faketimeLaunch(probeArgv, speed, clock.now(), 3);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of launch.unsetEnv) delete env[k];
  const child = spawn(launch.argv[0]!, launch.argv.slice(1), { env: { ...env, ...launch.env }, stdio: ['ignore', 'pipe', 'inherit', 'pipe'] });
  const hrToInner = (hrNs: bigint): number => {
    const hr = process.hrtime.bigint();
    return clock.innerNow() + Number(hrNs - hr) / 1e6;
  };
  const alignLine = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdio[3]!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0]!);
    });
    child.once('exit', () => reject(new Error('probe exited before aligning')));
  });
  const r: AlignReport = parseAlignReport(alignLine);
  const innerAt = hrToInner(BigInt(r.real_monotonic_ns));
  const alignOffsetMs = r.faked_realtime_ns / 1e6 - clock.fromInner(innerAt);
  clock.align(r.faked_realtime_ns / 1e6, innerAt);
  const samples: Sample[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const receiptHr = process.hrtime.bigint();
    const receiptInner = hrToInner(receiptHr);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (kind === 'python') {
        const s = parseAlignReport(line);
        const at = hrToInner(BigInt(s.real_monotonic_ns));
        samples.push({ h: clock.fromInner(at), f: s.faked_realtime_ns / 1e6, realMs: s.real_monotonic_ns / 1e6 });
      } else {
        samples.push({ h: clock.fromInner(receiptInner), f: Number(line), realMs: Number(receiptHr) / 1e6 });
      }
    }
  });
  await new Promise<void>((resolve) => child.once('close', () => resolve()));
  if (child.pid !== undefined) removeFaketimeShm(child.pid);
  return { samples, alignOffsetMs, alignUncertaintyMs: (r.uncertainty_ns / 1e6) * speed };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))]! : NaN;
}
const f2 = (x: number): string => x.toFixed(2).padStart(9);

async function main(): Promise<void> {
  const minutes = Number(arg('minutes', '10'));
  const speeds = arg('speeds', '10,100').split(',').map(Number);
  const count = Math.round(minutes * 60);
  console.log(`bench:speed  ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${minutes} simulated minutes per probe, one reading per simulated second`);
  console.log('figures in ms of simulated time (real ms = figure / k)');
  for (const speed of speeds) {
    for (const kind of ['python', 'node'] as const) {
      const wallStart = Date.now();
      const o = await runProbe(kind, speed, count);
      const offsets = o.samples.map((s) => s.f - s.h);
      const tenth = Math.max(1, Math.floor(offsets.length / 10));
      const drift = median(offsets.slice(-tenth)) - median(offsets.slice(0, tenth));
      const gaps = o.samples.slice(1).map((s, i) => s.realMs - o.samples[i]!.realMs);
      const what = kind === 'python' ? 'clock offset (same instant)' : 'observed offset (at receipt)';
      console.log(
        `x${String(speed).padEnd(4)} ${kind.padEnd(6)} ${o.samples.length} readings in ${((Date.now() - wallStart) / 1000).toFixed(1)} s wall | ` +
          `before alignment ${f2(o.alignOffsetMs)} (reading uncertain by ${o.alignUncertaintyMs.toFixed(3)}) | ${what}: median ${f2(median(offsets))} ` +
          `p95 |.| ${f2(pct(offsets.map(Math.abs), 0.95))} max |.| ${f2(Math.max(...offsets.map(Math.abs)))} | drift (last tenth - first tenth) ${f2(drift)} | ` +
          `real gap between readings median ${median(gaps).toFixed(2)} ms (asked ${(1000 / speed).toFixed(2)})`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
