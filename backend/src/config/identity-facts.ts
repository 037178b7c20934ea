import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/** The shape of infrastructure/identity.json, the project's one source of identity facts. */
const IdentityFactsSchema = z.object({
  trustDomain: z.string(),
  spiffeIds: z.object({ backend: z.string(), frontend: z.string(), openbao: z.string(), postgres: z.string() }),
  jwtSvid: z.object({ audience: z.string(), ttl: z.string() }),
  x509Svid: z.object({ ttl: z.string(), apiClients: z.array(z.enum(['backend', 'frontend', 'openbao', 'postgres'])) }),
  openbao: z.object({
    jwtAuthMount: z.string(),
    jwtRole: z.string(),
    policy: z.string(),
    tokenTtl: z.string(),
    tokenMaxTtl: z.string(),
    kvMount: z.string(),
    kvPaths: z.object({ jwtSigningKey: z.string(), githubUsers: z.string() }),
  }),
  database: z.object({
    name: z.string(),
    schema: z.string(),
    secretsMount: z.string(),
    role: z.string(),
    defaultTtl: z.string(),
    rotationInterval: z.string(),
  }),
});
export type IdentityFacts = z.infer<typeof IdentityFactsSchema>;

/** The repository's identity.json; ZT_IDENTITY_FILE points elsewhere (e.g. inside a container image). */
export function identityFactsPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.ZT_IDENTITY_FILE ?? resolve(import.meta.dirname, '..', '..', '..', 'infrastructure', 'identity.json');
}

export function loadIdentityFacts(path = identityFactsPath()): IdentityFacts {
  return IdentityFactsSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** "50m" -> 3_000_000 ms; accepts s, m and h. */
export function durationMs(duration: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(duration.trim());
  if (!match) throw new Error(`not a duration (like 90s, 50m or 1h): ${duration}`);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
}
