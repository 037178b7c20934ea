import { readFileSync } from 'node:fs';
import { repoPath } from './repo.ts';

/** The shape of infrastructure/identity.json, the one source of identity facts. */
export interface IdentityFacts {
  trustDomain: string;
  spiffeIds: { backend: string; frontend: string; openbao: string; postgres: string };
  jwtSvid: { audience: string; ttl: string };
  x509Svid: { ttl: string; dnsNames: Record<'backend' | 'openbao' | 'postgres', string[]>; apiClients: Array<'frontend' | 'backend' | 'openbao' | 'postgres'> };
  testIdentities: { apiClient: string; impostor: string };
  openbao: {
    jwtAuthMount: string;
    jwtRole: string;
    policy: string;
    tokenTtl: string;
    tokenMaxTtl: string;
    kvMount: string;
    kvPaths: { jwtSigningKey: string; githubUsers: string };
  };
  database: {
    name: string;
    schema: string;
    secretsMount: string;
    connectionName: string;
    role: string;
    adminUser: string;
    passwordPolicy: string;
    defaultTtl: string;
    maxTtl: string;
    rotationInterval: string;
    /** The setting `scripts/setup.sh --fast-rotation` applies, for a live demo of rotation. */
    fastRotation: { defaultTtl: string; maxTtl: string; rotationInterval: string };
  };
}

export const identity: IdentityFacts = JSON.parse(
  readFileSync(repoPath('infrastructure', 'identity.json'), 'utf8'),
) as IdentityFacts;

/** "5m" -> 300, "1h" -> 3600, "90s" -> 90. */
export function durationSeconds(duration: string): number {
  const match = /^(\d+)([smh])$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  const unit = { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}
