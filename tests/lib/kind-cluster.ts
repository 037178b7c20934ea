/**
 * The kind suite's access to its real cluster. scripts/test.sh runs the suite with the environment
 * tests/kind/prepare.sh wrote (DOCKER_HOST of the private engine, a private KUBECONFIG, the tools
 * on PATH, the documented setup.sh overrides), so every command here reaches that cluster and
 * nothing of the user's.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, repoPath } from './repo.ts';

export const CONTEXT = 'kind-zt-demo';

/** The environment variable NAME, which prepare.sh must have set. */
export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the kind suite through scripts/test.sh --suite kind`);
  return value;
}

export const appUrl = (): string => `http://localhost:${required('ZT_KIND_APP_PORT')}`;

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr, for assertion messages */
  output: string;
  seconds: number;
}

const runOf = (status: number | null, stdout: string, stderr: string, seconds: number): Run => ({ status, stdout, stderr, output: `${stdout}\n${stderr}`, seconds });

const toRun = (result: SpawnSyncReturns<string>, started: number): Run =>
  runOf(result.status, result.stdout ?? '', result.stderr ?? '', Math.round((Date.now() - started) / 1000));

/** Runs a command; never throws for a non-zero exit (the test asserts on it). */
export function run(command: string, args: string[], options: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Run {
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return toRun(result, started);
}

/** One of the project's scripts, exactly as a user runs it. */
export const script = (name: string, args: string[], timeoutMs = 3_600_000, env: Record<string, string> = {}): Run =>
  run('bash', [repoPath('scripts', name), ...args], { timeoutMs, env });

/**
 * The first `setup.sh --kind` of the suite. scripts/test.sh starts it (tests/kind/first-setup.sh)
 * in the background while the local suites run and names where its result is in
 * ZT_KIND_FIRST_SETUP; without that (the suite run on its own), it runs here.
 */
export function firstSetup(timeoutMs: number): Run {
  const dir = process.env.ZT_KIND_FIRST_SETUP;
  if (!dir) return script('setup.sh', ['--kind'], timeoutMs);
  const read = (name: string): string => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : '');
  const status = read('setup.status').trim();
  return runOf(status === '' ? null : Number(status), read('setup.stdout'), read('setup.stderr'), Number(read('setup.seconds').trim() || 0));
}

export const kubectl = (args: string[], options: { input?: string; timeoutMs?: number } = {}): Run =>
  run('kubectl', ['--context', CONTEXT, ...args], options);

/** kubectl ... -o json, parsed; throws with kubectl's message when it fails. */
export function kubectlJson<T = any>(args: string[]): T {
  const result = kubectl([...args, '-o', 'json']);
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export function docker(args: string[]): Run {
  return run('docker', args);
}

/** OpenBao's recovery key and root token, as setup.sh saved them (kind mode's OpenBao unseals itself). */
export function openbaoInit(): { recovery_keys_b64: string[]; unseal_keys_b64?: string[]; root_token: string } {
  return JSON.parse(readFileSync(join(required('ZT_KIND_SECRETS_DIR'), 'openbao-init.json'), 'utf8'));
}

/** `bao ARGS` inside POD with the root token (on stdin), over TLS verified against the SPIRE bundle; ARGS must ask for -format=json. */
export function bao<T = any>(args: string[], pod = 'openbao-0'): T {
  const result = kubectl(['-n', 'openbao', 'exec', '-i', pod, '-c', 'openbao', '--', 'sh', '-c', 'read -r BAO_TOKEN; export BAO_TOKEN; exec bao "$@"', 'sh', ...args], {
    input: `${openbaoInit().root_token}\n`,
  });
  if (result.status !== 0) throw new Error(`bao ${args.join(' ')} in ${pod} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** One server of OpenBao's Raft cluster, as `bao operator raft list-peers` lists it. */
export interface RaftServer {
  node_id: string;
  address: string;
  leader: boolean;
  voter: boolean;
}

/** OpenBao's Raft peers, asked of POD. */
export const raftServers = (pod = 'openbao-0'): RaftServer[] =>
  bao<{ data: { config: { servers: RaftServer[] } } }>(['operator', 'raft', 'list-peers', '-format=json'], pod).data.config.servers;

/** The pods of an app (label app.kubernetes.io/name), deleted ones left out. */
export const podsOf = (namespace: string, app: string): any[] =>
  kubectlJson<{ items: any[] }>(['-n', namespace, 'get', 'pods', '-l', `app.kubernetes.io/name=${app}`]).items.filter((pod) => !pod.metadata.deletionTimestamp);

/** The worker nodes' names (every node but the control plane), sorted. */
export const workerNames = (): string[] =>
  kubectlJson<{ items: any[] }>(['get', 'nodes']).items
    .filter((node) => !('node-role.kubernetes.io/control-plane' in node.metadata.labels))
    .map((node) => node.metadata.name as string)
    .sort();

/** Whether POD's Ready condition is True. */
export const isReady = (pod: any): boolean => (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

/** Polls CHECK every INTERVAL ms until it returns a value (not undefined) or TIMEOUT ms pass. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, intervalMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000}s${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** CloudNativePG's Cluster data/postgres, as the operator reports it. */
export interface PostgresStatus {
  currentPrimary: string;
  instances: number;
  readyInstances: number;
  phase: string;
}
export const postgresStatus = (): PostgresStatus => kubectlJson<{ status: PostgresStatus }>(['-n', 'data', 'get', 'cluster', 'postgres']).status;

/** The PostgreSQL instance pods (not the operator's job pods), deleted ones left out. */
export const postgresInstances = (): any[] =>
  kubectlJson<{ items: any[] }>(['-n', 'data', 'get', 'pods', '-l', 'cnpg.io/cluster=postgres,cnpg.io/podRole=instance']).items.filter((pod) => !pod.metadata.deletionTimestamp);

/** psql as postgres (over the unix socket) on the current primary; returns the unaligned, tuples-only output. */
export function psql(sql: string, pod = postgresStatus().currentPrimary): string {
  const result = kubectl(['-n', 'data', 'exec', '-i', pod, '-c', 'postgres', '--', 'psql', '-U', 'postgres', '-d', 'appdb', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'], { input: sql });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** The dynamic database users OpenBao has created and not yet revoked. */
export const dynamicUsers = (): string[] =>
  psql("SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%' ORDER BY rolname;").split('\n').filter(Boolean);

/**
 * The JSON entries every backend replica logged in the last SINCE (a label selector shows only 10
 * lines per pod unless told --tail=-1).
 */
export const backendLogEntries = (since = '10m'): Record<string, any>[] =>
  kubectl(['-n', '99-apps', 'logs', '-l', 'app.kubernetes.io/name=backend', `--since=${since}`, '--tail=-1'])
    .stdout.split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
