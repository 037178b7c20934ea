/** The six demo users: bcrypt cost-12 hashes of <name>99, 99th-precinct emails, two admins. */
import { readFileSync } from 'node:fs';
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../lib/repo.ts';

const sql = readFileSync(repoPath('infrastructure', 'postgres', 'seed-demo-users.sql'), 'utf8');
const rows = [...sql.matchAll(/\('([a-z]+)', '([^']+)', '([^']+)', '(user|admin)'\)/g)].map((m) => ({
  username: m[1]!,
  email: m[2]!,
  hash: m[3]!,
  role: m[4]!,
}));

describe('infrastructure/postgres/seed-demo-users.sql', () => {
  it('seeds exactly the squad', () => {
    expect(rows.map((row) => row.username)).toEqual(['jake', 'amy', 'rosa', 'terry', 'charles', 'gina']);
    expect(rows.map((row) => row.email)).toEqual([
      'jake.peralta@99.precinct',
      'amy.santiago@99.precinct',
      'rosa.diaz@99.precinct',
      'terry.jeffords@99.precinct',
      'charles.boyle@99.precinct',
      'gina.linetti@99.precinct',
    ]);
  });

  it('makes terry and gina the only admins', () => {
    expect(rows.filter((row) => row.role === 'admin').map((row) => row.username)).toEqual(['terry', 'gina']);
  });

  it.each(['jake', 'amy', 'rosa', 'terry', 'charles', 'gina'])('stores a bcrypt cost-12 hash of %s99 (and only that)', async (name) => {
    const row = rows.find((candidate) => candidate.username === name)!;
    expect(bcrypt.getRounds(row.hash)).toBe(12);
    expect(await bcrypt.compare(`${name}99`, row.hash)).toBe(true);
    expect(await bcrypt.compare(`${name}98`, row.hash)).toBe(false);
  });

  it('can run twice without failing or duplicating', () => {
    expect(sql).toMatch(/ON CONFLICT \(username\) DO NOTHING/);
  });
});
