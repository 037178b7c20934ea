/**
 * The tests' own client identity for the backend's API (identity.json's testIdentities.apiClient):
 * registered with the real SPIRE server for this process's uid, its X.509-SVID kept from the real
 * agent's Workload API, and presented on every call to the backend, which in the test stack admits
 * it beside the frontend (ZT_API_CLIENT_SPIFFE_IDS, see test-stack.ts). Nothing here stands in for
 * SPIRE or TLS.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { clientTlsOptions, expectSpiffeId, X509Source, x509SvidFromMessage, type X509Svid } from '@zt-demo/spiffe';
import { Agent, fetch as undiciFetch, type RequestInit, type Response } from 'undici';
import { durationSeconds, identity } from './identity.ts';
import type { StackEnv } from './stack.ts';

export const TEST_CLIENT_ID = identity.testIdentities.apiClient;

/** Registers the tests' client identity for our uid, once per SPIRE server (setup may make a new one). */
export function registerTestClient(env: StackEnv, spiffeId = TEST_CLIENT_ID): void {
  const server = [env.ZT_SPIRE_SERVER!, 'entry'];
  const socket = ['-socketPath', env.ZT_SPIRE_SERVER_SOCKET!];
  const selector = `unix:uid:${process.getuid!()}`;
  const shown = spawnSync(server[0]!, [...server.slice(1), 'show', ...socket, '-spiffeID', spiffeId, '-selector', selector, '-output', 'json'], { encoding: 'utf8' });
  if (shown.status === 0 && (JSON.parse(shown.stdout).entries ?? []).length > 0) return;
  const ttl = String(durationSeconds(env.ZT_X509_SVID_TTL ?? identity.x509Svid.ttl));
  const created = spawnSync(
    server[0]!,
    [...server.slice(1), 'create', ...socket, '-parentID', env.ZT_NODE_SPIFFE_ID!, '-spiffeID', spiffeId, '-selector', selector, '-x509SVIDTTL', ttl, '-hint', 'tests'],
    { encoding: 'utf8' },
  );
  if (created.status !== 0) throw new Error(`could not register ${spiffeId}: ${created.stderr}${created.stdout}`);
}

interface ClientTls {
  source: X509Source;
  agents: Map<string, Agent>;
}
const clients = new Map<string, ClientTls>();

function clientFor(env: StackEnv): ClientTls {
  const socket = `unix://${env.ZT_SPIRE_AGENT_SOCKET}`;
  let client = clients.get(socket);
  if (!client) {
    registerTestClient(env);
    const source = new X509Source(socket, TEST_CLIENT_ID).start();
    client = { source, agents: new Map() };
    const agents = client.agents;
    // a renewal: new connections with the new certificate; the old pools finish and close
    source.onUpdate(() => {
      for (const agent of agents.values()) void agent.close();
      agents.clear();
    });
    clients.set(socket, client);
  }
  return client;
}

/** The tests' client X.509-SVID (waits for the first one). */
export async function testClientSvid(env: StackEnv): Promise<X509Svid> {
  return clientFor(env).source.ready(60_000);
}

/**
 * The connection pool to the backend: the tests' SVID as client certificate, only the backend's
 * SPIFFE ID accepted from the server; `from` connects from that local address (127.0.0.x: another
 * client, as the backend sees it).
 */
export async function backendAgent(env: StackEnv, from?: string): Promise<Agent> {
  const client = clientFor(env);
  const svid = await client.source.ready(60_000);
  const key = from ?? '';
  let agent = client.agents.get(key);
  if (!agent) {
    agent = new Agent({ keepAliveTimeout: 2_000, ...(from && { localAddress: from }), connect: clientTlsOptions(svid, identity.spiffeIds.backend) });
    client.agents.set(key, agent);
  }
  return agent;
}

/** fetch to the backend's mutual-TLS API as the tests' client. */
export async function backendFetch(env: StackEnv, path: string, init: RequestInit = {}, from?: string): Promise<Response> {
  return undiciFetch(`${env.ZT_BACKEND_URL}${path}`, { ...init, dispatcher: await backendAgent(env, from) });
}

/** The SPIRE trust bundle as the stack keeps it (what OpenBao's and PostgreSQL's certificates chain to). */
export const trustBundle = (env: StackEnv): string => readFileSync(env.ZT_BAO_CACERT!, 'utf8');

/** TLS options for a client of PostgreSQL, as the backend's: the bundle, and PostgreSQL's SPIFFE ID. */
export function postgresSsl(env: StackEnv): { ca: string; checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined } {
  return { ca: trustBundle(env), checkServerIdentity: expectSpiffeId(identity.spiffeIds.postgres) };
}

let openbaoAgent: { ca: string; agent: Agent } | undefined;
/** The pool for OpenBao calls: its certificate verified against the current bundle (and host name). */
export function openbaoDispatcher(env: StackEnv): Agent {
  const ca = trustBundle(env);
  if (openbaoAgent?.ca !== ca) {
    void openbaoAgent?.agent.close();
    openbaoAgent = { ca, agent: new Agent({ connect: { ca } }) };
  }
  return openbaoAgent.agent;
}

/** Closes what the tests' client holds open (the Workload API stream, the pools). */
export function closeTestClients(): void {
  for (const client of clients.values()) {
    client.source.close();
    for (const agent of client.agents.values()) void agent.close();
  }
  clients.clear();
  void openbaoAgent?.agent.close();
  openbaoAgent = undefined;
}

/**
 * An X.509-SVID for any SPIFFE ID, minted by the real SPIRE server's admin API (spire-server x509
 * mint): what an operator can do, and what the tests use to act as the frontend or as an impostor
 * of the same trust domain.
 */
export function mintSvid(env: StackEnv, spiffeId: string): X509Svid {
  const minted = spawnSync(env.ZT_SPIRE_SERVER!, ['x509', 'mint', '-socketPath', env.ZT_SPIRE_SERVER_SOCKET!, '-spiffeID', spiffeId, '-ttl', '10m', '-output', 'json'], { encoding: 'utf8' });
  if (minted.status !== 0) throw new Error(`spire-server x509 mint ${spiffeId} failed: ${minted.stderr}`);
  const out = JSON.parse(minted.stdout) as { x509_svid: string[]; private_key: string; root_cas: string[] };
  return x509SvidFromMessage({
    spiffeId,
    x509Svid: Buffer.concat(out.x509_svid.map((der) => Buffer.from(der, 'base64'))),
    x509SvidKey: Buffer.from(out.private_key, 'base64'),
    bundle: Buffer.concat(out.root_cas.map((der) => Buffer.from(der, 'base64'))),
  });
}
