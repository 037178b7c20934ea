/**
 * The benchmark (bench/bench.mjs) still runs against a live backend, and its claim holds: the
 * authenticated, database-backed requests it sends cause no OpenBao call. (Speed is measured by
 * bench/run.sh, not asserted here.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testClientSvid } from '../lib/api-identity.ts';
import { repoPath } from '../lib/repo.ts';
import { loadStackEnv } from '../lib/stack.ts';

describe('bench/bench.mjs', () => {
  it('produces its table, with zero failed requests and zero OpenBao calls per request', async () => {
    const env = loadStackEnv();
    // the benchmark presents the tests' client identity, which the test stack's backend admits
    const svid = await testClientSvid(env);
    const dir = mkdtempSync(join(tmpdir(), 'bench-tls-'));
    writeFileSync(join(dir, 'svid.pem'), svid.certChainPem);
    writeFileSync(join(dir, 'key.pem'), svid.keyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'bundle.pem'), svid.bundlePem);
    const run = spawnSync('node', ['bench.mjs'], {
      cwd: repoPath('bench'),
      env: { ...process.env, BACKEND_URL: env.ZT_BACKEND_URL, BACKEND_HEALTH_URL: env.ZT_BACKEND_HEALTH_URL, BENCH_TLS_DIR: dir, BENCH_SECONDS: '1', BENCH_CONNECTIONS: '4' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\| GET \/api\/auth\/me .*\| \d+ \| 0 \|/);
    expect(run.stdout).toMatch(/OpenBao calls caused by the \d+ requests .*: \*\*0\*\*/);
  });
});
