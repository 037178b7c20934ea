/**
 * Which TypeScript type each kind-mode document must satisfy: Kubernetes objects by apiVersion
 * and kind, Helm values (which carry neither) by file. A document that matches no entry is a
 * problem of its own in typecheck.ts, so nothing passes for want of a type.
 */
import { fileURLToPath } from 'node:url';

/** A named type and the module that exports it (a package specifier or an absolute file path). */
export interface TypeRef {
  module: string;
  name: string;
}

const LOCAL_TYPES = fileURLToPath(new URL('./types.ts', import.meta.url));
const local = (name: string): TypeRef => ({ module: LOCAL_TYPES, name });

/** `apiVersion/kind` -> type. kubernetes-models for Kubernetes and Cilium, types.ts for the rest. */
export const TYPES_BY_KIND: Readonly<Record<string, TypeRef>> = {
  'v1/Namespace': { module: 'kubernetes-models/v1/Namespace', name: 'INamespace' },
  'v1/ServiceAccount': { module: 'kubernetes-models/v1/ServiceAccount', name: 'IServiceAccount' },
  'v1/ConfigMap': { module: 'kubernetes-models/v1/ConfigMap', name: 'IConfigMap' },
  'v1/Service': { module: 'kubernetes-models/v1/Service', name: 'IService' },
  'apps/v1/Deployment': { module: 'kubernetes-models/apps/v1/Deployment', name: 'IDeployment' },
  'apps/v1/StatefulSet': { module: 'kubernetes-models/apps/v1/StatefulSet', name: 'IStatefulSet' },
  'policy/v1/PodDisruptionBudget': { module: 'kubernetes-models/policy/v1/PodDisruptionBudget', name: 'IPodDisruptionBudget' },
  'rbac.authorization.k8s.io/v1/Role': { module: 'kubernetes-models/rbac.authorization.k8s.io/v1/Role', name: 'IRole' },
  'rbac.authorization.k8s.io/v1/RoleBinding': { module: 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding', name: 'IRoleBinding' },
  'cilium.io/v2/CiliumNetworkPolicy': {
    module: '@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy',
    name: 'ICiliumNetworkPolicy',
  },
  'kustomize.config.k8s.io/v1beta1/Kustomization': local('Kustomization'),
  'kind.x-k8s.io/v1alpha4/Cluster': local('KindCluster'),
  'spire.spiffe.io/v1alpha1/ClusterSPIFFEID': local('ClusterSPIFFEID'),
  'postgresql.cnpg.io/v1/Cluster': local('CnpgCluster'),
};

/** Helm values files (relative to the repository root) -> type of the chart's values. */
export const TYPES_BY_FILE: Readonly<Record<string, TypeRef>> = {
  'infrastructure/cilium/values.yaml': local('CiliumValues'),
  'infrastructure/cilium/values-wireguard.yaml': local('CiliumValues'),
  'infrastructure/spire/values.yaml': local('SpireValues'),
  'infrastructure/openbao/values.yaml': local('OpenBaoValues'),
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The type a document must satisfy, or why there is none. */
export function typeFor(file: string, value: unknown): TypeRef | { missing: string } {
  const byFile = TYPES_BY_FILE[file];
  if (byFile) return byFile;
  if (!isRecord(value)) return { missing: 'not a YAML mapping, and the file is not a registered Helm values file' };
  const { apiVersion, kind } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return { missing: 'no apiVersion/kind, and the file is not a registered Helm values file' };
  }
  return TYPES_BY_KIND[`${apiVersion}/${kind}`] ?? { missing: `no type registered for apiVersion ${apiVersion}, kind ${kind}` };
}
