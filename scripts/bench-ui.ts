/**
 * Does the dashboard disturb the emulators' real-time timing? (issue 17 figure.) Cyclic CAN period error of the
 * emulated BMS frames on the CI bench (2 packs, 2 inverters, plant stepped every 100 ms) without the dashboard and
 * with it serving 10 snapshots a second to the page open in headless Chromium (when /usr/bin/chromium exists) and
 * 4 more SSE clients in a child process, in interleaved rounds so that both see the same machine load.
 *
 *   npm run build && node dist/scripts/bench-ui.js [--seconds 8] [--rounds 3] [--no-browser]
 *
 * Period error = |interval between two receptions of one id - that id's median interval|, on an in-process member
 * of each hub bus (what a controller on the hub sees). The first 1 s of every chunk is warm-up and not counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RealClock } from '../core/clock';
import { BenchInstance } from '../harness/bench/bench-instance';
import { loadBench } from '../harness/bench/load-bench';
import { DashboardServer } from '../harness/ui/dashboard-server';

const ROOT = resolve(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const WARMUP_MS = 1000;
const SSE_CLIENTS = 4;

function args(): { seconds: number; rounds: number; browser: boolean } {
  const a = process.argv.slice(2);
  const get = (k: string): string | undefined => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
  return { seconds: Number(get('--seconds') ?? 8), rounds: Number(get('--rounds') ?? 3), browser: !a.includes('--no-browser') };
}

/** SSE clients in their own process (as browsers/tools would be), counting the bytes they get. */
function sseClients(url: string, n: number): ChildProcess {
  const code = `
const http = require('node:http');
let bytes = 0;
for (let i = 0; i < ${n}; i++) http.get(process.argv[1], (res) => res.on('data', (c) => (bytes += c.length)));
setInterval(() => process.stdout.write(bytes + '\\n'), 1000);`;
  return spawn(process.execPath, ['-e', code, url.replace('/?', '/api/stream?')], { stdio: ['ignore', 'pipe', 'inherit'] });
}

interface Browser {
  close(): Promise<void>;
}

async function openPage(url: string): Promise<Browser | string> {
  if (!existsSync(CHROMIUM)) return `no ${CHROMIUM} (apt-get install chromium)`;
  let pw: typeof import('playwright-core');
  try {
    pw = await import('playwright-core');
  } catch {
    return 'playwright-core not installed (npm ci with dev dependencies)';
  }
  const profile = mkdtempSync(join(tmpdir(), 'hil-bench-ui-'));
  const context = await pw.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction('window.__hil && window.__hil.updates >= 3', undefined, { timeout: 30_000 });
  return {
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

function quantile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const opts = args();
  const clock = new RealClock({ spinMs: 1 });
  const inst = await BenchInstance.start(loadBench(join(ROOT, 'fixtures', 'benches', 'ci.yaml')), { clock, mode: 'real', seed: 1, serveNetwork: true });
  let next = clock.now() + 100;
  let timer = clock.setTimer(next, function tick() {
    inst.step(0.1);
    next += 100;
    timer = clock.setTimer(next, tick);
  });
  // Receive times per bus and id for the chunk under way.
  let recording = false;
  const times = new Map<string, number[]>();
  const members = [...inst.can.values()].map((b) => {
    const m = b.hub!.attach(b.name, { clock, rxQueueLimit: 1 });
    m.onFrame((f) => {
      if (!recording) return;
      const key = `${b.name}:${f.id}`;
      let l = times.get(key);
      if (!l) times.set(key, (l = []));
      l.push(clock.now());
    });
    return m;
  });
  const chunk = async (): Promise<number[]> => {
    times.clear();
    await clock.sleep(WARMUP_MS);
    recording = true;
    await clock.sleep(opts.seconds * 1000);
    recording = false;
    const errors: number[] = [];
    for (const l of times.values()) {
      const d = l.slice(1).map((t, i) => t - l[i]!);
      if (d.length < 3) continue;
      const med = Float64Array.from(d).sort()[Math.floor(d.length / 2)]!;
      for (const x of d) errors.push(Math.abs(x - med));
    }
    return errors;
  };

  const without: number[] = [];
  const withUi: number[] = [];
  let pageNote = '';
  let sseBytes = 0;
  for (let r = 0; r < opts.rounds; r++) {
    without.push(...(await chunk()));
    const ui = new DashboardServer({ inst, now: () => clock.now() });
    const url = await ui.listen();
    const page = opts.browser ? await openPage(url) : 'not asked (--no-browser)';
    if (typeof page === 'string') pageNote = `page not open: ${page}`;
    const clients = sseClients(url, SSE_CLIENTS);
    clients.stdout!.on('data', (c: Buffer) => (sseBytes = Number(c.toString().trim().split('\n').pop())));
    withUi.push(...(await chunk()));
    clients.kill();
    if (typeof page !== 'string') await page.close();
    await ui.close();
  }
  clock.clearTimer(timer);
  for (const m of members) await m.close();
  await inst.close();

  const row = (name: string, e: number[]): string => {
    const s = Float64Array.from(e).sort();
    return `${name.padEnd(44)} ${String(s.length).padStart(7)} ${quantile(s, 0.5).toFixed(3).padStart(8)} ${quantile(s, 0.99).toFixed(3).padStart(8)} ${(s[s.length - 1] ?? NaN).toFixed(3).padStart(8)}`;
  };
  const p99 = (e: number[]): number => quantile(Float64Array.from(e).sort(), 0.99);
  process.stdout.write(
    [
      `cyclic CAN period error of the emulated BMS frames, ci bench, ${opts.rounds} x ${opts.seconds} s per case, interleaved`,
      `machine: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
      `${'case'.padEnd(44)} ${'periods'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`,
      row('without the dashboard', without),
      row(`dashboard at 10 Hz: page open + ${SSE_CLIENTS} SSE clients`, withUi),
      `p99 ratio (with / without): ${(p99(withUi) / p99(without)).toFixed(2)}`,
      `SSE bytes received by the ${SSE_CLIENTS} clients in the last round: ${sseBytes}`,
      ...(pageNote ? [pageNote] : []),
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-ui: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(3);
});
