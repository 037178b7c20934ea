/**
 * Access to the running local stack for tests: its connection facts (stack.env, written by
 * scripts/setup.sh --local), the Workload API through the real SPIRE agent, OpenBao's HTTP API and
 * PostgreSQL. Nothing here stands in for a component; it only reaches the real ones.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { fetch as undiciFetch } from 'undici';
import { openbaoDispatcher, postgresSsl } from './api-identity.ts';
import { identity } from './identity.ts';
import { repoPath } from './repo.ts';

export type StackEnv = Record<string, string>;

/** Where the chain tests' stack lives: its own state directory and ports (see global-setup.ts). */
export const TEST_STATE_NAME = '.local-test';

export function stackEnvPath(): string {
  return process.env.ZT_STACK_ENV ?? repoPath(TEST_STATE_NAME, 'stack.env');
}

/** Parses stack.env (KEY=value lines written with printf %q; the values used here need no unquoting). */
export function loadStackEnv(path = stackEnvPath()): StackEnv {
  const env: StackEnv = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!.replace(/\\(.)/g, '$1');
  }
  return env;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/** Runs a command as another unix user (root only), or as ourselves when that is the user. */
export function runAs(user: string, command: string[]): { status: number | null; stdout: string; stderr: string } {
  const me = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();
  const argv = user === me ? command : ['runuser', '-u', user, '--', ...command];
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export class WorkloadApiError extends Error {}

/**
 * Asks the real SPIRE agent for a JWT-SVID as `user`: the agent attests the calling process's uid,
 * so the identity returned is the one registered for that user.
 */
export function fetchJwtSvid(env: StackEnv, user: string, audience: string, spiffeId?: string): string {
  const args = [env.ZT_WORKLOAD_SPIRE_AGENT!, 'api', 'fetch', 'jwt', '-socketPath', env.ZT_SPIRE_AGENT_SOCKET!, '-audience', audience, '-output', 'json'];
  if (spiffeId) args.push('-spiffeID', spiffeId);
  const result = runAs(user, args);
  if (result.status !== 0) throw new WorkloadApiError(`${result.stderr}${result.stdout}`.trim());
  const parsed = JSON.parse(result.stdout) as Array<{ svids?: Array<{ svid: string; spiffe_id: string }> }>;
  const svid = parsed[0]?.svids?.[0]?.svid;
  if (!svid) throw new WorkloadApiError(`no JWT-SVID in the agent's answer: ${result.stdout}`);
  return svid;
}

/** The claims of a compact JWS, without verifying it (OpenBao does the verifying). */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('not a compact JWS');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function rootToken(env: StackEnv): string {
  return JSON.parse(readFileSync(join(env.ZT_SECRETS_DIR!, 'openbao-init.json'), 'utf8')).root_token;
}

export interface BaoResponse<T = any> {
  status: number;
  body: T;
}

/** One call to OpenBao's HTTP API. */
export async function bao<T = any>(env: StackEnv, method: string, path: string, token?: string, body?: unknown): Promise<BaoResponse<T>> {
  const headers: Record<string, string> = {};
  if (token) headers['X-Vault-Token'] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // OpenBao serves TLS only: its certificate is checked against the SPIRE bundle (and host name).
  const response = await undiciFetch(`${env.ZT_BAO_ADDR}/v1/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    dispatcher: openbaoDispatcher(env),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** Logs in to OpenBao's JWT auth method with a JWT-SVID, as the backend does. */
export function jwtLogin(env: StackEnv, jwt: string, role = identity.openbao.jwtRole): Promise<BaoResponse> {
  return bao(env, 'POST', `auth/${identity.openbao.jwtAuthMount}/login`, undefined, { role, jwt });
}

/**
 * The backend's JWT-SVID, asked for by SPIFFE ID as the backend will: as a regular user the
 * backend and frontend entries select the same uid, and the agent would return both.
 */
export function backendSvid(env: StackEnv, audience = identity.jwtSvid.audience): string {
  return fetchJwtSvid(env, env.ZT_BACKEND_USER!, audience, identity.spiffeIds.backend);
}

/** A backend token: a fresh JWT-SVID from the agent, exchanged at OpenBao. */
export async function backendToken(env: StackEnv): Promise<string> {
  const login = await jwtLogin(env, backendSvid(env));
  if (login.status !== 200) throw new Error(`backend login failed: ${JSON.stringify(login.body)}`);
  return login.body.auth.client_token as string;
}

/** The PostgreSQL superuser, over the state directory's unix socket. */
export async function pgSuperuser(env: StackEnv): Promise<pg.Client> {
  const client = new pg.Client({ host: env.ZT_PG_DIR, port: Number(env.ZT_PG_PORT), user: 'postgres', database: identity.database.name });
  await client.connect();
  return client;
}

/** A client logging in over TCP (TLS, PostgreSQL verified) with the given credentials, as the backend's pool does. */
export async function pgLogin(env: StackEnv, user: string, password: string): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: Number(env.ZT_PG_PORT), user, password, database: identity.database.name, ssl: postgresSsl(env) });
  await client.connect();
  return client;
}

export async function dynamicRoles(env: StackEnv): Promise<string[]> {
  const client = await pgSuperuser(env);
  try {
    const result = await client.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%' ORDER BY 1");
    return result.rows.map((row) => row.rolname);
  } finally {
    await client.end();
  }
}

/** The accessors of the live OpenBao tokens that a JWT login as SPIFFE_ID made (root's view). */
export async function tokenAccessorsOf(env: StackEnv, spiffeId: string): Promise<string[]> {
  const root = rootToken(env);
  const accessors: string[] = (await bao(env, 'LIST', 'auth/token/accessors', root)).body?.data?.keys ?? [];
  const found: string[] = [];
  for (const accessor of accessors) {
    const token = await bao(env, 'POST', 'auth/token/lookup-accessor', root, { accessor });
    if (token.body?.data?.display_name === `${identity.openbao.jwtAuthMount}-${spiffeId}`) found.push(accessor);
  }
  return found;
}
