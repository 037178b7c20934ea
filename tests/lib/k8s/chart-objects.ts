/**
 * The pods and Services that kind mode gets from Helm charts, CloudNativePG's release manifest and
 * kind itself rather than from this repository, as far as our manifests refer to them (policy
 * selectors and ports, the backend's OPENBAO_ADDR). Only the facts used are listed, each with where it comes from; update
 * them together with the chart versions in infrastructure/versions.env.
 */
import type { ServiceModel, Workload } from './cluster.ts';

/** OpenBao, chart openbao 0.29.2, release "openbao" in namespace "openbao" (scripts/lib/kind.sh). */
const OPENBAO_POD_LABELS = {
  // templates/server-statefulset.yaml: pod template labels
  'app.kubernetes.io/name': 'openbao',
  'app.kubernetes.io/instance': 'openbao',
  component: 'server',
};

export const CHART_WORKLOADS: readonly Workload[] = [
  {
    kind: 'StatefulSet',
    name: 'openbao',
    namespace: 'openbao',
    podLabels: OPENBAO_POD_LABELS,
    // templates/server-serviceaccount.yaml: named after the release (fullname)
    serviceAccountName: 'openbao',
    // templates/server-statefulset.yaml: 8200 named after the scheme (https: global.tlsDisable false), 8201 cluster
    ports: [
      { name: 'https', port: 8200, protocol: 'TCP' },
      { name: 'https-internal', port: 8201, protocol: 'TCP' },
    ],
    source: 'chart openbao 0.29.2, templates/server-statefulset.yaml',
  },
  {
    kind: 'Deployment',
    name: 'zt-spire-spiffe-oidc-discovery-provider',
    namespace: 'spire-server',
    // chart spire 0.30.0, charts/spiffe-oidc-discovery-provider/templates/deployment.yaml, release "zt-spire"
    podLabels: {
      'app.kubernetes.io/name': 'spiffe-oidc-discovery-provider',
      'app.kubernetes.io/instance': 'zt-spire',
      release: 'zt-spire',
      'release-namespace': 'spire-server',
      component: 'oidc-discovery-provider',
    },
    // 8443 only with TLS from SPIRE (tls.spire.enabled, the subchart's default); its Service maps 443 to it.
    ports: [
      { name: 'healthz', port: 8008, protocol: 'TCP' },
      { name: 'https', port: 8443, protocol: 'TCP' },
    ],
    source: 'chart spire 0.30.0, charts/spiffe-oidc-discovery-provider/templates/deployment.yaml',
  },
  {
    kind: 'Deployment',
    name: 'cnpg-controller-manager',
    namespace: 'cnpg-system',
    // CloudNativePG 1.30.0's release manifest, releases/cnpg-1.30.0.yaml (scripts/lib/kind.sh)
    podLabels: { 'app.kubernetes.io/name': 'cloudnative-pg' },
    serviceAccountName: 'cnpg-manager',
    ports: [
      { name: 'metrics', port: 8080, protocol: 'TCP' },
      { name: 'webhook-server', port: 9443, protocol: 'TCP' },
    ],
    source: 'CloudNativePG 1.30.0, releases/cnpg-1.30.0.yaml',
  },
  {
    kind: 'Deployment',
    name: 'coredns',
    namespace: 'kube-system',
    // kubeadm's CoreDNS addon, which kind installs (cmd/kubeadm/app/phases/addons/dns/manifests.go)
    podLabels: { 'k8s-app': 'kube-dns' },
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, protocol: 'TCP' },
    ],
    source: 'kind (kubeadm CoreDNS addon)',
  },
];

export const CHART_SERVICES: readonly ServiceModel[] = [
  {
    // chart openbao 0.29.2, templates/server-service.yaml: named after the release (fullname),
    // server.service.port/targetPort 8200, selector name + instance (instanceSelector) + component
    name: 'openbao',
    namespace: 'openbao',
    selector: OPENBAO_POD_LABELS,
    ports: [
      { name: 'http', port: 8200, targetPort: 8200 },
      { name: 'https-internal', port: 8201, targetPort: 8201 },
    ],
    source: 'chart openbao 0.29.2, templates/server-service.yaml',
  },
];
