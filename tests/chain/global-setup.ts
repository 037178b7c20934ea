/**
 * Starts the real local stack (scripts/setup.sh --local: PostgreSQL, SPIRE server and agent, the
 * OIDC discovery provider, OpenBao) once for all chain tests, and tears it down afterwards.
 * ZT_KEEP_TEST_STACK=1 leaves it running for a look around.
 */
import { runScript } from '../lib/test-stack.ts';

function runOrThrow(script: string, args: string[]): void {
  const result = runScript(script, args);
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  if (result.status !== 0) {
    throw new Error(`scripts/${script} ${args.join(' ')} exited with ${result.status ?? result.signal}; see its output above`);
  }
}

export function setup(): () => void {
  // Start from nothing, so the first run below really is a first run.
  runOrThrow('teardown.sh', ['--local']);
  runOrThrow('setup.sh', ['--local']);
  return () => {
    if (process.env.ZT_KEEP_TEST_STACK === '1') return;
    runOrThrow('teardown.sh', ['--local']);
  };
}
