/**
 * scripts/setup.sh in kind mode, offline: against stand-ins for docker, kind, kubectl, helm, hubble
 * and bao (tests/kind/fake-cli.mjs) that record every call and keep what the "cluster" holds
 * between runs. The first run must do the whole sequence in order; a second run must create,
 * initialise, enable and install nothing; a restarted OpenBao unseals itself (static seal); the overrides for
 * machines without registries change only what they name. The kind suite (tests/kind/) runs the
 * same script on a real cluster.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { identity as facts } from '../lib/identity.ts';
import { REPO_ROOT, repoPath } from '../lib/repo.ts';
import { versions } from '../lib/versions.ts';

const run = promisify(execFile);
const spireValues = parse(readFileSync(repoPath('infrastructure', 'spire', 'values.yaml'), 'utf8'));

interface Call {
  tool: string;
  args?: string[];
  method?: string;
  path?: string;
  body?: Record<string, unknown>;
  token?: string;
}

let work: string;
let app: Server;
let appUrl: string;
/** A port nothing listens on, for the cluster's app mapping: 3000 may be a local stack's. */
let appPort: string;

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/** A copy of the working tree as a git repository of its own (setup.sh tags images with the revision). */
async function snapshotRepo(dir: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: REPO_ROOT, maxBuffer: 64 << 20 });
  for (const file of stdout.split('\0').filter((f) => f && !f.startsWith('docs/screenshots/'))) {
    try {
      cpSync(join(REPO_ROOT, file), join(dir, file));
    } catch {
      // deleted in the working tree but still in the index
    }
  }
  for (const args of [['init', '-q'], ['add', '-A'], ['-c', 'user.email=t@example.org', '-c', 'user.name=t', 'commit', '-qm', 'snapshot']])
    await run('git', args, { cwd: dir });
}

/** The environment of a script run against the stand-ins in pathDir, recording calls to log. */
function fakeEnv(log: string, pathDir = join(work, 'repo', 'tests', 'kind', 'bin')) {
  writeFileSync(log, '');
  return { ...process.env, PATH: `${pathDir}:${process.env.PATH}`, FAKE_LOG: log, FAKE_STATE: join(work, 'state'), NO_COLOR: '1' };
}

async function setup(args: string[], pathDir?: string, extraEnv: Record<string, string> = {}) {
  const log = join(work, 'calls.jsonl');
  const env = { ...fakeEnv(log, pathDir), ZT_KIND_APP_URL: appUrl, ZT_KIND_APP_PORT: appPort, ZT_KIND_TIMEOUT: '20', ...extraEnv };
  const result = await run('bash', [join(work, 'repo', 'scripts', 'setup.sh'), ...args], { cwd: join(work, 'repo'), env }).then(
    ({ stdout, stderr }) => ({ status: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ status: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
  const calls: Call[] = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
  return { ...result, calls };
}

const line = (call: Call) => (call.tool === 'openbao' ? `openbao ${call.method} ${call.path}` : `${call.tool} ${call.args!.join(' ')}`);

/** Index of the first call matching each pattern, in order; fails naming the first one missing. */
function expectInOrder(calls: Call[], patterns: RegExp[]) {
  const lines = calls.map(line);
  let from = 0;
  for (const pattern of patterns) {
    const index = lines.findIndex((l, i) => i >= from && pattern.test(l));
    expect(index, `expected ${pattern} after call #${from} in:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
    from = index + 1;
  }
}

const CHANGES = [
  /^kind create cluster/,
  /^helm .*upgrade --install/,
  /^kubectl .* create /,
  /^docker build/,
  /^openbao PUT sys\/(init|unseal)$/,
  /^openbao POST sys\/(mounts|auth)\//,
  /^openbao POST secret\/data\//,
  /^kubectl .* rollout restart/,
];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'zt-setup-kind-'));
  mkdirSync(join(work, 'repo'));
  mkdirSync(join(work, 'state'));
  await snapshotRepo(join(work, 'repo'));
  // What kind's port mapping would serve: the app's login page.
  app = createServer((req, res) => {
    res.writeHead(req.url === '/login' ? 200 : 404);
    res.end('zt-demo');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const address = app.address();
  appUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  appPort = String(await freePort());
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => app?.close(resolve));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('scripts/setup.sh --kind against recording stand-ins', () => {
  let first: Awaited<ReturnType<typeof setup>>;

  it('refuses to start when tools are missing, naming each with an install hint', async () => {
    const bin = join(work, 'partial-bin');
    mkdirSync(bin);
    for (const tool of ['docker', 'kind', 'kubectl', 'bao']) symlinkSync(join(work, 'repo', 'tests', 'kind', 'bin', tool), join(bin, tool));
    const result = await setup(['--kind'], bin);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: kind mode needs these tools first:$/m);
    expect(result.stderr).toMatch(new RegExp(`^  - helm is missing: https://helm\\.sh/.*v${versions.HELM_VERSION}`, 'm'));
    expect(result.stderr).toMatch(new RegExp(`^  - hubble is missing: .*v${versions.HUBBLE_CLI_VERSION}`, 'm'));
    expect(result.stderr).toMatch(/^hint: .*scripts\/setup.sh --local/m);
    expect(result.calls.filter((c) => c.tool === 'kind' && c.args![0] === 'create')).toEqual([]);
  }, 60_000);

  it('builds everything in order on the first run', async () => {
    first = await setup(['--kind']);
    expect(first.status, first.stderr).toBe(0);
    expectInOrder(first.calls, [
      /^kind create cluster --config .*\/\.kind\/kind-config\.yaml$/,
      new RegExp(`^helm .*upgrade --install cilium cilium --repo https://helm\\.cilium\\.io/ --version ${versions.CILIUM_CHART_VERSION} .*infrastructure/cilium/values\\.yaml$`),
      /^kubectl .* -n kube-system rollout status daemonset\.apps\/cilium /,
      new RegExp(`^helm .*upgrade --install spire-crds spire-crds --repo \\S+ --version ${versions.SPIRE_CRDS_CHART_VERSION} `),
      new RegExp(`^helm .*upgrade --install zt-spire spire --repo \\S+ --version ${versions.SPIRE_CHART_VERSION} .*infrastructure/spire/values\\.yaml$`),
      // the ClusterSPIFFEIDs with the X.509-SVID lifetime setting, then the trust bundle for TLS clients
      /^kubectl .* apply -f .*\/\.kind\/clusterspiffeids\.yaml$/,
      /^kubectl .* exec zt-spire-server-0 .* bundle show -format pem$/,
      // CloudNativePG's operator, then PostgreSQL's Secrets, its certificate sync, its Cluster and
      // the bootstrap SQL (on stdin) on the primary
      new RegExp(`^kubectl .* apply --server-side --force-conflicts -f https://github\\.com/cloudnative-pg/cloudnative-pg/releases/download/v${versions.CNPG_VERSION}/cnpg-${versions.CNPG_VERSION}\\.yaml$`),
      /^kubectl .* -n cnpg-system rollout status deployment\/cnpg-controller-manager /,
      /^kubectl .* -n data create secret generic postgres-credentials /,
      /^kubectl --context kind-zt-demo create -f -$/,
      /^kubectl .* apply -k .*infrastructure\/postgres$/,
      /^kubectl .* rollout status deployment\/postgres-certificates/,
      /^kubectl .* apply -f .*infrastructure\/postgres\/cluster\.yaml$/,
      /^kubectl .* -n data wait cluster\/postgres --for=condition=Ready /,
      /^kubectl .* -n data exec -i postgres-1 -c postgres -- psql .* --single-transaction -f -$/,
      /^kubectl .* apply -f .*infrastructure\/openbao\/spiffe-helper\.yaml$/,
      // the static seal's key, as a Secret on stdin, before OpenBao's pods can start
      /^kubectl --context kind-zt-demo create -f -$/,
      new RegExp(`^helm .*upgrade --install openbao openbao --repo \\S+ --version ${versions.OPENBAO_CHART_VERSION} .*infrastructure/openbao/values\\.yaml$`),
      /^openbao PUT sys\/init$/,
      /^kubectl .* -n openbao get pods -l app\.kubernetes\.io\/name=openbao,component=server -o json$/,
      /^kubectl .* apply -f .*infrastructure\/cilium\/policies\/$/,
      /^openbao POST sys\/mounts\/secret$/,
      /^openbao POST sys\/auth\/jwt$/,
      /^openbao POST auth\/jwt\/config$/,
      /^openbao POST auth\/jwt\/role\/backend$/,
      /^openbao POST database\/config\/appdb$/,
      /^kind load docker-image --name zt-demo zt-demo\/backend:[0-9a-f]{12} zt-demo\/frontend:[0-9a-f]{12}$/,
      /^kubectl .* apply -k .*\/\.kind\/apps$/,
      /^kubectl .* rollout status deployment\/backend/,
      /^kubectl .* exec zt-spire-server-0 .* entry show -spiffeID /,
    ]);
    // The app images build in the background from the first step on, one after the other, and
    // are loaded into the nodes once both are built.
    expectInOrder(first.calls, [
      /^docker build .* -f .*\/backend\/Dockerfile -t zt-demo\/backend:[0-9a-f]{12} /,
      /^docker build .* -f .*\/frontend\/Dockerfile -t zt-demo\/frontend:[0-9a-f]{12} /,
      /^kind load docker-image /,
    ]);
    expect(first.stdout).toMatch(/building the images of revision [0-9a-f]{12} in the background meanwhile: backend and frontend /);
    expect(first.stdout.indexOf('in the background')).toBeLessThan(first.stdout.indexOf('] kind cluster'));
    expect(first.stdout).toContain(`The app                ${appUrl}`);
    expect(first.stdout).toMatch(/jake\/jake99 .*\n.*terry\/terry99/);
    expect(first.stdout).toContain('scripts/demo.sh');
    expect(first.stdout).toMatch(/^\[11\/11 +\d+s\] /m);
  }, 120_000);

  it('leaves no port-forward running behind it', async () => {
    const { stdout } = await run('ps', ['-eo', 'args=']);
    expect(stdout.split('\n').filter((line) => line.includes(`${work}/repo/`) && line.includes('port-forward'))).toEqual([]);
  });

  it('talks only to its own cluster', () => {
    for (const call of first.calls) {
      if (call.tool === 'kubectl' && call.args![0] !== 'version') expect(call.args!.slice(0, 2)).toEqual(['--context', 'kind-zt-demo']);
      if (call.tool === 'helm' && call.args![0] !== 'version') expect(call.args!.slice(0, 2)).toEqual(['--kube-context', 'kind-zt-demo']);
    }
  });

  it('configures OpenBao with the connection facts of kind and the identity facts of the repository', () => {
    const api = first.calls.filter((c) => c.tool === 'openbao' && c.token !== 'none');
    expect(api.length).toBeGreaterThan(5);
    expect(api.every((c) => c.token === 'root')).toBe(true); // the root token from the init, nothing else
    const body = (path: string) => api.find((c) => c.path === path)?.body ?? {};
    expect(body('auth/jwt/config')).toEqual({
      jwks_url: 'https://zt-spire-spiffe-oidc-discovery-provider.spire-server.svc.cluster.local/keys',
      bound_issuer: spireValues.global.spire.jwtIssuer,
      jwks_ca_pem: expect.stringContaining('-----BEGIN CERTIFICATE-----'),
    });
    expect(body('auth/jwt/role/backend')).toMatchObject({ role_type: 'jwt', bound_subject: facts.spiffeIds.backend, bound_audiences: [facts.jwtSvid.audience] });
    const adminPassword = readFileSync(join(work, 'repo', '.secrets', 'postgres-openbao-admin-password'), 'utf8').trim();
    expect(body('database/config/appdb')).toMatchObject({
      // TLS to PostgreSQL, its certificate verified (chain and host name) against the bundle in OpenBao's pod
      connection_url: `postgresql://{{username}}:{{password}}@postgres.data.svc.cluster.local:5432/${facts.database.name}?sslmode=verify-full&sslrootcert=/openbao/tls/bundle.pem`,
      username: facts.database.adminUser,
      password: adminPassword,
    });
    const cluster = JSON.parse(readFileSync(join(work, 'state', 'cluster.json'), 'utf8'));
    expect(Buffer.from(cluster.secrets['data/postgres-credentials']['openbao-admin-password'], 'base64').toString().trim()).toBe(adminPassword);
  });

  it('tags images with the git revision and applies the apps through an overlay with that tag', async () => {
    const { stdout: revision } = await run('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: join(work, 'repo') });
    const overlay = parse(readFileSync(join(work, 'repo', '.kind', 'apps', 'kustomization.yaml'), 'utf8'));
    expect(overlay.images).toEqual([
      { name: 'zt-demo/backend', newTag: revision.trim() },
      { name: 'zt-demo/frontend', newTag: revision.trim() },
    ]);
    for (const resource of overlay.resources) expect(statSync(resolve(join(work, 'repo', '.kind', 'apps'), resource, 'kustomization.yaml')).isFile()).toBe(true);
    // The backend reads its rotation setting from this ConfigMap in its own namespace (a
    // generator without a namespace put it in "default", where the backend never saw it).
    expect(overlay.configMapGenerator).toEqual([{ name: 'backend-settings', namespace: '99-apps', literals: [`DB_ROTATE_INTERVAL=${facts.database.rotationInterval}`] }]);
    const builds = first.calls.filter((c) => c.tool === 'docker' && c.args![0] === 'build');
    for (const build of builds) expect(build.args).toContain(`NODE_IMAGE=${versions.NODE_IMAGE}`);
  });

  it('keeps secrets in .secrets/ with mode 600 and never prints them', () => {
    const secrets = join(work, 'repo', '.secrets');
    expect(statSync(secrets).mode & 0o777).toBe(0o700);
    const init = JSON.parse(readFileSync(join(secrets, 'openbao-init.json'), 'utf8'));
    for (const file of ['openbao-init.json', 'postgres-openbao-admin-password'])
      expect(statSync(join(secrets, file)).mode & 0o777, file).toBe(0o600);
    const printed = first.stdout + first.stderr;
    const sealKey = JSON.parse(readFileSync(join(work, 'state', 'cluster.json'), 'utf8')).secrets['openbao/openbao-seal'].key as string;
    expect(Buffer.from(sealKey, 'base64')).toHaveLength(32);
    expect(init.unseal_keys_b64).toBeUndefined();
    const adminPassword = readFileSync(join(secrets, 'postgres-openbao-admin-password'), 'utf8').trim();
    // The bootstrap got OpenBao's PostgreSQL password on stdin, as a psql variable.
    expect(JSON.parse(readFileSync(join(work, 'state', 'postgres.json'), 'utf8')).script).toContain(`\\set openbao_pw ${adminPassword}\n`);
    for (const secret of [init.root_token, init.recovery_keys_b64[0], sealKey, adminPassword]) {
      expect(secret.length).toBeGreaterThan(10);
      expect(printed).not.toContain(secret);
      expect(first.calls.filter((c) => c.tool !== 'openbao').map(line).join('\n')).not.toContain(secret); // not on any command line
    }
  });

  it('changes nothing on a second run (auto mode picks kind when Docker answers)', async () => {
    const second = await setup([]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/Docker answers: kind mode/);
    expect(second.stdout).toContain('(it already was: nothing changed)');
    const changes = second.calls.map(line).filter((l) => CHANGES.some((pattern) => pattern.test(l)));
    expect(changes).toEqual([]);
    // It still checks: the rollouts, OpenBao's seal, the configuration's guarded enables.
    expectInOrder(second.calls, [/^kind get clusters$/, /^openbao GET sys\/seal-status$/, /^openbao GET sys\/mounts$/, /^kubectl .* rollout status deployment\/backend/]);
  }, 120_000);

  it('writes the context again when the cluster runs but KUBECONFIG does not know it', async () => {
    const statePath = join(work, 'state', 'cluster.json');
    writeFileSync(statePath, JSON.stringify({ ...JSON.parse(readFileSync(statePath, 'utf8')), contextLost: true }));
    const again = await setup(['--kind']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.calls.map(line)).toContain('kind export kubeconfig --name zt-demo');
    expect(again.stdout).toContain('context kind-zt-demo written again');
    expect(again.stdout).toContain('(it already was: nothing changed)');
  }, 120_000);

  it('leaves OpenBao to unseal itself after a restart: no unseal key is sent, nothing is initialised again', async () => {
    const statePath = join(work, 'state', 'openbao.json');
    writeFileSync(statePath, JSON.stringify({ ...JSON.parse(readFileSync(statePath, 'utf8')), sealed: true }));
    const third = await setup(['--kind']);
    expect(third.status, third.stderr).toBe(0);
    const lines = third.calls.map(line);
    expect(lines).not.toContain('openbao PUT sys/unseal');
    expect(lines).not.toContain('openbao PUT sys/init');
    expect(third.stdout).toContain('Secret openbao/openbao-seal exists (kept');
    expect(third.stdout).toContain('(it already was: nothing changed)');
  }, 120_000);

  it('says what is wrong when OpenBao stays sealed because its seal key was replaced', async () => {
    const statePath = join(work, 'state', 'openbao.json');
    writeFileSync(statePath, JSON.stringify({ ...JSON.parse(readFileSync(statePath, 'utf8')), sealed: true }));
    const clusterPath = join(work, 'state', 'cluster.json');
    const saved = readFileSync(clusterPath, 'utf8');
    const state = JSON.parse(saved);
    state.secrets['openbao/openbao-seal'] = { key: Buffer.alloc(32, 7).toString('base64') };
    writeFileSync(clusterPath, JSON.stringify(state));
    try {
      const result = await setup(['--kind'], undefined, { ZT_KIND_TIMEOUT: '3' });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^error: OpenBao stays sealed: it could not unseal itself with its static seal\nhint: .*Secret openbao\/openbao-seal.*teardown\.sh --kind/m);
    } finally {
      writeFileSync(clusterPath, saved);
      writeFileSync(statePath, JSON.stringify({ ...JSON.parse(readFileSync(statePath, 'utf8')), sealed: false }));
    }
  }, 120_000);

  it('stops at the images with the failed build\'s log when one does not build, and builds it on the next run', async () => {
    const imagesPath = join(work, 'state', 'images.json');
    const built: string[] = JSON.parse(readFileSync(imagesPath, 'utf8'));
    writeFileSync(imagesPath, JSON.stringify(built.filter((image) => !image.startsWith('zt-demo/frontend:'))));
    const failed = await setup(['--kind'], undefined, { FAKE_DOCKER_BUILD_FAILS: 'frontend' });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/building the images of revision \S+ in the background meanwhile: frontend \(/);
    expect(failed.stderr).toMatch(/last \d+ lines of .*\/\.kind\/build-frontend\.log[\s\S]*npm error/);
    expect(failed.stderr).toMatch(/^error: the frontend image did not build \(log: \.kind\/build-frontend\.log\)\nhint: /m);
    expect(failed.calls.map(line).filter((l) => l.startsWith('kind load'))).toEqual([]);
    const again = await setup(['--kind']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/image zt-demo\/frontend:\S+ built/);
    expect(again.stdout).toMatch(/image zt-demo\/backend:\S+ \(built before\)/);
  }, 120_000);
});

describe('scripts/teardown.sh --kind', () => {
  it('deletes the whole cluster and, when told to, the local secrets', async () => {
    const log = join(work, 'teardown.jsonl');
    const env = fakeEnv(log);
    const { stdout } = await run('bash', [join(work, 'repo', 'scripts', 'teardown.sh'), '--kind', '--yes'], { cwd: join(work, 'repo'), env });
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => line(JSON.parse(l)));
    expect(calls).toContain('kind delete cluster --name zt-demo');
    expect(stdout).toContain('deleted .secrets/');
    expect(() => statSync(join(work, 'repo', '.secrets'))).toThrow();
  }, 60_000);
});

describe('scripts/setup.sh --kind with the overrides for machines without registries', () => {
  let run: Awaited<ReturnType<typeof setup>>;
  let overrides: Record<string, string>;

  beforeAll(async () => {
    const dir = join(work, 'overrides');
    mkdirSync(join(dir, 'charts'), { recursive: true });
    mkdirSync(join(dir, 'values'));
    for (const chart of [`cilium-${versions.CILIUM_CHART_VERSION}`, `spire-crds-${versions.SPIRE_CRDS_CHART_VERSION}`, `spire-${versions.SPIRE_CHART_VERSION}`, `openbao-${versions.OPENBAO_CHART_VERSION}`])
      writeFileSync(join(dir, 'charts', `${chart}.tgz`), 'a chart archive');
    writeFileSync(join(dir, 'values', 'cilium.yaml'), 'envoy:\n  enabled: false\n');
    writeFileSync(join(dir, 'kind-patch.yaml'), 'kubeadmConfigPatches:\n  - |\n    kind: KubeletConfiguration\n    failCgroupV1: false\n');
    mkdirSync(join(dir, 'state'));
    overrides = {
      // A cluster of its own: this run starts from nothing.
      FAKE_STATE: join(dir, 'state'),
      ZT_CHART_DIR: join(dir, 'charts'),
      ZT_KIND_EXTRA_VALUES: join(dir, 'values'),
      ZT_KIND_CONFIG_PATCH: join(dir, 'kind-patch.yaml'),
      ZT_KIND_NODE_IMAGE: 'example.test/kind-node:v1',
    };
    run = await setup(['--kind'], undefined, overrides);
  }, 120_000);

  it('runs through and names each override it uses', () => {
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain(`override: charts from ${overrides.ZT_CHART_DIR} instead of the Helm repositories`);
    expect(run.stdout).toContain(`override: extra Helm values from ${overrides.ZT_KIND_EXTRA_VALUES} (cilium.yaml)`);
    expect(run.stdout).toContain(`override: kind config fields from ${overrides.ZT_KIND_CONFIG_PATCH}`);
    expect(run.stdout).toContain('override: node image example.test/kind-node:v1');
  });

  it('installs every chart from the chart directory and never from a repository', () => {
    const installs = run.calls.filter((c) => c.tool === 'helm' && c.args!.includes('--install'));
    expect(installs.map((c) => c.args![5])).toEqual([
      `${overrides.ZT_CHART_DIR}/cilium-${versions.CILIUM_CHART_VERSION}.tgz`,
      `${overrides.ZT_CHART_DIR}/spire-crds-${versions.SPIRE_CRDS_CHART_VERSION}.tgz`,
      `${overrides.ZT_CHART_DIR}/spire-${versions.SPIRE_CHART_VERSION}.tgz`,
      `${overrides.ZT_CHART_DIR}/openbao-${versions.OPENBAO_CHART_VERSION}.tgz`,
    ]);
    for (const install of installs) expect(install.args).not.toContain('--repo');
  });

  it("applies a release's extra values after the project's own, and only to that release", () => {
    const installs = run.calls.filter((c) => c.tool === 'helm' && c.args!.includes('--install'));
    const valuesOf = (release: string) => {
      const args = installs.find((c) => c.args![4] === release)!.args!;
      return args.flatMap((arg, i) => (arg === '--values' ? [args[i + 1]!] : []));
    };
    expect(valuesOf('cilium')).toEqual([join(work, 'repo', 'infrastructure', 'cilium', 'values.yaml'), join(overrides.ZT_KIND_EXTRA_VALUES!, 'cilium.yaml')]);
    expect(valuesOf('openbao')).toEqual([join(work, 'repo', 'infrastructure', 'openbao', 'values.yaml')]);
  });

  it('creates the cluster from kind-config.yaml with only the node image, the host port and the patch changed', () => {
    const committed = readFileSync(join(work, 'repo', 'kind-config.yaml'), 'utf8');
    const generated = readFileSync(join(work, 'repo', '.kind', 'kind-config.yaml'), 'utf8');
    const [body, patch] = generated.split(/\n# Added from ZT_KIND_CONFIG_PATCH=.*\n/);
    expect(patch).toBe(readFileSync(overrides.ZT_KIND_CONFIG_PATCH!, 'utf8'));
    const expected = committed
      .replaceAll(versions.KIND_NODE_IMAGE!, 'example.test/kind-node:v1')
      .replace(/hostPort: 3000\b/, `hostPort: ${appPort}`);
    expect(body).toBe(expected);
    expect(parse(generated).nodes.map((n: { image: string }) => n.image)).toEqual(Array(3).fill('example.test/kind-node:v1'));
  });

  it('refuses a chart directory that lacks a chart, naming it and how to get it', async () => {
    rmSync(join(overrides.ZT_CHART_DIR!, `openbao-${versions.OPENBAO_CHART_VERSION}.tgz`));
    const result = await setup(['--kind'], undefined, overrides);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`error: ZT_CHART_DIR has no openbao-${versions.OPENBAO_CHART_VERSION}.tgz`);
    expect(result.stderr).toMatch(/hint: .*helm pull openbao --repo https:\/\/openbao\.github\.io\/openbao-helm/);
  }, 120_000);
});
