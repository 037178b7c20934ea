import type { z } from 'zod';
import { validationFailed } from './errors.js';

/** Parses a request body (or query) with a zod schema; failures become 400 validation_failed with per-field messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const name = issue.path.length ? issue.path.join('.') : 'body';
    fields[name] ??= issue.message;
  }
  throw validationFailed(fields);
}
