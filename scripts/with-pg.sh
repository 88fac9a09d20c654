#!/usr/bin/env bash
# Runs a command with the private PostgreSQL cluster up (scripts/pg-cluster.sh) and FERRY_TEST_PG_URL set to it.
set -euo pipefail
url="$(bash "$(dirname "$0")/pg-cluster.sh" start)"
export FERRY_TEST_PG_URL="$url"
exec "$@"
