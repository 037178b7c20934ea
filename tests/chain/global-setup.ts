/**
 * Starts the real local stack (scripts/setup.sh --local: PostgreSQL, SPIRE server and agent, the
 * OIDC discovery provider, OpenBao, the backend) once for all chain tests, with a local stand-in
 * for the GitHub API, and tears it down afterwards.
 * ZT_KEEP_TEST_STACK=1 leaves it running for a look around.
 */
import type { Server } from 'node:http';
import { GITHUB_STANDIN_PORT, startGithubStandin } from '../lib/github-standin.ts';
import { runScript } from '../lib/test-stack.ts';

function runOrThrow(script: string, args: string[]): void {
  const result = runScript(script, args);
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  if (result.status !== 0) {
    throw new Error(`scripts/${script} ${args.join(' ')} exited with ${result.status ?? result.signal}; see its output above`);
  }
}

export async function setup(): Promise<() => Promise<void>> {
  // The backend talks to this stand-in instead of api.github.com (GITHUB_API_URL, see test-stack.ts).
  const github: Server = await startGithubStandin(GITHUB_STANDIN_PORT);
  // Start from nothing, so the first run below really is a first run.
  runOrThrow('teardown.sh', ['--local']);
  runOrThrow('setup.sh', ['--local']);
  return async () => {
    await new Promise((resolve) => github.close(resolve));
    if (process.env.ZT_KEEP_TEST_STACK === '1') return;
    runOrThrow('teardown.sh', ['--local']);
  };
}
