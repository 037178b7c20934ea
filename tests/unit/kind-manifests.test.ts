/**
 * Every YAML document of kind mode has the type its consumer expects (Kubernetes, Cilium, kind,
 * kustomize, the SPIRE CRD, the Helm charts' values), and an unknown or misspelled key anywhere
 * is an error, not silently ignored. The mutations prove that the checker catches such typos;
 * all documents, good and mutated, go through one run of tsc.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findKindYamlFiles, KIND_MANIFEST_FILES, loadRepoDocuments, parseYamlDocuments } from '../lib/k8s/manifests.ts';
import { checkDocuments, formatProblems, type CheckedDocument, type Problem } from '../lib/k8s/typecheck.ts';
import { repoPath } from '../lib/repo.ts';

interface Mutation {
  name: string;
  file: string;
  /** Replaced at its first match; a mutation that matches nothing fails the test. */
  from: RegExp;
  to: string;
  /** What the problem must name: the document, the key's path, and optionally the message. */
  expected: { index: number; path: string; code?: string; message?: RegExp };
}

const MUTATIONS: Mutation[] = [
  {
    name: 'authentication misspelled in a CiliumNetworkPolicy rule',
    file: 'infrastructure/cilium/policies/frontend.yaml',
    from: /^(\s+)authentication:/m,
    to: '$1authentification:',
    expected: { index: 0, path: 'spec.egress[0].authentification', code: 'TS2561', message: /Did you mean to write 'authentication'\?/ },
  },
  {
    name: 'a port as a number where Cilium wants a string',
    file: 'infrastructure/cilium/policies/backend.yaml',
    from: /port: "8000"/,
    to: 'port: 8000',
    expected: { index: 0, path: 'spec.ingress[0].toPorts[0].ports[0].port', message: /'number' is not assignable to type 'string'/ },
  },
  {
    name: 'jwtTtl spelled as the SPIRE chart values spell it (jwtTTL) in a ClusterSPIFFEID',
    file: 'infrastructure/spire/clusterspiffeids.yaml',
    from: /jwtTtl:/,
    to: 'jwtTTL:',
    expected: { index: 0, path: 'spec.jwtTTL', message: /'jwtTTL' does not exist in type 'ClusterSPIFFEIDSpec'/ },
  },
  {
    name: 'replicas misspelled in the backend Deployment',
    file: 'backend/k8s/deployment.yaml',
    from: /^ {2}replicas:/m,
    to: '  replica:',
    expected: { index: 0, path: 'spec.replica', code: 'TS2561', message: /Did you mean to write 'replicas'\?/ },
  },
  {
    name: 'an imagePullPolicy Kubernetes does not know',
    file: 'backend/k8s/deployment.yaml',
    from: /imagePullPolicy: IfNotPresent/,
    to: 'imagePullPolicy: Sometimes',
    expected: { index: 0, path: 'spec.template.spec.containers[0].imagePullPolicy', message: /"Sometimes"/ },
  },
  {
    name: 'a misspelled top-level key in the Cilium values',
    file: 'infrastructure/cilium/values.yaml',
    from: /^authentication:/m,
    to: 'authentification:',
    expected: { index: 0, path: 'authentification', message: /'authentification' does not exist in type 'CiliumValues'/ },
  },
  {
    name: 'a kube-proxy mode kind does not know',
    file: 'kind-config.yaml',
    from: /kubeProxyMode: .*/,
    to: 'kubeProxyMode: nonee',
    expected: { index: 0, path: 'networking.kubeProxyMode', message: /Did you mean '"none"'\?/ },
  },
  {
    name: 'an unknown key in the OpenBao values',
    file: 'infrastructure/openbao/values.yaml',
    from: /^ {2}dataStorage:/m,
    to: '  datastorage:',
    expected: { index: 0, path: 'server.datastorage' },
  },
  {
    name: 'an unknown key in the SPIRE values',
    file: 'infrastructure/spire/values.yaml',
    from: /^ {2}caTTL:/m,
    to: '  caTtl:',
    expected: { index: 0, path: '["spire-server"].caTtl' },
  },
  {
    name: 'an unknown key in a kustomization',
    file: 'infrastructure/postgres/kustomization.yaml',
    from: /^resources:/m,
    to: 'resource:',
    expected: { index: 0, path: 'resource' },
  },
  {
    name: 'an apiVersion no type is registered for',
    file: 'frontend/k8s/deployment.yaml',
    from: /^apiVersion: apps\/v1$/m,
    to: 'apiVersion: app/v1',
    expected: { index: 0, path: '', code: 'unregistered', message: /apiVersion app\/v1, kind Deployment/ },
  },
  {
    name: 'a duplicated key',
    file: 'infrastructure/postgres/cluster.yaml',
    from: /^ {2}instances: 2$/m,
    to: '  instances: 2\n  instances: 2',
    expected: { index: 0, path: '', code: 'yaml', message: /unique/i },
  },
];

function mutatedDocuments(mutation: Mutation): CheckedDocument[] {
  const original = readFileSync(repoPath(mutation.file), 'utf8');
  if (!mutation.from.test(original)) throw new Error(`mutation "${mutation.name}": ${mutation.from} matches nothing in ${mutation.file}`);
  const mutated = original.replace(mutation.from, mutation.to);
  return parseYamlDocuments(mutation.file, mutated).map((doc) => ({ ...doc, tag: mutation.name }));
}

describe('kind-mode YAML', () => {
  let problems: Problem[];

  beforeAll(async () => {
    const documents: CheckedDocument[] = [...loadRepoDocuments(), ...MUTATIONS.flatMap(mutatedDocuments)];
    problems = await checkDocuments(documents);
  }, 60_000);

  it('has the declared type in every document, with no unknown or misspelled key', () => {
    const ours = problems.filter((problem) => problem.tag === undefined);
    expect(formatProblems(ours)).toBe('');
  });

  it('checks every document it loads, and loads more than a handful', () => {
    // A loader that silently returned nothing would make the test above pass vacuously.
    const documents = loadRepoDocuments();
    expect(new Set(documents.map((doc) => doc.file))).toEqual(new Set(KIND_MANIFEST_FILES));
    expect(documents.length).toBeGreaterThanOrEqual(KIND_MANIFEST_FILES.length);
  });

  it.each(MUTATIONS.map((mutation) => [mutation.name, mutation] as const))('catches %s, naming the file and the bad key', (_, mutation) => {
    const found = problems.filter((problem) => problem.tag === mutation.name);
    const { index, path, code, message } = mutation.expected;
    // Exactly the one problem the mutation made: the rest of the mutated file is still clean.
    expect(found, formatProblems(found)).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: mutation.file, index, path });
    if (code) expect(found[0]!.code).toBe(code);
    if (message) expect(found[0]!.message).toMatch(message);
  });

  it('validates exactly the YAML files of backend/k8s, frontend/k8s, infrastructure and kind-config.yaml', () => {
    // A new YAML file must be added to KIND_MANIFEST_FILES (and get a type) to pass.
    expect([...KIND_MANIFEST_FILES].sort()).toEqual(findKindYamlFiles());
  });
});
