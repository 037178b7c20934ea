/** The same real stack as the chain tests (setup.sh with the test ports), plus the GitHub stand-in. */
import type { Server } from 'node:http';
import { GITHUB_STANDIN_PORT, startGithubStandin } from '../lib/github-standin.ts';
import { runScript } from '../lib/test-stack.ts';

function runOrThrow(script: string, args: string[]): void {
  const result = runScript(script, args);
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  if (result.status !== 0) throw new Error(`scripts/${script} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const github: Server = await startGithubStandin(GITHUB_STANDIN_PORT);
  runOrThrow('teardown.sh', ['--local']);
  runOrThrow('setup.sh', ['--local']);
  return async () => {
    await new Promise((resolve) => github.close(resolve));
    if (process.env.ZT_KEEP_TEST_STACK !== '1') runOrThrow('teardown.sh', ['--local']);
  };
}
