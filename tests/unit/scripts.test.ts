/** Every script answers --help, and bad input gets one clear error line and a hint, not a trace. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoPath, REPO_ROOT } from '../lib/repo.ts';

const SCRIPTS = ['scripts/setup.sh', 'scripts/teardown.sh', 'scripts/test.sh', 'scripts/demo.sh', 'scripts/hubble.sh', 'scripts/audit.sh', 'infrastructure/openbao/configure.sh', 'bench/run.sh'];

const run = (script: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync('bash', [repoPath(script), ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });

describe.each(SCRIPTS)('%s', (script) => {
  it('prints its usage for --help and exits 0', () => {
    const result = run(script, ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: /m);
    expect(result.stdout).toContain(script);
  });

  it('rejects an unknown option with an error and a hint', () => {
    const result = run(script, ['--no-such-option']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: unknown option: --no-such-option\nhint: +see .*--help\n$/);
  });
});

describe('infrastructure/openbao/configure.sh', () => {
  it('says what it needs when OpenBao is not given', () => {
    const result = run('infrastructure/openbao/configure.sh', [], { BAO_ADDR: '', BAO_TOKEN: '', BAO_CACERT: '' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: BAO_ADDR, BAO_CACERT and BAO_TOKEN must be set/);
  });

  it('speaks TLS to OpenBao only', () => {
    const result = run('infrastructure/openbao/configure.sh', [], { BAO_ADDR: 'http://127.0.0.1:1', BAO_TOKEN: 'x', BAO_CACERT: '/dev/null' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: BAO_ADDR must be an https:\/\/ address: OpenBao serves TLS only/);
  });

  it('wants exactly one JWT key source', () => {
    const result = run('infrastructure/openbao/configure.sh', ['--jwt-discovery-url', 'http://a', '--jwks-url', 'http://b'], {
      BAO_ADDR: 'https://127.0.0.1:1',
      BAO_TOKEN: 'x',
      BAO_CACERT: '/dev/null',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: give exactly one of --jwt-discovery-url and --jwks-url/);
  });
});

describe('scripts/teardown.sh', () => {
  it('asks which stack when given none', () => {
    const result = run('scripts/teardown.sh', []);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: say which stack to tear down\nhint: +scripts\/teardown.sh --kind .*--local/);
  });
});

describe('secrets and command lines', () => {
  it('no script passes the join token or the database admin password as an argument (ps shows arguments to every user)', () => {
    const files = spawnSync('git', ['ls-files', '*.sh'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = spawnSync('cat', [repoPath(file)], { encoding: 'utf8' }).stdout;
      expect(text, file).not.toMatch(/-joinToken\s+"?\$/);
      expect(text, file).not.toMatch(/psql.*-v\s+openbao_pw="\$\(/);
    }
  });
});

describe("the backend's staged copy (scripts/lib/apps.sh backend_root)", () => {
  it('carries every workspace package the backend depends on', () => {
    // A clone the workload user cannot read runs the backend from a copy; node_modules links the
    // workspace packages to their folders, which must be in the copy too.
    const read = (path: string) => spawnSync('cat', [repoPath(path)], { encoding: 'utf8' }).stdout;
    const workspaces = JSON.parse(read('package.json')).workspaces as string[];
    const names = new Map(workspaces.map((dir) => [JSON.parse(read(`${dir}/package.json`)).name as string, dir]));
    const deps = Object.keys(JSON.parse(read('backend/package.json')).dependencies).filter((dep) => names.has(dep));
    expect(deps).toContain('@zt-demo/api-contract');
    const staged = /for part in ([^;]+); do/.exec(read('scripts/lib/apps.sh').slice(read('scripts/lib/apps.sh').indexOf('backend_root()')))![1]!.split(/\s+/);
    for (const dep of deps) expect(staged, dep).toContain(names.get(dep));
  });
});
