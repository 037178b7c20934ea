/**
 * Probes for the kind suite's zero-trust tests: short-lived pods (and ephemeral containers) that
 * try to obtain identities or open connections, OpenBao logins through a port-forward, and the
 * Hubble flows that record what happened. Every pod is labelled zt-demo.test/probe=<group> and
 * deleted by deleteAll().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, fetch as undiciFetch } from 'undici';
import { eventually, kubectl, kubectlJson, required, run } from './kind-cluster.ts';
import { pinned } from './versions.ts';

export const SPIRE_AGENT_IMAGE = `ghcr.io/spiffe/spire-agent:${pinned('SPIRE_VERSION')}`;
export const BUSYBOX_IMAGE = 'docker.io/library/busybox:1.37.0';
const SOCKET_DIR = '/spiffe-workload-api';

/** The claims of a JWT (not verified: OpenBao's answer is the verification under test). */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

/** The SPIRE server CLI of the project's SPIRE (zt-spire-server-0). */
export function spireServer(args: string[]): string {
  const result = kubectl(['-n', 'spire-server', 'exec', 'zt-spire-server-0', '-c', 'spire-server', '--', '/opt/spire/bin/spire-server', ...args]);
  if (result.status !== 0) throw new Error(`spire-server ${args[0]} ${args[1]} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** A securityContext the restricted Pod Security level of 99-apps admits. */
export const RESTRICTED = {
  runAsNonRoot: true,
  runAsUser: 65534,
  runAsGroup: 65534,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export interface PodOptions {
  namespace: string;
  serviceAccount?: string;
  labels?: Record<string, string>;
  image: string;
  command: string[];
  /** Mount the SPIFFE CSI driver's Workload API socket at /spiffe-workload-api. */
  workloadApi?: boolean;
  /** Keep it running (restartPolicy Always is not used: the pod runs its command once). */
  node?: string;
  /** Environment of the container (key material for a test server, say: never on its command line). */
  env?: Record<string, string>;
}

export class ProbePods {
  private seq = 0;
  private readonly namespaces = new Set<string>();
  private readonly forwards: ChildProcess[] = [];

  constructor(private readonly group: string) {}

  /** Creates a namespace for the test (deleted by deleteAll). */
  namespace(name: string): void {
    kubectl(['create', 'namespace', name]);
    kubectl(['label', 'namespace', name, `zt-demo.test/probe=${this.group}`, '--overwrite']);
    this.namespaces.add(name);
  }

  /** Creates service account NAME unless it exists; only one it created is labelled (and deleted). */
  serviceAccount(namespace: string, name: string): void {
    const result = kubectl(['-n', namespace, 'create', 'serviceaccount', name]);
    if (result.status === 0) {
      kubectl(['-n', namespace, 'label', 'serviceaccount', name, `zt-demo.test/probe=${this.group}`]);
    } else if (!/already exists/i.test(result.stderr)) {
      throw new Error(result.stderr);
    }
  }

  /** Starts a pod that runs COMMAND once; returns its name. */
  start(options: PodOptions): string {
    const name = `probe-${this.group}-${++this.seq}-${Date.now().toString(36)}`;
    if (options.serviceAccount) this.serviceAccount(options.namespace, options.serviceAccount);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: options.namespace, labels: { ...options.labels, 'zt-demo.test/probe': this.group } },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        serviceAccountName: options.serviceAccount ?? 'default',
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        ...(options.node ? { nodeName: options.node } : {}),
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'probe',
            image: options.image,
            imagePullPolicy: 'IfNotPresent',
            command: options.command,
            ...(options.env ? { env: Object.entries(options.env).map(([name, value]) => ({ name, value })) } : {}),
            securityContext: RESTRICTED,
            ...(options.workloadApi ? { volumeMounts: [{ name: 'workload-api', mountPath: SOCKET_DIR, readOnly: true }] } : {}),
          },
        ],
        ...(options.workloadApi ? { volumes: [{ name: 'workload-api', csi: { driver: 'csi.spiffe.io', readOnly: true } }] } : {}),
      },
    };
    const result = kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    if (result.status !== 0) throw new Error(`could not start ${name}: ${result.stderr}`);
    return name;
  }

  /** Waits until the pod's command finished; returns its phase and output. */
  async finish(namespace: string, name: string, timeoutMs = 120_000): Promise<{ phase: string; output: string }> {
    const phase = await eventually(`pod ${namespace}/${name} to finish`, () => {
      const p = kubectlJson<any>(['-n', namespace, 'get', 'pod', name]).status.phase as string;
      return p === 'Succeeded' || p === 'Failed' ? p : undefined;
    }, timeoutMs, 1000);
    return { phase, output: kubectl(['-n', namespace, 'logs', name]).output };
  }

  /**
   * Runs the SPIRE agent's CLI in a new pod with SERVICE_ACCOUNT and LABELS, against the Workload
   * API socket of the CSI driver; returns the JWT-SVID it got, if any, and the CLI's output.
   */
  async fetchSvidAs(namespace: string, serviceAccount: string, labels: Record<string, string>, audience: string): Promise<{ svid?: string; output: string }> {
    const name = this.start({
      namespace,
      serviceAccount,
      labels,
      image: SPIRE_AGENT_IMAGE,
      workloadApi: true,
      // Retry for a while: a new pod's registration entry needs a few seconds to reach the agent.
      command: ['/bin/sh', '-c', `for i in $(seq 1 20); do /opt/spire/bin/spire-agent api fetch jwt -audience ${audience} -socketPath ${SOCKET_DIR}/spire-agent.sock -output json && exit 0; sleep 3; done; exit 1`],
    });
    const { output } = await this.finish(namespace, name, 180_000);
    return { svid: JWT.exec(output)?.[0], output: output.replace(new RegExp(JWT.source, 'g'), '<jwt>') };
  }

  /**
   * The JWT-SVIDs the Workload API gives the backend's own container for AUDIENCE, asked with the
   * gRPC library and the Workload API definition the backend image carries (@zt-demo/spiffe), over the socket the SPIFFE
   * CSI driver mounted (SPIFFE_ENDPOINT_SOCKET). No SPIFFE ID is asked for: this is everything the
   * agent attests that container to be. (An ephemeral container with the SPIRE CLI would be the
   * other way in, but SPIRE's Kubernetes attestor does not attest ephemeral containers.)
   */
  svidsOfBackend(audience: string): Array<{ spiffeId: string; svid: string }> {
    const script = `
      const grpc = require('/app/node_modules/@grpc/grpc-js');
      const { workloadPackageDefinition } = require('/app/backend/spiffe/src/index.ts');
      const api = grpc.loadPackageDefinition(workloadPackageDefinition()).SpiffeWorkloadAPI;
      const client = new api(process.env.SPIFFE_ENDPOINT_SOCKET, grpc.credentials.createInsecure());
      const metadata = new grpc.Metadata();
      metadata.set('workload.spiffe.io', 'true');
      client.FetchJWTSVID({ audience: [process.argv[1]], spiffeId: '' }, metadata, { deadline: Date.now() + 10000 }, (error, response) => {
        console.log(JSON.stringify(error ? { error: error.details } : response.svids.map((s) => ({ spiffeId: s.spiffeId, svid: s.svid }))));
        client.close();
      });`;
    const result = kubectl(['-n', '99-apps', 'exec', 'deployment/backend', '-c', 'backend', '--', 'node', '-e', script, audience]);
    const answer = JSON.parse(result.stdout.trim() || '{}');
    if (!Array.isArray(answer)) throw new Error(`the Workload API refused the backend: ${answer.error ?? result.stderr}`);
    return answer;
  }

  /** A port-forward to NAMESPACE/TARGET:PORT on a free local port; closed by deleteAll. */
  async portForward(namespace: string, target: string, port: number): Promise<number> {
    const child = spawn('kubectl', ['--context', 'kind-zt-demo', '-n', namespace, 'port-forward', target, `:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.forwards.push(child);
    return new Promise((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`port-forward to ${target}: ${seen}`)), 30_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /127\.0\.0\.1:(\d+)/.exec(seen);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
      child.on('exit', () => reject(new Error(`port-forward to ${target} ended: ${seen}`)));
    });
  }

  deleteAll(): void {
    for (const child of this.forwards) child.kill();
    this.forwards.length = 0;
    kubectl(['delete', 'pods,serviceaccounts', '--all-namespaces', '-l', `zt-demo.test/probe=${this.group}`, '--wait=false'], { timeoutMs: 60_000 });
    for (const ns of this.namespaces) kubectl(['delete', 'namespace', ns, '--wait=false']);
  }
}

/** The first pod of TARGET (deployment/NAME, or a pod name). */
export function podOf(namespace: string, target: string): string {
  if (!target.includes('/')) return target;
  const [kind, name] = target.split('/');
  const selector = kubectlJson<any>(['-n', namespace, 'get', kind!, name!]).spec.selector.matchLabels;
  const labels = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = kubectlJson<{ items: any[] }>(['-n', namespace, 'get', 'pods', '-l', labels]).items.filter((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
  if (pods.length === 0) throw new Error(`no running pod for ${namespace}/${target}`);
  return pods[0].metadata.name;
}

let baoForward: { probes: ProbePods; port: number } | undefined;

/** OpenBao's JWT login with TOKEN for the backend role, through a port-forward to openbao-0. */
export async function openbaoLogin(token: string): Promise<{ status: number; text: string; body: any }> {
  if (!baoForward) {
    const probes = new ProbePods('openbao-forward');
    baoForward = { probes, port: await probes.portForward('openbao', 'pod/openbao-0', 8200) };
  }
  // OpenBao serves TLS only: verified against the SPIRE bundle, as https://localhost (a DNS name of its X.509-SVID)
  const dispatcher = new Agent({ connect: { ca: `${spireServer(['bundle', 'show', '-format', 'pem'])}\n` } });
  const response = await undiciFetch(`https://localhost:${baoForward.port}/v1/auth/jwt/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'backend', jwt: token }),
    dispatcher,
  }).finally(() => dispatcher.close());
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : undefined };
}

export function closeOpenbaoForward(): void {
  baoForward?.probes.deleteAll();
  baoForward = undefined;
}

/** One flow of `scripts/hubble.sh export`. */
export interface Flow {
  time: string;
  verdict: string;
  drop_reason: string | null;
  auth: string | null;
  src: string;
  dst: string;
  port: number | null;
  type: string;
  /** Where Cilium observed it: TO_ENDPOINT is delivered into the destination pod. */
  point: string | null;
}

/** `scripts/hubble.sh export` with FILTERS: the flows Hubble recorded, as the README shows them. */
export function hubbleFlows(filters: string[], last = 2000): Flow[] {
  const result = run('bash', ['scripts/hubble.sh', 'export', '--last', String(last), ...filters], { timeoutMs: 120_000 });
  if (result.status !== 0) throw new Error(`hubble.sh export failed: ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Flow);
}

/** Reads KEY from the suite's environment; here so probes can name the app port in messages. */
export const appPort = (): string => required('ZT_KIND_APP_PORT');
