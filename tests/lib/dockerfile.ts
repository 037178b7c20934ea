/**
 * A small Dockerfile reader: enough of the syntax for our two Dockerfiles (line continuations,
 * comments, global ARGs, stages, COPY flags, JSON-form CMD) to check them without Docker.
 */
import { posix } from 'node:path';

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuations joined. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
  /** The WORKDIR in effect when the instruction runs. */
  workdir: string;
}

export interface Stage {
  /** The FROM image, variables not expanded. */
  base: string;
  name?: string;
  /** The WORKDIR the stage starts in: "/", or its parent stage's. */
  startWorkdir: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Map<string, string | undefined>;
  stages: Stage[];
}

/** Joins continuation lines (trailing backslash) and drops comments and blank lines. */
function logicalLines(text: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    // Comment lines are dropped even inside a continuation, as Docker does.
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) return;
    const continues = trimmed.endsWith('\\');
    const part = continues ? trimmed.slice(0, -1).trimEnd() : trimmed;
    pending = pending ? { text: `${pending.text} ${part}`, line: pending.line } : { text: part, line: i + 1 };
    if (!continues) {
      lines.push(pending);
      pending = undefined;
    }
  });
  if (pending) lines.push(pending);
  return lines;
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  let workdir = '/';
  for (const { text: line, line: lineNo } of logicalLines(text)) {
    const match = /^(\S+)\s*(.*)$/.exec(line)!;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!;
    if (keyword === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`line ${lineNo}: cannot read FROM ${args}`);
      const base = from[1]!;
      // A stage built on an earlier stage starts with that stage's WORKDIR (and files).
      const parent = stages.find((stage) => stage.name === base);
      workdir = parent ? (parent.instructions.at(-1)?.workdir ?? parent.startWorkdir) : '/';
      stages.push({ base, name: from[2], startWorkdir: workdir, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (keyword !== 'ARG') throw new Error(`line ${lineNo}: ${keyword} before the first FROM`);
      const arg = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(args);
      if (!arg) throw new Error(`line ${lineNo}: cannot read ARG ${args}`);
      globalArgs.set(arg[1]!, arg[2]);
      continue;
    }
    // WORKDIR applies to the instructions after it; a relative one is relative to the previous.
    if (keyword === 'WORKDIR') workdir = posix.resolve(workdir, args);
    stage.instructions.push({ keyword, args, line: lineNo, workdir });
  }
  return { globalArgs, stages };
}

export interface Copy {
  /** The stage (or image) copied from; undefined for the build context. */
  from?: string;
  sources: string[];
  /** Absolute destination in the image, without a trailing slash. */
  dest: string;
  /** Whether a file source lands inside `dest` (a trailing slash, or several sources) rather than at it. */
  intoDirectory: boolean;
  line: number;
}

/** The COPY instructions of a stage, flags read and destinations made absolute. */
export function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY')
    .map((instruction) => {
      const words = instruction.args.trim().startsWith('[')
        ? (JSON.parse(instruction.args) as string[])
        : instruction.args.trim().split(/\s+/);
      let from: string | undefined;
      while (words[0]?.startsWith('--')) {
        const flag = words.shift()!;
        const value = /^--from=(.+)$/.exec(flag);
        if (value) from = value[1];
      }
      if (words.length < 2) throw new Error(`line ${instruction.line}: COPY needs a source and a destination`);
      const dest = words.pop()!;
      return {
        from,
        sources: words,
        dest: posix.resolve(instruction.workdir, dest),
        intoDirectory: dest.endsWith('/') || dest === '.' || words.length > 1,
        line: instruction.line,
      };
    });
}

/**
 * Where a file at `path` in the stage's image comes from: the last COPY --from whose destination
 * holds it, translated to the path in the source stage (a source copied onto `path` itself, or a
 * directory whose contents were copied into a directory above it). Undefined when no COPY --from
 * provides it.
 */
export function copiedFrom(stage: Stage, path: string): { from: string; path: string } | undefined {
  for (const copy of copiesOf(stage).reverse()) {
    if (!copy.from) continue;
    for (const source of copy.sources) {
      if (path === copy.dest) return { from: copy.from, path: source };
      const prefix = copy.dest === '/' ? '/' : `${copy.dest}/`;
      if (path.startsWith(prefix)) return { from: copy.from, path: posix.join(source, path.slice(prefix.length)) };
    }
  }
  return undefined;
}

/**
 * Where the build-context files land in a stage's image, by its COPY instructions without --from:
 * image path -> context path. A directory source copies its contents into the destination.
 */
export function contextFilesIn(stage: Stage, contextFiles: readonly string[]): Map<string, string> {
  const placed = new Map<string, string>();
  for (const copy of copiesOf(stage).filter((c) => c.from === undefined)) {
    for (const raw of copy.sources) {
      const source = posix.normalize(raw).replace(/^\.\/|\/$/g, '');
      for (const file of contextFiles) {
        if (file === source) placed.set(copy.intoDirectory ? posix.join(copy.dest, posix.basename(file)) : copy.dest, file);
        else if (file.startsWith(`${source}/`)) placed.set(posix.join(copy.dest, file.slice(source.length + 1)), file);
      }
    }
  }
  return placed;
}

/** The words of an exec-form (JSON array) instruction such as CMD; throws on the shell form. */
export function execForm(instruction: Instruction): string[] {
  if (!instruction.args.trim().startsWith('[')) throw new Error(`line ${instruction.line}: ${instruction.keyword} is not in exec form`);
  return JSON.parse(instruction.args) as string[];
}

/** The last instruction of a kind in a stage (CMD, USER, EXPOSE: the last one wins). */
export function lastInstruction(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1);
}
