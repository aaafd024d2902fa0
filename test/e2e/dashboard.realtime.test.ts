import type { Page } from 'playwright-core';
import { RealClock, type TimerHandle } from '../../core/clock';
import { BenchInstance } from '../../harness/bench/bench-instance';
import { parseScenario } from '../../harness/scenario/load-scenario';
import { checkScenarioAgainstBench, runScenario } from '../../harness/scenario/runner';
import { DashboardServer } from '../../harness/ui/dashboard-server';
import type { CanBus } from '../../protocols/can/bus';
import { openBus } from '../../protocols/can/registry';
import { onePackBench } from '../support/benches';
import { launchBrowser } from '../support/browser';
import { artifact } from '../support/describe-if';
import { describeWithPeers } from '../support/peers';
import { until } from '../support/until';

// The dashboard in headless Chromium against a bench running in real time (RealClock), with a socketcand client
// watching the bus the emulated BMS sends on.
describeWithPeers(['chromium'], 'dashboard in a browser (hil emulate --ui)', () => {
  jest.setTimeout(120_000);
  const clock = new RealClock({ spinMs: 1 });
  let inst: BenchInstance;
  let ui: DashboardServer;
  let url: string;
  let observer: CanBus;
  let frames = 0;
  let timer: TimerHandle;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    inst = await BenchInstance.start(onePackBench('ui-e2e'), { clock, mode: 'real', seed: 1, serveNetwork: true });
    let next = clock.now() + 100;
    const tick = (): void => {
      inst.step(0.1);
      next += 100;
      timer = clock.setTimer(next, tick);
    };
    timer = clock.setTimer(next, tick);
    observer = await openBus(inst.can.get('pack1')!.url, { clock });
    observer.onFrame(() => frames++);
    ui = new DashboardServer({ inst, now: () => clock.now() });
    url = await ui.listen();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    clock.clearTimer(timer);
    await observer?.close();
    await inst?.close();
  });

  it('refuses the page without the token', async () => {
    const other = await browser.context.newPage();
    const r = await other.goto(url.slice(0, url.indexOf('?')));
    expect(r?.status()).toBe(403);
    expect(await other.textContent('body')).toContain('missing or wrong token');
    await other.close();
  });

  it('loads with no console errors, and its plots move', async () => {
    await page.goto(url);
    await page.waitForFunction('window.__hil.updates >= 3', undefined, { timeout: 20_000 });
    const read = (): Promise<{ t: number; points: number }> => page.evaluate("({ t: window.__hil.lastT, points: window.__hil.plots['pack1.voltage'].data[0].length })");
    const first = await read();
    await page.waitForFunction(`window.__hil.lastT > ${first.t + 1}`, undefined, { timeout: 20_000 });
    const later = await read();
    expect(later.points).toBeGreaterThan(first.points);
    expect(await page.locator('[data-plot="pack1.current"] canvas').count()).toBe(1);
    expect(await page.locator('#bars-pack1 .bar').count()).toBe(16); // one bar per cell of the 16s pack
    await page.locator('#frames', { hasText: 'BMS_' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: artifact('dashboard', 'live.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  it('a stimulus field sets the input; a fault form built from the catalog injects with its parameters', async () => {
    await page.fill('[data-input="ambient"]', '31');
    await page.click('[data-set="ambient"]');
    await until(() => ui.actions.log.some((a) => a.action.type === 'set' && a.ok), 'ambient set');
    await page.fill('[data-input="pack1.current"]', '');
    await page.click('[data-set="pack1.current"]');
    await page.locator('#result', { hasText: 'needs a value' }).waitFor({ timeout: 10_000 });
    await page.selectOption('[data-kinds="pack1"]', 'self-heating');
    const form = page.locator('fieldset', { has: page.locator('[data-inject="pack1"]') });
    await form.locator('[name="cell"]').fill('2');
    await form.locator('[name="watts"]').fill('30');
    await form.locator('[data-fault-id="pack1"]').fill('warm');
    await page.click('[data-inject="pack1"]');
    await until(() => inst.activeFaults().some((f) => f.id === 'warm'), 'fault warm in force');
    expect(inst.activeFaults().find((f) => f.id === 'warm')!.params).toEqual({ cell: 2, watts: 30 });
    await page.locator('#faults [data-clear="warm"]').waitFor({ timeout: 10_000 });
    await page.click('#faults [data-clear="warm"]');
    await until(() => inst.activeFaults().length === 0, 'fault warm cleared');
  });

  it('the comms-loss button silences the BMS on the bus, clear-all brings it back', async () => {
    await until(() => frames > 0, 'frames on the bus before the fault');
    await page.selectOption('[data-kinds="pack1"]', 'comms-loss');
    await page.click('[data-inject="pack1"]');
    await until(() => inst.activeFaults().some((f) => f.kind === 'comms-loss'), 'comms-loss in force');
    await clock.sleep(300); // frames already on their way over TCP arrive
    const silentFrom = frames;
    await clock.sleep(1500); // the BMS sends every second or faster: 1.5 s of silence is the fault
    expect(frames).toBe(silentFrom);
    await page.locator('#events li', { hasText: 'comms-loss' }).first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: artifact('dashboard', 'comms-loss.png'), fullPage: true });
    await page.click('#clear-all');
    await until(() => frames > silentFrom, 'frames on the bus again after clear-all');
    expect(consoleErrors).toEqual([]);
  });

  it('exports the session as a scenario that validates and replays the same actions', async () => {
    await page.click('#export');
    await page.locator('#export-text', { hasText: 'scenario:' }).waitFor({ timeout: 10_000 });
    const text = (await page.textContent('#export-text'))!;
    const scenario = parseScenario(text, 'export.yaml');
    const bench = onePackBench('ui-e2e');
    await checkScenarioAgainstBench(bench, scenario);
    const r = await runScenario(bench, scenario, { mode: 'virtual' });
    expect(r.errors).toEqual([]);
    const kinds = r.evidence.events.map((e) => e.replace(/^t=\S+ /, '').replace(/ \{.*$/, ''));
    expect(kinds).toEqual(['set ambient=31', "fault 'warm': pack1 self-heating", "clear fault 'warm'", expect.stringMatching(/^fault 'comms-loss-\d+': pack1 comms-loss$/), expect.stringMatching(/^clear fault 'comms-loss-\d+'$/)]);
    const times = r.evidence.events.map((e) => Number(/^t=(\S+)s/.exec(e)![1]));
    const logged = ui.actions.log.filter((a) => a.ok).map((a) => Math.round(a.t * 10) / 10);
    expect(times).toEqual(logged);
  });
});
