/**
 * The package as a library from another project: `npm pack` (the built dist/, fixtures, the --speed launcher), a
 * fresh project that `npm install`s the tarball, and the README's TypeScript example compiled there against the
 * installed types (moduleResolution node16, so package.json `exports` decide what resolves) and run with node.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';

jest.setTimeout(240_000);

describeIf(existsSync(join(ROOT, 'dist', 'harness', 'index.d.ts')), NEEDS_BUILD, 'npm pack, install into another project, the README example there', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-consumer-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles against the installed types and runs: the README scenario passes with the shipped bench and controller', () => {
    // dist/ is built by `npm test` before jest; --ignore-scripts keeps pack from building it again.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    const install = spawnSync('npm', ['install', join(dir, tarball!), '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional'], { cwd: app, encoding: 'utf8' });
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.status).toBe(0);
    const installed = join(app, 'node_modules', 'second-life-hil');
    expect(existsSync(join(installed, 'dist', 'harness', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(installed, 'harness', 'dut', 'launcher', 'align-exec.py'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'harness', 'cli', 'main.test.js'))).toBe(false);

    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = /The same steps as a TypeScript API[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(example).toContain("from 'second-life-hil'");
    writeFileSync(join(app, 'example.ts'), example);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, outDir: 'out', typeRoots: [join(ROOT, 'node_modules', '@types')], types: ['node'] },
        files: ['example.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const run = spawnSync(process.execPath, [join(app, 'out', 'example.js')], { cwd: app, encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^pass /);
    expect(run.status).toBe(0);
    // Subpath entry points resolve too.
    const sub = spawnSync(process.execPath, ['-e', "for (const p of ['runner','bench','scenario','emulators/bms','emulators/inverter','clock']) require('second-life-hil/' + p); require.resolve('second-life-hil/fixtures/benches/ci.yaml'); console.log('ok')"], { cwd: app, encoding: 'utf8' });
    expect(sub.stderr).toBe('');
    expect(sub.stdout.trim()).toBe('ok');
  });
});
