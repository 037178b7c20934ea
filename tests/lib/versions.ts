import { readFileSync } from 'node:fs';
import { repoPath } from './repo.ts';

/** infrastructure/versions.env, the table of pinned versions, as NAME -> value. */
export const versions: Readonly<Record<string, string>> = Object.fromEntries(
  [...readFileSync(repoPath('infrastructure', 'versions.env'), 'utf8').matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
);

/** A pinned version; throws when versions.env does not define it, so a test cannot compare with undefined. */
export function pinned(name: string): string {
  const value = versions[name];
  if (value === undefined) throw new Error(`infrastructure/versions.env defines no ${name}`);
  return value;
}
