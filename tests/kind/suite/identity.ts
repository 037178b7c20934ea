/**
 * The identity plane in the cluster: what SPIRE hands out through the CSI socket, to whom, and
 * what OpenBao accepts. Pods started for the test run the SPIRE agent's CLI against the Workload
 * API socket the SPIFFE CSI driver mounts, exactly as the backend's own client does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identity } from '../../lib/identity.ts';
import { pinned } from '../../lib/versions.ts';
import { jwtClaims, openbaoLogin, ProbePods, spireServer } from '../../lib/kind-probes.ts';
import { kubectl, kubectlJson } from '../../lib/kind-cluster.ts';

const audience = identity.jwtSvid.audience;
const backendId = identity.spiffeIds.backend;
const frontendId = identity.spiffeIds.frontend;

export function identityPart(): void {
  describe('identity plane', () => {
    const probes = new ProbePods('identity');
    afterAll(() => probes.deleteAll());

    describe("the backend pod's own JWT-SVID", () => {
      let svids: Array<{ spiffeId: string; svid: string }>;
      let claims: Record<string, unknown>;
      beforeAll(() => {
        svids = probes.svidsOfBackend(audience);
        claims = jwtClaims(svids[0]?.svid ?? '');
      });

      it('is the one identity the agent gives the backend container', () => {
        expect(svids.map((s) => s.spiffeId)).toEqual([backendId]);
      });

      it(`has sub ${backendId} and aud ${audience}`, () => {
        expect(claims.sub).toBe(backendId);
        expect([claims.aud].flat()).toEqual([audience]);
      });

      it("is signed by the project's SPIRE (issuer of the trust domain), and short-lived", () => {
        expect(claims.iss).toBe(`https://oidc-discovery.${identity.trustDomain}`);
        expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(3600);
      });
    });

    describe('a pod in 99-apps with the backend\'s labels but its own service account', () => {
      let result: { svid?: string; output: string };
      beforeAll(async () => {
        result = await probes.fetchSvidAs('99-apps', 'impostor', { 'app.kubernetes.io/name': 'backend' }, audience);
      }, 240_000);

      it("gets no SVID with the backend's SPIFFE ID", () => {
        const sub = result.svid ? jwtClaims(result.svid).sub : undefined;
        expect(sub, result.output).not.toBe(backendId);
      });

      it('gets a SPIFFE ID named after its own service account, or none at all', () => {
        const sub = result.svid ? jwtClaims(result.svid).sub : undefined;
        expect([undefined, `spiffe://${identity.trustDomain}/ns/99-apps/sa/impostor`]).toContain(sub);
      });
    });

    describe('OpenBao', () => {
      it("accepts a JWT-SVID of the backend for audience openbao (the control: the login path works)", async () => {
        const login = await openbaoLogin(spireServer(['jwt', 'mint', '-spiffeID', backendId, '-audience', audience]));
        expect(login.status, login.text).toBe(200);
        expect(login.body.auth.policies).toContain(identity.openbao.policy);
      });

      it("refuses a JWT-SVID of the frontend", async () => {
        const login = await openbaoLogin(spireServer(['jwt', 'mint', '-spiffeID', frontendId, '-audience', audience]));
        expect(login.status).toBe(400);
        expect(login.text).toMatch(/sub|subject/i);
      });

      it('refuses a JWT-SVID of the backend minted for another audience', async () => {
        const login = await openbaoLogin(spireServer(['jwt', 'mint', '-spiffeID', backendId, '-audience', 'not-openbao']));
        expect(login.status).toBe(400);
        expect(login.text).toMatch(/aud/i);
      });
    });

    describe('the backend holds no static secret', () => {
      let pod: any;
      beforeAll(() => {
        pod = kubectlJson<{ items: any[] }>(['-n', '99-apps', 'get', 'pods', '-l', 'app.kubernetes.io/name=backend']).items[0];
      });

      it('has no Secret in its environment', () => {
        for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
          expect(container.envFrom?.filter((e: any) => e.secretRef) ?? [], container.name).toEqual([]);
          expect(container.env?.filter((e: any) => e.valueFrom?.secretKeyRef) ?? [], container.name).toEqual([]);
        }
      });

      it('mounts no volume besides the SPIFFE CSI socket (no Secret, no service account token)', () => {
        expect(pod.spec.automountServiceAccountToken).toBe(false);
        const volumes = pod.spec.volumes.map((v: any) => Object.keys(v).filter((k) => k !== 'name')[0]);
        expect(pod.spec.volumes.filter((v: any) => v.secret || v.projected)).toEqual([]);
        expect(pod.spec.volumes.filter((v: any) => v.csi).map((v: any) => v.csi.driver)).toEqual(['csi.spiffe.io']);
        expect(volumes.every((kind: string) => ['csi', 'emptyDir', 'configMap'].includes(kind)), volumes.join(',')).toBe(true);
      });

      it('runs the image built from this clone, on the pinned Node.js', () => {
        const image: string = pod.spec.containers[0].image;
        expect(image).toMatch(/^zt-demo\/backend:[0-9a-f]{12}/);
        const version = kubectl(['-n', '99-apps', 'exec', pod.metadata.name, '-c', 'backend', '--', 'node', '--version']).stdout.trim();
        expect(version).toBe(`v${pinned('NODE_VERSION')}`);
      });
    });
  });
}
