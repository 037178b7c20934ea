import { ApiError } from '@zt-demo/api-contract';

/**
 * Every error the API returns has the body {"error":{"code","message"[,"fields"]}}. AppError (the
 * API contract's ApiError) carries one; anything else becomes a 500 with a generic message
 * (details go to the log only).
 */
export class AppError extends ApiError {}

export const validationFailed = (fields: Record<string, string>): AppError =>
  new AppError(400, 'validation_failed', 'Some fields are not valid.', fields);
export const unauthorized = (): AppError => new AppError(401, 'unauthorized', 'Sign in first: the session token is missing, invalid or expired.');
export const forbidden = (): AppError => new AppError(403, 'forbidden', 'This needs an admin.');
export const serviceUnavailable = (what: string): AppError =>
  new AppError(503, 'service_unavailable', `${what} is not available right now; try again shortly.`);

/** 429 with the seconds to wait, which the HTTP layer also sends as Retry-After. */
export class RateLimited extends AppError {
  constructor(message: string, readonly retryAfterS: number) {
    super(429, 'rate_limited', message);
  }
}
