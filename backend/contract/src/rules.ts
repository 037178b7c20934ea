/**
 * The input rules that both the backend (schemas.ts) and the registration form (as the user types)
 * apply. No zod here: the form runs in the browser and imports only this.
 */

/** Usernames: what the account table takes and a URL shows without escaping. */
export const USERNAME_PATTERN = /^[a-z0-9_.-]{3,50}$/;
/** What a typed username stands for: sign-in and registration ignore surrounding spaces and case. */
export const normalizeUsername = (typed: string): string => typed.trim().toLowerCase();
/** A password of nothing but spaces is no password. */
export const isBlank = (value: string): boolean => value.trim() === '';

/** Passwords are measured in bytes: bcrypt reads at most 72 of them. */
export const PASSWORD_MIN_BYTES = 6;
export const PASSWORD_MAX_BYTES = 72;
export const utf8Bytes = (value: string): number => new TextEncoder().encode(value).length;

export const EMAIL_MAX_LENGTH = 254;
