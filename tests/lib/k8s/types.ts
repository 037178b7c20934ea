/**
 * Closed TypeScript types for the kind-mode files that have no published TypeScript model: the
 * kind cluster config, kustomizations, the SPIRE controller manager's ClusterSPIFFEID,
 * CloudNativePG's Cluster, and the Helm values of Cilium, SPIRE and OpenBao.
 *
 * "Closed" is the point: the checker (typecheck.ts) assigns each YAML document to one of these
 * types as an object literal, and TypeScript's excess-property check rejects every key that is not
 * declared here. So a misspelled key fails the tests instead of being ignored by Helm (which
 * silently drops unknown values) or by the API server (which drops unknown fields of built-in
 * objects).
 *
 * Except where a comment says otherwise, these list ONLY the keys our files use. Need a new key?
 * Look it up in the source named above the type, at the pinned version (infrastructure/versions.env),
 * and add it here with its real type.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IDeploymentSpec } from 'kubernetes-models/apps/v1/DeploymentSpec';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';

/** Kubernetes ObjectMeta and LabelSelector, as kubernetes-models declares them. */
type ObjectMeta = NonNullable<IDeployment['metadata']>;
type LabelSelector = IDeploymentSpec['selector'];

// ---------------------------------------------------------------------------------------------
// kind: sigs.k8s.io/kind v0.32.0, pkg/apis/config/v1alpha4/types.go. kubeProxyMode "none" is
// accepted too (pkg/internal/apis/config/validate.go: NoneProxyMode).

export interface KindCluster {
  kind: 'Cluster';
  apiVersion: 'kind.x-k8s.io/v1alpha4';
  name?: string;
  networking?: KindNetworking;
  nodes?: KindNode[];
}

export interface KindNetworking {
  disableDefaultCNI?: boolean;
  kubeProxyMode?: 'iptables' | 'ipvs' | 'nftables' | 'none';
  podSubnet?: string;
  serviceSubnet?: string;
}

export interface KindNode {
  role?: 'control-plane' | 'worker';
  image?: string;
  extraPortMappings?: KindPortMapping[];
}

export interface KindPortMapping {
  containerPort?: number;
  hostPort?: number;
  listenAddress?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

// ---------------------------------------------------------------------------------------------
// Kustomize: sigs.k8s.io/kustomize api/types, kustomize.config.k8s.io/v1beta1 (kustomization.go,
// generatorargs.go, kvpairsources.go, generatoroptions.go). kustomize itself refuses unknown
// fields (DisallowUnknownFields), so a closed type matches its behaviour.

export interface Kustomization {
  apiVersion: 'kustomize.config.k8s.io/v1beta1';
  kind: 'Kustomization';
  resources?: string[];
  configMapGenerator?: KustomizeConfigMapArgs[];
  generatorOptions?: KustomizeGeneratorOptions;
}

export interface KustomizeConfigMapArgs {
  name?: string;
  namespace?: string;
  /** `[{key}=]{path}`, relative to the kustomization's directory. */
  files?: string[];
}

export interface KustomizeGeneratorOptions {
  disableNameSuffixHash?: boolean;
}

// ---------------------------------------------------------------------------------------------
// ClusterSPIFFEID: the spire.spiffe.io/v1alpha1 CRD of chart spire-crds 0.6.0
// (charts/spire-crds/templates/spire.spiffe.io_clusterspiffeids.yaml in
// spiffe/helm-charts-hardened). The COMPLETE spec, with the CRD's exact casing: it is jwtTtl
// here, while the spire chart's values call the same setting jwtTTL (SpireChartClusterSPIFFEID).

export interface ClusterSPIFFEID {
  apiVersion: 'spire.spiffe.io/v1alpha1';
  kind: 'ClusterSPIFFEID';
  metadata: ObjectMeta;
  spec: ClusterSPIFFEIDSpec;
}

export interface ClusterSPIFFEIDSpec {
  /** The only required field. */
  spiffeIDTemplate: string;
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  dnsNameTemplates?: string[];
  workloadSelectorTemplates?: string[];
  /** Upper bound of the X509-SVID lifetime, a Go duration. */
  ttl?: string;
  /** Upper bound of the JWT-SVID lifetime, a Go duration. */
  jwtTtl?: string;
  federatesWith?: string[];
  admin?: boolean;
  downstream?: boolean;
  autoPopulateDNSNames?: boolean;
  fallback?: boolean;
  className?: string;
  hint?: string;
}

// ---------------------------------------------------------------------------------------------
// CloudNativePG's Cluster: postgresql.cnpg.io/v1 of CloudNativePG 1.30.0 (api/v1/cluster_types.go
// in github.com/cloudnative-pg/cloudnative-pg@v1.30.0), only the keys our file uses, with the
// enums the kubebuilder markers declare.

export interface CnpgCluster {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'Cluster';
  metadata: ObjectMeta;
  spec: CnpgClusterSpec;
}

export interface CnpgClusterSpec {
  /** Required. */
  instances: number;
  imageName?: string;
  imagePullPolicy?: 'Always' | 'Never' | 'IfNotPresent';
  postgresUID?: number;
  postgresGID?: number;
  inheritedMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  bootstrap?: { initdb?: { database?: string; owner?: string } };
  enableSuperuserAccess?: boolean;
  postgresql?: {
    parameters?: Record<string, string>;
    synchronous?: { method: 'any' | 'first'; number: number; dataDurability?: 'required' | 'preferred' };
    pg_hba?: string[];
    pg_ident?: string[];
  };
  certificates?: { serverTLSSecret?: string; serverCASecret?: string; clientCASecret?: string; replicationTLSSecret?: string };
  managed?: {
    services?: {
      disabledDefaultServices?: Array<'rw' | 'r' | 'ro'>;
      additional?: Array<{
        selectorType: 'rw' | 'r' | 'ro';
        updateStrategy?: 'patch' | 'replace';
        serviceTemplate: { metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, never> };
      }>;
    };
  };
  affinity?: { enablePodAntiAffinity?: boolean; podAntiAffinityType?: 'preferred' | 'required'; topologyKey?: string };
  smartShutdownTimeout?: number;
  stopDelay?: number;
  switchoverDelay?: number;
  storage?: { size?: string; storageClass?: string };
  resources?: IResourceRequirements;
}

// ---------------------------------------------------------------------------------------------
// Cilium Helm values: chart cilium 1.19.6, install/kubernetes/cilium/values.yaml and its
// values.schema.json. Where the schema says only "string", the type lists the values the
// values.yaml comments document, so that a typo in a value fails as well.

export interface CiliumValues {
  /** Schema: string or boolean ("true"/"false" documented). */
  kubeProxyReplacement?: boolean | 'true' | 'false';
  k8sServiceHost?: string;
  /** Schema: string or integer. */
  k8sServicePort?: number | string;
  ipam?: CiliumIpamValues;
  routingMode?: '' | 'tunnel' | 'native';
  tunnelProtocol?: '' | 'vxlan' | 'geneve';
  operator?: CiliumOperatorValues;
  hubble?: CiliumHubbleValues;
  authentication?: CiliumAuthenticationValues;
  encryption?: CiliumEncryptionValues;
}

export interface CiliumIpamValues {
  /** The IPAM modes of Cilium's documentation (network/concepts/ipam). */
  mode?: 'cluster-pool' | 'kubernetes' | 'multi-pool' | 'crd' | 'eni' | 'azure' | 'alibabacloud' | 'delegated-plugin';
}

export interface CiliumOperatorValues {
  replicas?: number;
}

export interface CiliumHubbleValues {
  enabled?: boolean;
  relay?: { enabled?: boolean };
  ui?: { enabled?: boolean };
}

export interface CiliumAuthenticationValues {
  enabled?: boolean;
  mutual?: {
    spire?: {
      enabled?: boolean;
      install?: {
        enabled?: boolean;
        server?: { dataStorage?: { enabled?: boolean; size?: string }; nodeSelector?: Record<string, string>; tolerations?: Toleration[] };
      };
    };
  };
}

export interface CiliumEncryptionValues {
  enabled?: boolean;
  type?: 'ipsec' | 'wireguard' | 'ztunnel';
}

// ---------------------------------------------------------------------------------------------
// SPIRE Helm values: chart spire 0.30.0 of https://spiffe.github.io/helm-charts-hardened/
// (charts/spire/values.yaml, charts/spire/charts/spire-server/values.yaml).

export interface SpireValues {
  global?: { spire?: SpireGlobalValues };
  'spire-server'?: SpireServerValues;
  'spire-agent'?: { image?: SpireImageValues; tolerations?: Toleration[] };
  'spiffe-csi-driver'?: { tolerations?: Toleration[] };
  'spiffe-oidc-discovery-provider'?: { enabled?: boolean; image?: SpireImageValues };
}

/** A pod toleration, as the subcharts render it into their pod specs. */
export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  value?: string;
}

/** A subchart's image (registry, repository and tag default to the chart's; tag to its appVersion). */
export interface SpireImageValues {
  registry?: string;
  repository?: string;
  pullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  tag?: string;
}

export interface SpireGlobalValues {
  clusterName?: string;
  trustDomain?: string;
  jwtIssuer?: string;
  caSubject?: { country?: string; organization?: string; commonName?: string };
}

export interface SpireServerValues {
  image?: SpireImageValues;
  caTTL?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  controllerManager?: {
    className?: string;
    identities?: { clusterSPIFFEIDs?: Record<string, SpireChartClusterSPIFFEID> };
  };
}

/**
 * One entry of spire-server.controllerManager.identities.clusterSPIFFEIDs. The COMPLETE list:
 * the chart's template (spire-server/templates/controller-manager-cluster-ids.yaml) fails on any
 * other property, and these are its names (jwtTTL, not the CRD's jwtTtl).
 */
export interface SpireChartClusterSPIFFEID {
  name?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  enabled?: boolean;
  type?:
    | 'base'
    | 'raw'
    | 'spire-ha-agent'
    | 'child-servers'
    | 'oidc-discovery-provider'
    | 'oidc-discovery-provider-common'
    | 'spike-keeper'
    | 'spike-nexus'
    | 'spike-bootstrap'
    | 'spike-pilot'
    | 'spire-identity-exchange'
    | 'test-keys';
  admin?: boolean;
  dnsNameTemplates?: string[];
  downstream?: boolean;
  federatesWith?: string[];
  jwtTTL?: string;
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
  spiffeIDTemplate?: string;
  ttl?: string;
  workloadSelectorTemplates?: string[];
  autoPopulateDNSNames?: boolean;
  fallback?: boolean;
  hint?: string;
}

// ---------------------------------------------------------------------------------------------
// OpenBao Helm values: chart openbao 0.29.2 of https://openbao.github.io/openbao-helm
// (charts/openbao/values.yaml and values.schema.json). "-" means "follow global.enabled".

export interface OpenBaoValues {
  /** tlsDisable: false makes the chart speak https (BAO_ADDR, probes' scheme, port names). */
  global?: { enabled?: boolean; tlsDisable?: boolean };
  injector?: { enabled?: boolean | '-' };
  server?: OpenBaoServerValues;
  ui?: { enabled?: boolean };
}

export interface OpenBaoServerValues {
  /** templates/server-statefulset.yaml: the pod's shareProcessNamespace. */
  shareProcessNamespace?: boolean;
  /** Environment variables of the openbao container (templates/_helpers.tpl "openbao.extraEnvironmentVars"). */
  extraEnvironmentVars?: Record<string, string>;
  /** The chart's readiness probe: `bao status -tls-skip-verify`, or an httpGet of `path`. */
  readinessProbe?: { enabled?: boolean; path?: string; port?: number; failureThreshold?: number; initialDelaySeconds?: number; periodSeconds?: number; successThreshold?: number; timeoutSeconds?: number };
  /** Pod volumes, and mounts into the openbao container. */
  volumes?: IVolume[];
  volumeMounts?: IVolumeMount[];
  /** Rendered with tpl(toYaml) into initContainers and containers of the pod. */
  extraInitContainers?: IContainer[];
  extraContainers?: IContainer[];
  standalone?: {
    enabled?: boolean | '-';
    /** The server's HCL configuration (the schema also allows an object). */
    config?: string | Record<string, unknown>;
  };
  /** HA mode: `replicas` servers; with raft, integrated storage and raft.config as the HCL. */
  ha?: {
    enabled?: boolean;
    replicas?: number;
    disruptionBudget?: { enabled?: boolean; maxUnavailable?: number | null };
    raft?: { enabled?: boolean; setNodeId?: boolean; config?: string | Record<string, unknown> };
  };
  /** templates/server-statefulset.yaml: the StatefulSet's podManagementPolicy and pod tolerations. */
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  tolerations?: Toleration[];
  /** templates/server-service.yaml: whether the openbao Service keeps unready (sealed) servers. */
  service?: { publishNotReadyAddresses?: boolean };
  dataStorage?: { enabled?: boolean; size?: string };
}
