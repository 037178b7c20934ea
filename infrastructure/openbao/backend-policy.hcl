# What the backend may do once it has logged in with its JWT-SVID (role "backend"), and nothing
# more. Token renewal, lookup-self and sys/leases/renew come from OpenBao's built-in "default"
# policy. The chain suite checks each boundary against a real OpenBao (tests/chain/kv.test.ts,
# tests/chain/database.test.ts).

# Per-user GitHub tokens: secret/data/github/users/<user id>; removing one destroys every
# version through its metadata.
path "secret/data/github/users/*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "secret/metadata/github/users/*" {
  capabilities = ["delete"]
}

# The session signing key, created by setup (configure.sh): read, never written.
path "secret/data/backend/jwt-signing-key" {
  capabilities = ["read"]
}

# Short-lived PostgreSQL credentials
path "database/creds/backend-role" {
  capabilities = ["read"]
}

# Revoke its old database lease after a pool rotation: only leases of that role, named in the
# path. A lease_id in the body would override the path and name any lease, so the body may
# carry "sync" and nothing else.
path "sys/leases/revoke/database/creds/backend-role/*" {
  capabilities = ["update"]
  allowed_parameters = {
    "sync" = []
  }
}
