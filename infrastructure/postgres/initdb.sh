#!/usr/bin/env bash
# First-start bootstrap of the kind-mode PostgreSQL. The official image runs the scripts in
# /docker-entrypoint-initdb.d once, on an empty data directory, with a temporary server up.
# It runs the very SQL files that local mode runs (mounted from the same ConfigMap, outside
# initdb.d so the entrypoint does not also run them on its own, without the psql variable).
set -euo pipefail

sql=/zt-demo/sql
psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB")
"${psql[@]}" -v openbao_pw="$OPENBAO_ADMIN_PASSWORD" -f "$sql/bootstrap.sql"
"${psql[@]}" -f "$sql/seed-demo-users.sql"
echo "zt-demo: database $POSTGRES_DB bootstrapped"
