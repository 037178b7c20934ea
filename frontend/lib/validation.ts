import { EMAIL_MAX_LENGTH, isBlank, normalizeUsername, PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES, USERNAME_PATTERN, utf8Bytes } from '@zt-demo/api-contract/rules';

/**
 * The backend's registration rules (the API contract's), checked as the user types, with the
 * form's own wording. The backend checks them again; these only spare a round trip.
 */
export function registrationProblem(field: string, value: string): string | undefined {
  if (field === 'username' && !USERNAME_PATTERN.test(normalizeUsername(value))) return 'Use 3 to 50 characters: a-z, 0-9, _ . -';
  // A first look only: the backend's check of the address is the strict one.
  if (field === 'email' && value && (value.length > EMAIL_MAX_LENGTH || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))) return 'That is not an email address.';
  if (field === 'password') {
    if (value && isBlank(value)) return 'Not only spaces.';
    const bytes = utf8Bytes(value); // bcrypt counts bytes, not characters
    if (bytes < PASSWORD_MIN_BYTES) return `At least ${PASSWORD_MIN_BYTES} characters.`;
    if (bytes > PASSWORD_MAX_BYTES) return `At most ${PASSWORD_MAX_BYTES} bytes.`;
  }
  return undefined;
}
