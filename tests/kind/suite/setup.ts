/**
 * The user's path on a real cluster: setup.sh --kind (with the documented overrides this machine
 * needs), demo.sh --auto --kind through all six parts, a second setup that changes nothing, and
 * setup.sh --kind --fast-rotation with a scheduled rotation in the cluster.
 */
import { isIP } from 'node:net';
import { chromium } from '@playwright/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { identity } from '../../lib/identity.ts';
import { pinned } from '../../lib/versions.ts';
import { appUrl, backendLogEntries, dynamicUsers, eventually, firstSetup, kubectl, kubectlJson, type Run, required, script } from '../../lib/kind-cluster.ts';

export function setupParts(): void {
  describe('scripts/setup.sh --kind, first run', () => {
    let setup: Run;
    beforeAll(() => {
      setup = firstSetup(45 * 60_000);
    }, 46 * 60_000);

    it('exits 0 after all eleven steps', () => {
      expect(setup.status, setup.output).toBe(0);
      for (let n = 1; n <= 11; n++) expect(setup.stdout).toContain(`[${n}/11`);
      expect(setup.stdout).toContain('zt-demo is running on kind.');
      console.log(`setup.sh --kind (first run): ${setup.seconds}s`);
    });

    it('names every override it runs with, so a run with them never looks like the default path', () => {
      expect(setup.stdout).toContain(`override: charts from ${required('ZT_CHART_DIR')}`);
      expect(setup.stdout).toContain(`override: extra Helm values from ${required('ZT_KIND_EXTRA_VALUES')} (cilium.yaml zt-spire.yaml)`);
      expect(setup.stdout).toContain(`override: kind config fields from ${required('ZT_KIND_CONFIG_PATCH')}`);
      expect(setup.stdout).toContain(`override: node image ${required('ZT_KIND_NODE_IMAGE')}`);
    });

    it('built three nodes, all Ready, on the registry-free node image', () => {
      const nodes = kubectlJson<{ items: any[] }>(['get', 'nodes']).items;
      expect(nodes).toHaveLength(3);
      for (const node of nodes) {
        expect(node.status.conditions.find((c: any) => c.type === 'Ready')?.status, node.metadata.name).toBe('True');
        expect(node.status.nodeInfo.kubeletVersion).toBe(`v${pinned('KUBECTL_VERSION')}`);
      }
    });

    it('runs every pod of every namespace, none of them waiting for an image', () => {
      const pods = kubectlJson<{ items: any[] }>(['get', 'pods', '--all-namespaces']).items;
      const notRunning = pods
        .filter((pod) => !['Running', 'Succeeded'].includes(pod.status.phase))
        .map((pod) => `${pod.metadata.namespace}/${pod.metadata.name}: ${pod.status.phase}`);
      expect(notRunning).toEqual([]);
      const waitingForImages = pods.flatMap((pod) =>
        (pod.status.containerStatuses ?? [])
          .filter((c: any) => /Image|ErrImage/.test(c.state?.waiting?.reason ?? ''))
          .map((c: any) => `${pod.metadata.name}/${c.name}: ${c.state.waiting.reason}`),
      );
      expect(waitingForImages).toEqual([]);
      for (const ns of ['kube-system', 'cilium-spire', 'spire-server', 'openbao', 'data', '99-apps']) {
        expect(pods.some((pod) => pod.metadata.namespace === ns), `pods in ${ns}`).toBe(true);
      }
    });

    it('serves the app on the mapped host port', async () => {
      const response = await fetch(`${appUrl()}/login`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('Sign in');
    });

    it("gives the backend the browser's address through the frontend: not the frontend pod's, not one the browser claims", async () => {
      const username = `visitor_${Date.now().toString(36)}`;
      const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
      try {
        const page = await browser.newPage({ extraHTTPHeaders: { 'x-forwarded-for': '203.0.113.9' } });
        await page.goto(`${appUrl()}/login`);
        await page.getByLabel('Username').fill(username);
        await page.getByLabel('Password').fill('not-the-password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('main').getByRole('alert').getByText('Wrong username or password.').waitFor({ timeout: 30_000 });
      } finally {
        await browser.close();
      }
      const event = await eventually('the failed sign-in in the backend log', () =>
        backendLogEntries().find((entry) => entry.event === 'sign_in_failed' && entry.username === username) as { client: string } | undefined,
      60_000);
      const podIps = kubectlJson<{ items: any[] }>(['get', 'pods', '--all-namespaces']).items.flatMap((pod) => (pod.status.podIPs ?? []).map((ip: { ip: string }) => ip.ip));
      console.log(`the backend saw the browser's sign-in from ${event.client}`);
      expect(isIP(event.client), event.client).not.toBe(0);
      expect(event.client).not.toBe('203.0.113.9');
      expect(podIps).not.toContain(event.client);
    });
  });

  describe('scripts/demo.sh --auto --kind', () => {
    let demo: Run;
    beforeAll(() => {
      demo = script('demo.sh', ['--auto', '--kind'], 15 * 60_000);
    }, 16 * 60_000);

    it('walks through all six parts, every check passing', () => {
      expect(demo.status, demo.output).toBe(0);
      for (const n of [1, 2, 3, 4, 5, 6]) expect(demo.stdout).toMatch(new RegExp(`━━ Part ${n} of 6 · `));
      expect(demo.stdout).toMatch(/^Done: \d+ checks passed\.$/m);
      expect(demo.stdout).not.toContain('needs kind mode');
      console.log(`demo.sh --auto --kind: ${demo.seconds}s`);
    });

    it("checked part 5 in Hubble: frontend→OpenBao DROPPED, backend→OpenBao FORWARDED with SPIRE auth", () => {
      expect(demo.stdout).toContain('✓ the frontend cannot reach OpenBao');
      expect(demo.stdout).toContain('✓ Hubble shows frontend -> OpenBao DROPPED');
      expect(demo.stdout).toContain('✓ Hubble shows backend -> OpenBao FORWARDED with SPIRE auth');
    });

    it('ended part 4 with the replicas: two of each app on two nodes, three OpenBao servers, static seal', () => {
      expect(demo.stdout).toContain('✓ two backend replicas are ready, on two nodes');
      expect(demo.stdout).toContain('✓ two frontend replicas are ready, on two nodes');
      expect(demo.stdout).toContain("✓ OpenBao's Raft cluster has three voters and one leader");
      expect(demo.stdout).toContain('✓ OpenBao seals with the static key and is unsealed');
    });

    it('shows no token: no JWT, no OpenBao token', () => {
      expect(demo.output).not.toMatch(/eyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]{6,}/);
      expect(demo.output).not.toMatch(/\bs\.[A-Za-z0-9]{20,}/);
    });
  });

  describe('scripts/setup.sh --kind, second run', () => {
    let again: Run;
    beforeAll(() => {
      again = script('setup.sh', ['--kind'], 20 * 60_000);
    }, 21 * 60_000);

    it('changes nothing and says so', () => {
      expect(again.status, again.output).toBe(0);
      expect(again.stdout).toContain('zt-demo is running on kind (it already was: nothing changed).');
      // No line of a step that acted: installed or upgraded a release, created something,
      // initialised or unsealed OpenBao, enabled an OpenBao mount, built an image.
      expect(again.stdout).not.toMatch(/: (installed|upgraded) \(|\bcreated\b|OpenBao (initialised|unsealed)|: enabled |built$/m);
      console.log(`setup.sh --kind (second run): ${again.seconds}s`);
    });
  });

  describe('scripts/setup.sh --kind --fast-rotation', () => {
    let fast: Run;
    let usersBefore: string[];
    beforeAll(() => {
      usersBefore = dynamicUsers();
      fast = script('setup.sh', ['--kind', '--fast-rotation'], 20 * 60_000);
    }, 21 * 60_000);

    it('rolls the backend out with the fast setting', () => {
      expect(fast.status, fast.output).toBe(0);
      const deployment = kubectlJson<any>(['-n', '99-apps', 'get', 'deployment', 'backend']);
      const env = deployment.spec.template.spec.containers[0].env.find((e: any) => e.name === 'DB_ROTATE_INTERVAL');
      const configMap = kubectlJson<any>(['-n', '99-apps', 'get', 'configmap', env.valueFrom.configMapKeyRef.name]);
      expect(configMap.data.DB_ROTATE_INTERVAL).toBe(identity.database.fastRotation.rotationInterval);
    });

    it('rotates the database credentials on schedule, in the cluster', async () => {
      // The new backend pods start with leases of their own; a scheduled rotation replaces one
      // within a minute (fast rotation) with a database user that did not exist before. Only a
      // rotation *to* a new user counts: one that finished just before the first look (a pod's
      // first rotation, while both replicas were starting) proves nothing.
      const first = await eventually('a new backend with its own database user', () => {
        const users = dynamicUsers();
        return users.length > 0 && users.some((u) => !usersBefore.includes(u)) ? users : undefined;
      }, 180_000);
      const rotation = await eventually('a scheduled rotation to a new database user', () =>
        backendLogEntries().find((entry) => entry.event === 'rotation_finished' && entry.reason === 'scheduled' && !first.includes(entry.to)),
      200_000, 5000);
      // the user it rotated to exists in PostgreSQL (replaced again only a minute later)
      expect(dynamicUsers(), `users before ${first}`).toContain(rotation.to);
    }, 420_000);

    it('goes back to the default setting on the next run without the flag', () => {
      const back = script('setup.sh', ['--kind'], 20 * 60_000);
      expect(back.status, back.output).toBe(0);
      expect(back.stdout).toContain(`default TTL ${identity.database.defaultTtl}`);
      const deployment = kubectlJson<any>(['-n', '99-apps', 'get', 'deployment', 'backend']);
      const env = deployment.spec.template.spec.containers[0].env.find((e: any) => e.name === 'DB_ROTATE_INTERVAL');
      const configMap = kubectlJson<any>(['-n', '99-apps', 'get', 'configmap', env.valueFrom.configMapKeyRef.name]);
      expect(configMap.data.DB_ROTATE_INTERVAL).toBe(identity.database.rotationInterval);
    }, 21 * 60_000);
  });
}
