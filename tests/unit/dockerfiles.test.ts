/**
 * The two Dockerfiles build from what a clone of the repository sends as build context, on the
 * pinned base image, and produce an image that runs as a non-root user, exposes the port its
 * Deployment uses, and starts a file the build actually produces. Checked without Docker.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { describe, expect, it } from 'vitest';
import { contextFilesIn, copiedFrom, copiesOf, execForm, lastInstruction, parseDockerfile, type Dockerfile, type Stage } from '../lib/dockerfile.ts';
import { loadYamlFile } from '../lib/k8s/manifests.ts';
import { REPO_ROOT, repoPath } from '../lib/repo.ts';

const read = (path: string): string => readFileSync(repoPath(path), 'utf8');
// The package is CommonJS (module.exports = ignore) while its types declare an ES default export.
const ignore = (dockerignoreModule as unknown as { default?: typeof dockerignoreModule.default }).default ??
  (dockerignoreModule as unknown as typeof dockerignoreModule.default);
const dockerignore = ignore().add(read('.dockerignore').split('\n'));

/** The build context: files git tracks (what a clone has), minus what .dockerignore leaves out. */
const contextFiles: string[] = dockerignore.filter(
  execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\0').filter((file) => file !== ''),
);
const inContext = (source: string): boolean => {
  const path = posix.normalize(source).replace(/^\.\/|\/$/g, '');
  return contextFiles.some((file) => file === path || file.startsWith(`${path}/`));
};

interface App {
  name: 'backend' | 'frontend';
  dockerfile: Dockerfile;
  final: Stage;
}

const apps: App[] = (['backend', 'frontend'] as const).map((name) => {
  const dockerfile = parseDockerfile(read(`${name}/Dockerfile`));
  return { name, dockerfile, final: dockerfile.stages.at(-1)! };
});

const containerPorts = (name: string): number[] => {
  const [doc] = loadYamlFile(`${name}/k8s/deployment.yaml`);
  const ports = (doc!.value as IDeployment).spec!.template.spec!.containers[0]!.ports ?? [];
  expect(ports.length).toBeGreaterThan(0);
  return ports.map((port) => port.containerPort);
};

/** The absolute path, in the final image, of the script the CMD runs with node. */
function commandScript({ final }: App): string {
  const cmd = lastInstruction(final, 'CMD');
  expect(cmd).toBeDefined();
  const [program, script, ...rest] = execForm(cmd!);
  expect([program, rest]).toEqual(['node', []]);
  return posix.resolve(cmd!.workdir, script!);
}

describe.each(apps.map((app) => [app.name, app] as const))('%s/Dockerfile', (_, app) => {
  const { dockerfile, final } = app;
  const stageNames = dockerfile.stages.map((stage) => stage.name).filter((name) => name !== undefined);

  it('copies from the build context only files a clone has and .dockerignore lets through', () => {
    const sources = dockerfile.stages.flatMap((stage) => copiesOf(stage).filter((copy) => !copy.from).flatMap((copy) => copy.sources));
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((source) => /[*?[]/.test(source))).toEqual([]); // globs are not modelled here
    expect(sources.filter((source) => !inContext(source))).toEqual([]);
  });

  it('starts every stage from ${NODE_IMAGE} or an earlier stage', () => {
    expect(dockerfile.globalArgs.has('NODE_IMAGE')).toBe(true);
    const wrong = dockerfile.stages.filter((stage, i) => stage.base !== '${NODE_IMAGE}' && !stageNames.slice(0, i).includes(stage.base));
    expect(wrong.map((stage) => stage.base)).toEqual([]);
  });

  it('copies --from only stages defined earlier', () => {
    const wrong = dockerfile.stages.flatMap((stage, i) =>
      copiesOf(stage).filter((copy) => copy.from !== undefined && !dockerfile.stages.slice(0, i).some((s) => s.name === copy.from)),
    );
    expect(wrong.map((copy) => `line ${copy.line}: --from=${copy.from}`)).toEqual([]);
  });

  it('runs the final image as a numeric non-root user', () => {
    const user = lastInstruction(final, 'USER')?.args;
    expect(user).toBe('1000:1000');
    const [uid, gid] = user!.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
  });

  it("exposes the Deployment's container ports", () => {
    expect(final.instructions.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args)).toEqual([containerPorts(app.name).join(' ')]);
  });
});

describe('backend/Dockerfile', () => {
  const app = apps.find((a) => a.name === 'backend')!;

  it('starts the entry point that tsc compiles from src/main.ts', () => {
    const tsconfig = JSON.parse(read('backend/tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };
    const { rootDir, outDir } = tsconfig.compilerOptions;
    expect(existsSync(repoPath('backend', rootDir, 'main.ts'))).toBe(true);
    expect(JSON.parse(read('backend/package.json')).scripts.build).toBe('tsc -p tsconfig.build.json');

    // The final image's CMD runs a file copied from the build stage...
    const origin = copiedFrom(app.final, commandScript(app));
    expect(origin?.from).toBe('build');
    const build = app.dockerfile.stages.find((stage) => stage.name === 'build')!;
    // ...where `npm run build --workspace @zt-demo/backend` compiles /app/backend/<rootDir> into /app/backend/<outDir>.
    const workspace = posix.join(build.instructions.find((i) => /npm run build --workspace @zt-demo\/backend\b/.test(i.args))!.workdir, 'backend');
    expect(origin?.path).toBe(posix.join(workspace, outDir, posix.relative(rootDir, 'src/main.ts').replace(/\.ts$/, '.js')));
    // ...after the sources and both tsconfig files were copied in.
    const inBuild = contextFilesIn(build, contextFiles);
    expect(inBuild.get(posix.join(workspace, rootDir, 'main.ts'))).toBe('backend/src/main.ts');
    expect(inBuild.get(posix.join(workspace, 'tsconfig.json'))).toBe('backend/tsconfig.json');
    expect(inBuild.get(posix.join(workspace, 'tsconfig.build.json'))).toBe('backend/tsconfig.build.json');
  });

  it('ships what the backend reads next to its code: the identity facts, and the workspace packages it runs as sources', () => {
    // backend/src/config/identity-facts.ts resolves the facts from the compiled file's directory,
    // three levels up; the API contract and the SPIFFE client are TypeScript that Node.js runs.
    const dist = posix.dirname(commandScript(app));
    const inImage = contextFilesIn(app.final, contextFiles);
    expect(read('backend/src/config/identity-facts.ts')).toContain("resolve(import.meta.dirname, '..', '..', '..', 'infrastructure', 'identity.json')");
    expect(inImage.get(posix.resolve(dist, 'config', '..', '..', '..', 'infrastructure', 'identity.json'))).toBe('infrastructure/identity.json');
    for (const pkg of ['contract', 'spiffe']) {
      const manifest = JSON.parse(read(`backend/${pkg}/package.json`)) as { exports: Record<string, string> };
      const entry = posix.join('backend', pkg, manifest.exports['.']!);
      expect(inImage.get(posix.join('/app', entry)), entry).toBe(entry);
      expect(inImage.get(posix.join('/app/backend', pkg, 'package.json'))).toBe(`backend/${pkg}/package.json`);
    }
  });
});

describe('frontend/Dockerfile', () => {
  const app = apps.find((a) => a.name === 'frontend')!;

  it("starts server.js of Next.js's standalone output, with the static assets beside it", () => {
    const nextConfig = read('frontend/next.config.ts');
    expect(nextConfig).toMatch(/output: 'standalone'/);
    // The workspace root as tracing root: the standalone tree mirrors the repository, so the
    // server of the "frontend" workspace is at .next/standalone/frontend/server.js.
    expect(nextConfig).toMatch(/outputFileTracingRoot: resolve\(dirname\(fileURLToPath\(import\.meta\.url\)\), '\.\.'\)/);
    expect(JSON.parse(read('frontend/package.json')).scripts.build).toBe('next build');

    const build = app.dockerfile.stages.find((stage) => stage.name === 'build')!;
    const workspace = posix.join(build.instructions.find((i) => /npm run build --workspace @zt-demo\/frontend\b/.test(i.args))!.workdir, 'frontend');
    const server = commandScript(app);
    expect(copiedFrom(app.final, server)).toEqual({ from: 'build', path: posix.join(workspace, '.next/standalone/frontend/server.js') });
    // next start and the standalone server look for the assets at <server dir>/.next/static.
    expect(copiedFrom(app.final, posix.join(posix.dirname(server), '.next/static/chunk.js'))).toEqual({ from: 'build', path: posix.join(workspace, '.next/static/chunk.js') });
  });
});

describe('.dockerignore', () => {
  it.each(['.secrets/openbao-init.json', '.local/state', 'node_modules/x/index.js', 'backend/node_modules/x/index.js', '.git/HEAD'])(
    'keeps %s out of the build context',
    (path) => {
      expect(dockerignore.ignores(path)).toBe(true);
    },
  );

  it('still sends what the builds need', () => {
    for (const path of ['package.json', 'package-lock.json', 'tests/package.json', 'bench/package.json', 'backend/src/main.ts', 'frontend/next.config.ts']) {
      expect(dockerignore.ignores(path), path).toBe(false);
    }
  });
});
