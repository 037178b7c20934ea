/** What every error of the API looks like in its body (the ErrorResponse schema). */
export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

/**
 * An error as the API reports it: the HTTP status, a machine-readable code, a message for people
 * and, for invalid input, one message per field. The backend throws it (AppError) and answers with
 * its body; the frontend gets it back (BackendError) from the answer.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields?: Record<string, string>;

  constructor(status: number, code: string, message: string, fields?: Record<string, string>) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.fields && { fields: this.fields }) } };
  }
}
