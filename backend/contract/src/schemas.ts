/**
 * The request and response bodies of the backend's HTTP API. The backend validates what it
 * receives with the request schemas; the frontend parses what it receives with the response
 * schemas; the tests check every answer against the OpenAPI document made from both (openapi.ts).
 * Field names are the API's (snake_case); times are ISO 8601 strings.
 */
import { z } from 'zod';
import { EMAIL_MAX_LENGTH, isBlank, normalizeUsername, PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES, USERNAME_PATTERN, utf8Bytes } from './rules.ts';

export * from './rules.ts';

// ---------------------------------------------------------------------------------------------
// Rules shared by the backend's validation and the registration form's inline checks

/** PostgreSQL text cannot hold NUL, and no name or password needs one. */
const noNul = (value: string): boolean => !value.includes('\u0000');

export const Password = z
  .string({ error: 'is required' })
  .refine(noNul, 'must not contain NUL characters')
  .refine((value) => !isBlank(value), 'must not be only spaces')
  .refine((value) => utf8Bytes(value) >= PASSWORD_MIN_BYTES, `must be at least ${PASSWORD_MIN_BYTES} bytes`)
  .refine((value) => utf8Bytes(value) <= PASSWORD_MAX_BYTES, `must be at most ${PASSWORD_MAX_BYTES} bytes (bcrypt ignores the rest)`)
  .describe(`${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} bytes of UTF-8, no NUL`);

/** A username as the user typed it: surrounding spaces dropped and case folded, as sign-in does. */
export const Username = z
  .string({ error: 'is required' })
  .overwrite(normalizeUsername)
  .regex(USERNAME_PATTERN, 'must be 3 to 50 characters of a-z, 0-9, _ . -')
  .describe('3 to 50 characters of a-z, 0-9, _ . - (surrounding spaces are dropped and capitals folded first)');
export const Email = z.email('must be an email address').max(EMAIL_MAX_LENGTH, `must be at most ${EMAIL_MAX_LENGTH} characters`);

// ---------------------------------------------------------------------------------------------
// Requests

export const RegisterRequest = z
  .object({ username: Username, email: Email.optional().nullable(), password: Password })
  .meta({ id: 'RegisterRequest' });

export const LoginRequest = z
  .object({
    username: z.string({ error: 'is required' }).overwrite(normalizeUsername).min(1, 'is required').max(50, 'is too long').refine(noNul, 'must not contain NUL characters'),
    password: z.string({ error: 'is required' }).min(1, 'is required').max(256, 'is too long').refine(noNul, 'must not contain NUL characters'),
  })
  .meta({ id: 'LoginRequest' });

export const GithubConfigureRequest = z
  .object({
    token: z
      .string({ error: 'is required' })
      .min(1, 'is required')
      .max(255, 'is too long for a GitHub token')
      .regex(/^[A-Za-z0-9_]+$/, 'is not a GitHub token (letters, digits and _ only)'),
  })
  .meta({ id: 'GithubConfigureRequest' });

export const GithubReposQuery = z.object({
  page: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(1000, 'must be at most 1000').default(1),
  per_page: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(100, 'must be at most 100').default(30),
});

// ---------------------------------------------------------------------------------------------
// Responses

const Time = z.iso.datetime({ offset: true });

/** Every error the API returns. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fields: z.record(z.string(), z.string()).optional(),
    }),
  })
  .meta({ id: 'Error' });

export const PublicUser = z
  .object({ id: z.number().int(), username: z.string(), email: z.string().nullable(), role: z.enum(['user', 'admin']) })
  .meta({ id: 'User' });

export const RegisterResponse = z.object({ user: PublicUser }).meta({ id: 'RegisterResponse' });

export const LoginResponse = z
  .object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number().int(), user: PublicUser })
  .meta({ id: 'LoginResponse' });

export const MeResponse = PublicUser.extend({ created_at: Time }).meta({ id: 'Me' });

export const RotationView = z
  .object({
    at: Time,
    from_username: z.string().nullable(),
    to_username: z.string().nullable(),
    duration_ms: z.number().int(),
    reason: z.string(),
    result: z.enum(['ok', 'failed']),
  })
  .meta({ id: 'Rotation' });

/** A certificate a TLS peer presented: the SPIFFE ID it proved, and when it was last seen. */
export const TlsPeer = z
  .object({ spiffe_id: z.string().nullable(), serial: z.string(), expires_at: Time, seen_at: Time })
  .meta({ id: 'TlsPeer', description: 'The certificate a TLS peer presented in its last handshake with the backend.' });

export const SecurityStatus = z
  .object({
    /** replica: which backend answered (its pod's name in kind mode, where two replicas run; the host name locally). */
    workload: z.object({ spiffe_id: z.string(), svid_expires_at: Time.nullable(), replica: z.string() }),
    tls: z.object({
      /** The backend's own X.509-SVID: what it presents to the frontend and to OpenBao. */
      svid: z.object({ spiffe_id: z.string(), serial: z.string(), expires_at: Time, renewals: z.number().int() }),
      /** The far end of each hop: who called (this request), OpenBao and PostgreSQL (last handshake). */
      peers: z.object({ caller: TlsPeer.nullable(), openbao: TlsPeer.nullable(), postgres: TlsPeer.nullable() }),
    }),
    openbao: z.object({ auth_method: z.literal('jwt'), role: z.string(), policies: z.array(z.string()), token_expires_at: Time.nullable() }),
    database: z.object({
      username: z.string().nullable(),
      lease_id: z.string().nullable(),
      lease_expires_at: Time.nullable(),
      next_rotation_at: Time.nullable(),
      generation: z.number().int(),
      pool: z.object({ total: z.number().int(), idle: z.number().int(), waiting: z.number().int() }),
    }),
    rotations: z.array(RotationView),
  })
  .meta({ id: 'SecurityStatus' });

export const RotateResponse = z.object({ rotation: RotationView }).meta({ id: 'RotateResponse' });

export const DbUsersResponse = z
  .object({ users: z.array(z.object({ username: z.string(), valid_until: Time.nullable() })) })
  .meta({ id: 'DbUsers' });

export const GithubConfigureResponse = z.object({ configured: z.literal(true), login: z.string() }).meta({ id: 'GithubConfigured' });

export const GithubStatus = z
  .object({ configured: z.boolean(), login: z.string().optional(), configured_at: Time.optional(), last_accessed: Time.optional() })
  .meta({ id: 'GithubStatus' });

export const GithubRepo = z
  .object({
    name: z.string(),
    full_name: z.string(),
    private: z.boolean(),
    html_url: z.string(),
    description: z.string().nullable(),
    language: z.string().nullable(),
    stargazers_count: z.number().int(),
    updated_at: z.string().nullable(),
  })
  .meta({ id: 'GithubRepo' });

export const GithubReposResponse = z
  .object({ repos: z.array(GithubRepo), page: z.number().int(), per_page: z.number().int(), has_next: z.boolean() })
  .meta({ id: 'GithubRepos' });

export const GithubProfile = z
  .object({
    login: z.string(),
    name: z.string().nullable(),
    avatar_url: z.string(),
    html_url: z.string(),
    public_repos: z.number().int(),
    followers: z.number().int(),
  })
  .meta({ id: 'GithubProfile' });

export const LiveResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Live' });

export const ReadyResponse = z
  .object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.enum(['ok', 'unavailable'])) })
  .meta({ id: 'Ready' });

export type PublicUser = z.infer<typeof PublicUser>;
export type LoginResponse = z.infer<typeof LoginResponse>;
export type MeResponse = z.infer<typeof MeResponse>;
export type RotationView = z.infer<typeof RotationView>;
export type SecurityStatus = z.infer<typeof SecurityStatus>;
export type TlsPeer = z.infer<typeof TlsPeer>;
export type DbUsersResponse = z.infer<typeof DbUsersResponse>;
export type GithubStatus = z.infer<typeof GithubStatus>;
export type GithubRepo = z.infer<typeof GithubRepo>;
export type GithubReposResponse = z.infer<typeof GithubReposResponse>;
export type GithubProfile = z.infer<typeof GithubProfile>;
export type ReadyResponse = z.infer<typeof ReadyResponse>;
