#!/usr/bin/env bash
# Stop Sentrail's local servers started by infra/start.sh.
#
#   infra/stop.sh [kafka|elasticsearch|elasticmq|s3proxy ...]
#   infra/stop.sh --started-file FILE     (the servers listed in FILE by start.sh; none if empty)
#
# No server names (and no --started-file) = all. SIGTERM, wait up to 30 s (SENTRAIL_STOP_TIMEOUT), then SIGKILL; pid
# files are removed. Processes are found through the pid files and, as a fallback, by their
# command line (main class + this checkout's .local path). Stopping all also sweeps any java
# process whose command line mentions this checkout's .local folder. Idempotent: exit 0 when
# nothing runs.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

SERVERS=()
FROM_FILE=0
add_server() {
  is_server "$1" || { err "unknown server: $1 (known: ${ALL_SERVERS[*]})"; exit 2; }
  [[ " ${SERVERS[*]} " == *" $1 "* ]] || SERVERS+=("$1")
}
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --started-file | --started-file=*)
      if [ "$1" = --started-file ]; then
        [ $# -ge 2 ] || { err "--started-file needs a FILE"; exit 2; }
        f=$2; shift
      else
        f=${1#*=}
      fi
      FROM_FILE=1
      if [ -f "$f" ]; then
        while IFS= read -r name || [ -n "$name" ]; do
          name=${name//[[:space:]]/}
          [ -z "$name" ] || add_server "$name"
        done <"$f"
      fi
      ;;
    *) add_server "$1" ;;
  esac
  shift
done
ALL=0
if [ ${#SERVERS[@]} -eq 0 ]; then
  if [ "$FROM_FILE" = 1 ]; then log "nothing to stop (no server in the started file)"; exit 0; fi
  SERVERS=("${ALL_SERVERS[@]}")
  ALL=1
fi

es_base_lookup
if [ -d "$LOCAL" ]; then lock_acquire; fi

alive() { # prints the pids among $@ that are still alive
  local p
  for p in "$@"; do kill -0 "$p" 2>/dev/null && echo "$p"; done
  return 0
}

terminate() { # terminate <label> <pid...>: TERM, wait, KILL. Prints a line.
  local label=$1 t0=$SECONDS left
  shift
  kill -TERM "$@" 2>/dev/null || true
  while :; do
    left=$(alive "$@")
    [ -n "$left" ] || break
    if [ $((SECONDS - t0)) -ge "$STOP_TIMEOUT" ]; then
      # shellcheck disable=SC2086 # word splitting of the pid list is intended
      kill -KILL $left 2>/dev/null || true
      sleep 1
      printf '%-14s killed (SIGKILL after %ss)  pid %s\n' "$label" "$STOP_TIMEOUT" "${left//$'\n'/ }"
      return 0
    fi
    sleep 0.3
  done
  printf '%-14s stopped (%ss)  pid %s\n' "$label" "$((SECONDS - t0))" "$*"
}

stop_one() {
  local s=$1 f pid pids=()
  f=$(pidfile "$s")
  if [ -f "$f" ]; then
    pid=$(head -n 1 "$f" 2>/dev/null || true)
    if pid_is_ours "$s" "$pid"; then pids+=("$pid"); fi
  fi
  for pid in $(find_ours "$s"); do
    [[ " ${pids[*]} " == *" $pid "* ]] || pids+=("$pid")
  done
  if [ ${#pids[@]} -eq 0 ]; then
    printf '%-14s not running\n' "$s"
  else
    terminate "$s" "${pids[@]}"
  fi
  rm -f "$f"
  if [ "$s" = elasticsearch ]; then rm -f "$ES_BASE/run/elasticsearch.pid" "$RUN/elasticsearch.launch-rc"; fi
}

declare -A JOBS=()
for s in "${SERVERS[@]}"; do
  stop_one "$s" &
  JOBS[$s]=$!
done
RC=0
for s in "${SERVERS[@]}"; do wait "${JOBS[$s]}" || RC=1; done

if [ "$ALL" = 1 ]; then
  # Fallback sweep: any java process still running from this checkout's .local (or ES folder).
  mapfile -t LEFT < <({ es_pids_using "$LOCAL"; es_pids_using "$ES_BASE"; } | sort -u)
  if [ ${#LEFT[@]} -gt 0 ]; then terminate "leftover java" "${LEFT[@]}"; fi
fi
exit "$RC"
