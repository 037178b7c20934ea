/**
 * The benchmark (bench/bench.mjs) still runs against a live backend, and its claim holds: the
 * authenticated, database-backed requests it sends cause no OpenBao call. (Speed is measured by
 * bench/run.sh, not asserted here.)
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../lib/repo.ts';
import { loadStackEnv } from '../lib/stack.ts';

describe('bench/bench.mjs', () => {
  it('produces its table, with zero failed requests and zero OpenBao calls per request', () => {
    const env = loadStackEnv();
    const run = spawnSync('node', ['bench.mjs'], {
      cwd: repoPath('bench'),
      env: { ...process.env, BACKEND_URL: env.ZT_BACKEND_URL, BENCH_SECONDS: '1', BENCH_CONNECTIONS: '4' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\| GET \/api\/auth\/me .*\| \d+ \| 0 \|/);
    expect(run.stdout).toMatch(/OpenBao calls caused by the \d+ requests .*: \*\*0\*\*/);
  });
});
