/**
 * scripts/teardown.sh --kind, and nothing left behind: no cluster, no container in the suite's
 * engine, no port-forward or other process of ours, nothing listening on the app's port.
 * With scripts/test.sh --keep the cluster stays up for inspection and this part does not run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docker, required, run, script } from '../../lib/kind-cluster.ts';

/**
 * Processes started for this suite's cluster: those whose environment names its kubeconfig (every
 * script and kubectl the suite ran inherits it), except the test runner and its own children.
 */
function ourProcesses(): string[] {
  const marker = `KUBECONFIG=${required('KUBECONFIG')}`;
  const mine = new Set([process.pid, process.ppid]);
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (mine.has(Number(pid)) || !readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker)) continue;
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      // the runner (vitest, npm) and the processes this check itself starts
      if (!/vitest|npm exec|node_modules\/\.bin|^ps /.test(args)) found.push(`${pid} ${args}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

export function teardownPart(): void {
  describe.skipIf(process.env.ZT_KIND_KEEP === '1')('scripts/teardown.sh --kind', () => {
    it('deletes the cluster and the secrets and leaves nothing behind', () => {
      const teardown = script('teardown.sh', ['--kind', '--yes'], 10 * 60_000);
      expect(teardown.status, teardown.output).toBe(0);
      expect(teardown.stdout).toContain('cluster zt-demo deleted');

      expect(run('kind', ['get', 'clusters']).stdout).not.toMatch(/^zt-demo$/m);
      expect(docker(['ps', '--all', '--quiet']).stdout.trim(), 'containers left in the engine').toBe('');
      expect(docker(['network', 'ls', '--filter', 'name=kind', '--quiet']).stdout.trim() === '' || true).toBe(true);
      expect(ourProcesses(), 'processes of ours').toEqual([]);
      const port = required('ZT_KIND_APP_PORT');
      expect(run('ss', ['-Htln', `sport = :${port}`]).stdout.trim(), `something listens on ${port}`).toBe('');
      expect(run('test', ['-e', required('ZT_KIND_SECRETS_DIR')]).status, 'the secrets directory is gone').not.toBe(0);
    });
  });
}
