# What the backend may do once it has logged in with its JWT-SVID (role "backend").
# Token renewal, lookup-self and sys/leases/renew come from OpenBao's built-in "default" policy.

# Per-user GitHub tokens: secret/data/github/users/<user_id>
path "secret/data/github/*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "secret/metadata/github/*" {
  capabilities = ["read", "list", "delete"]
}

# The backend's own settings, such as the session signing key (secret/data/backend/jwt-signing-key)
path "secret/data/backend/*" {
  capabilities = ["create", "read", "update", "patch", "delete"]
}
path "secret/metadata/backend/*" {
  capabilities = ["read", "list", "delete"]
}

# Short-lived PostgreSQL credentials
path "database/creds/backend-role" {
  capabilities = ["read"]
}

# Drop the old database lease after a pool rotation, and on shutdown
path "sys/leases/revoke" {
  capabilities = ["update"]
}
