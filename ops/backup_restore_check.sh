#!/usr/bin/env bash
# Back up a PostgreSQL database and prove the backup restores: pg_dump (custom format), a
# pg_restore into a new database, then the row count of every table and the value of every
# sequence compared between the two. Exits 1 on any difference, 2 on a usage error.
#
#   ops/backup_restore_check.sh postgres://user@host:5432/estatedesk [--keep] [--dump FILE]
#       --keep       keep the restored database (named <db>_restore_check) and the dump
#       --dump FILE  where to write the dump (default: a temporary file)
#   ops/backup_restore_check.sh --compare URL_A URL_B
#       only compare two databases' tables, row counts and sequences
#
# Needs pg_dump, pg_restore and psql of the server's major version or newer, and a role that
# may create databases. The dump is what a nightly backup keeps (see docs/deployment.md).
set -euo pipefail

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

db_name() { local rest="${1##*/}"; echo "${rest%%\?*}"; }
with_db() { # URL with its database name replaced by $2
  local url="$1" query=""
  [[ "$url" == *\?* ]] && query="?${url#*\?}"
  local base="${url%%\?*}"
  echo "${base%/*}/$2$query"
}

# name<TAB>rows for every table, then seq:name<TAB>last value for every sequence, sorted.
inventory() {
  local url="$1" tables
  tables=$(psql "$url" -XAt -v ON_ERROR_STOP=1 -c "
    SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
     WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")
  {
    for t in $tables; do
      printf '%s\t%s\n' "$t" "$(psql "$url" -XAt -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM $t")"
    done
    psql "$url" -XAt -F $'\t' -v ON_ERROR_STOP=1 -c "
      SELECT 'seq:' || schemaname || '.' || sequencename, coalesce(last_value, 0)
        FROM pg_sequences ORDER BY 1"
  } | sort
}

compare() {
  local a="$1" b="$2" left right
  left=$(mktemp); right=$(mktemp)
  inventory "$a" >"$left"
  inventory "$b" >"$right"
  local tables rows
  tables=$(grep -vc '^seq:' "$left" || true)
  rows=$(grep -v '^seq:' "$left" | awk -F'\t' '{s += $2} END {print s + 0}')
  if diff_out=$(diff "$left" "$right"); then
    echo "identical: $tables tables, $rows rows, $(grep -c '^seq:' "$left" || true) sequences"
    rm -f "$left" "$right"
    return 0
  fi
  echo "DIFFERENT (< $(db_name "$a"), > $(db_name "$b")):" >&2
  echo "$diff_out" | grep '^[<>]' >&2
  rm -f "$left" "$right"
  return 1
}

[[ $# -ge 1 ]] || usage
if [[ "$1" == "--compare" ]]; then
  [[ $# -eq 3 ]] || usage
  compare "$2" "$3"
  exit $?
fi

source_url="$1"; shift
keep=0; dump=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keep) keep=1 ;;
    --dump) dump="$2"; shift ;;
    *) usage ;;
  esac
  shift
done
source_db=$(db_name "$source_url")
[[ -n "$source_db" ]] || usage
target_db="${source_db}_restore_check"
target_url=$(with_db "$source_url" "$target_db")
admin_url=$(with_db "$source_url" postgres)
[[ -n "$dump" ]] || { dump=$(mktemp --suffix=.dump); [[ $keep == 1 ]] || trap 'rm -f "$dump"' EXIT; }

started=$(date +%s.%N)
pg_dump --format=custom --no-owner --file="$dump" "$source_url"
dumped=$(date +%s.%N)
psql "$admin_url" -XAq -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$target_db\" WITH (FORCE)"
psql "$admin_url" -XAq -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$target_db\""
pg_restore --no-owner --exit-on-error --dbname="$target_url" "$dump"
restored=$(date +%s.%N)
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
echo "dump: $dump ($(stat -c %s "$dump") bytes, $(seconds "$started" "$dumped") s)"
echo "restore: $target_db ($(seconds "$dumped" "$restored") s)"

status=0
compare "$source_url" "$target_url" || status=1
if [[ $keep == 0 ]]; then
  psql "$admin_url" -XAq -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$target_db\" WITH (FORCE)"
fi
exit $status
