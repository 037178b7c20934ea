import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { identity } from './identity.ts';
import { repoPath, REPO_ROOT } from './repo.ts';
import { TEST_STATE_NAME } from './stack.ts';

/**
 * The X.509-SVIDs' lifetime in the test stacks: a minute, so every certificate of every hop is
 * renewed (at half-life) several times while the suites run, under their load.
 */
export const TEST_X509_SVID_TTL = '1m';


/**
 * The chain tests run their own local stack: its own state directory (.local-test) and ports
 * 10000 above the defaults, so a developer's running `scripts/setup.sh --local` is never touched.
 */
export const TEST_STACK_ENV: Record<string, string> = {
  ZT_STATE_NAME: TEST_STATE_NAME,
  ZT_PG_PORT: '15432',
  ZT_SPIRE_SERVER_PORT: '18081',
  ZT_SPIRE_SERVER_HEALTH_PORT: '18180',
  ZT_SPIRE_AGENT_HEALTH_PORT: '18181',
  ZT_OIDC_PORT: '18443',
  ZT_BAO_PORT: '18200',
  ZT_BACKEND_PORT: '18000',
  ZT_BACKEND_HEALTH_PORT: '18001',
  ZT_FRONTEND_PORT: '13000',
  GITHUB_API_URL: 'http://127.0.0.1:18900',
  ZT_X509_SVID_TTL: TEST_X509_SVID_TTL,
  // The backend admits the frontend and the tests' own client identity (lib/api-identity.ts).
  ZT_API_CLIENT_SPIFFE_IDS: [identity.spiffeIds.frontend, identity.testIdentities.apiClient].join(','),
  // every request logged, so the log audit (backend-logs.test.ts) has the most to look at
  ZT_BACKEND_LOG_LEVEL: 'debug',
  NO_COLOR: '1',
};

/** Runs one of the project's scripts against the test stack. */
export function runScript(script: string, args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 900_000): SpawnSyncReturns<string> {
  const env = { ...process.env, ...TEST_STACK_ENV, ...extraEnv };
  // The scripts compute their own state directory; a caller's ZT_STATE_DIR must not leak in.
  delete env.ZT_STATE_DIR;
  return spawnSync('bash', [repoPath('scripts', script), ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: timeoutMs });
}
