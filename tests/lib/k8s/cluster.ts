/**
 * A small model of the kind cluster, built from the repository's manifests plus the pods and
 * Services that Helm charts and kind itself create (chart-objects.ts): which pods exist, with
 * which labels, service account and ports, and which Services front them. Label selectors and
 * Cilium endpoint selectors are evaluated against it.
 */
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import type { YamlDocument } from './manifests.ts';
import { CHART_SERVICES, CHART_WORKLOADS } from './chart-objects.ts';
import type { CnpgCluster } from './types.ts';

export type Labels = Record<string, string>;

export interface ContainerPort {
  name?: string;
  port: number;
  /** TCP, UDP or SCTP. */
  protocol: string;
}

/** The pods of one Deployment or StatefulSet (or of a chart's workload, or of a CloudNativePG Cluster). */
export interface Workload {
  kind: string;
  name: string;
  namespace: string;
  podLabels: Labels;
  serviceAccountName?: string;
  ports: ContainerPort[];
  /** Where it is defined: a repository file, or the chart and template it comes from. */
  source: string;
  /** The pod spec, for the repository's own workloads. */
  podSpec?: IPodSpec;
}

export interface ServicePort {
  name?: string;
  port: number;
  /** A container port number or name; Kubernetes defaults it to `port`. */
  targetPort: number | string;
  nodePort?: number;
}

export interface ServiceModel {
  name: string;
  namespace: string;
  selector: Labels;
  ports: ServicePort[];
  source: string;
}

/** A typed document: the value after kind-manifests.test.ts has proven that it has this type. */
export interface Manifest<T> {
  file: string;
  index: number;
  value: T;
}

export function manifestsOf<T>(documents: readonly YamlDocument[], apiVersion: string, kind: string): Manifest<T>[] {
  return documents
    .filter((doc) => {
      const value = doc.value as { apiVersion?: unknown; kind?: unknown } | null;
      return value?.apiVersion === apiVersion && value.kind === kind;
    })
    .map((doc) => ({ file: doc.file, index: doc.index, value: doc.value as T }));
}

/** The one document of a file that has a single document (Helm values). */
export function onlyDocument<T>(documents: readonly YamlDocument[], file: string): T {
  const found = documents.filter((doc) => doc.file === file);
  if (found.length !== 1) throw new Error(`${file}: expected one document, found ${found.length}`);
  return found[0]!.value as T;
}

interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Kubernetes label selector semantics; an empty selector selects everything. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key];
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        throw new Error(`unknown label selector operator ${operator}`);
    }
  });
}

/** Cilium's labels for a pod's namespace and service account (k8s: source prefix omitted). */
export const CILIUM_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const CILIUM_SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';

/** The labels Cilium gives a pod's endpoint: its own, plus its namespace and service account. */
function endpointLabels(workload: Workload): Labels {
  const labels: Labels = { ...workload.podLabels, [CILIUM_NAMESPACE_LABEL]: workload.namespace };
  if (workload.serviceAccountName) labels[CILIUM_SERVICE_ACCOUNT_LABEL] = workload.serviceAccountName;
  return labels;
}

/** A Cilium selector's matchLabels without the `k8s:`/`any:` source prefixes. */
export function ciliumMatchLabels(selector: LabelSelector): Labels {
  if (selector.matchExpressions?.length) {
    throw new Error('matchExpressions in a Cilium selector: not modelled by tests/lib/k8s/cluster.ts yet');
  }
  return Object.fromEntries(
    Object.entries(selector.matchLabels ?? {}).map(([key, value]) => [key.replace(/^(k8s|any):/, ''), value]),
  );
}

/**
 * Whether a selector of a namespaced CiliumNetworkPolicy (endpointSelector, fromEndpoints,
 * toEndpoints) selects a workload's pods. A selector that names no namespace means the policy's
 * own namespace, as Cilium does for namespaced policies.
 */
export function ciliumSelects(selector: LabelSelector, policyNamespace: string, workload: Workload): boolean {
  const wanted = ciliumMatchLabels(selector);
  if (!(CILIUM_NAMESPACE_LABEL in wanted)) wanted[CILIUM_NAMESPACE_LABEL] = policyNamespace;
  return selectorMatches({ matchLabels: wanted }, endpointLabels(workload));
}

export class ClusterModel {
  readonly workloads: Workload[];
  readonly services: ServiceModel[];
  private readonly namespaceLabelsByName: Map<string, Labels>;

  constructor(documents: readonly YamlDocument[]) {
    const repoWorkloads = [
      ...manifestsOf<IDeployment>(documents, 'apps/v1', 'Deployment'),
      ...manifestsOf<IStatefulSet>(documents, 'apps/v1', 'StatefulSet'),
    ].map(({ file, value }) => workloadOf(file, value));
    const postgresClusters = manifestsOf<CnpgCluster>(documents, 'postgresql.cnpg.io/v1', 'Cluster');
    this.workloads = [...repoWorkloads, ...postgresClusters.map(({ file, value }) => cnpgWorkloadOf(file, value)), ...CHART_WORKLOADS];
    this.services = [
      ...manifestsOf<IService>(documents, 'v1', 'Service').map(({ file, value }) => serviceOf(file, value)),
      ...postgresClusters.flatMap(({ file, value }) => cnpgServicesOf(file, value)),
      ...CHART_SERVICES,
    ];
    this.namespaceLabelsByName = new Map(
      manifestsOf<INamespace>(documents, 'v1', 'Namespace').map(({ value }) => {
        const name = value.metadata!.name!;
        // The API server adds this label to every namespace.
        return [name, { ...value.metadata?.labels, 'kubernetes.io/metadata.name': name }];
      }),
    );
  }

  /** The repository's own workloads (not the charts'). */
  get repoWorkloads(): Workload[] {
    return this.workloads.filter((workload) => workload.podSpec !== undefined);
  }

  workload(namespace: string, name: string): Workload {
    const found = this.workloads.find((w) => w.namespace === namespace && w.name === name);
    if (!found) throw new Error(`no workload ${namespace}/${name}`);
    return found;
  }

  namespaceLabels(namespace: string): Labels {
    return this.namespaceLabelsByName.get(namespace) ?? { 'kubernetes.io/metadata.name': namespace };
  }

  /** Workloads whose pods a Service's selector picks. */
  serviceTargets(service: ServiceModel): Workload[] {
    return this.workloads.filter(
      (w) => w.namespace === service.namespace && Object.keys(service.selector).length > 0 && selectorMatches({ matchLabels: service.selector }, w.podLabels),
    );
  }

  /** The Service an in-cluster DNS name (`svc.ns`, `svc.ns.svc` or `svc.ns.svc.cluster.local`) names. */
  serviceByHost(host: string): ServiceModel | undefined {
    const match = /^([a-z0-9-]+)\.([a-z0-9-]+)(\.svc(\.cluster\.local)?)?$/.exec(host);
    if (!match) return undefined;
    return this.services.find((s) => s.name === match[1] && s.namespace === match[2]);
  }

  /** Workloads selected by a selector of the CiliumNetworkPolicy in `policyNamespace`. */
  ciliumSelected(selector: LabelSelector, policyNamespace: string): Workload[] {
    return this.workloads.filter((w) => ciliumSelects(selector, policyNamespace, w));
  }
}

function workloadOf(file: string, value: IDeployment | IStatefulSet): Workload {
  const template = value.spec!.template;
  const podSpec = template.spec!;
  return {
    kind: value.kind,
    name: value.metadata!.name!,
    namespace: value.metadata!.namespace ?? 'default',
    podLabels: { ...template.metadata?.labels },
    serviceAccountName: podSpec.serviceAccountName ?? 'default',
    ports: podSpec.containers.flatMap((container) =>
      (container.ports ?? []).map((p) => ({ name: p.name, port: p.containerPort, protocol: p.protocol ?? 'TCP' })),
    ),
    source: file,
    podSpec,
  };
}

/**
 * The pods CloudNativePG 1.30.0 makes for a Cluster (its instances, and the jobs that bootstrap
 * them): the labels it sets (pkg/utils/labels_annotations.go) and the Cluster's inheritedMetadata
 * labels, the service account named after the Cluster, and the instance pod's container ports
 * (pkg/specs/pods.go). Modelled as the primary's pod, which the read-write Service selects.
 */
function cnpgWorkloadOf(file: string, value: CnpgCluster): Workload {
  const name = value.metadata.name!;
  return {
    kind: 'Cluster',
    name,
    namespace: value.metadata.namespace ?? 'default',
    podLabels: { ...value.spec.inheritedMetadata?.labels, 'cnpg.io/cluster': name, 'cnpg.io/podRole': 'instance', 'cnpg.io/instanceRole': 'primary' },
    serviceAccountName: name,
    ports: [
      { name: 'postgresql', port: 5432, protocol: 'TCP' },
      { name: 'metrics', port: 9187, protocol: 'TCP' },
      { name: 'status', port: 8000, protocol: 'TCP' },
    ],
    source: file,
  };
}

/** The Services a Cluster's managed.services.additional asks the operator for (pkg/specs/services.go). */
function cnpgServicesOf(file: string, value: CnpgCluster): ServiceModel[] {
  const role = { rw: 'primary', ro: 'replica', r: undefined } as const;
  return (value.spec.managed?.services?.additional ?? []).map((service) => {
    const instanceRole = role[service.selectorType];
    return {
      name: service.serviceTemplate.metadata!.name!,
      namespace: value.metadata.namespace ?? 'default',
      selector: { 'cnpg.io/cluster': value.metadata.name!, ...(instanceRole ? { 'cnpg.io/instanceRole': instanceRole } : {}) },
      ports: [{ name: 'postgres', port: 5432, targetPort: 5432 }],
      source: file,
    };
  });
}

function serviceOf(file: string, value: IService): ServiceModel {
  return {
    name: value.metadata!.name!,
    namespace: value.metadata!.namespace ?? 'default',
    selector: { ...value.spec?.selector },
    ports: (value.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort ?? p.port, nodePort: p.nodePort })),
    source: file,
  };
}

/** The workload ports a Service port or probe port (number or name) reaches, if any. */
export function containerPortFor(workload: Workload, target: number | string): ContainerPort | undefined {
  return workload.ports.find((p) => (typeof target === 'number' ? p.port === target : p.name === target));
}
