/**
 * Mutual authentication fails closed, and the suite knows exactly when: with Cilium's own SPIRE
 * server scaled to zero, a pair of identities that already authenticated keeps working (the
 * agents hold their SVIDs), a workload with a new identity is refused on every auth-required path
 * (AUTH_REQUIRED drops in Hubble), and once the server is back it gets through without anything
 * being restarted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectl, kubectlJson } from '../../lib/kind-cluster.ts';
import { BUSYBOX_IMAGE, hubbleFlows, podOf, ProbePods } from '../../lib/kind-probes.ts';
import { connectFromApp } from './connect.ts';

const SERVER = ['-n', 'cilium-spire', 'statefulset/spire-server'];
const BACKEND = 'backend.99-apps.svc.cluster.local';

function scaleSpireServer(replicas: number): void {
  const result = kubectl(['scale', ...SERVER, `--replicas=${replicas}`]);
  if (result.status !== 0) throw new Error(result.stderr);
}

/** "<epoch seconds> connected|refused" lines of the probe's log. */
function attempts(namespace: string, pod: string): Array<{ at: number; connected: boolean }> {
  return kubectl(['-n', namespace, 'logs', pod]).stdout
    .split('\n')
    .map((line) => /^(\d+) (connected|refused)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ at: Number(m[1]), connected: m[2] === 'connected' }));
}

export function mutualAuthPart(): void {
  describe("mutual authentication without Cilium's SPIRE server", () => {
    const probes = new ProbePods('mutual-auth');
    let probe: string;
    let restartsBefore: number;
    let scaledUpAt = 0;

    beforeAll(async () => {
      // The frontend and the backend have talked before (setup's smoke test and the demo).
      expect(connectFromApp('frontend', 'backend').stdout).toContain('connected');
      scaleSpireServer(0);
      await eventually('the SPIRE server pod to be gone', () =>
        kubectlJson<{ items: unknown[] }>(['-n', 'cilium-spire', 'get', 'pods', '-l', 'app=spire-server']).items.length === 0 ? true : undefined, 120_000);
    }, 180_000);

    afterAll(() => {
      scaleSpireServer(1);
      probes.deleteAll();
    });

    it('keeps the pair that had authenticated working (frontend -> backend)', () => {
      for (let i = 0; i < 3; i++) expect(connectFromApp('frontend', 'backend').stdout).toContain('connected');
    });

    it('refuses a workload with a new identity on an auth-required path, every time', async () => {
      // Service account frontend (which the backend's policy admits, with mutual auth) and a label
      // no pod had before: a new Cilium identity, for which nobody can issue an SVID now.
      probe = probes.start({
        namespace: '99-apps',
        serviceAccount: 'frontend',
        labels: { 'zt-demo.test/identity': `new-${Date.now().toString(36)}` },
        image: BUSYBOX_IMAGE,
        command: ['sh', '-c', `i=0; while [ $i -lt 200 ]; do if nc -z -w 2 ${BACKEND} 8000; then echo "$(date +%s) connected"; else echo "$(date +%s) refused"; fi; i=$((i+1)); sleep 1; done`],
      });
      const tried = await eventually('ten attempts of the new identity', () => {
        const a = attempts('99-apps', probe);
        return a.length >= 10 ? a : undefined;
      }, 180_000, 3000);
      expect(tried.filter((a) => a.connected)).toEqual([]);
      restartsBefore = kubectlJson<any>(['-n', '99-apps', 'get', 'pod', probe]).status.containerStatuses[0].restartCount;
    }, 240_000);

    it('shows why in Hubble: dropped with AUTH_REQUIRED, never delivered', async () => {
      const flows = await eventually('AUTH_REQUIRED drops', () => {
        const f = hubbleFlows(['--from-pod', `99-apps/${probe}`, '--to-namespace', '99-apps']).filter((x) => x.port === 8000);
        return f.some((x) => x.drop_reason === 'AUTH_REQUIRED') ? f : undefined;
      }, 60_000, 3000);
      expect(flows.filter((f) => f.verdict === 'DROPPED').every((f) => f.drop_reason === 'AUTH_REQUIRED')).toBe(true);
      expect(flows.filter((f) => f.verdict === 'FORWARDED' && f.point === 'TO_ENDPOINT')).toEqual([]);
    });

    it('lets the new identity through once the server is back, restarting nothing', async () => {
      scaleSpireServer(1);
      scaledUpAt = Math.floor(Date.now() / 1000);
      const first = await eventually('the new identity to get through', () =>
        attempts('99-apps', probe).find((a) => a.connected && a.at >= scaledUpAt), 300_000, 3000);
      const pod = kubectlJson<any>(['-n', '99-apps', 'get', 'pod', probe]);
      expect(pod.status.containerStatuses[0].restartCount).toBe(restartsBefore);
      for (const app of ['frontend', 'backend']) expect(podOf('99-apps', `deployment/${app}`)).toBeTruthy();
      console.log(`mutual auth: a new identity got through ${first.at - scaledUpAt}s after Cilium's SPIRE server was scaled back up`);
    }, 360_000);
  });
}
