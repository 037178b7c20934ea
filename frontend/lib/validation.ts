/**
 * The backend's registration rules (see the README's API table), checked as the user types. The
 * backend checks them again; these only spare a round trip.
 */
export function registrationProblem(field: string, value: string): string | undefined {
  if (field === 'username' && !/^[a-z0-9_.-]{3,50}$/.test(value)) return 'Use 3 to 50 characters: a-z, 0-9, _ . -';
  if (field === 'email' && value && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return 'That is not an email address.';
  if (field === 'password') {
    const bytes = new TextEncoder().encode(value).length; // bcrypt counts bytes, not characters
    if (bytes < 6) return 'At least 6 characters.';
    if (bytes > 72) return 'At most 72 bytes.';
  }
  return undefined;
}
