/**
 * The kind-mode files agree with each other and with the identity facts: selectors select the
 * pods they mean, ports and addresses lead somewhere, the network policies allow exactly the
 * intended flows (with mutual authentication where secrets travel), SPIRE issues the SPIFFE IDs
 * OpenBao binds, images are the pinned ones, the app pods are locked down, and PostgreSQL's
 * bootstrap is wired to the files and Secret keys that exist.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { ICiliumNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy';
import type { IEgressRule } from '@kubernetes-models/cilium/policy/api/EgressRule';
import type { IEndpointSelector } from '@kubernetes-models/cilium/policy/api/EndpointSelector';
import type { IIngressRule } from '@kubernetes-models/cilium/policy/api/IngressRule';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../lib/dockerfile.ts';
import { identity } from '../lib/identity.ts';
import {
  CILIUM_NAMESPACE_LABEL,
  CILIUM_SERVICE_ACCOUNT_LABEL,
  ciliumMatchLabels,
  ClusterModel,
  containerPortFor,
  manifestsOf,
  onlyDocument,
  selectorMatches,
  type Workload,
} from '../lib/k8s/cluster.ts';
import { loadRepoDocuments } from '../lib/k8s/manifests.ts';
import type { CiliumValues, ClusterSPIFFEID, CnpgCluster, KindCluster, Kustomization, OpenBaoValues, SpireValues } from '../lib/k8s/types.ts';
import { repoPath } from '../lib/repo.ts';
import { pinned, versions } from '../lib/versions.ts';

const read = (path: string): string => readFileSync(repoPath(path), 'utf8');
const documents = loadRepoDocuments();
const cluster = new ClusterModel(documents);

function single<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0]!;
}

const deployments = manifestsOf<IDeployment>(documents, 'apps/v1', 'Deployment');
const statefulSets = manifestsOf<IStatefulSet>(documents, 'apps/v1', 'StatefulSet');
const services = manifestsOf<IService>(documents, 'v1', 'Service');
const policies = manifestsOf<ICiliumNetworkPolicy>(documents, 'cilium.io/v2', 'CiliumNetworkPolicy');
const clusterSpiffeIds = manifestsOf<ClusterSPIFFEID>(documents, 'spire.spiffe.io/v1alpha1', 'ClusterSPIFFEID');
const kindConfig = onlyDocument<KindCluster>(documents, 'kind-config.yaml');
const spireValues = onlyDocument<SpireValues>(documents, 'infrastructure/spire/values.yaml');
const openbaoValues = onlyDocument<OpenBaoValues>(documents, 'infrastructure/openbao/values.yaml');

const deployment = (name: string): IDeployment => single(deployments.filter((d) => d.value.metadata?.name === name), `Deployment ${name}`).value;
const policy = (name: string): ICiliumNetworkPolicy => single(policies.filter((p) => p.value.metadata.name === name), `policy ${name}`).value;
const postgres = single(manifestsOf<CnpgCluster>(documents, 'postgresql.cnpg.io/v1', 'Cluster'), "PostgreSQL's Cluster").value;
const onlyContainer = (workload: IDeployment | IStatefulSet): IContainer => single(workload.spec!.template.spec!.containers, 'container');

/** The literal value of an environment variable (not valueFrom). */
function env(container: IContainer, name: string): string {
  const found = single((container.env ?? []).filter((e) => e.name === name), `env ${name} in ${container.name}`);
  if (found.value === undefined) throw new Error(`env ${name} in ${container.name} has no literal value`);
  return found.value;
}

const backend = cluster.workload('99-apps', 'backend');
const frontend = cluster.workload('99-apps', 'frontend');
const openbao = cluster.workload('openbao', 'openbao');
const postgresPods = cluster.workload('data', 'postgres');
const kubeDns = cluster.workload('kube-system', 'coredns');
const appWorkloads = cluster.repoWorkloads.filter((w) => w.namespace === '99-apps');

describe('names', () => {
  it('names every namespace with a DNS-1123 label', () => {
    const names = new Set([
      ...manifestsOf<INamespace>(documents, 'v1', 'Namespace').map((n) => n.value.metadata!.name!),
      ...documents.map((doc) => (doc.value as { metadata?: { namespace?: string } } | null)?.metadata?.namespace).filter((n) => n !== undefined),
    ]);
    expect([...names].sort()).toEqual(['99-apps', 'data', 'openbao']);
    expect([...names].filter((name) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63)).toEqual([]);
  });

  it('names every Service with a DNS-1035 label', () => {
    const names = services.map((s) => s.value.metadata!.name!);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63)).toEqual([]);
  });
});

describe('workloads and Services', () => {
  it('selects its own pod template, and nothing broader, in every Deployment and StatefulSet', () => {
    const workloads = [...deployments, ...statefulSets];
    expect(workloads).toHaveLength(3);
    const wrong = workloads.filter(({ value }) => {
      const { selector, template } = value.spec!;
      const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && !selector.matchExpressions?.length;
      return empty || !selectorMatches(selector, template.metadata?.labels ?? {});
    });
    expect(wrong.map((w) => w.file)).toEqual([]);
  });

  it('points every Service at exactly one workload in its namespace', () => {
    const targets = Object.fromEntries(cluster.services.map((s) => [`${s.namespace}/${s.name}`, cluster.serviceTargets(s).map((w) => w.name)]));
    expect(targets).toEqual({ '99-apps/backend': ['backend'], '99-apps/frontend': ['frontend'], 'data/postgres': ['postgres'], 'openbao/openbao': ['openbao'] });
  });

  it('sends every Service port to a container port of that workload', () => {
    const dangling = cluster.services.flatMap((service) => {
      const [target] = cluster.serviceTargets(service);
      return service.ports
        .filter((port) => !target || !containerPortFor(target, port.targetPort))
        .map((port) => `${service.namespace}/${service.name} port ${port.port} -> ${port.targetPort}`);
    });
    expect(dangling).toEqual([]);
  });

  it("reaches PostgreSQL's primary through the operator's read-write Service, under the name its certificate carries", () => {
    const additional = single(postgres.spec.managed?.services?.additional ?? [], 'additional Service');
    expect(additional.selectorType).toBe('rw');
    const service = cluster.serviceByHost(identity.x509Svid.dnsNames.postgres[0]!)!;
    expect(service).toBeDefined();
    expect(service.name).toBe(additional.serviceTemplate.metadata?.name);
    expect(service.selector).toEqual({ 'cnpg.io/cluster': postgres.metadata.name, 'cnpg.io/instanceRole': 'primary' });
  });

  it('publishes the frontend NodePort on localhost:3000 through a kind port mapping', () => {
    const service = single(services.filter((s) => s.value.metadata?.name === 'frontend'), 'frontend Service').value;
    expect(service.spec?.type).toBe('NodePort');
    const nodePort = single(service.spec!.ports!.filter((p) => p.nodePort !== undefined), 'node port').nodePort!;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    const mapping = single((kindConfig.nodes ?? []).flatMap((n) => n.extraPortMappings ?? []).filter((m) => m.containerPort === nodePort), 'port mapping');
    expect(mapping).toMatchObject({ hostPort: 3000, listenAddress: '127.0.0.1' });
  });
});

// ---------------------------------------------------------------------------------------------
// Cilium network policies

type Rule = IIngressRule | IEgressRule;
interface RuleAt {
  policy: string;
  namespace: string;
  direction: 'ingress' | 'egress';
  index: number;
  rule: Rule;
  /** fromEndpoints or toEndpoints. */
  endpoints: IEndpointSelector[];
}

const rulesOf = (p: ICiliumNetworkPolicy): RuleAt[] => {
  const about = { policy: p.metadata.name!, namespace: p.metadata.namespace! };
  return [
    ...(p.spec?.ingress ?? []).map((rule, index) => ({ ...about, direction: 'ingress' as const, index, rule, endpoints: rule.fromEndpoints ?? [] })),
    ...(p.spec?.egress ?? []).map((rule, index) => ({ ...about, direction: 'egress' as const, index, rule, endpoints: rule.toEndpoints ?? [] })),
  ];
};
const allRules = policies.flatMap((p) => rulesOf(p.value));
const where = (r: RuleAt): string => `${r.policy} ${r.direction}[${r.index}]`;
const selectedBy = (p: ICiliumNetworkPolicy): Workload[] => cluster.ciliumSelected(p.spec!.endpointSelector!, p.metadata.namespace!);
const peersOf = (r: RuleAt): Workload[] => r.endpoints.flatMap((selector) => cluster.ciliumSelected(selector, r.namespace));

/** Peers other than endpoints: they carry no workload identity, so mutual auth cannot apply. */
const NON_ENDPOINT_PEERS = ['fromEntities', 'toEntities', 'fromCIDR', 'fromCIDRSet', 'toCIDR', 'toCIDRSet', 'toFQDNs', 'toServices', 'fromNodes', 'toNodes', 'fromGroups', 'toGroups', 'fromRequires', 'toRequires'];
const nonEndpointPeers = (rule: Rule): string[] => NON_ENDPOINT_PEERS.filter((key) => key in rule);

/** The ports of a rule as `port/protocol`, protocol defaulting to ANY as in Cilium. */
const portsOf = (rule: Rule): { port: string; protocol: string }[] =>
  (rule.toPorts ?? []).flatMap((pr) => (pr.ports ?? []).map((p) => ({ port: p.port ?? '0', protocol: p.protocol ?? 'ANY' })));

const hasPort = (workload: Workload, { port, protocol }: { port: string; protocol: string }): boolean =>
  workload.ports.some((p) => (/^\d+$/.test(port) ? p.port === Number(port) : p.name === port) && (protocol === 'ANY' || p.protocol === protocol));

const isDnsRule = (rule: Rule): boolean => (rule.toPorts ?? []).some((pr) => (pr.rules?.dns ?? []).length > 0);

describe('Cilium network policies', () => {
  it('selects a real workload with every endpointSelector, and each app workload with exactly one policy', () => {
    expect(policies.map((p) => `${p.value.metadata.name}: ${selectedBy(p.value).map((w) => w.name).join(',')}`).sort()).toEqual([
      'backend: backend',
      'frontend: frontend',
      'openbao: openbao',
      'postgres-certificates: postgres-certificates',
      'postgres: postgres',
    ]);
  });

  it('selects at least one workload with every fromEndpoints, toEndpoints and egressDeny selector', () => {
    const empty = [
      ...allRules.flatMap((r) => r.endpoints.filter((s) => cluster.ciliumSelected(s, r.namespace).length === 0).map((s) => `${where(r)} ${JSON.stringify(s.matchLabels)}`)),
      ...policies.flatMap(({ value: p }) =>
        (p.spec?.egressDeny ?? []).flatMap((rule) => (rule.toEndpoints ?? []).filter((s) => cluster.ciliumSelected(s, p.metadata.namespace!).length === 0).map((s) => `${p.metadata.name} egressDeny ${JSON.stringify(s.matchLabels)}`)),
      ),
    ];
    expect(empty).toEqual([]);
  });

  it('opens to ingress only container ports of the workload the policy protects', () => {
    const wrong = allRules
      .filter((r) => r.direction === 'ingress')
      .flatMap((r) => {
        const protectedPods = selectedBy(policy(r.policy));
        return portsOf(r.rule).filter((port) => !protectedPods.every((w) => hasPort(w, port))).map((port) => `${where(r)} ${port.port}/${port.protocol}`);
      });
    expect(allRules.some((r) => r.direction === 'ingress' && portsOf(r.rule).length > 0)).toBe(true);
    expect(wrong).toEqual([]);
  });

  it('opens egress toward endpoints only on container ports of the workloads they select', () => {
    const toEndpoints = allRules.filter((r) => r.direction === 'egress' && r.endpoints.length > 0);
    const wrong = toEndpoints.flatMap((r) => {
      const peers = peersOf(r);
      return portsOf(r.rule).filter((port) => !peers.every((w) => hasPort(w, port))).map((port) => `${where(r)} ${port.port}/${port.protocol}`);
    });
    expect(toEndpoints.length).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });

  it('requires mutual authentication only between workloads, never toward DNS, kube-system, SPIRE or the API server', () => {
    const authenticated = allRules.filter((r) => r.rule.authentication !== undefined);
    const noIdentityNamespaces = ['kube-system', 'spire-server'];
    const wrong = authenticated.flatMap((r) => {
      const problems: string[] = [];
      if (r.rule.authentication!.mode !== 'required') problems.push(`mode ${r.rule.authentication!.mode}`);
      if (r.endpoints.length === 0) problems.push('no fromEndpoints/toEndpoints');
      problems.push(...nonEndpointPeers(r.rule).map((key) => `with ${key}`));
      const namespaces = [
        ...r.endpoints.map((s) => ciliumMatchLabels(s)[CILIUM_NAMESPACE_LABEL]).filter((ns) => ns !== undefined),
        ...peersOf(r).map((w) => w.namespace),
      ];
      problems.push(...namespaces.filter((ns) => noIdentityNamespaces.includes(ns)).map((ns) => `toward ${ns}`));
      if (isDnsRule(r.rule)) problems.push('on a DNS rule');
      return problems.map((problem) => `${where(r)}: ${problem}`);
    });
    expect(authenticated.length).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });

  it('requires mutual authentication on both ends of frontend -> backend and backend -> OpenBao', () => {
    const authenticates = (direction: 'ingress' | 'egress', self: Workload, peer: Workload): boolean =>
      allRules.some(
        (r) =>
          r.direction === direction &&
          r.rule.authentication?.mode === 'required' &&
          selectedBy(policy(r.policy)).includes(self) &&
          peersOf(r).includes(peer),
      );
    const hops = [
      [frontend, backend],
      [backend, openbao],
    ] as const;
    expect(hops.map(([client, server]) => [client.name, server.name, authenticates('egress', client, server), authenticates('ingress', server, client)])).toEqual([
      ['frontend', 'backend', true, true],
      ['backend', 'openbao', true, true],
    ]);
  });

  it('lets every policy with egress rules resolve names through the DNS proxy', () => {
    const withEgress = policies.filter((p) => (p.value.spec?.egress ?? []).length > 0);
    expect(withEgress.length).toBeGreaterThan(0);
    const withoutDns = withEgress.filter(({ value: p }) =>
      !rulesOf(p).some(
        (r) => r.direction === 'egress' && isDnsRule(r.rule) && peersOf(r).includes(kubeDns) && portsOf(r.rule).some((port) => port.port === '53' && ['ANY', 'UDP'].includes(port.protocol)),
      ),
    );
    expect(withoutDns.map((p) => p.value.metadata.name)).toEqual([]);
  });

  it("lets the DNS proxy see every name a toFQDNs rule allows, in the same policy", () => {
    // Cilium learns an FQDN's addresses only from DNS answers its proxy sees for that endpoint.
    const pattern = (glob: string): RegExp =>
      glob === '*' ? /^.*$/ : new RegExp(`^${glob.split('*').map((part) => part.replace(/[.]/g, '\\.')).join('[-a-zA-Z0-9_]*')}\\.?$`);
    const fqdnRules = allRules.filter((r) => 'toFQDNs' in r.rule);
    expect(fqdnRules.length).toBeGreaterThan(0);
    const unseen = fqdnRules.flatMap((r) => {
      const dnsPatterns = rulesOf(policy(r.policy))
        .flatMap((other) => (other.rule.toPorts ?? []).flatMap((pr) => pr.rules?.dns ?? []))
        .map((dns) => pattern(dns.matchPattern ?? dns.matchName ?? ''));
      return ((r.rule as IEgressRule).toFQDNs ?? [])
        .map((fqdn) => fqdn.matchName ?? fqdn.matchPattern ?? '')
        .filter((name) => !dnsPatterns.some((p) => p.test(name.replace(/\*/g, 'x'))))
        .map((name) => `${where(r)} ${name}`);
    });
    expect(unseen).toEqual([]);
  });

  it('denies the frontend any traffic to the namespaces of OpenBao and PostgreSQL', () => {
    const deny = policy('frontend').spec!.egressDeny ?? [];
    const deniedNamespaces = deny
      .filter((rule) => rule.toPorts === undefined) // all ports
      .flatMap((rule) => rule.toEndpoints ?? [])
      .map((selector) => ciliumMatchLabels(selector))
      .filter((labels) => Object.keys(labels).length === 1)
      .map((labels) => labels[CILIUM_NAMESPACE_LABEL]);
    expect(deniedNamespaces).toEqual(expect.arrayContaining(['openbao', 'data']));
    expect(deniedNamespaces).toEqual(expect.arrayContaining([openbao.namespace, postgresPods.namespace]));
  });

  /** Who may connect to a policy's pods: workloads selected by service account or labels, and nothing else. */
  const ingressFrom = (name: string): { peers: string[]; nonEndpointPeers: string[] } => {
    const rules = rulesOf(policy(name)).filter((r) => r.direction === 'ingress');
    return {
      peers: [...new Set(rules.flatMap((r) => peersOf(r).map((w) => `${w.namespace}/${w.name}`)))].sort(),
      nonEndpointPeers: rules.flatMap((r) => nonEndpointPeers(r.rule)),
    };
  };

  it('lets only the frontend, by its service account, into the backend', () => {
    expect(ingressFrom('backend')).toEqual({ peers: ['99-apps/frontend'], nonEndpointPeers: [] });
    const selectors = rulesOf(policy('backend')).filter((r) => r.direction === 'ingress').flatMap((r) => r.endpoints.map(ciliumMatchLabels));
    expect(selectors).toEqual([{ [CILIUM_NAMESPACE_LABEL]: '99-apps', [CILIUM_SERVICE_ACCOUNT_LABEL]: frontend.serviceAccountName }]);
  });

  it("leaves whom the backend admits, and whose forwarded addresses it believes, to SPIFFE IDs: the frontend's alone", () => {
    const names = (onlyContainer(deployment('backend')).env ?? []).map((e) => e.name);
    // no setting widens it: API_CLIENT_SPIFFE_IDS defaults to identity.json's apiClients
    expect(names).not.toContain('API_CLIENT_SPIFFE_IDS');
    expect(names).not.toContain('TRUSTED_PROXIES');
    expect(identity.x509Svid.apiClients).toEqual(['frontend']);
    expect(ingressFrom('backend')).toEqual({ peers: ['99-apps/frontend'], nonEndpointPeers: [] });
  });

  it("lets only the backend (by its service account) into OpenBao's API, and its own peers onto the API and cluster ports", () => {
    expect(ingressFrom('openbao')).toEqual({ peers: ['99-apps/backend', 'openbao/openbao'], nonEndpointPeers: [] });
    const ingress = rulesOf(policy('openbao')).filter((r) => r.direction === 'ingress');
    const fromBackend = ingress.filter((r) => peersOf(r).some((w) => w.name === 'backend'));
    expect(fromBackend.flatMap((r) => r.endpoints.map(ciliumMatchLabels)).every((s) => s[CILIUM_SERVICE_ACCOUNT_LABEL] === backend.serviceAccountName)).toBe(true);
    expect(fromBackend.flatMap((r) => portsOf(r.rule).map((p) => p.port))).toEqual(['8200']);
    // the peer rule selects OpenBao's servers within their own namespace: no other pod gets in
    const fromPeers = ingress.filter((r) => peersOf(r).every((w) => w.name === 'openbao'));
    expect(fromPeers.flatMap((r) => r.endpoints.map(ciliumMatchLabels))).toEqual([{ 'app.kubernetes.io/name': 'openbao', component: 'server' }]);
    expect(fromPeers.flatMap((r) => portsOf(r.rule).map((p) => p.port)).sort()).toEqual(['8200', '8201']);
  });

  it('lets only the backend (by its service account), OpenBao, its own instances and the operator (status port only) into PostgreSQL', () => {
    expect(ingressFrom('postgres')).toEqual({ peers: ['99-apps/backend', 'cnpg-system/cnpg-controller-manager', 'data/postgres', 'openbao/openbao'], nonEndpointPeers: [] });
    const selectors = rulesOf(policy('postgres')).flatMap((r) => r.endpoints.map(ciliumMatchLabels));
    expect(selectors).toContainEqual({ [CILIUM_NAMESPACE_LABEL]: '99-apps', [CILIUM_SERVICE_ACCOUNT_LABEL]: backend.serviceAccountName });
    const ingress = rulesOf(policy('postgres')).filter((r) => r.direction === 'ingress');
    const portsFrom = (peer: string) => ingress.filter((r) => peersOf(r).some((w) => `${w.namespace}/${w.name}` === peer)).flatMap((r) => portsOf(r.rule).map((p) => p.port));
    expect(portsFrom('cnpg-system/cnpg-controller-manager')).toEqual(['8000']);
    expect(portsFrom('99-apps/backend')).toEqual(['5432']);
    expect(policy('postgres').spec!.enableDefaultDeny).toEqual({ ingress: true, egress: true });
  });

  it('lets PostgreSQL out only to its own instances (replication), the Kubernetes API and DNS', () => {
    const egress = policy('postgres').spec!.egress ?? [];
    const peers = rulesOf(policy('postgres')).filter((r) => r.direction === 'egress').flatMap((r) => peersOf(r).map((w) => `${w.namespace}/${w.name}`));
    expect(peers.sort()).toEqual(['data/postgres', 'kube-system/coredns']);
    expect(egress.flatMap((rule) => rule.toEntities ?? [])).toEqual(['kube-apiserver']);
    expect(egress.filter((rule) => rule.toCIDR ?? rule.toCIDRSet ?? rule.toFQDNs ?? rule.toServices)).toEqual([]);
  });

  it('lets postgres-certificates out to the Kubernetes API and DNS only, and nothing in', () => {
    const spec = policy('postgres-certificates').spec!;
    expect(spec.enableDefaultDeny).toEqual({ ingress: true, egress: true });
    expect(spec.ingress ?? []).toEqual([]);
    expect((spec.egress ?? []).flatMap((rule) => rule.toEntities ?? [])).toEqual(['kube-apiserver']);
    const peers = rulesOf(policy('postgres-certificates')).filter((r) => r.direction === 'egress').flatMap((r) => peersOf(r).map((w) => `${w.namespace}/${w.name}`));
    expect(peers).toEqual(['kube-system/coredns']);
  });
});

// ---------------------------------------------------------------------------------------------
// SPIRE identities and the OpenBao role that trusts them

/** Renders the Go template fields a ClusterSPIFFEID's spiffeIDTemplate may use here; others throw. */
function renderSpiffeIdTemplate(template: string, fields: Record<string, string>): string {
  return template.replace(/\{\{\s*\.([\w.]+)\s*\}\}/g, (_, field: string) => {
    const value = fields[field];
    if (value === undefined) throw new Error(`template field .${field} is not modelled`);
    return value;
  });
}

describe('SPIRE identities', () => {
  const spire = spireValues.global!.spire!;
  const controllerManager = spireValues['spire-server']!.controllerManager!;

  it('runs the trust domain of identity.json, with the issuer OpenBao expects', () => {
    expect(spire.trustDomain).toBe(identity.trustDomain);
    expect(spire.jwtIssuer).toBe(`https://oidc-discovery.${identity.trustDomain}`);
  });

  it('registers exactly the four ClusterSPIFFEIDs of the workloads and no catch-all identity from the chart', () => {
    expect(clusterSpiffeIds.map((c) => c.value.metadata.name).sort()).toEqual(['zt-demo-backend', 'zt-demo-frontend', 'zt-demo-openbao', 'zt-demo-postgres']);
    expect(controllerManager.identities?.clusterSPIFFEIDs?.default?.enabled).toBe(false);
  });

  it("puts the ClusterSPIFFEIDs in the class the project's controller manager reconciles", () => {
    expect(controllerManager.className).toBeTruthy();
    expect(new Set(clusterSpiffeIds.map((c) => c.value.spec.className))).toEqual(new Set([controllerManager.className]));
  });

  it('gives the backend, frontend, OpenBao and PostgreSQL pods exactly the SPIFFE IDs of identity.json', () => {
    const issued = Object.fromEntries(
      clusterSpiffeIds.map(({ value: { metadata, spec } }) => {
        const pods = cluster.workloads.filter(
          (w) => selectorMatches(spec.podSelector, w.podLabels) && selectorMatches(spec.namespaceSelector, cluster.namespaceLabels(w.namespace)),
        );
        const pod = single(pods, `workload selected by ClusterSPIFFEID ${metadata.name}`);
        const id = renderSpiffeIdTemplate(spec.spiffeIDTemplate, {
          TrustDomain: spire.trustDomain!,
          'PodMeta.Namespace': pod.namespace,
          'PodSpec.ServiceAccountName': pod.serviceAccountName!,
        });
        // postgres-certificates holds PostgreSQL's identity for CloudNativePG's instances.
        return [pod.name === 'postgres-certificates' ? 'postgres' : pod.name, id];
      }),
    );
    expect(issued).toEqual(identity.spiffeIds);
  });

  it('issues JWT-SVIDs and X.509-SVIDs with the lifetimes of identity.json', () => {
    expect(new Set(clusterSpiffeIds.map((c) => c.value.spec.jwtTtl))).toEqual(new Set([identity.jwtSvid.ttl]));
    expect(new Set(clusterSpiffeIds.map((c) => c.value.spec.ttl))).toEqual(new Set([identity.x509Svid.ttl]));
    // setup.sh puts ZT_X509_SVID_TTL in place of exactly these lines
    expect(read('infrastructure/spire/clusterspiffeids.yaml').match(/^  ttl: .*$/gm)).toHaveLength(clusterSpiffeIds.length);
  });

  it("puts the DNS names of identity.json into each workload's X.509-SVID, and none into the frontend's", () => {
    const dnsOf = Object.fromEntries(clusterSpiffeIds.map(({ value }) => [value.spec.hint, value.spec.dnsNameTemplates ?? []]));
    expect(dnsOf).toEqual({ ...identity.x509Svid.dnsNames, frontend: [] });
    // each name but localhost is the Service its clients dial
    for (const [name, dnsNames] of Object.entries(identity.x509Svid.dnsNames)) {
      for (const host of dnsNames.filter((h) => h !== 'localhost' && h.endsWith('.svc.cluster.local'))) {
        expect(cluster.serviceByHost(host), `${name}: ${host}`).toBeDefined();
      }
    }
  });
});

describe('the OpenBao JWT role', () => {
  it("binds the backend's SPIFFE ID and the JWT-SVID audience, as configure.sh builds it from identity.json", () => {
    const configure = read('infrastructure/openbao/configure.sh');
    const role = /bao_api POST "auth\/\$ZT_BAO_JWT_MOUNT\/role\/\$ZT_BAO_JWT_ROLE" "\$\(jq -n([\s\S]*?)\}'\)"/.exec(configure)?.[1];
    expect(role).toBeDefined();
    expect(role).toMatch(/--arg sub "\$ZT_BACKEND_SPIFFE_ID"/);
    expect(role).toMatch(/bound_subject: \$sub[,\s]/);
    expect(role).toMatch(/--arg aud "\$ZT_JWT_AUDIENCE"/);
    expect(role).toMatch(/bound_audiences: \[\$aud\]/);
    expect(role).toMatch(/role_type: "jwt"/);
    // ...and those variables are the identity facts.
    const identitySh = read('scripts/lib/identity.sh');
    expect(identitySh).toMatch(/ZT_BACKEND_SPIFFE_ID: \.spiffeIds\.backend,/);
    expect(identitySh).toMatch(/ZT_JWT_AUDIENCE: \.jwtSvid\.audience,/);
  });

  it('is what the backend asks for: its own SPIFFE ID and the same audience fact', () => {
    const config = read('backend/src/config/config.ts');
    expect(config).toMatch(/spiffeId: facts\.spiffeIds\.backend\b/);
    expect(config).toMatch(/audience: facts\.jwtSvid\.audience\b/);
  });
});

// ---------------------------------------------------------------------------------------------
// How the apps find their dependencies

describe('the backend Deployment', () => {
  const container = onlyContainer(deployment('backend'));
  const podSpec = backend.podSpec!;

  it('reaches the SPIRE agent through a read-only SPIFFE CSI volume, without hostPath', () => {
    const socket = env(container, 'SPIFFE_ENDPOINT_SOCKET');
    expect(socket).toMatch(/^unix:\/\/\//);
    const path = socket.slice('unix://'.length);
    const mount = single((container.volumeMounts ?? []).filter((m) => path.startsWith(`${m.mountPath}/`)), `volume mount holding ${path}`);
    expect(mount.readOnly).toBe(true);
    const volume = single((podSpec.volumes ?? []).filter((v) => v.name === mount.name), `volume ${mount.name}`);
    expect(volume.csi).toEqual({ driver: 'csi.spiffe.io', readOnly: true });
  });

  it('dials OpenBao at its Service, on the port and scheme its listener uses', () => {
    const addr = new URL(env(container, 'OPENBAO_ADDR'));
    const service = cluster.serviceByHost(addr.hostname);
    expect(service && `${service.namespace}/${service.name}`).toBe('openbao/openbao');
    expect(Number(addr.port)).toBe(8200);
    expect(service!.ports.map((p) => p.port)).toContain(8200);
    expect(cluster.serviceTargets(service!)).toEqual([openbao]);
    const config = openbaoValues.server!.ha!.raft!.config as string;
    expect(config).toMatch(/address\s*=\s*"\[::\]:8200"/);
    expect(addr.protocol).toBe(/tls_disable\s*=\s*(true|1|"true")/.test(config) ? 'http:' : 'https:');
  });

  it('connects to the PostgreSQL Service and the database of identity.json', () => {
    expect(env(container, 'DB_HOST')).toBe('postgres.data.svc.cluster.local');
    const service = cluster.serviceByHost(env(container, 'DB_HOST'))!;
    expect(service.ports.map((p) => p.port)).toContain(Number(env(container, 'DB_PORT')));
    expect(cluster.serviceTargets(service)).toEqual([postgresPods]);
    expect(env(container, 'DB_NAME')).toBe(identity.database.name);
    expect(postgres.spec.bootstrap?.initdb?.database).toBe(identity.database.name);
  });

  it('listens on its container ports: the API (mutual TLS) and the plain health port', () => {
    const port = (name: string) => single((container.ports ?? []).filter((p) => p.name === name), `backend port ${name}`).containerPort;
    expect(Number(env(container, 'PORT'))).toBe(port('https'));
    expect(Number(env(container, 'HEALTH_PORT'))).toBe(port('health'));
    expect(env(container, 'HOST')).toBe('0.0.0.0');
    // the Service exposes the API only
    const service = cluster.serviceByHost('backend.99-apps.svc.cluster.local')!;
    expect(service.ports.map((p) => p.port)).toEqual([port('https')]);
  });

  it('probes health routes the backend serves, on its container port', () => {
    const controller = read('backend/src/health/health.controller.ts');
    const prefix = /@Controller\('([^']+)'\)/.exec(controller)?.[1];
    const routes = [...controller.matchAll(/@Get\('([^']+)'\)/g)].map((m) => `/${prefix}/${m[1]}`);
    // A global prefix would move every route.
    expect(read('backend/src/main.ts')).not.toMatch(/setGlobalPrefix/);
    expect(container.readinessProbe?.httpGet?.path).toBe('/api/health/ready');
    expect(container.livenessProbe?.httpGet?.path).toBe('/api/health/live');
    expect(routes).toEqual(expect.arrayContaining(['/api/health/ready', '/api/health/live']));
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(containerPortFor(backend, probe!.httpGet!.port)).toBeDefined();
      // the kubelet cannot present a client certificate: probes go to the plain port
      expect(probe!.httpGet!.port).toBe('health');
      expect(probe!.httpGet!.scheme ?? 'HTTP').toBe('HTTP');
    }
  });
});

describe('the frontend Deployment', () => {
  const container = onlyContainer(deployment('frontend'));

  it('calls the backend at its Service, on a port the Service serves', () => {
    const url = new URL(env(container, 'BACKEND_URL'));
    const service = cluster.serviceByHost(url.hostname);
    expect(service && `${service.namespace}/${service.name}`).toBe('99-apps/backend');
    expect(service!.ports.map((p) => p.port)).toContain(Number(url.port));
    expect(cluster.serviceTargets(service!)).toEqual([backend]);
  });

  it('listens on its container port', () => {
    expect(Number(env(container, 'PORT'))).toBe(single(container.ports ?? [], 'frontend port').containerPort);
  });
});

// ---------------------------------------------------------------------------------------------
// Images

/** `name[:tag][@digest]`; the tag is after the last colon of the last path segment. */
function imageRef(image: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = image.split('@') as [string, string | undefined];
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest } : { name: withoutDigest, digest };
}

describe('images', () => {
  const containers = cluster.repoWorkloads.flatMap((w) => [...w.podSpec!.containers, ...(w.podSpec!.initContainers ?? [])].map((c) => ({ workload: w, container: c })));
  const kindNodeImages = (kindConfig.nodes ?? []).map((n) => n.image);

  it('pins every image with a tag that is not latest', () => {
    const images = [...containers.map((c) => c.container.image!), ...kindNodeImages.map((i) => i ?? '(none)')];
    expect(images.length).toBeGreaterThan(3);
    expect(images.filter((image) => !imageRef(image).tag || imageRef(image).tag === 'latest')).toEqual([]);
  });

  it('runs the locally built app images, never pulling them', () => {
    const apps = containers.filter((c) => c.workload.namespace === '99-apps');
    expect(apps.map((c) => [c.container.image!.replace(/:.*/, ''), c.container.imagePullPolicy])).toEqual([
      ['zt-demo/backend', 'IfNotPresent'],
      ['zt-demo/frontend', 'IfNotPresent'],
    ]);
  });

  it('uses the third-party images pinned in versions.env', () => {
    expect(postgres.spec.imageName).toBe(pinned('POSTGRES_IMAGE'));
    expect(kindNodeImages.length).toBeGreaterThan(0);
    expect(kindNodeImages.filter((image) => image !== pinned('KIND_NODE_IMAGE'))).toEqual([]);
    const pinnedImages = [
      ...Object.entries(versions).filter(([name]) => name.endsWith('_IMAGE')).map(([, value]) => value),
      // the sidecar that keeps PostgreSQL's and OpenBao's X.509-SVIDs (also what the SPIRE chart runs)
      `ghcr.io/spiffe/spiffe-helper:${pinned('SPIFFE_HELPER_VERSION')}`,
    ];
    const thirdParty = containers.map((c) => c.container.image!).filter((image) => !image.startsWith('zt-demo/'));
    expect(thirdParty.filter((image) => !pinnedImages.includes(image))).toEqual([]);
  });

  it.each(['backend/Dockerfile', 'frontend/Dockerfile'])('builds %s on the pinned Node.js image by default', (file) => {
    expect(parseDockerfile(read(file)).globalArgs.get('NODE_IMAGE')).toBe(pinned('NODE_IMAGE'));
  });
});

// ---------------------------------------------------------------------------------------------
// App pods: the "restricted" Pod Security Standard and no Kubernetes API token

describe('app pods (namespace 99-apps)', () => {
  it('enforces the restricted Pod Security Standard on the namespace', () => {
    const namespace = single(manifestsOf<INamespace>(documents, 'v1', 'Namespace').filter((n) => n.value.metadata?.name === '99-apps'), 'namespace 99-apps');
    expect(namespace.value.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('use no host namespaces or hostPath volumes', () => {
    expect(appWorkloads.map((w) => w.name)).toEqual(['backend', 'frontend']);
    const wrong = appWorkloads.flatMap(({ name, podSpec }) => [
      ...(podSpec!.volumes ?? []).filter((v) => v.hostPath).map((v) => `${name}: hostPath volume ${v.name}`),
      ...(['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((key) => podSpec![key]).map((key) => `${name}: ${key}`),
    ]);
    expect(wrong).toEqual([]);
  });

  it('run every container as non-root, without privilege escalation, capabilities or a writable root filesystem, under RuntimeDefault seccomp', () => {
    const wrong = appWorkloads.flatMap(({ name, podSpec }) => {
      const pod = podSpec!.securityContext ?? {};
      return [...podSpec!.containers, ...(podSpec!.initContainers ?? [])].flatMap((c) => {
        const sc = c.securityContext ?? {};
        const problems = [
          (sc.runAsNonRoot ?? pod.runAsNonRoot) !== true && 'runAsNonRoot is not true',
          (sc.runAsUser ?? pod.runAsUser) === 0 && 'runAsUser 0',
          sc.allowPrivilegeEscalation !== false && 'allowPrivilegeEscalation is not false',
          sc.readOnlyRootFilesystem !== true && 'readOnlyRootFilesystem is not true',
          !sc.capabilities?.drop?.includes('ALL') && 'capabilities do not drop ALL',
          (sc.capabilities?.add ?? []).length > 0 && 'capabilities added',
          (sc.seccompProfile ?? pod.seccompProfile)?.type !== 'RuntimeDefault' && 'seccomp is not RuntimeDefault',
        ];
        return problems.filter((p) => p !== false).map((p) => `${name}/${c.name}: ${p}`);
      });
    });
    expect(wrong).toEqual([]);
  });

  it('mount no Kubernetes API token, in the pods or their service accounts', () => {
    const accounts = manifestsOf<IServiceAccount>(documents, 'v1', 'ServiceAccount');
    expect(appWorkloads.map((w) => [w.name, w.podSpec!.automountServiceAccountToken])).toEqual([
      ['backend', false],
      ['frontend', false],
    ]);
    expect(appWorkloads.map((w) => single(accounts.filter((a) => a.value.metadata?.name === w.serviceAccountName), `ServiceAccount ${w.serviceAccountName}`).value.automountServiceAccountToken)).toEqual([false, false]);
  });
});

// ---------------------------------------------------------------------------------------------
// PostgreSQL: CloudNativePG's Cluster and the certificates it loads

describe("PostgreSQL's Cluster", () => {
  const dir = 'infrastructure/postgres';
  const spec = postgres.spec;
  const sync = deployment('postgres-certificates');
  const syncScript = read(`${dir}/certificate-sync.mjs`);
  const role = single(manifestsOf<IRole>(documents, 'rbac.authorization.k8s.io/v1', 'Role'), 'Role').value;
  const binding = single(manifestsOf<IRoleBinding>(documents, 'rbac.authorization.k8s.io/v1', 'RoleBinding'), 'RoleBinding').value;

  it('runs a primary and one synchronous standby, never on the same node', () => {
    expect(spec.instances).toBe(2);
    expect(spec.postgresql?.synchronous).toMatchObject({ method: 'any', number: 1 });
    expect(spec.affinity).toMatchObject({ enablePodAntiAffinity: true, podAntiAffinityType: 'required', topologyKey: 'kubernetes.io/hostname' });
  });

  it("takes its TLS from the Secrets postgres-certificates writes, the standby's client certificate included", () => {
    const secretDefault = (name: string) => new RegExp(`process\\.env\\.${name} \\?\\? '([^']+)'`).exec(syncScript)?.[1];
    const [tls, ca] = [secretDefault('TLS_SECRET'), secretDefault('CA_SECRET')];
    expect(spec.certificates).toEqual({ serverTLSSecret: tls, serverCASecret: ca, clientCASecret: ca, replicationTLSSecret: tls });
    // The Role lets the sync patch exactly those two, and create none.
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: [tls, ca], verbs: ['get', 'patch'] }]);
    expect(binding.roleRef.name).toBe(role.metadata?.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sync.spec!.template.spec!.serviceAccountName, namespace: 'data' }]);
  });

  it("admits as the replication user only the certificate CN of PostgreSQL's own identity (its first DNS name)", () => {
    expect(spec.postgresql?.pg_ident).toEqual([`cnpg_streaming_replica ${identity.x509Svid.dnsNames.postgres[0]} streaming_replica`]);
    // SPIRE's ClusterSPIFFEID gives that DNS name first, so it is the SVID's CN.
    const ids = clusterSpiffeIds.find((c) => c.value.spec.hint === 'postgres')!.value.spec;
    expect(ids.dnsNameTemplates?.[0]).toBe(identity.x509Svid.dnsNames.postgres[0]);
  });

  it('refuses every connection over the network that is not TLS, and lets clients into the app database only', () => {
    expect(spec.postgresql?.pg_hba).toEqual([`hostssl ${identity.database.name} all all scram-sha-256`, 'hostnossl all all all reject', 'hostssl all all all reject']);
    expect(spec.postgresql?.parameters?.ssl_min_protocol_version).toBe('TLSv1.3');
    expect(spec.enableSuperuserAccess).toBe(false);
  });

  it('gives the certificate sync PostgreSQL\'s service account, the one the instances run as', () => {
    expect(sync.spec!.template.spec!.serviceAccountName).toBe(postgresPods.serviceAccountName);
  });
});

describe('kustomizations', () => {
  const kustomizations = manifestsOf<Kustomization>(documents, 'kustomize.config.k8s.io/v1beta1', 'Kustomization');

  // Applied by setup.sh on its own, after the kustomization: CloudNativePG's Cluster starts only
  // once postgres-certificates has filled the Secrets it loads.
  const appliedLater: Record<string, string[]> = { 'infrastructure/postgres/kustomization.yaml': ['cluster.yaml'] };

  it.each(kustomizations.map((k) => [k.file, k.value] as const))('%s lists every YAML file of its directory, and only those', (file, kustomization) => {
    const dir = posix.dirname(file);
    const onDisk = readdirSync(repoPath(dir)).filter((name) => /\.ya?ml$/.test(name) && name !== 'kustomization.yaml' && !(appliedLater[file] ?? []).includes(name));
    expect([...(kustomization.resources ?? [])].sort()).toEqual(onDisk.sort());
  });

  it('covers the three kustomize directories', () => {
    expect(kustomizations.map((k) => k.file).sort()).toEqual(['backend/k8s/kustomization.yaml', 'frontend/k8s/kustomization.yaml', 'infrastructure/postgres/kustomization.yaml']);
  });
});

// ---------------------------------------------------------------------------------------------
// High availability: what kind mode needs to lose a pod or a node without a human

describe('high availability', () => {
  const pdbs = manifestsOf<IPodDisruptionBudget>(documents, 'policy/v1', 'PodDisruptionBudget');

  it.each(['backend', 'frontend'])('runs two %s replicas spread over the nodes, with a PodDisruptionBudget that keeps one', (name) => {
    const spec = deployment(name).spec!;
    expect(spec.replicas).toBe(2);
    const spread = single(spec.template.spec!.topologySpreadConstraints ?? [], `${name} topology spread constraint`);
    expect(spread).toMatchObject({ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', nodeTaintsPolicy: 'Honor' });
    // it counts the app's own pods: the pod template carries the labels it selects
    expect(selectorMatches(spread.labelSelector!, spec.template.metadata!.labels!)).toBe(true);
    const pdb = single(pdbs.filter((p) => p.value.metadata?.name === name), `PodDisruptionBudget ${name}`).value;
    expect(pdb.metadata!.namespace).toBe(deployment(name).metadata!.namespace);
    expect(pdb.spec!.minAvailable).toBe(1);
    expect(selectorMatches(pdb.spec!.selector!, spec.template.metadata!.labels!)).toBe(true);
    // a rollout never takes the last one away either
    expect(spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%').not.toBe(spec.replicas);
  });

  it('runs OpenBao as three Raft servers, one per node (the control plane tolerated), started together', () => {
    const server = openbaoValues.server!;
    expect(server.standalone?.enabled).toBe(false);
    expect(server.ha).toMatchObject({ enabled: true, replicas: 3, raft: { enabled: true, setNodeId: true } });
    expect(server.ha!.disruptionBudget).toEqual({ enabled: true, maxUnavailable: 1 });
    expect(server.podManagementPolicy).toBe('Parallel');
    expect(server.tolerations).toContainEqual({ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' });
    // kind's nodes: exactly three, so one server per node
    expect(kindConfig.nodes).toHaveLength(3);
    // sealed servers get no client traffic
    expect(server.service?.publishNotReadyAddresses).toBe(false);
    // the SPIRE agent and CSI driver run where OpenBao's third server does, or it gets no SVID
    for (const chart of ['spire-agent', 'spiffe-csi-driver'] as const) {
      expect(spireValues[chart]?.tolerations, chart).toContainEqual({ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' });
    }
  });

  it("joins the Raft cluster over TLS verified against SPIRE's bundle, with a name OpenBao's X.509-SVID carries", () => {
    const config = openbaoValues.server!.ha!.raft!.config as string;
    const joins = [...config.matchAll(/retry_join\s*\{([^}]*)\}/g)].map((m) => m[1]!);
    expect(joins).toHaveLength(3);
    const openbaoId = single(clusterSpiffeIds.filter((c) => c.value.spec.hint === 'openbao'), 'OpenBao ClusterSPIFFEID').value;
    const tlsMount = single((openbaoValues.server!.volumeMounts ?? []).filter((m) => m.name === 'tls'), 'tls mount').mountPath;
    joins.forEach((join, i) => {
      expect(join).toMatch(new RegExp(`leader_api_addr\\s*=\\s*"https://openbao-${i}\\.openbao-internal:8200"`));
      expect(join).toMatch(new RegExp(`leader_ca_cert_file\\s*=\\s*"${tlsMount}/bundle\\.pem"`));
      const serverName = /leader_tls_servername\s*=\s*"([^"]+)"/.exec(join)?.[1];
      expect(openbaoId.spec.dnsNameTemplates).toContain(serverName);
    });
  });

  it('auto-unseals with the static seal, from the Secret setup creates, mounted read-only', () => {
    const server = openbaoValues.server!;
    const config = server.ha!.raft!.config as string;
    const keyPath = /seal\s+"static"\s*\{[^}]*current_key\s*=\s*"file:\/\/([^"]+)"/.exec(config)?.[1];
    expect(keyPath).toBeDefined();
    const mount = single((server.volumeMounts ?? []).filter((m) => keyPath!.startsWith(`${m.mountPath}/`)), `mount of ${keyPath}`);
    expect(mount.readOnly).toBe(true);
    const volume = single((server.volumes ?? []).filter((v) => v.name === mount.name), `volume ${mount.name}`);
    expect(volume.secret?.secretName).toBe('openbao-seal');
    expect(read('scripts/lib/kind.sh')).toMatch(/metadata: \{name: "openbao-seal", namespace: "openbao"/);
    expect(volume.secret?.defaultMode).toBe(0o440);
    expect(posix.basename(keyPath!)).toBe('key');
  });
});

describe('the single-replica servers with node-local volumes', () => {
  const controlPlane = { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' };
  const cilium = onlyDocument<CiliumValues>(documents, 'infrastructure/cilium/values.yaml');

  it("run on the control plane, so draining or losing a worker leaves every SVID's renewal and mutual auth working", () => {
    const project = spireValues['spire-server']!;
    expect(project.nodeSelector).toEqual({ 'node-role.kubernetes.io/control-plane': '' });
    expect(project.tolerations).toContainEqual(controlPlane);
    const ciliums = cilium.authentication!.mutual!.spire!.install!.server!;
    expect(ciliums.nodeSelector).toEqual({ 'node-role.kubernetes.io/control-plane': '' });
    expect(ciliums.tolerations).toContainEqual(controlPlane);
    // kind labels its control-plane node so
    expect(kindConfig.nodes!.filter((n) => n.role === 'control-plane')).toHaveLength(1);
  });
});
