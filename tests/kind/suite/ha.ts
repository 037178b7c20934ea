/**
 * The shape that lets kind mode lose a pod or a node without a human: three OpenBao servers in
 * one Raft cluster that unseal themselves (static seal from a Secret), two replicas of the backend
 * and of the frontend on different workers, each app with a PodDisruptionBudget, each backend
 * replica with an OpenBao token and database lease of its own, and PostgreSQL as a primary and a
 * synchronous standby (CloudNativePG) on different workers, replicating over TLS with PostgreSQL's
 * own X.509-SVID. The faults part then takes pods away under load.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identity } from '../../lib/identity.ts';
import { bao, eventually, isReady, kubectl, kubectlJson, openbaoInit, podsOf, postgresInstances, postgresStatus, psql, raftServers, required, workerNames } from '../../lib/kind-cluster.ts';
import { backendCallAt } from '../../lib/kind-tls.ts';
import { login } from './faults.ts';

export function haPart(): void {
  describe('replicas: no single pod whose loss stops the app', () => {
    it('runs three OpenBao servers, one per node, in one Raft cluster: three voters, one leader', () => {
      const pods = podsOf('openbao', 'openbao');
      expect(pods.map((pod) => pod.metadata.name).sort()).toEqual(['openbao-0', 'openbao-1', 'openbao-2']);
      expect(pods.filter(isReady)).toHaveLength(3);
      expect(new Set(pods.map((pod) => pod.spec.nodeName)).size).toBe(3);
      const servers = raftServers();
      console.log(`OpenBao Raft peers: ${servers.map((s) => `${s.node_id}${s.leader ? ' (leader)' : ''}`).join(', ')}`);
      expect(servers.map((s) => s.node_id).sort()).toEqual(['openbao-0', 'openbao-1', 'openbao-2']);
      expect(servers.filter((s) => s.leader)).toHaveLength(1);
      expect(servers.every((s) => s.voter)).toBe(true);
      // the leader is the pod the openbao-active Service selects
      const active = kubectlJson<{ items: any[] }>(['-n', 'openbao', 'get', 'pods', '-l', 'app.kubernetes.io/name=openbao,openbao-active=true']).items;
      expect(active.map((pod) => pod.metadata.name)).toEqual(servers.filter((s) => s.leader).map((s) => s.node_id));
    });

    it('unseals with a static key that lives only in the Secret openbao/openbao-seal; setup kept a recovery key, not an unseal key', () => {
      for (const pod of ['openbao-0', 'openbao-1', 'openbao-2']) {
        const status = bao<{ type: string; sealed: boolean; initialized: boolean }>(['status', '-format=json'], pod);
        expect(status, pod).toMatchObject({ type: 'static', sealed: false, initialized: true });
      }
      const key = kubectlJson<any>(['-n', 'openbao', 'get', 'secret', 'openbao-seal']).data.key as string;
      expect(Buffer.from(key, 'base64')).toHaveLength(32);
      const init = openbaoInit();
      expect(init.unseal_keys_b64).toBeUndefined();
      expect(init.recovery_keys_b64).toHaveLength(1);
      // not in .secrets/ either: whoever has the cluster's Secrets has the key, nobody else
      const secretsDir = required('ZT_KIND_SECRETS_DIR');
      for (const file of readdirSync(secretsDir)) {
        const text = readFileSync(join(secretsDir, file));
        expect(text.includes(Buffer.from(key, 'base64')) || text.toString('utf8').includes(key), file).toBe(false);
      }
    });

    it('runs two backend and two frontend replicas, one on each worker, each app with a PodDisruptionBudget', async () => {
      const workers = workerNames();
      expect(workers).toHaveLength(2);
      for (const app of ['backend', 'frontend']) {
        const pods = podsOf('99-apps', app);
        expect(pods.filter(isReady), app).toHaveLength(2);
        expect(pods.map((pod) => pod.spec.nodeName).sort(), app).toEqual(workers);
        // The budget counts a pod of the last rollout until it has stopped (its 5 s drain).
        const pdb = await eventually(`${app}'s budget to count its two replicas`, () => {
          const live = kubectlJson<any>(['-n', '99-apps', 'get', 'pdb', app]);
          return live.status.expectedPods === 2 ? live : undefined;
        }, 60_000, 2000);
        expect(pdb.spec.minAvailable, app).toBe(1);
        expect(pdb.status.disruptionsAllowed, app).toBe(1);
      }
      const openbaoPdb = kubectlJson<any>(['-n', 'openbao', 'get', 'pdb', 'openbao']);
      expect(openbaoPdb.status.expectedPods).toBe(3);
      expect(openbaoPdb.status.disruptionsAllowed).toBe(1);
    });

    it('runs PostgreSQL as a primary and a synchronous standby on different workers, streaming over TLS as PostgreSQL itself', () => {
      const status = postgresStatus();
      const instances = postgresInstances();
      console.log(`PostgreSQL: primary ${status.currentPrimary}, instances ${instances.map((pod) => `${pod.metadata.name}@${pod.spec.nodeName}`).join(', ')} (${status.phase})`);
      expect(status.instances).toBe(2);
      expect(status.readyInstances).toBe(2);
      expect(instances.filter(isReady)).toHaveLength(2);
      expect(instances.map((pod) => pod.spec.nodeName).sort()).toEqual(workerNames());
      // The standby confirms each commit (quorum of one), and connected with TLS 1.3 and the
      // client certificate of PostgreSQL's SPIFFE identity (subject CN = its first DNS name).
      const replication = psql(
        `SELECT r.application_name, r.sync_state, s.ssl, s.version, s.client_dn FROM pg_stat_replication r JOIN pg_stat_ssl s ON s.pid = r.pid;`,
      ).split('\n').filter(Boolean).map((line) => line.split('|'));
      const standby = instances.map((pod) => pod.metadata.name).find((name) => name !== status.currentPrimary);
      expect(replication).toEqual([[standby, 'quorum', 't', 'TLSv1.3', expect.stringMatching(new RegExp(`/CN=${identity.x509Svid.dnsNames.postgres[0]!.replaceAll('.', '\\.')}$`))]]);
      // Clients reach the primary under the name PostgreSQL's certificate carries.
      const service = kubectlJson<any>(['-n', 'data', 'get', 'service', 'postgres']);
      expect(service.spec.selector).toMatchObject({ 'cnpg.io/cluster': 'postgres', 'cnpg.io/instanceRole': 'primary' });
      expect(kubectl(['-n', 'data', 'get', 'pdb', 'postgres-primary']).status).toBe(0);
    });

    it('gives each backend replica its own OpenBao token and database lease, and says which replica answered', () => {
      const token = login('amy', 'amy99');
      const statuses = podsOf('99-apps', 'backend').map((pod) => {
        const answer = backendCallAt(pod, 'GET', '/api/security/status', undefined, token);
        expect(answer.status, JSON.stringify(answer)).toBe(200);
        expect(answer.body.workload.replica).toBe(pod.metadata.name);
        expect(answer.body.workload.spiffe_id).toBe(identity.spiffeIds.backend);
        return answer.body;
      });
      expect(statuses).toHaveLength(2);
      const [a, b] = statuses;
      expect(a.database.username).toMatch(/^v-/);
      expect(b.database.username).toMatch(/^v-/);
      expect(a.database.username).not.toBe(b.database.username);
      expect(a.database.lease_id).not.toBe(b.database.lease_id);
    });
  });
}
