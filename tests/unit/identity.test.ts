/** The identity facts are consistent with each other and with the files that encode them. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { durationSeconds, identity } from '../lib/identity.ts';
import { repoPath } from '../lib/repo.ts';

const read = (...parts: string[]): string => readFileSync(repoPath(...parts), 'utf8');

/** path -> capabilities, from an OpenBao policy in HCL. */
function policyRules(hcl: string): Map<string, string[]> {
  const rules = new Map<string, string[]>();
  for (const match of hcl.matchAll(/path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]/g)) {
    rules.set(match[1]!, [...match[2]!.matchAll(/"([a-z]+)"/g)].map((cap) => cap[1]!));
  }
  return rules;
}

describe('infrastructure/identity.json', () => {
  it('puts both workloads in the trust domain', () => {
    for (const id of Object.values(identity.spiffeIds)) {
      expect(id.startsWith(`spiffe://${identity.trustDomain}/`)).toBe(true);
    }
    expect(identity.spiffeIds.backend).not.toBe(identity.spiffeIds.frontend);
  });

  it('keeps the OpenBao token alive at least as long as the database lease it creates', () => {
    // DB leases die with the token that created them (design decision 5)
    expect(durationSeconds(identity.openbao.tokenTtl)).toBeGreaterThanOrEqual(durationSeconds(identity.database.defaultTtl));
    expect(durationSeconds(identity.openbao.tokenMaxTtl)).toBeGreaterThanOrEqual(durationSeconds(identity.openbao.tokenTtl));
    expect(durationSeconds(identity.database.maxTtl)).toBeGreaterThanOrEqual(durationSeconds(identity.database.defaultTtl));
  });

  it('rotates database credentials well before they expire', () => {
    expect(durationSeconds(identity.database.rotationInterval)).toBe(50 * 60);
    expect(durationSeconds(identity.database.defaultTtl)).toBe(60 * 60);
    expect(durationSeconds(identity.database.rotationInterval)).toBeLessThan(durationSeconds(identity.database.defaultTtl));
  });

  it('has a fast-rotation setting that rotates within minutes, before its short lease ends', () => {
    const fast = identity.database.fastRotation;
    expect(durationSeconds(fast.rotationInterval)).toBeLessThanOrEqual(5 * 60);
    expect(durationSeconds(fast.rotationInterval)).toBeLessThan(durationSeconds(fast.defaultTtl));
    expect(durationSeconds(fast.maxTtl)).toBeGreaterThanOrEqual(durationSeconds(fast.defaultTtl));
    expect(durationSeconds(identity.openbao.tokenTtl)).toBeGreaterThanOrEqual(durationSeconds(fast.defaultTtl));
  });
});

describe('infrastructure/openbao/backend-policy.hcl', () => {
  const rules = policyRules(read('infrastructure', 'openbao', 'backend-policy.hcl'));
  const { kvMount, kvPaths } = identity.openbao;
  const capabilitiesFor = (path: string): string[] => {
    for (const [pattern, caps] of rules) {
      const matches = pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
      if (matches) return caps;
    }
    return [];
  };

  it('lets the backend read and write per-user GitHub tokens', () => {
    expect(capabilitiesFor(`${kvMount}/data/${kvPaths.githubUsers}/42`)).toEqual(expect.arrayContaining(['create', 'read', 'update', 'delete']));
    expect(capabilitiesFor(`${kvMount}/metadata/${kvPaths.githubUsers}/42`)).toEqual(['delete']);
  });

  it('lets the backend read its signing key and its database credentials, and nothing more of the database engine', () => {
    expect(capabilitiesFor(`${kvMount}/data/${kvPaths.jwtSigningKey}`)).toEqual(['read']);
    expect(capabilitiesFor(`${identity.database.secretsMount}/creds/${identity.database.role}`)).toEqual(['read']);
    expect(capabilitiesFor(`${identity.database.secretsMount}/config/${identity.database.connectionName}`)).toEqual([]);
    expect(capabilitiesFor(`${identity.database.secretsMount}/roles/${identity.database.role}`)).toEqual([]);
  });

  it('grants nothing outside its own paths', () => {
    expect(capabilitiesFor(`${kvMount}/data/other`)).toEqual([]);
    expect(capabilitiesFor('sys/policies/acl/backend-policy')).toEqual([]);
    expect(capabilitiesFor(`${kvMount}/data/backend/other`)).toEqual([]);
    expect(capabilitiesFor(`${kvMount}/data/github/other`)).toEqual([]);
    const revokeOwn = `sys/leases/revoke/${identity.database.secretsMount}/creds/${identity.database.role}/`;
    expect([...rules.keys()].filter((path) => path === '*' || path.startsWith('sys/'))).toEqual([`${revokeOwn}*`]);
    expect(capabilitiesFor('sys/leases/revoke')).toEqual([]);
    expect(capabilitiesFor('sys/leases/revoke/auth/jwt/login/abc')).toEqual([]);
  });
});

describe('local SPIRE configuration', () => {
  it('takes the trust domain and the issuer from the environment setup exports, never a literal', () => {
    for (const file of ['server.conf', 'agent.conf', 'oidc-discovery-provider.conf']) {
      const conf = read('infrastructure', 'spire', 'local', file);
      expect(conf).not.toContain(identity.trustDomain);
      expect(conf).not.toMatch(/:\d{4}"/); // ports come from ZT_*_PORT
    }
    expect(read('infrastructure', 'spire', 'local', 'server.conf')).toMatch(/jwt_issuer\s*=\s*"\$\{ZT_JWT_ISSUER\}"/);
    expect(read('infrastructure', 'spire', 'local', 'oidc-discovery-provider.conf')).toMatch(/jwt_issuer\s*=\s*"\$\{ZT_JWT_ISSUER\}"/);
  });
});
