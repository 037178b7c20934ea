/**
 * The Secrets kind mode's manifests reference but no manifest defines: scripts/setup.sh creates
 * them with generated values, so their names and keys are a contract between the manifests and
 * the scripts. Kept here, in one place, for the tests to check the manifests against.
 */

/** PostgreSQL's passwords (namespace data): the superuser's, and that of the role OpenBao uses. */
export const POSTGRES_CREDENTIALS = {
  namespace: 'data',
  name: 'postgres-credentials',
  keys: ['superuser-password', 'openbao-admin-password'],
} as const;
