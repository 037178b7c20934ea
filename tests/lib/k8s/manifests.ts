/**
 * The YAML files of kind mode and a loader that splits them into documents.
 *
 * The file list is written out on purpose instead of globbed: kind-manifests.test.ts compares it
 * with what is on disk, so a new YAML file fails the tests until someone decides how to check it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, repoPath } from '../repo.ts';

/** Every YAML file kind mode reads, relative to the repository root. */
export const KIND_MANIFEST_FILES = [
  'kind-config.yaml',
  'infrastructure/cilium/values.yaml',
  'infrastructure/cilium/values-wireguard.yaml',
  'infrastructure/cilium/policies/backend.yaml',
  'infrastructure/cilium/policies/frontend.yaml',
  'infrastructure/cilium/policies/openbao.yaml',
  'infrastructure/cilium/policies/postgres.yaml',
  'infrastructure/spire/values.yaml',
  'infrastructure/spire/clusterspiffeids.yaml',
  'infrastructure/openbao/values.yaml',
  'infrastructure/openbao/spiffe-helper.yaml',
  'infrastructure/postgres/namespace.yaml',
  'infrastructure/postgres/serviceaccount.yaml',
  'infrastructure/postgres/certificates.yaml',
  'infrastructure/postgres/cluster.yaml',
  'infrastructure/postgres/kustomization.yaml',
  'backend/k8s/namespace.yaml',
  'backend/k8s/serviceaccount.yaml',
  'backend/k8s/deployment.yaml',
  'backend/k8s/pdb.yaml',
  'backend/k8s/service.yaml',
  'backend/k8s/kustomization.yaml',
  'frontend/k8s/serviceaccount.yaml',
  'frontend/k8s/deployment.yaml',
  'frontend/k8s/pdb.yaml',
  'frontend/k8s/service.yaml',
  'frontend/k8s/kustomization.yaml',
] as const;

/** One YAML document: `file` is relative to the repository root, `index` counts from 0 within it. */
export interface YamlDocument {
  file: string;
  index: number;
  value: unknown;
  /** YAML syntax errors and duplicate keys; a document with errors has no trustworthy value. */
  errors: string[];
}

/**
 * Splits YAML text into its documents. YAML 1.1, as kubectl, Helm and kind read it
 * (sigs.k8s.io/yaml): `0555` is octal and `yes`/`no` are booleans there, unlike YAML 1.2.
 * Empty documents (only comments, or a trailing `---`) are left out, as kubectl does.
 */
export function parseYamlDocuments(file: string, text: string): YamlDocument[] {
  const documents: YamlDocument[] = [];
  for (const doc of parseAllDocuments(text, { version: '1.1', prettyErrors: false })) {
    const errors = [...doc.errors, ...doc.warnings].map((error) => error.message);
    if (doc.contents === null && errors.length === 0) continue;
    documents.push({ file, index: documents.length, value: errors.length === 0 ? doc.toJS() : null, errors });
  }
  return documents;
}

export function loadYamlFile(file: string): YamlDocument[] {
  return parseYamlDocuments(file, readFileSync(repoPath(file), 'utf8'));
}

/** Every document of every file in KIND_MANIFEST_FILES. */
export function loadRepoDocuments(): YamlDocument[] {
  return KIND_MANIFEST_FILES.flatMap((file) => loadYamlFile(file));
}

const YAML_FILE = /\.ya?ml$/;

/** The YAML files on disk that kind mode could read: backend/k8s, frontend/k8s, infrastructure/** and kind-config.yaml. */
export function findKindYamlFiles(): string[] {
  const found = ['kind-config.yaml'];
  for (const dir of ['backend/k8s', 'frontend/k8s', 'infrastructure']) {
    for (const entry of readdirSync(repoPath(dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !YAML_FILE.test(entry.name)) continue;
      const absolute = join(entry.parentPath, entry.name);
      if (absolute.split('/').includes('node_modules')) continue;
      found.push(absolute.slice(REPO_ROOT.length + 1));
    }
  }
  return found.sort();
}
