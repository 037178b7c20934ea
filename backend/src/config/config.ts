import { z } from 'zod';
import { durationMs, loadIdentityFacts, type IdentityFacts } from './identity-facts.js';

const duration = z.string().refine((value) => {
  try {
    return durationMs(value) > 0;
  } catch {
    return false;
  }
}, 'a duration like 90s, 50m or 1h');

function envSchema(facts: IdentityFacts) {
  return z.object({
    /** The API: HTTPS with mutual TLS (X.509-SVIDs), open to API_CLIENT_SPIFFE_IDS only. */
    PORT: z.coerce.number().int().min(1).max(65535).default(8000),
    /** Plain HTTP for kubelet probes and Prometheus: /api/health/live, /api/health/ready, /metrics and nothing else. */
    HEALTH_PORT: z.coerce.number().int().min(1).max(65535).default(8001),
    HOST: z.string().default('127.0.0.1'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SPIFFE_ENDPOINT_SOCKET: z.string().regex(/^(unix:|tcp:\/\/)/, 'unix:///path/to/agent.sock or tcp://IP:PORT'),
    OPENBAO_ADDR: z.url().refine((url) => url.startsWith('https://'), 'an https:// address: OpenBao serves TLS only'),
    OPENBAO_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
    DB_HOST: z.string().min(1),
    DB_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
    DB_NAME: z.string().default(facts.database.name),
    DB_POOL_MIN: z.coerce.number().int().min(0).default(5),
    DB_POOL_MAX: z.coerce.number().int().min(1).default(20),
    /** Rotate this long after getting credentials... */
    DB_ROTATE_INTERVAL: duration.default(facts.database.rotationInterval),
    /** ...or, when set, at this fraction of the lease (e.g. 0.5), whichever comes first. */
    DB_ROTATE_FRACTION: z.coerce.number().gt(0).lt(1).optional(),
    GITHUB_API_URL: z.url().default('https://api.github.com'),
    GITHUB_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    /** Failed sign-ins per minute from one address for one username... */
    LOGIN_MAX_FAILURES_PER_MINUTE: z.coerce.number().int().positive().default(10),
    /** ...and from one address whatever the usernames (a password sprayed over many names). */
    LOGIN_MAX_FAILURES_PER_CLIENT_PER_MINUTE: z.coerce.number().int().positive().default(30),
    /**
     * The SPIFFE IDs admitted to the API (comma-separated): by default identity.json's apiClients
     * (the frontend). The chain tests' stack adds the tests' own client identity.
     */
    API_CLIENT_SPIFFE_IDS: z
      .string()
      .default(facts.x509Svid.apiClients.map((name) => facts.spiffeIds[name]).join(','))
      .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
      .refine(
        (ids) => ids.length > 0 && ids.every((id) => id.startsWith(`spiffe://${facts.trustDomain}/`)),
        `SPIFFE IDs of trust domain ${facts.trustDomain}, comma-separated`,
      ),
    /** How long to wait at start for the first X.509-SVID before giving up. */
    SVID_WAIT_MS: z.coerce.number().int().positive().default(120_000),
    /** On SIGTERM, keep serving (closing each connection) this long before closing (kind: 5000). */
    SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  });
}

export interface AppConfig {
  port: number;
  healthPort: number;
  host: string;
  logLevel: string;
  identity: { socket: string; spiffeId: string; audience: string; svidWaitMs: number };
  /** Whom the backend talks to over TLS, by SPIFFE ID, and whose X-Forwarded-For it believes. */
  tls: { openbao: string; postgres: string; apiClients: string[]; forwarder: string };
  openbao: { addr: string; timeoutMs: number; jwtMount: string; jwtRole: string; tokenTtlS: number; kvMount: string; signingKeyPath: string; githubUsersPath: string };
  database: {
    host: string;
    port: number;
    name: string;
    poolMin: number;
    poolMax: number;
    credsPath: string;
    rotateIntervalMs: number;
    rotateFraction?: number;
  };
  github: { apiUrl: string; timeoutMs: number };
  auth: { sessionTtlS: number; bcryptCost: number; maxFailuresPerMinute: number; maxFailuresPerClientPerMinute: number };
  shutdownDrainMs: number;
}

export class ConfigError extends Error {}

/** Reads and validates the environment; every problem is named in one message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, facts: IdentityFacts = loadIdentityFacts()): AppConfig {
  const parsed = envSchema(facts).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  if (e.DB_POOL_MIN > e.DB_POOL_MAX) throw new ConfigError('invalid configuration: DB_POOL_MIN is larger than DB_POOL_MAX');
  if (e.HEALTH_PORT === e.PORT) throw new ConfigError('invalid configuration: HEALTH_PORT must differ from PORT (the API port speaks mutual TLS only)');
  return {
    port: e.PORT,
    healthPort: e.HEALTH_PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    identity: { socket: e.SPIFFE_ENDPOINT_SOCKET, spiffeId: facts.spiffeIds.backend, audience: facts.jwtSvid.audience, svidWaitMs: e.SVID_WAIT_MS },
    tls: { openbao: facts.spiffeIds.openbao, postgres: facts.spiffeIds.postgres, apiClients: e.API_CLIENT_SPIFFE_IDS, forwarder: facts.spiffeIds.frontend },
    openbao: {
      addr: e.OPENBAO_ADDR.replace(/\/$/, ''),
      timeoutMs: e.OPENBAO_TIMEOUT_MS,
      jwtMount: facts.openbao.jwtAuthMount,
      jwtRole: facts.openbao.jwtRole,
      tokenTtlS: durationMs(facts.openbao.tokenTtl) / 1000,
      kvMount: facts.openbao.kvMount,
      signingKeyPath: facts.openbao.kvPaths.jwtSigningKey,
      githubUsersPath: facts.openbao.kvPaths.githubUsers,
    },
    database: {
      host: e.DB_HOST,
      port: e.DB_PORT,
      name: e.DB_NAME,
      poolMin: e.DB_POOL_MIN,
      poolMax: e.DB_POOL_MAX,
      credsPath: `${facts.database.secretsMount}/creds/${facts.database.role}`,
      rotateIntervalMs: durationMs(e.DB_ROTATE_INTERVAL),
      rotateFraction: e.DB_ROTATE_FRACTION,
    },
    github: { apiUrl: e.GITHUB_API_URL.replace(/\/$/, ''), timeoutMs: e.GITHUB_TIMEOUT_MS },
    auth: {
      sessionTtlS: 3600,
      bcryptCost: 12,
      maxFailuresPerMinute: e.LOGIN_MAX_FAILURES_PER_MINUTE,
      maxFailuresPerClientPerMinute: e.LOGIN_MAX_FAILURES_PER_CLIENT_PER_MINUTE,
    },
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
  };
}

/** Nest injection token for AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
