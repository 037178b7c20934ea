import { describe, expect, it } from 'vitest';
import { isLocalPath, loginPath } from '../lib/paths';

describe('isLocalPath: where sign-in may send a visitor back to', () => {
  it('accepts pages of this app', () => {
    for (const path of ['/dashboard', '/github?page=2', '/security']) expect(isLocalPath(path), path).toBe(true);
  });

  it('refuses anything that leaves the origin or is not a path', () => {
    for (const path of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'dashboard', '', '/a b', null, undefined, `/${'a'.repeat(600)}`]) {
      expect(isLocalPath(path), String(path)).toBe(false);
    }
  });
});

describe('loginPath', () => {
  it('says why and where to return, and nothing it should not', () => {
    expect(loginPath({})).toBe('/login');
    expect(loginPath({ expired: true, next: '/github?page=2' })).toBe('/login?expired=1&next=%2Fgithub%3Fpage%3D2');
    expect(loginPath({ next: '//evil.example' })).toBe('/login');
    expect(loginPath({ next: '/login' })).toBe('/login');
  });
});
