import { request } from 'node:http';
import { VirtualClock } from '../../core/clock';
import { onePackBench } from '../../test/support/benches';
import { BenchInstance } from '../bench/bench-instance';
import { parseScenario } from '../scenario/load-scenario';
import { checkScenarioAgainstBench, runScenario } from '../scenario/runner';
import { DashboardServer } from './dashboard-server';

interface Reply {
  status: number;
  body: string;
}

function call(url: string, method = 'GET', body?: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('dashboard server (API behind the page)', () => {
  let clock: VirtualClock;
  let inst: BenchInstance;
  let ui: DashboardServer;
  let base: string;
  let token: string;
  const logged: string[] = [];

  beforeEach(async () => {
    clock = new VirtualClock(1_000_000);
    inst = await BenchInstance.start(onePackBench('ui-pack'), { clock, mode: 'virtual', seed: 1, serveNetwork: false });
    ui = new DashboardServer({ inst, now: () => clock.now(), log: (l) => logged.push(l) });
    const url = await ui.listen();
    token = ui.token;
    base = url.slice(0, url.indexOf('/?'));
  });

  afterEach(async () => {
    await ui.close();
    await inst.close();
  });

  const post = (body: unknown): Promise<Reply> => call(`${base}/api/actions?token=${token}`, 'POST', JSON.stringify(body), { 'content-type': 'application/json' });

  it('refuses every route without the right token (403), takes it in the query or as a bearer header', async () => {
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    // A token that differs in its last character (never equal to the real one, whatever that character is).
    const wrong = `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
    for (const path of ['/', '/api/state', '/api/history', '/api/export', '/api/stream']) {
      expect((await call(`${base}${path}`)).status).toBe(403);
      expect((await call(`${base}${path}?token=${wrong}`)).status).toBe(403);
    }
    expect((await call(`${base}/api/actions`, 'POST', '{"type":"clear-all"}')).status).toBe(403);
    expect(ui.actions.log).toEqual([]);
    expect((await call(`${base}/api/state`, 'GET', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    const page = await call(`${base}/?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('uPlot');
    expect(page.body).not.toMatch(/<script src=|<link [^>]*href="http/); // everything inline, no network
  });

  it('lists every device with the fault kinds of the fault catalog and its inputs', async () => {
    const state = JSON.parse((await call(`${base}/api/state?token=${token}`)).body);
    expect(state.bench).toBe('ui-pack');
    const pack = state.devices.find((d: { name: string }) => d.name === 'pack1');
    expect(pack.inputs).toEqual(['ambient', 'current']);
    const heat = pack.faultKinds.find((k: { kind: string }) => k.kind === 'self-heating');
    expect(heat.params.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['cell', 'watts']));
    expect(Object.keys(state.snapshot.packs)).toEqual(['pack1']);
    expect(state.snapshot.packs.pack1.cells.length).toBeGreaterThan(1);
  });

  it('applies a fault with parameters, refuses a bad one without changing anything, logs both with time', async () => {
    clock.advance(2500);
    const ok = await post({ type: 'fault', id: 'hot', device: 'pack1', kind: 'self-heating', params: { cell: 3, watts: 20 } });
    expect(ok.status).toBe(200);
    expect(inst.activeFaults().map((f) => [f.id, f.kind, f.params])).toEqual([['hot', 'self-heating', { cell: 3, watts: 20 }]]);
    const bad = await post({ type: 'fault', device: 'pack1', kind: 'self-heating', params: { cell: 3, nope: 1 } });
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body).message).toMatch(/no parameter 'nope'/);
    expect(inst.activeFaults()).toHaveLength(1);
    expect((await post({ type: 'launch' })).status).toBe(400);
    expect((await call(`${base}/api/actions?token=${token}`, 'POST', '{not json')).status).toBe(400);
    expect(ui.actions.log.map((r) => [r.t, r.ok])).toEqual([
      [2.5, true],
      [2.5, false],
    ]);
    expect(logged.some((l) => /^ui: t=2\.500s .*self-heating.* -> fault 'hot' injected/.test(l))).toBe(true);
    const cleared = JSON.parse((await post({ type: 'clear-all' })).body);
    expect(cleared.cleared).toEqual(['hot']);
    expect(inst.activeFaults()).toEqual([]);
  });

  it('exports a scenario that validates against the bench and replays the same actions at the same times', async () => {
    clock.advance(1000);
    await post({ type: 'set', key: 'ambient', value: 35 });
    clock.advance(1000);
    await post({ type: 'fault', id: 'hot', device: 'pack1', kind: 'self-heating', params: { cell: 2, watts: 50 } });
    clock.advance(1500);
    await post({ type: 'clear', id: 'hot' });
    await post({ type: 'clear', id: 'hot' }); // refused: not in the export
    const text = (await call(`${base}/api/export?token=${token}&name=bench-session`)).body;
    const scenario = parseScenario(text, 'export.yaml');
    const bench = onePackBench('ui-pack');
    await expect(checkScenarioAgainstBench(bench, scenario)).resolves.toBeUndefined();
    const r = await runScenario(bench, scenario, { mode: 'virtual' });
    expect(r.errors).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.evidence.events).toEqual([
      't=1.000s set ambient=35',
      `t=2.000s fault 'hot': pack1 self-heating ${JSON.stringify({ cell: 2, watts: 50 })}`,
      "t=3.500s clear fault 'hot'",
    ]);
    expect(text.match(/clear: hot/g)).toHaveLength(1);
  });

  it('renames a fault id reused after its clear in the export (a scenario uses each id once)', async () => {
    for (const step of [0, 1, 2, 3]) {
      clock.advance(1000);
      await post(step % 2 === 0 ? { type: 'fault', id: 'x', device: 'pack1', kind: 'comms-loss' } : { type: 'clear-all' });
    }
    const scenario = parseScenario((await call(`${base}/api/export?token=${token}`)).body, 'export.yaml');
    const r = await runScenario(onePackBench('ui-pack'), scenario, { mode: 'virtual' });
    expect(r.evidence.events.map((e) => e.replace(/ \{.*$/, ''))).toEqual([
      "t=1.000s fault 'x': pack1 comms-loss",
      "t=2.000s clear fault 'x'",
      "t=3.000s fault 'x-2': pack1 comms-loss",
      "t=4.000s clear fault 'x-2'",
    ]);
  });

  it('streams snapshots (SSE) with per-id frame rates of the bus', async () => {
    const got = await new Promise<string>((resolve, reject) => {
      const req = request(`${base}/api/stream?token=${token}`, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
          if (/event: snapshot\ndata: .*\n\n/.test(text)) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      req.end();
      clock.advance(2000); // the BMS sends its cyclic frames on the virtual clock meanwhile
    });
    const snap = JSON.parse(/event: snapshot\ndata: (.*)\n/.exec(got)![1]!);
    expect(Object.keys(snap.buses)).toEqual(['pack1']);
    expect(snap.buses.pack1.frames).toBeGreaterThan(0);
    expect(Object.keys(snap.buses.pack1.rates).length).toBeGreaterThan(1);
    expect(snap.buses.pack1.load).toBeGreaterThan(0);
  });
});
