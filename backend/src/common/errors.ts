/**
 * Every error the API returns has the body {"error":{"code","message"[,"fields"]}}. AppError
 * carries one; anything else becomes a 500 with a generic message (details go to the log only).
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string; fields?: Record<string, string> } } {
    return { error: { code: this.code, message: this.message, ...(this.fields && { fields: this.fields }) } };
  }
}

export const validationFailed = (fields: Record<string, string>): AppError =>
  new AppError(400, 'validation_failed', 'Some fields are not valid.', fields);
export const unauthorized = (): AppError => new AppError(401, 'unauthorized', 'Sign in first: the session token is missing, invalid or expired.');
export const forbidden = (): AppError => new AppError(403, 'forbidden', 'This needs an admin.');
export const serviceUnavailable = (what: string): AppError =>
  new AppError(503, 'service_unavailable', `${what} is not available right now; try again shortly.`);
