#!/usr/bin/env bash
# First start: initdb with POSTGRES_USER/POSTGRES_PASSWORD (password authentication for
# connections over the network), POSTGRES_DB created, the /docker-entrypoint-initdb.d scripts run
# once against a server that listens on the unix socket only. Every start: `postgres` in the
# foreground. This is the behaviour of the official image that infrastructure/postgres/ relies on.
set -euo pipefail

: "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}"

first_start() {
  [[ -n "${POSTGRES_PASSWORD:-}" ]] || { echo "error: POSTGRES_PASSWORD is not set" >&2; exit 1; }
  mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
  printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"

  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses=''" start >/dev/null
  if [[ "$POSTGRES_DB" != postgres ]]; then
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
      --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";' >/dev/null
  fi
  local file
  for file in /docker-entrypoint-initdb.d/*; do
    case "$file" in
      *.sh)
        echo "running $file"
        # shellcheck source=/dev/null
        if [[ -x "$file" ]]; then "$file"; else source "$file"; fi
        ;;
      *.sql) echo "running $file"; psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f "$file" ;;
      *) [[ -e "$file" ]] && echo "ignoring $file" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "PostgreSQL init process complete; ready for start up."
}

if [[ "${1:-}" == postgres ]]; then
  [[ -s "$PGDATA/PG_VERSION" ]] || first_start
fi
exec "$@"
