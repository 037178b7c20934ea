import { Inject, Injectable } from '@nestjs/common';
import type { LoginResponse as LoginResult, PublicUser } from '@zt-demo/api-contract';
import { PASSWORD_MAX_BYTES } from '@zt-demo/api-contract/rules';
import { AppError, RateLimited } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { AuditRepository } from '../database/audit.repository.js';
import { SecurityEvents } from '../events/security-events.js';
import { FAILURE_LOG, LoginThrottle, type FailureLog } from './login-throttle.js';
import { RevokedSessionsRepository } from './revoked-sessions.repository.js';
import { PASSWORD_HASHER, type PasswordHasher } from './password-hasher.js';
import { SessionTokens, type SessionClaims } from './session-tokens.service.js';
import { UsersRepository, type User } from './users.repository.js';

/** What a sign-in answers, and a user as the API shows it (the API contract's shapes). */
export type { LoginResponse as LoginResult, PublicUser } from '@zt-demo/api-contract';

export const publicUser = (user: User): PublicUser => ({ id: user.id, username: user.username, email: user.email, role: user.role });

const invalidCredentials = (): AppError => new AppError(401, 'invalid_credentials', 'Wrong username or password.');

@Injectable()
export class AuthService {
  private readonly throttle: LoginThrottle;
  /** Compared against when the user does not exist, so both failures cost one bcrypt compare. */
  private decoyHash?: Promise<string>;

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: SessionTokens,
    private readonly audit: AuditRepository,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly events: SecurityEvents,
    private readonly revoked: RevokedSessionsRepository,
    @Inject(FAILURE_LOG) failures: FailureLog,
  ) {
    this.throttle = new LoginThrottle({ perAccount: config.auth.maxFailuresPerMinute, perClient: config.auth.maxFailuresPerClientPerMinute }, failures);
  }

  async register(username: string, email: string | null, password: string): Promise<PublicUser> {
    const user = await this.users.create(username, email, await this.hasher.hash(password));
    await this.audit.record('register', String(user.id), 'user', { username: user.username });
    this.events.record('registered', { userId: user.id, username: user.username });
    return publicUser(user);
  }

  /** CLIENT: the address the sign-in comes from (the browser's, when a trusted proxy forwards it). */
  async login(username: string, password: string, client: string): Promise<LoginResult> {
    const throttled = await this.throttle.check(client, username);
    if (throttled) {
      this.events.record('sign_in_throttled', { username, scope: throttled.scope, retryAfterS: throttled.retryAfterS });
      const what = throttled.scope === 'account' ? 'for this user from your address' : 'from your address';
      throw new RateLimited(`Too many failed sign-ins ${what}; try again in ${throttled.retryAfterS} s.`, throttled.retryAfterS);
    }
    const found = await this.users.findForLogin(username);
    this.decoyHash ??= this.hasher.hash('decoy password that matches nothing');
    // bcrypt reads 72 bytes and ignores the rest, so a longer password would match its first 72
    // bytes; no account can have one (registration refuses them), so it is simply wrong. The
    // comparison still runs, so the answer takes as long as any other wrong password.
    const fits = Buffer.byteLength(password) <= PASSWORD_MAX_BYTES;
    const matches = (await this.hasher.verify(password, found?.passwordHash ?? (await this.decoyHash))) && fits;
    if (!found || !matches) {
      await this.throttle.recordFailure(client, username);
      await this.audit.record('login_failure', found ? String(found.user.id) : null, 'session', { username });
      this.events.record('sign_in_failed', { username, reason: found ? 'wrong_password' : 'unknown_user' });
      throw invalidCredentials();
    }
    const { token, expiresIn } = this.tokens.issue(found.user);
    await this.audit.record('login_success', String(found.user.id), 'session', { username: found.user.username });
    this.events.record('sign_in_succeeded', { userId: found.user.id, username: found.user.username });
    return { access_token: token, token_type: 'bearer', expires_in: expiresIn, user: publicUser(found.user) };
  }

  /** Ends the session on the server: its token is refused from now on, by every replica. */
  async logout(session: SessionClaims): Promise<void> {
    await this.revoked.revoke(session.jti, new Date(session.exp * 1000));
    await this.audit.record('logout', String(session.user_id), 'session', { username: session.username });
    this.events.record('signed_out', { userId: session.user_id, username: session.username });
  }
}
