#!/usr/bin/env bash
# Start Sentrail's local servers (real Kafka, Elasticsearch, ElasticMQ, s3proxy) from .local/.
#
#   infra/start.sh [--started-file FILE] [kafka|elasticsearch|elasticmq|s3proxy ...]
#
# No server names = all. First run fetches the servers with Maven (infra/pom.xml) into .local/.
# Idempotent: a server already running and healthy is left alone; stale pid files are removed.
# Servers start in parallel, detached (setsid/nohup, stdio to log files under .local/), and the
# script waits for each one's health check. --started-file FILE appends the names of the servers
# this call started (not those already running), one per line, so a caller can stop only those.
# Exit status: 0 when every requested server is healthy; 1 otherwise (with the failing server's
# log tail on stderr); 2 on usage errors.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

STARTED_FILE=""
SERVERS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --started-file) [ $# -ge 2 ] || { usage >&2; exit 2; }; STARTED_FILE=$2; shift 2 ;;
    --started-file=*) STARTED_FILE=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) err "unknown option: $1"; usage >&2; exit 2 ;;
    *) is_server "$1" || { err "unknown server: $1 (known: ${ALL_SERVERS[*]})"; exit 2; }
       SERVERS+=("$1"); shift ;;
  esac
done
[ ${#SERVERS[@]} -gt 0 ] || SERVERS=("${ALL_SERVERS[@]}")
if [ -n "$STARTED_FILE" ]; then
  case "$STARTED_FILE" in /*) ;; *) STARTED_FILE="$PWD/$STARTED_FILE" ;; esac
  mkdir -p "$(dirname -- "$STARTED_FILE")"
  touch "$STARTED_FILE"
fi

java_resolve
lock_acquire
if [[ " ${SERVERS[*]} " == *" elasticsearch "* ]]; then es_base_prepare; else es_base_lookup; fi

KAFKA_VERSION=$(pom_prop kafka.version)
ES_VERSION=$(pom_prop elasticsearch.version)
ELASTICMQ_VERSION=$(pom_prop elasticmq.version)
S3PROXY_VERSION=$(pom_prop s3proxy.version)
ES_HOME="$ES_BASE/elasticsearch-$ES_VERSION"

# ---------------------------------------------------------------------------------------------
# Fetch (first run only): marker files record a complete fetch of a given version.
# ---------------------------------------------------------------------------------------------
fetch_marker() {
  case "$1" in
    kafka) echo "$LOCAL/kafka/libs/.fetched-$KAFKA_VERSION" ;;
    elasticsearch) echo "$ES_HOME/.fetched" ;;
    elasticmq) echo "$LOCAL/elasticmq/libs/.fetched-$ELASTICMQ_VERSION" ;;
    s3proxy) echo "$LOCAL/s3proxy/lib/.fetched-$S3PROXY_VERSION" ;;
  esac
}

run_maven() { # run_maven <profiles>
  local mlog="$RUN/maven.log"
  command -v mvn >/dev/null 2>&1 || die "mvn (Maven) is needed to fetch the servers the first time"
  if ! mvn -B -q -Dstyle.color=never -f "$POM" -P"$1" generate-resources \
    "-Dsentrail.local=$LOCAL" </dev/null >"$mlog" 2>&1; then
    err "infra: Maven fetch failed (profiles $1); last lines of $mlog:"
    tail -n 40 "$mlog" >&2
    exit 1
  fi
}

fetch_missing() {
  local s missing=() dep_profiles=() plain_profiles=() first
  for s in "${SERVERS[@]}"; do
    [ -f "$(fetch_marker "$s")" ] || missing+=("$s")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  log "fetching with Maven (first run): ${missing[*]}"
  for s in "${missing[@]}"; do
    case "$s" in
      kafka) rm -rf "$LOCAL/kafka/libs"; dep_profiles+=(kafka) ;;
      elasticmq) rm -rf "$LOCAL/elasticmq/libs"; dep_profiles+=(elasticmq) ;;
      elasticsearch) rm -rf "$LOCAL/downloads"; plain_profiles+=(elasticsearch) ;;
      s3proxy) rm -rf "$LOCAL/s3proxy/lib"; plain_profiles+=(s3proxy) ;;
    esac
  done
  # copy-dependencies copies the whole project classpath, so the kafka and elasticmq profiles
  # need one Maven run each; the plain artifact copies ride along with the first run.
  if [ ${#dep_profiles[@]} -eq 0 ]; then dep_profiles=(""); fi
  first=1
  for s in "${dep_profiles[@]}"; do
    local profiles="$s"
    if [ "$first" = 1 ] && [ ${#plain_profiles[@]} -gt 0 ]; then
      profiles=$(IFS=,; echo "${s:+$s,}${plain_profiles[*]}")
    fi
    first=0
    run_maven "$profiles"
  done
  for s in "${missing[@]}"; do
    case "$s" in
      elasticsearch)
        local zip="$LOCAL/downloads/elasticsearch-$ES_VERSION.zip" tmp="$ES_BASE/.unzip"
        [ -f "$zip" ] || die "Maven did not produce $zip"
        rm -rf "$tmp" "$ES_HOME"
        mkdir -p "$tmp"
        unzip -q "$zip" -d "$tmp"
        mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
        rm -rf "$tmp" "$LOCAL/downloads"
        chmod +x "$ES_HOME"/bin/*
        ;;
      s3proxy) [ -f "$LOCAL/s3proxy/lib/s3proxy.jar" ] || die "Maven did not produce s3proxy.jar" ;;
    esac
    touch "$(fetch_marker "$s")"
  done
}

# ---------------------------------------------------------------------------------------------
# Config rendering: templates with @LOCAL@ / @ES_BASE@ replaced by absolute paths.
# ---------------------------------------------------------------------------------------------
render() { # render <template> <dest>
  local text
  text=$(<"$TEMPLATES/$1")
  text=${text//@LOCAL@/"$LOCAL"}
  text=${text//@ES_BASE@/"$ES_BASE"}
  mkdir -p "$(dirname -- "$2")"
  printf '%s\n' "$text" >"$2.tmp"
  mv -f "$2.tmp" "$2"
}

# Start a command fully detached: new session, stdin from /dev/null, stdout/stderr appended to
# a log file, the lock fd closed. The pid file gets the pid of the exec'ed program itself.
launch() { # launch <server> <workdir> <logfile> <cmd...>
  local server=$1 dir=$2 logf=$3
  shift 3
  (
    cd "$dir"
    # shellcheck disable=SC2016 # $0/$@/$$ belong to the inner bash
    exec setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$(pidfile "$server")" "$@"
  ) </dev/null >>"$logf" 2>&1 9>&- &
  disown "$!" 2>/dev/null || true # no "Killed" job notices from this shell
}

start_kafka() {
  local d="$LOCAL/kafka" cp id
  mkdir -p "$d/data" "$d/logs"
  render kafka-server.properties "$d/config/server.properties"
  render kafka-log4j.properties "$d/config/log4j.properties"
  cp="$d/libs/*"
  if [ ! -f "$d/data/meta.properties" ]; then
    id=$("$JAVA_BIN" -Xmx256m "-Dlog4j.configuration=file:$d/config/log4j.properties" \
      "-Dkafka.logs.dir=$d/logs" -cp "$cp" kafka.tools.StorageTool random-uuid 2>>"$d/logs/kafka.out" </dev/null 9>&-)
    "$JAVA_BIN" -Xmx256m "-Dlog4j.configuration=file:$d/config/log4j.properties" \
      "-Dkafka.logs.dir=$d/logs" -cp "$cp" kafka.tools.StorageTool format -t "$id" \
      -c "$d/config/server.properties" </dev/null >>"$d/logs/kafka.out" 2>&1 9>&- ||
      { err "kafka: storage format failed"; return 1; }
  fi
  launch kafka "$d" "$d/logs/kafka.out" "$JAVA_BIN" -Xmx512m -Xms512m -server -XX:+UseG1GC \
    -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -Djava.awt.headless=true "-Dlog4j.configuration=file:$d/config/log4j.properties" \
    "-Dkafka.logs.dir=$d/logs" -cp "$cp" kafka.Kafka "$d/config/server.properties"
}

start_elasticsearch() {
  local runner=()
  mkdir -p "$ES_BASE/data" "$ES_BASE/logs" "$ES_BASE/run"
  render elasticsearch.yml "$ES_HOME/config/elasticsearch.yml"
  rm -f "$ES_BASE/run/elasticsearch.pid" "$RUN/elasticsearch.launch-rc"
  if is_root; then
    chown -R "$ES_USER:" "$ES_BASE"
    runner=(runuser -u "$ES_USER" --)
  fi
  # bin/elasticsearch -d returns once the node has started (or failed); its exit code is kept
  # so that a failed start is reported at once. ES writes its own pid file, copied to .local/run.
  (
    cd "$ES_HOME"
    # shellcheck disable=SC2016
    exec setsid nohup bash -c '"$@"; echo $? >"$0"' "$RUN/elasticsearch.launch-rc" \
      "${runner[@]}" env "ES_JAVA_HOME=$JAVA_HOME_DIR" "ES_JAVA_OPTS=-Xms1g -Xmx1g" \
      ./bin/elasticsearch -d -p "$ES_BASE/run/elasticsearch.pid"
  ) </dev/null >>"$ES_BASE/logs/startup.out" 2>&1 9>&- &
  disown "$!" 2>/dev/null || true
}

start_elasticmq() {
  local d="$LOCAL/elasticmq"
  mkdir -p "$d/logs"
  render elasticmq.conf "$d/config/elasticmq.conf"
  launch elasticmq "$d" "$d/logs/elasticmq.log" "$JAVA_BIN" -Xms256m -Xmx256m \
    -Djava.awt.headless=true "-Dconfig.file=$d/config/elasticmq.conf" -cp "$d/libs/*" \
    org.elasticmq.server.Main
}

start_s3proxy() {
  local d="$LOCAL/s3proxy"
  mkdir -p "$d/data/$S3_BUCKET" "$d/logs"
  render s3proxy.conf "$d/config/s3proxy.conf"
  launch s3proxy "$d" "$d/logs/s3proxy.log" "$JAVA_BIN" -Xms256m -Xmx256m \
    -Djava.awt.headless=true -jar "$d/lib/s3proxy.jar" --properties "$d/config/s3proxy.conf"
}

# After s3proxy answers: make sure the bucket exists (the data folder normally already has it).
s3_bucket_ensure() {
  local code
  code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S3_PORT/$S3_BUCKET" 2>/dev/null || true)
  [ "$code" = 200 ] && return 0
  "${CURL[@]}" -f -o /dev/null -X PUT "http://127.0.0.1:$S3_PORT/$S3_BUCKET" 2>/dev/null
}

report_failure() { # report_failure <server> <reason> [nolog]
  local f shown=0
  {
    printf '%s: did NOT come up: %s\n' "$1" "$2"
    if [ "${3:-}" = nolog ]; then
      if command -v ss >/dev/null 2>&1; then
        for f in $(server_port "$1"); do ss -Hltnp "sport = :$f" || true; done
      fi
      return 0
    fi
    while IFS= read -r f; do
      if [ -s "$f" ]; then
        printf -- '---- last 40 lines of %s ----\n' "$f"
        tail -n 40 "$f"
        shown=1
      fi
    done < <(server_logs "$1")
    [ "$shown" = 1 ] || printf '(no log output; logs would be: %s)\n' "$(server_logs "$1" | tr '\n' ' ')"
  } >&2
}

# Dead-on-arrival detection while waiting (instead of waiting for the whole timeout).
start_failed_early() {
  local rc pid
  case "$1" in
    elasticsearch)
      if [ -f "$RUN/elasticsearch.launch-rc" ]; then
        rc=$(cat "$RUN/elasticsearch.launch-rc")
        [ "$rc" != 0 ] && { echo "bin/elasticsearch exited with status $rc"; return 0; }
      fi
      ;;
    *)
      pid=$(head -n 1 "$(pidfile "$1")" 2>/dev/null || true)
      if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
        echo "process $pid exited"
        return 0
      fi
      ;;
  esac
  return 1
}

es_pid_sync() { # copy ES's own pid file to .local/run once it is there
  local pid
  pid=$(head -n 1 "$ES_BASE/run/elasticsearch.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && pid_is_ours elasticsearch "$pid"; then echo "$pid" >"$(pidfile elasticsearch)"; fi
}

kill_started() { # a server we launched did not become healthy: do not leave it half-running
  local pid
  for pid in $(head -n 1 "$(pidfile "$1")" 2>/dev/null) $(find_ours "$1"); do
    if pid_is_ours "$1" "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  rm -f "$(pidfile "$1")"
}

# One server, run in the background: start if needed, wait for health, print one line.
bring_up() {
  local s=$1 t0=$SECONDS limit reason="" started=0 pid
  limit=$(server_timeout "$s")
  if pid=$(server_pid "$s"); then
    if server_healthy "$s"; then
      [ "$s" != s3proxy ] || s3_bucket_ensure || true
      printf '%-14s already running  %s (pid %s)\n' "$s" "$(server_address "$s")" "$pid"
      return 0
    fi
    # ours but not (yet) healthy: e.g. still starting; wait for it below.
  else
    # shellcheck disable=SC2046 # one word per port
    if port_open $(server_port "$s"); then
      report_failure "$s" "port(s) $(server_port "$s") already in use by a process that is not this checkout's $s" nolog
      return 1
    fi
    rm -f "$(pidfile "$s")"
    "start_$s" || { report_failure "$s" "could not be launched"; return 1; }
    started=1
    if [ -n "$STARTED_FILE" ]; then echo "$s" >>"$STARTED_FILE"; fi
  fi
  while :; do
    [ "$s" != elasticsearch ] || es_pid_sync
    if server_healthy "$s"; then
      if [ "$s" = s3proxy ] && ! s3_bucket_ensure; then
        reason="bucket $S3_BUCKET could not be created"
        break
      fi
      [ "$s" != elasticsearch ] || es_pid_sync
      pid=$(server_pid "$s" || echo '?')
      if [ "$started" = 1 ]; then
        printf '%-14s started (%3ss)   %s (pid %s)\n' "$s" "$((SECONDS - t0))" "$(server_address "$s")" "$pid"
      else
        printf '%-14s already running  %s (pid %s)\n' "$s" "$(server_address "$s")" "$pid"
      fi
      return 0
    fi
    if [ "$started" = 1 ] && reason=$(start_failed_early "$s"); then break; fi
    if [ $((SECONDS - t0)) -ge "$limit" ]; then
      reason="not healthy after ${limit}s"
      break
    fi
    sleep 0.5
  done
  report_failure "$s" "$reason"
  [ "$started" = 0 ] || kill_started "$s"
  return 1
}

fetch_missing

T0=$SECONDS
declare -A JOBS=()
for s in "${SERVERS[@]}"; do
  bring_up "$s" &
  JOBS[$s]=$!
done
FAILED=()
for s in "${SERVERS[@]}"; do
  wait "${JOBS[$s]}" || FAILED+=("$s")
done
if [ ${#FAILED[@]} -gt 0 ]; then
  err "infra: failed to start: ${FAILED[*]}"
  exit 1
fi
log "all up (${#SERVERS[@]} server(s), $((SECONDS - T0))s)"
