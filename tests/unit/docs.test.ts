/**
 * The README and docs/ tell the truth about the repository: every file they link or name exists,
 * every anchor they link to is a heading there, every option they give a script is one the script
 * takes, and the front page stays short enough to read.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, repoPath } from '../lib/repo.ts';

const DOCS = ['README.md', ...readdirSync(repoPath('docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const read = (file: string): string => readFileSync(repoPath(file), 'utf8');

/** GitHub's anchor for a heading: lower case, punctuation gone, spaces to hyphens. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

function anchorsOf(file: string): Set<string> {
  const text = read(file).replace(/```[\s\S]*?```/g, '');
  const anchors = new Set<string>();
  for (const match of text.matchAll(/^#{1,6} (.+)$/gm)) anchors.add(slug(match[1]!));
  for (const match of text.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(match[1]!);
  return anchors;
}

/** Markdown links outside code: [text](target). */
function linksOf(file: string): string[] {
  const text = read(file).replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^(https?:|mailto:)/.test(target));
}

/** Paths in code spans and blocks that name something in the repository. */
function namedPaths(file: string): string[] {
  const text = read(file);
  const code = [...text.matchAll(/```[\s\S]*?```|`[^`\n]+`/g)].map((m) => m[0]).join('\n');
  const paths = [...code.matchAll(/(?<![\w./-])((?:scripts|infrastructure|tests|backend|frontend|bench|docs)\/[\w./@()[\]-]*[\w/)\]])/g)].map((m) => m[1]!);
  // placeholders (<module>, *.sh, …) are not paths
  return [...new Set(paths)].filter((path) => !/[<>*…]/.test(path));
}

describe('README.md and docs/', () => {
  it('keeps the front page to about two screens', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(250);
  });

  it.each(DOCS)('%s links only to files and anchors that exist', (file) => {
    const broken: string[] = [];
    for (const link of linksOf(file)) {
      const [target = '', anchor] = link.split('#');
      const path = target === '' ? file : normalize(join(dirname(file), decodeURIComponent(target)));
      if (!existsSync(join(REPO_ROOT, path))) {
        broken.push(`${link}: no ${path}`);
        continue;
      }
      if (anchor && path.endsWith('.md') && !anchorsOf(path).has(anchor)) broken.push(`${link}: no heading #${anchor} in ${path}`);
    }
    expect(broken).toEqual([]);
  });

  it.each(DOCS)('%s names only files that exist', (file) => {
    const missing = namedPaths(file).filter((path) => !existsSync(repoPath(path.replace(/\/$/, ''))));
    expect(missing).toEqual([]);
  });

  it.each(DOCS)("%s gives each script only options it takes", (file) => {
    const text = read(file);
    const wrong: string[] = [];
    for (const match of text.matchAll(/((?:scripts\/[\w-]+|bench\/run|tests\/kind\/prepare)\.sh)((?: +(?:--?[\w-]+(?:[ =](?!-)[^\s`|'"]+)?))+)/g)) {
      const script = match[1]!;
      if (!existsSync(repoPath(script))) {
        wrong.push(`${script}: no such script`);
        continue;
      }
      const header = read(script).split('\n').filter((line) => line.startsWith('#')).join('\n');
      for (const option of match[2]!.match(/--?[\w-]+/g) ?? []) {
        if (!new RegExp(`(^|[\\s\\[|(])${option}\\b`).test(header)) wrong.push(`${script} ${option}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('catches what it is meant to: a missing file, a broken anchor, an unknown option', () => {
    expect(namedPaths('README.md').length).toBeGreaterThan(3);
    expect(linksOf('README.md').some((link) => link.includes('#'))).toBe(true);
    expect(anchorsOf('README.md').has('how-it-works')).toBe(true);
    expect(anchorsOf('docs/kind.md').has('tested-on-a-real-cluster-the-kind-suite')).toBe(true);
    expect(slug('The guided demo (`scripts/demo.sh`)')).toBe('the-guided-demo-scriptsdemosh');
  });
});
