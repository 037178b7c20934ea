/**
 * The backend's routes: method, path, who may call it, what it takes and what it answers. The
 * OpenAPI document is made from this table, and the tests check every answer they receive
 * against the route it came from.
 */
import type { z } from 'zod';
import * as s from './schemas.ts';

export type Access = 'public' | 'session' | 'admin';

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  summary: string;
  access: Access;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Status -> body schema; null for an empty body (204). Errors use ErrorResponse. */
  responses: Record<number, z.ZodType | null>;
}

const errors = (...statuses: number[]): Record<number, z.ZodType> => Object.fromEntries(statuses.map((status) => [status, s.ErrorResponse]));

export const ROUTES: readonly Route[] = [
  {
    method: 'POST', path: '/api/auth/register', summary: 'Create an account (role user)', access: 'public', body: s.RegisterRequest,
    responses: { 201: s.RegisterResponse, ...errors(400, 409, 413, 415, 503) },
  },
  {
    method: 'POST', path: '/api/auth/login', summary: 'Sign in: a session token (HS256 JWT, one hour)', access: 'public', body: s.LoginRequest,
    responses: { 200: s.LoginResponse, ...errors(400, 401, 413, 415, 429, 503) },
  },
  { method: 'POST', path: '/api/auth/logout', summary: 'Sign out: the session token is refused from now on', access: 'session', responses: { 204: null, ...errors(401, 503) } },
  { method: 'GET', path: '/api/auth/me', summary: 'The signed-in user', access: 'session', responses: { 200: s.MeResponse, ...errors(401, 503) } },
  { method: 'GET', path: '/api/security/status', summary: "The backend's identity, OpenBao session, database lease and recent rotations", access: 'session', responses: { 200: s.SecurityStatus, ...errors(401, 503) } },
  { method: 'POST', path: '/api/security/rotate', summary: 'Rotate the database credentials now', access: 'admin', responses: { 200: s.RotateResponse, ...errors(401, 403, 503) } },
  { method: 'GET', path: '/api/security/db-users', summary: 'The dynamic database users that exist now', access: 'session', responses: { 200: s.DbUsersResponse, ...errors(401, 503) } },
  {
    method: 'POST', path: '/api/github/configure', summary: "Store the user's GitHub token in OpenBao (checked with GitHub first)", access: 'session', body: s.GithubConfigureRequest,
    responses: { 200: s.GithubConfigureResponse, ...errors(400, 401, 413, 415, 502, 503) },
  },
  { method: 'GET', path: '/api/github/status', summary: 'Whether a GitHub token is stored', access: 'session', responses: { 200: s.GithubStatus, ...errors(401, 503) } },
  { method: 'DELETE', path: '/api/github/token', summary: 'Delete the stored GitHub token', access: 'session', responses: { 204: null, ...errors(401, 503) } },
  {
    method: 'GET', path: '/api/github/repos', summary: "The user's repositories, a page at a time", access: 'session', query: s.GithubReposQuery,
    responses: { 200: s.GithubReposResponse, ...errors(400, 401, 409, 502, 503) },
  },
  { method: 'GET', path: '/api/github/user', summary: "The user's GitHub profile", access: 'session', responses: { 200: s.GithubProfile, ...errors(400, 401, 409, 502, 503) } },
  { method: 'GET', path: '/api/health/live', summary: 'The process answers', access: 'public', responses: { 200: s.LiveResponse } },
  { method: 'GET', path: '/api/health/ready', summary: 'The chain holds: SVID, OpenBao token, database lease', access: 'public', responses: { 200: s.ReadyResponse, 503: s.ReadyResponse } },
];

/** The route METHOD PATH (the path without its query string), if the API has it. */
export function routeOf(method: string, path: string): Route | undefined {
  const bare = path.split('?')[0];
  return ROUTES.find((route) => route.method === method.toUpperCase() && route.path === bare);
}
