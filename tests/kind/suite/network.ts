/**
 * The network plane: which workload may open a connection to which, read from Hubble (the flow's
 * verdict, its drop reason, its authentication), not only from a timeout. Probes are the real
 * frontend and backend pods, and pods started for the test that borrow an app's labels but not
 * its service account, or live in another namespace.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectl, required } from '../../lib/kind-cluster.ts';
import { BUSYBOX_IMAGE, type Flow, hubbleFlows, podOf, ProbePods } from '../../lib/kind-probes.ts';
import { connectFromApp, type Target, TARGETS } from './connect.ts';

/** Flows from SOURCE (namespace/pod) to TARGET's namespace, waiting until some are recorded. */
async function flowsTo(source: string, target: Target, want: (flows: Flow[]) => boolean): Promise<Flow[]> {
  return eventually(`Hubble flows ${source} -> ${target}`, () => {
    const flows = hubbleFlows(['--from-pod', source, '--to-namespace', TARGETS[target].namespace]).filter((f) => f.port === TARGETS[target].port);
    return want(flows) ? flows : undefined;
  }, 60_000, 3000);
}

const dropped = (flows: Flow[]) => flows.some((f) => f.verdict === 'DROPPED');
const forwarded = (flows: Flow[]) => flows.some((f) => f.verdict === 'FORWARDED');

/** Dropped, and never delivered into the destination pod (a flow may leave its own node first). */
function expectOnlyDropped(flows: Flow[]): void {
  expect(flows.filter((f) => f.verdict === 'DROPPED').length, JSON.stringify(flows.slice(0, 3))).toBeGreaterThan(0);
  expect(flows.filter((f) => f.verdict === 'FORWARDED' && f.point === 'TO_ENDPOINT'), 'none delivered to the destination').toEqual([]);
}

/** Flows kept as evidence for the README (test-results/kind/evidence.json). */
const evidence: Record<string, Flow> = {};

export function networkPart(): void {
  describe('network plane, read from Hubble', () => {
    const probes = new ProbePods('network');
    afterAll(() => {
      probes.deleteAll();
      writeFileSync(join(dirname(required('KUBECONFIG')), 'evidence.json'), `${JSON.stringify(evidence, null, 2)}\n`);
    });

    describe('the real frontend pod', () => {
      let frontend: string;
      beforeAll(() => {
        frontend = `99-apps/${podOf('99-apps', 'deployment/frontend')}`;
      });

      it('reaches the backend, FORWARDED after mutual authentication (auth SPIRE)', async () => {
        expect(connectFromApp('frontend', 'backend').stdout).toContain('connected');
        const flows = await flowsTo(frontend, 'backend', (f) => f.some((x) => x.type === 'policy-verdict' && x.auth === 'SPIRE'));
        const authenticated = flows.filter((f) => f.type === 'policy-verdict' && f.verdict === 'FORWARDED' && f.auth === 'SPIRE');
        expect(authenticated.length).toBeGreaterThan(0);
        evidence['frontend -> backend'] = authenticated[0]!;
      });

      it.each(['openbao', 'postgres'] as const)('cannot reach %s: DROPPED', async (target) => {
        expect(connectFromApp('frontend', target).stdout).not.toContain('connected');
        const flows = await flowsTo(frontend, target, dropped);
        expectOnlyDropped(flows);
        evidence[`frontend -> ${target}`] = flows.find((f) => f.verdict === 'DROPPED')!;
      });
    });

    describe('the real backend pod', () => {
      let backend: string;
      beforeAll(() => {
        backend = `99-apps/${podOf('99-apps', 'deployment/backend')}`;
      });

      it.each(['openbao', 'postgres'] as const)('reaches %s: FORWARDED', async (target) => {
        expect(connectFromApp('backend', target).stdout).toContain('connected');
        const flows = await flowsTo(backend, target, forwarded);
        // A new pair of identities on a new pair of nodes (the backend moved on a rollout) loses its
        // first SYN while the agents authenticate (AUTH_REQUIRED), then gets through; no other drop.
        expect(flows.filter((f) => f.verdict === 'DROPPED' && f.drop_reason !== 'AUTH_REQUIRED')).toEqual([]);
      });

      it("reaches OpenBao only with mutual authentication (the policy verdict's auth is SPIRE)", async () => {
        const flows = await flowsTo(backend, 'openbao', (f) => f.some((x) => x.type === 'policy-verdict'));
        expect(flows.filter((f) => f.type === 'policy-verdict').every((f) => f.auth === 'SPIRE'), JSON.stringify(flows.slice(0, 3))).toBe(true);
      });

      it('resolves names through the cluster DNS: FORWARDED to kube-dns', async () => {
        const lookup = kubectl(['-n', '99-apps', 'exec', backend.split('/')[1]!, '-c', 'backend', '--', 'node', '-e',
          "require('dns').lookup('openbao.openbao.svc.cluster.local',(e,a)=>console.log(e?'error '+e.code:'resolved '+a))"]);
        expect(lookup.stdout).toMatch(/^resolved \d+\.\d+\.\d+\.\d+/m);
        const flows = await eventually('Hubble flows backend -> kube-dns', () => {
          const f = hubbleFlows(['--from-pod', backend, '--to-namespace', 'kube-system', '--port', '53']);
          return f.some((x) => x.verdict === 'FORWARDED') ? f : undefined;
        }, 60_000, 3000);
        expect(flows.some((f) => f.dst.startsWith('kube-system/coredns'))).toBe(true);
      });
    });

    // Pods that borrow an app's labels (so the app's own policy selects them) but run under
    // another service account: the policies admit service accounts, not labels.
    describe.each([
      ['with the frontend\'s labels', '99-apps', 'impostor', { 'app.kubernetes.io/name': 'frontend' }],
      ['with the backend\'s labels', '99-apps', 'impostor', { 'app.kubernetes.io/name': 'backend' }],
      ['in another namespace', 'zt-probe-outside', 'default', { 'app.kubernetes.io/name': 'outsider' }],
    ] as const)('a pod %s', (_what, namespace, serviceAccount, labels) => {
      const results = new Map<Target, { pod: string; output: string }>();
      beforeAll(async () => {
        if (namespace !== '99-apps') probes.namespace(namespace);
        for (const target of Object.keys(TARGETS) as Target[]) {
          const { host, port } = TARGETS[target];
          const pod = probes.start({
            namespace,
            serviceAccount: serviceAccount === 'default' ? undefined : serviceAccount,
            labels,
            image: BUSYBOX_IMAGE,
            command: ['sh', '-c', `if nc -z -w 4 ${host} ${port}; then echo connected; else echo refused; fi`],
          });
          const { output } = await probes.finish(namespace, pod);
          results.set(target, { pod, output });
          kubectl(['-n', namespace, 'delete', 'pod', pod, '--wait=false']);
        }
      }, 300_000);

      it.each(Object.keys(TARGETS) as Target[])('cannot reach %s: DROPPED', async (target) => {
        const { pod, output } = results.get(target)!;
        expect(output).toContain('refused');
        expectOnlyDropped(await flowsTo(`${namespace}/${pod}`, target, dropped));
      });
    });
  });
}
