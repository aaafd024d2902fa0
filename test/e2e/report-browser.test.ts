/**
 * The HTML report as a reviewer reads it, in headless Chromium (Debian `chromium`, driven by playwright-core), opened
 * from disk with every network request refused: a real failing run (the CI bench in virtual time, the reference
 * controller with its `ignore-charge-limit` defect, so pack2 charges at ~136 A against a ~20 A BMS limit in
 * overtemp-fast-charge) and the same scenario passing with the correct controller (its traffic evidence collapsed,
 * decoded when opened). Screenshots are saved under
 * test-artifacts/report/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { loadBench, type Bench } from '../../harness/bench/load-bench';
import { runCampaign } from '../../harness/campaign/run-campaign';
import { ConsoleReporter } from '../../harness/report/console';
import type { PlotSpec } from '../../harness/report/html-plot';
import { loadScenario } from '../../harness/scenario/load-scenario';
import { launchBrowser } from '../support/browser';
import { artifact, ROOT } from '../support/describe-if';
import { describeWithPeers } from '../support/peers';

const quiet = (): ConsoleReporter => new ConsoleReporter({ write: () => true } as unknown as NodeJS.WritableStream, false);

/** The CI bench with the controller loaded from its sources (not from a dist/ build that may be stale). */
function ciBench(): Bench {
  const bench = loadBench(join(ROOT, 'fixtures', 'benches', 'ci.yaml'));
  bench.file.dut = { ...bench.file.dut, module: join(ROOT, 'examples', 'controllers', 'reference', 'controller.ts') };
  return bench;
}

async function report(dir: string, defects: string[]): Promise<string> {
  const html = join(dir, 'report.html');
  const scenario = loadScenario(join(ROOT, 'fixtures', 'scenarios', 'overtemp-fast-charge.yaml'));
  await runCampaign(ciBench(), [scenario], { mode: 'virtual', outDir: join(dir, 'out'), html, reporter: quiet(), traces: false, dutOptions: { defects } });
  return html;
}

interface Opened {
  page: Page;
  errors: string[];
  /** Requests for anything but the file itself. */
  network: string[];
}

async function open(context: BrowserContext, file: string): Promise<Opened> {
  const page = await context.newPage();
  const errors: string[] = [];
  const network: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  const url = pathToFileURL(file).href;
  await page.route('**/*', async (route) => {
    if (route.request().url() === url) return route.continue();
    network.push(route.request().url());
    return route.abort();
  });
  await page.goto(url);
  await page.waitForFunction('window.__hilReport && window.__hilReport.ready === true', undefined, { timeout: 20_000 });
  return { page, errors, network };
}

/** What the page's uPlot instances say about themselves. */
function plotsInPage(page: Page): Promise<Array<{ id: string; spec: PlotSpec; axes: string[]; series: string[]; canvas: boolean }>> {
  return page.evaluate(`Object.entries(window.__hilReport.plots).map(([id, p]) => ({
    id, spec: p.spec, axes: p.u.axes.map((a) => a.label), series: p.u.series.map((s) => s.label), canvas: !!p.u.root.querySelector('canvas'),
  }))`);
}

describeWithPeers(['chromium'], 'HTML report in a browser', () => {
  jest.setTimeout(180_000);
  let dir: string;
  let failing: string;
  let passing: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hil-report-browser-'));
    failing = await report(join(dir, 'failing'), ['ignore-charge-limit']);
    passing = await report(join(dir, 'passing'), []);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('a failing run (ignore-charge-limit)', () => {
    let o: Opened;
    beforeAll(async () => {
      o = await open(browser.context, failing);
    });
    afterAll(() => o?.page.close());

    it('shows the failure first: the first thing after the title, on screen without scrolling', async () => {
      const first = await o.page.evaluate(`(() => { const h = document.querySelector('h1'); return h.nextElementSibling.id; })()`);
      expect(first).toBe('failures');
      const card = o.page.locator('#failures .failure').first();
      expect(await card.getAttribute('data-expectation')).toBe('pack2-charge-within-limit');
      // The value that broke it next to its limit, rounded to 0.1 A.
      expect(await card.locator('p.term').textContent()).toMatch(/^pack2\.current = 1\d\d\.\d A, must be <= pack2\.chargeCurrentLimit \* 1\.05 \+ 1 = \d+\.\d A$/);
      const box = await card.boundingBox();
      expect(box!.y).toBeLessThan(400);
      const summary = await o.page.locator('#summary').boundingBox();
      expect(summary!.y).toBeGreaterThan(box!.y + box!.height - 1);
      await o.page.screenshot({ path: artifact('report', 'failing-top.png') });
    });

    it("its plot has the window band, the limit on the value's axes, and the failure point on the value", async () => {
      const plots = await plotsInPage(o.page);
      const f = plots.find((p) => p.id.startsWith('f-'))!;
      expect(f.spec.window).toMatchObject({ fromLabel: 'first violation', toLabel: 'tolerance (2000 ms)' });
      expect(f.spec.window!.to - f.spec.window!.from).toBeCloseTo(2, 6);
      expect(f.spec.lines.map((l) => [l.label, l.role])).toEqual([
        ['pack2.current', 'value'],
        ['limit: <= pack2.chargeCurrentLimit * 1.05 + 1', 'limit'],
      ]);
      expect(f.series).toContain('limit: <= pack2.chargeCurrentLimit * 1.05 + 1');
      expect(f.spec.marks).toHaveLength(1);
      expect(f.spec.marks[0]!.line).toBe(0);
      // The band is drawn: a pixel inside the window, mid-height, is tinted; one before the trigger is not.
      const px = (await o.page.evaluate(`(() => {
        const { u, spec } = window.__hilReport.plots['${f.id}'];
        const ctx = u.ctx;
        const y = Math.round(u.bbox.top + u.bbox.height * 0.55);
        const at = (t) => Array.from(ctx.getImageData(Math.round(u.valToPos(t, 'x', true)), y, 1, 1).data);
        return { inside: at((spec.window.from + spec.window.to) / 2), before: at((u.scales.x.min + spec.window.from) / 2) };
      })()`)) as { inside: number[]; before: number[] };
      // RGBA on a transparent canvas: translucent amber inside, nothing drawn before the trigger.
      expect(px.inside[3]!).toBeGreaterThan(40);
      expect(px.inside[0]!).toBeGreaterThan(200);
      expect(px.inside[2]!).toBeLessThan(100);
      expect(px.before[3]!).toBeLessThan(40);
      await o.page.locator(`#${f.id}`).screenshot({ path: artifact('report', 'failure-plot.png') });
    });

    it('marks only the signal that failed, not every signal the expression reads', async () => {
      const plots = await plotsInPage(o.page);
      const signals = plots.filter((p) => p.id.startsWith('s-'));
      expect(signals.map((p) => p.spec.title)).toEqual(expect.arrayContaining(['pack2.current', 'pack2.chargeCurrentLimit']));
      expect(signals.filter((p) => p.spec.marks.length > 0).map((p) => p.spec.title)).toEqual(['pack2.current']);
    });

    it('every plot is drawn, with units on both axes and the labelled events', async () => {
      const plots = await plotsInPage(o.page);
      expect(plots.length).toBeGreaterThanOrEqual(5);
      for (const p of plots) {
        expect(p.canvas).toBe(true);
        expect(p.axes[0]).toMatch(/^t \(s\b/);
        expect(p.axes[1]).toMatch(/\((A|V|W|%[^)]*|false\/true)\)$/);
        expect(p.spec.events.map((e) => e.label)).toContain('fault vent-blocked');
      }
      expect(plots.find((p) => p.spec.title === 'inv2.WMaxLimPct')!.axes[1]).toBe('inv2.WMaxLimPct (% WMax)');
      expect(plots.find((p) => p.spec.title === 'pack2.alarm.overTemperature')!.axes[1]).toBe('alarm.overTemperature (false/true)');
    });

    it('opens on the window with room around it, zooms inline on a drag, shows the whole run on a double-click', async () => {
      const f = (await plotsInPage(o.page)).find((p) => p.id.startsWith('f-'))!;
      const id = f.id;
      const span = (): Promise<number> => o.page.evaluate(`(() => { const s = window.__hilReport.plots['${id}'].u.scales.x; return s.max - s.min; })()`);
      const before = await span();
      const whole = f.spec.x[f.spec.x.length - 1]! - f.spec.x[0]!;
      expect(before).toBeLessThan(whole * 0.6);
      expect(f.spec.focus!.from).toBeLessThan(f.spec.window!.from);
      expect(f.spec.focus!.to).toBeGreaterThan(f.spec.marks[0]!.t);
      const over = o.page.locator(`#${id} .u-over`);
      await over.scrollIntoViewIfNeeded();
      const b = (await over.boundingBox())!;
      await o.page.mouse.move(b.x + b.width * 0.2, b.y + b.height / 2);
      await o.page.mouse.down();
      await o.page.mouse.move(b.x + b.width * 0.4, b.y + b.height / 2, { steps: 5 });
      await o.page.mouse.up();
      const after = await span();
      expect(after).toBeLessThan(before * 0.3);
      await over.dblclick();
      expect(await span()).toBeCloseTo(whole, 6);
    });

    it('shows the evidence decoded (DBC signal names, SunSpec points), the raw bytes one click away', async () => {
      const frames = o.page.locator('#failures details.ev.frames');
      expect(await frames.getAttribute('open')).not.toBeNull();
      const limits = frames.locator('tr', { hasText: 'BMS_Limits' }).first();
      expect(await limits.locator('.decoded').textContent()).toMatch(/^BMS_Limits ChargeVoltageLimit=[\d.]+ V ChargeCurrentLimit=[\d.]+ A /);
      const raw = limits.locator('details.raw');
      expect(await raw.locator('code').first().isVisible()).toBe(false);
      await raw.locator('summary').click();
      expect(await raw.locator('code').first().isVisible()).toBe(true);
      expect(await raw.locator('code').first().textContent()).toMatch(/ pack\d 351#[0-9A-F]{16}$/);
      expect(await raw.locator('code.bytes').textContent()).toMatch(/^id 0x351, 8 byte\(s\): ([0-9A-F]{2} ){7}[0-9A-F]{2}$/);
      const writes = o.page.locator('#failures details.ev.writes');
      expect(await writes.locator('.decoded', { hasText: '124.InWRte = ' }).first().textContent()).toMatch(/124\.InWRte = [\d.]+ % WChaMax/);
      await writes.locator('details.raw summary').first().click();
      expect(await writes.locator('code.bytes').first().textContent()).toMatch(/^registers: (0x[0-9A-F]{4} ?)+$/);
      await o.page.screenshot({ path: artifact('report', 'failing-evidence.png'), fullPage: true });
    });

    it('needs nothing from the network and logs no errors', () => {
      expect(o.network).toEqual([]);
      expect(o.errors).toEqual([]);
    });
  });

  describe('a passing run', () => {
    it('renders: all passed first, its plots drawn, the traceability table with its requirements', async () => {
      const o = await open(browser.context, passing);
      try {
        expect(await o.page.evaluate(`document.querySelector('h1').nextElementSibling.id`)).toBe('all-passed');
        expect(await o.page.locator('#failures').count()).toBe(0);
        const plots = await plotsInPage(o.page);
        expect(plots.length).toBeGreaterThanOrEqual(5);
        expect(plots.every((p) => p.canvas && p.spec.marks.length === 0)).toBe(true);
        const trace = o.page.locator('#traceability');
        for (const req of ['EMS-LIM-01', 'EMS-LIM-02', 'EMS-SYS-01', 'EMS-THM-01']) {
          expect(await trace.locator('tr', { hasText: req }).locator('.badge').first().textContent()).toBe('PASS');
        }
        await o.page.screenshot({ path: artifact('report', 'passing.png'), fullPage: true });
        expect(o.network).toEqual([]);
        expect(o.errors).toEqual([]);
      } finally {
        await o.page.close();
      }
    });

    it('carries the traffic as evidence, collapsed to one line until opened: messages and writes decoded', async () => {
      const o = await open(browser.context, passing);
      try {
        const traffic = o.page.locator('section details.ev.traffic');
        expect(await traffic.count()).toBe(1);
        expect(await traffic.getAttribute('open')).toBeNull();
        expect(await traffic.locator(':scope > summary').textContent()).toMatch(/^Traffic: 2 CAN bus\(es\), \d+ frame\(s\); 1 Modbus endpoint\(s\), \d+ request\(s\)$/);
        const limits = traffic.locator('table.traffic-can tr', { hasText: 'BMS_Limits' }).first();
        expect(await limits.isVisible()).toBe(false);
        await traffic.locator(':scope > summary').click();
        expect(await limits.isVisible()).toBe(true);
        expect(await limits.locator('td').first().textContent()).toBe('0x351');
        expect(Number(await limits.locator('td.num').first().textContent())).toBeGreaterThan(0);
        expect(await limits.locator('.decoded').textContent()).toMatch(/^BMS_Limits ChargeVoltageLimit=[\d.]+ V ChargeCurrentLimit=[\d.]+ A /);
        expect(await traffic.locator('h4.traffic-endpoint').textContent()).toMatch(/^Modbus site: \d+ request\(s\) \(unit 1: \d+, unit 2: \d+\), \d+ write\(s\)/);
        expect(await traffic.locator('table.traffic-modbus .decoded').count()).toBeGreaterThan(0);
        expect(await traffic.locator('table.traffic-modbus .decoded').first().textContent()).toMatch(/^12[34]\.\w+ = /);
        await traffic.screenshot({ path: artifact('report', 'passing-traffic.png') });
        expect(o.errors).toEqual([]);
      } finally {
        await o.page.close();
      }
    });
  });
});
