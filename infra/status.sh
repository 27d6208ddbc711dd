#!/usr/bin/env bash
# Show the state of Sentrail's local servers.
#
#   infra/status.sh [kafka|elasticsearch|elasticmq|s3proxy ...]
#
# One line per server: running (healthy) / running (NOT healthy) / stopped, and its address.
# Exit 0 only when every requested server (default all) is running and healthy.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

SERVERS=()
for a in "$@"; do
  case "$a" in
    -h | --help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) is_server "$a" || { err "unknown server: $a (known: ${ALL_SERVERS[*]})"; exit 2; }
       SERVERS+=("$a") ;;
  esac
done
[ ${#SERVERS[@]} -gt 0 ] || SERVERS=("${ALL_SERVERS[@]}")

es_base_lookup
RC=0
for s in "${SERVERS[@]}"; do
  if pid=$(server_pid "$s"); then
    if server_healthy "$s"; then
      printf '%-14s running           %s (pid %s)\n' "$s" "$(server_address "$s")" "$pid"
    else
      printf '%-14s running, NOT healthy  %s (pid %s)\n' "$s" "$(server_address "$s")" "$pid"
      RC=1
    fi
  else
    # shellcheck disable=SC2046 # one word per port
    if port_open $(server_port "$s"); then
      printf '%-14s stopped           (port(s) %s in use by another process)\n' "$s" "$(server_port "$s")"
    else
      printf '%-14s stopped           %s\n' "$s" "$(server_address "$s")"
    fi
    RC=1
  fi
done
exit "$RC"
