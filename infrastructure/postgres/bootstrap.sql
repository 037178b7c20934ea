-- Roles, schema and grants for the app database. Run once, as a superuser, connected to the app
-- database, on a fresh cluster: by scripts/setup.sh --local and by the Kubernetes bootstrap alike.
-- psql variable: openbao_pw, the password of the role OpenBao uses to create dynamic users.
--
-- Ownership design: every app object belongs to the fixed NOLOGIN role app_owner. Dynamic users
-- (created by OpenBao, named v-...) get their rights only through membership in app_rw and can
-- create nothing, so they never own anything and revocation can always drop them.
\set ON_ERROR_STOP on

CREATE ROLE app_owner NOLOGIN;
CREATE ROLE app_rw NOLOGIN;
CREATE ROLE openbao_admin LOGIN CREATEROLE PASSWORD :'openbao_pw';
GRANT app_rw TO openbao_admin WITH ADMIN OPTION;   -- PG16+: needed to GRANT app_rw to dynamic users
GRANT pg_signal_backend TO openbao_admin;          -- revocation terminates the dynamic user's sessions

-- REVOKE/GRANT on "this database" without naming it, so the file works whatever the database is called.
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());   -- also drops TEMP
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO app_rw, openbao_admin', current_database());
END
$$;
REVOKE ALL ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA app AUTHORIZATION app_owner;
SET ROLE app_owner;

CREATE TABLE app.users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  email         text UNIQUE,                      -- optional at registration
  password_hash text NOT NULL,
  role          text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- usernames and email addresses are unique regardless of case
CREATE UNIQUE INDEX users_username_lower_key ON app.users (lower(username));
CREATE UNIQUE INDEX users_email_lower_key ON app.users (lower(email));

CREATE TABLE app.github_integrations (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       bigint NOT NULL UNIQUE REFERENCES app.users(id) ON DELETE CASCADE,
  github_login  text,
  is_configured boolean NOT NULL DEFAULT false,
  configured_at timestamptz,
  last_accessed timestamptz
);

CREATE TABLE app.audit_log (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id   bigint REFERENCES app.users(id) ON DELETE SET NULL,
  action    text NOT NULL,
  resource  text,
  timestamp timestamptz NOT NULL DEFAULT now(),
  details   jsonb
);
CREATE INDEX audit_log_timestamp_idx ON app.audit_log (timestamp DESC);

-- Sessions ended by sign-out before they expire: a session token whose id (jti) is here is
-- refused, until it would have expired anyway (then its row goes).
CREATE TABLE app.revoked_sessions (
  jti        uuid PRIMARY KEY,
  expires_at timestamptz NOT NULL
);

-- The sign-in throttle's failures of the last minute, shared by every backend replica: one row
-- per failure and key (a SHA-256 digest of the client address, or of the address and username;
-- never the address or name itself). Rows older than the window are deleted as new ones come in.
CREATE TABLE app.sign_in_failures (
  key       bytea NOT NULL,
  failed_at timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_key_idx ON app.sign_in_failures (key, failed_at DESC);
CREATE INDEX sign_in_failures_failed_at_idx ON app.sign_in_failures (failed_at);

RESET ROLE;

GRANT USAGE ON SCHEMA app TO app_rw;
GRANT SELECT, INSERT, UPDATE, DELETE ON app.users, app.github_integrations TO app_rw;
GRANT SELECT, INSERT ON app.audit_log TO app_rw;   -- append-only audit trail
GRANT SELECT, INSERT, DELETE ON app.revoked_sessions TO app_rw;
GRANT SELECT, INSERT, DELETE ON app.sign_in_failures TO app_rw;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA app TO app_rw;
-- tables added later by app_owner reach every dynamic user through the group role
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO app_rw;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT USAGE, SELECT ON SEQUENCES TO app_rw;
