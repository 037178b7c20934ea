#!/bin/sh
# The part of the official image's entrypoint contract the Helm chart uses: arguments that are a
# bao subcommand (or flags) run as `bao ...`; anything else runs as given. As in the official
# image, SKIP_CHOWN and SKIP_SETCAP (which the chart sets) leave ownership and capabilities alone.
set -e
case "$1" in
  -*) set -- bao "$@" ;;
  server | version | status | operator) set -- bao "$@" ;;
esac
exec "$@"
