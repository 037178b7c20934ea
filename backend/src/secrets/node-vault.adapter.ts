import type { Agent } from 'node:https';
import nodeVault from 'node-vault';
import { metrics } from '../metrics/metrics.js';
import { isTlsRefusal, tlsRefusalReason } from '../tls/tls-errors.js';
import { OpenBaoError, type LeasedSecret, type OpenBaoApi, type TokenGrant } from './openbao-api.js';

type VaultClient = ReturnType<typeof nodeVault>;

interface AuthBody {
  auth: { client_token: string; lease_duration: number; renewable: boolean; policies?: string[]; token_policies?: string[] };
}

/**
 * Adapter: OpenBao's HTTP API through node-vault (OpenBao keeps Vault's API). node-vault does not
 * export its error classes, so failures are told apart by shape: an HTTP answer carries
 * response.statusCode, a network failure or timeout does not.
 */
export class NodeVaultAdapter implements OpenBaoApi {
  private readonly vault: VaultClient;

  /** agent: the https.Agent for the next call (workload TLS replaces it when the SVID is renewed). */
  constructor(endpoint: string, timeoutMs: number, agent: () => Agent) {
    // node-vault spreads requestOptions into every call's options, so the getter is read per call:
    // each request goes out with the agent current at that moment.
    const requestOptions = {
      timeout: timeoutMs,
      get httpsAgent(): Agent {
        return agent();
      },
    };
    this.vault = nodeVault({ apiVersion: 'v1', endpoint, requestOptions });
  }

  setToken(token: string | undefined): void {
    this.vault.token = token as string;
  }

  async jwtLogin(mount: string, role: string, jwt: string): Promise<TokenGrant> {
    const body = (await this.call('login', () => this.vault.write(`auth/${mount}/login`, { role, jwt }))) as AuthBody;
    return grant(body);
  }

  async renewSelf(incrementS: number): Promise<TokenGrant> {
    const body = (await this.call('renew', () => this.vault.tokenRenewSelf({ increment: incrementS }))) as AuthBody;
    return grant(body);
  }

  async read<T>(path: string): Promise<LeasedSecret<T> | undefined> {
    try {
      const body = (await this.call('read', () => this.vault.read(path))) as { data: T; lease_id: string; lease_duration: number };
      return { data: body.data, leaseId: body.lease_id, leaseDurationS: body.lease_duration };
    } catch (error) {
      if (error instanceof OpenBaoError && error.status === 404) return undefined;
      throw error;
    }
  }

  async write(path: string, body: Record<string, unknown>): Promise<void> {
    await this.call('write', () => this.vault.write(path, body));
  }

  async delete(path: string): Promise<void> {
    await this.call('delete', () => this.vault.delete(path));
  }

  async revokeLease(leaseId: string): Promise<void> {
    // The lease in the path, where backend-policy scopes it (a lease_id in the body is refused);
    // sync: revocation (and so the DROP ROLE) has happened when the call returns.
    await this.call('revoke', () => this.vault.write(`sys/leases/revoke/${leaseId}`, { sync: true }));
  }

  private async call(operation: string, fn: () => Promise<unknown>): Promise<unknown> {
    try {
      const result = await fn();
      metrics.openbaoRequests.inc({ operation, result: 'ok' });
      return result;
    } catch (error) {
      metrics.openbaoRequests.inc({ operation, result: 'error' });
      const response = (error as { response?: { statusCode?: number } }).response;
      const status = response?.statusCode;
      // never pass on request details (they may carry the token): the error's own message and code only
      const message = status === undefined ? unreachable(error) : `OpenBao answered ${status} to ${operation}: ${(error as Error).message}`;
      throw new OpenBaoError(message, status);
    }
  }
}

/** Why no answer came; a refused certificate says so, with the reason TLS gave. */
function unreachable(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause ?? error;
  if (isTlsRefusal(error) || isTlsRefusal(cause)) {
    return `OpenBao's TLS certificate was refused (${tlsRefusalReason(isTlsRefusal(error) ? error : cause)}): is that really OpenBao, with an X.509-SVID of the SPIRE trust bundle?`;
  }
  return `OpenBao is unreachable (${(error as { code?: string }).code ?? 'no answer'})`;
}

function grant(body: AuthBody): TokenGrant {
  return {
    token: body.auth.client_token,
    ttlS: body.auth.lease_duration,
    renewable: body.auth.renewable,
    policies: body.auth.token_policies ?? body.auth.policies ?? [],
  };
}
