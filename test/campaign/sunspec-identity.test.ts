/**
 * The controller's identity from its own SunSpec server (bench `dut.identity.sunspec`), end to end: a third-party
 * Modbus TCP server (pymodbus) plays a site controller that serves SunSpec model 1; `hil run` reads it once the
 * controller is up and records it in results.jsonl and manifest.json. When nothing answers or the marker is missing,
 * the run goes on and the identity says why it is absent.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '../../harness/campaign/manifest';
import { builtFile, describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';
import { CLI, records } from '../support/hil-cli';
import { describeWithPeers } from '../support/peers';
import { PyPeer } from '../support/py-peer';
import { refusedPort } from '../support/ports';

const SERVER = join(ROOT, 'test', 'interop', 'py', 'sunspec_common_server.py');

/** `hil run` as a user runs it; resolves with its exit code and output (a failure bound of 60 s). */
function hil(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const bound = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hil run did not end within 60 s:\n${stdout}\n${stderr}`));
    }, 60_000);
    child.once('close', (code) => {
      clearTimeout(bound);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A bench with one pack and a wired controller that serves SunSpec at `tcp` (no controller for the harness to start). */
function writeBench(dir: string, sunspec: string): string {
  const file = join(dir, 'site.yaml');
  writeFileSync(
    file,
    `bench: sunspec-site
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }
dut:
  identity:
    sunspec: ${sunspec}
`,
  );
  return file;
}

function writeScenario(dir: string): string {
  const file = join(dir, 'short.yaml');
  writeFileSync(file, 'scenario: short\nduration: 5s\nexpect:\n  - { id: pack-alive, atEnd: "pack1.soc > 0" }\n');
  return file;
}

interface Run {
  code: number | null;
  identity: Record<string, unknown> | undefined;
  manifest: Manifest;
  stdout: string;
}

async function run(dir: string, sunspec: string): Promise<Run> {
  const out = join(dir, 'out');
  const r = await hil(['run', writeScenario(dir), '--bench', writeBench(dir, sunspec), '--virtual-time', '--out', out]);
  const result = records(join(out, 'results.jsonl')).find((x) => x.type === 'result');
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
  return { code: r.code, identity: result?.controllerIdentity as Record<string, unknown> | undefined, manifest, stdout: r.stdout + r.stderr };
}

describeIf(builtFile('harness', 'cli', 'main.js'), NEEDS_BUILD, "the controller's SunSpec model 1, read by hil run", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-sunspec-id-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describeWithPeers(['python3-pymodbus'], 'a pymodbus server as the controller', () => {
    let peer: PyPeer | undefined;
    afterEach(() => peer?.kill());

    it('reads Mn, Md, Opt, Vr, SN, DA into the result and the manifest (SunS found at 50000, after 40000 and 0)', async () => {
      peer = new PyPeer(SERVER, ['--base', '50000', '--unit', '3', 'Acme Energy', 'SiteCtl 7', 'grid-tie', '2.4.1', 'SC-0042', '3']);
      const { port } = (await peer.next('listening')) as unknown as { port: number };
      const r = await run(dir, `{ tcp: "127.0.0.1:${port}", unitId: 3 }`);
      expect(r.code).toBe(0);
      const common = { Mn: 'Acme Energy', Md: 'SiteCtl 7', Opt: 'grid-tie', Vr: '2.4.1', SN: 'SC-0042', DA: '3' };
      expect(r.identity).toEqual({ sunspecCommon: common, sunspecNote: `SunSpec model 1 at 50002 (SunS at 50000) of 127.0.0.1:${port} unit 3` });
      expect(r.manifest.controller.identity.sunspecCommon).toEqual(common);
      expect(r.manifest.controller.identity.bmsName).toBeNull();
      expect(r.manifest.controller.identity.note).toContain(`sunspecCommon: SunSpec model 1 at 50002 (SunS at 50000) of 127.0.0.1:${port} unit 3`);
    });

    it('a server without the SunS marker: the run goes on, the identity says the marker is missing and what was there', async () => {
      peer = new PyPeer(SERVER, ['--no-marker']);
      const { port } = (await peer.next('listening')) as unknown as { port: number };
      const r = await run(dir, `{ tcp: "127.0.0.1:${port}" }`);
      expect(r.code).toBe(0);
      expect(r.identity?.sunspecCommon).toBeUndefined();
      expect(r.identity?.sunspecNote).toBe(
        `SunSpec model 1 not read: no SunSpec marker 'SunS' at 40000, 0, 50000 (read: 40000: 0x0000 0x0000; 0: 0x0000 0x0000; 50000: 0x0000 0x0000) (127.0.0.1:${port} unit 1)`,
      );
      expect(r.manifest.controller.identity.sunspecCommon).toBeNull();
      expect(r.manifest.controller.identity.note).toContain("no SunSpec marker 'SunS'");
    });
  });

  describe('endpoints that do not answer', () => {
    let silent: Server | undefined;
    const sockets: Socket[] = [];
    afterEach(async () => {
      for (const s of sockets.splice(0)) s.destroy();
      await new Promise((r) => (silent ? silent.close(r) : r(undefined)));
      silent = undefined;
    });

    it('a controller that accepts the connection and never replies: each probe times out, the run passes, the note says so', async () => {
      silent = createServer((s) => {
        sockets.push(s);
        s.on('data', () => undefined); // reads every request, answers none
      });
      await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', r));
      const port = (silent.address() as { port: number }).port;
      // A short bound on purpose: this test wants it to expire (three probes).
      const r = await run(dir, `{ tcp: "127.0.0.1:${port}", timeout: 300ms }`);
      expect(r.code).toBe(0);
      expect(r.identity).toEqual({
        sunspecNote: `SunSpec model 1 not read: 127.0.0.1:${port} unit 1 accepted the connection but nothing answered (no reply within 300 ms at 40000, 0, 50000)`,
      });
      expect(r.manifest.controller.identity.sunspecCommon).toBeNull();
      expect(r.manifest.controller.identity.note).toContain('nothing answered');
    });

    it('nothing listens: connection refused, named in the note', async () => {
      const port = await refusedPort();
      const r = await run(dir, `{ tcp: "127.0.0.1:${port}", timeout: 300ms }`);
      expect(r.code).toBe(0);
      expect(r.identity?.sunspecNote).toMatch(new RegExp(`^SunSpec model 1 not read: cannot connect to Modbus/TCP 127\\.0\\.0\\.1:${port}: .*\\(127\\.0\\.0\\.1:${port} unit 1\\)$`));
    });
  });

  it('bad values get file:line:column and exit 2 before anything starts', async () => {
    const bench = writeBench(dir, '{ tcp: "127.0.0.1:0", unitId: 300, timeout: 0 }');
    const r = await hil(['validate', bench]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain(`${bench}:8:`);
    expect(r.stdout + r.stderr).toMatch(/unitId/);
    const portOnly = writeBench(dir, '{ tcp: "127.0.0.1:0" }');
    const p = await hil(['validate', portOnly]);
    expect(p.code).toBe(2);
    expect(p.stdout + p.stderr).toContain(`${portOnly}:8:21: dut.identity.sunspec.tcp: port 0 in '127.0.0.1:0' is out of range (1..65535`);
    const zero = writeBench(dir, '{ tcp: "127.0.0.1:502", timeout: 0 }');
    const z = await hil(['validate', zero]);
    expect(z.code).toBe(2);
    expect(z.stdout + z.stderr).toContain(`${zero}:8:`);
    expect(z.stdout + z.stderr).toContain('dut.identity.sunspec.timeout must be above 0');
  });
});
