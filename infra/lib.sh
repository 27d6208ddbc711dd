# shellcheck shell=bash disable=SC2034
# (SC2034: variables here are used by the scripts that source this file)
# Shared helpers for infra/start.sh, infra/stop.sh and infra/status.sh. Sourced, not executed.
#
# Layout (everything under <repo>/.local, which is git-ignored):
#   .local/run/<server>.pid            pid of the server's JVM (written by the scripts)
#   .local/run/infra.lock              flock, serialises start.sh/stop.sh calls
#   .local/kafka/{libs,config,data,logs}
#   .local/elasticsearch/{elasticsearch-<v>,data,logs,run}   (see es_base_resolve for root)
#   .local/elasticmq/{libs,config,logs}
#   .local/s3proxy/{lib,config,data,logs}
# The repo root is derived from this file's location, so the checkout can live anywhere.

INFRA_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(dirname -- "$INFRA_DIR")
LOCAL="$ROOT/.local"
RUN="$LOCAL/run"
POM="$INFRA_DIR/pom.xml"
TEMPLATES="$INFRA_DIR/templates"

ALL_SERVERS=(kafka elasticsearch elasticmq s3proxy)
ES_USER="${SENTRAIL_ES_USER:-sentrail-es}"
STOP_TIMEOUT="${SENTRAIL_STOP_TIMEOUT:-30}"

KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
ES_PORT=9200
SQS_PORT=9324
S3_PORT=9000
S3_BUCKET=sentrail-cloudtrail

# A proxy from the environment (CI) must never see loopback health checks.
CURL=(curl --noproxy '*' -sS -m 5)

log() { printf '%s\n' "$*"; }
err() { printf '%s\n' "$*" >&2; }
die() { err "infra: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

is_server() {
  local s
  for s in "${ALL_SERVERS[@]}"; do [ "$s" = "$1" ] && return 0; done
  return 1
}

server_address() {
  case "$1" in
    kafka) echo "127.0.0.1:$KAFKA_PORT (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)" ;;
    elasticsearch) echo "http://127.0.0.1:$ES_PORT" ;;
    elasticmq) echo "http://127.0.0.1:$SQS_PORT (queue $S3_BUCKET)" ;;
    s3proxy) echo "http://127.0.0.1:$S3_PORT (bucket $S3_BUCKET)" ;;
  esac
}

server_port() { # the ports a server listens on (the first one is its main port)
  case "$1" in
    kafka) echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ;;
    elasticsearch) echo "$ES_PORT" ;;
    elasticmq) echo "$SQS_PORT" ;;
    s3proxy) echo "$S3_PORT" ;;
  esac
}

# Seconds start.sh waits for a server to become healthy (ES cold start on 2 cores ~60 s).
server_timeout() {
  case "$1" in
    kafka) echo "${SENTRAIL_KAFKA_TIMEOUT:-90}" ;;
    elasticsearch) echo "${SENTRAIL_ES_TIMEOUT:-180}" ;;
    elasticmq) echo "${SENTRAIL_ELASTICMQ_TIMEOUT:-60}" ;;
    s3proxy) echo "${SENTRAIL_S3PROXY_TIMEOUT:-60}" ;;
  esac
}

# Version of an artifact, read from the <properties> of infra/pom.xml (single source of truth).
pom_prop() {
  local v
  v=$(sed -n "s:.*<$1>\\([^<]*\\)</$1>.*:\\1:p" "$POM" | head -n 1)
  [ -n "$v" ] || die "property $1 not found in $POM"
  printf '%s\n' "$v"
}

# Java: the default `java` on PATH (Java 17 here); ES_JAVA_HOME is derived from it.
java_resolve() {
  local j
  j=$(command -v java) || die "java not found on PATH (Java 17+ needed)"
  JAVA_BIN=$(readlink -f "$j")
  JAVA_HOME_DIR=${JAVA_BIN%/bin/java}
}

# ---------------------------------------------------------------------------------------------
# Elasticsearch folder. ES refuses to run as root, so as root it runs as the system user
# $ES_USER, which must be able to traverse the path to its install/data/logs. A checkout under
# /root (mode 700) or under a private folder cannot be traversed by that user. We do NOT change
# permissions of folders we do not own; instead, when $ES_USER cannot reach .local, the ES folder
# is relocated to /var/lib/sentrail-es/<hash of the repo path> and .local/elasticsearch becomes a
# symlink to it (so logs stay reachable at the usual place). `rm -rf .local` drops the symlink;
# the next start.sh then wipes the orphaned relocated folder (unless an ES still runs from it,
# which is adopted). Not root: ES runs as the current user straight from .local/elasticsearch.
# ---------------------------------------------------------------------------------------------
es_relocated_dir() {
  local h
  h=$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
  echo "/var/lib/sentrail-es/$h"
}

# Sets ES_BASE (physical path) without creating anything: for stop/status.
es_base_lookup() {
  local link="$LOCAL/elasticsearch" reloc
  if [ -L "$link" ] || [ -d "$link" ]; then
    ES_BASE=$(readlink -f "$link")
    return 0
  fi
  reloc=$(es_relocated_dir)
  if [ -d "$reloc" ]; then ES_BASE="$reloc"; else ES_BASE="$link"; fi
}

es_user_ensure() {
  if ! id -u "$ES_USER" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$ES_USER" 2>/dev/null || id -u "$ES_USER" >/dev/null 2>&1 ||
      die "cannot create system user $ES_USER for Elasticsearch"
  fi
}

# Sets ES_BASE, creating the folder (and the symlink when relocated). Call with the lock held.
es_base_prepare() {
  local link="$LOCAL/elasticsearch" reloc
  mkdir -p "$LOCAL"
  if ! is_root; then
    mkdir -p "$link"
    ES_BASE=$(readlink -f "$link")
    return 0
  fi
  es_user_ensure
  reloc=$(es_relocated_dir)
  if [ -L "$link" ]; then
    mkdir -p "$(readlink -f "$link")"
  elif [ -d "$link" ]; then
    runuser -u "$ES_USER" -- test -x "$link" ||
      die "$ES_USER cannot traverse $link (repo path not reachable by it): rm -rf '$link' and retry, start.sh then relocates it to $reloc"
  elif runuser -u "$ES_USER" -- test -x "$LOCAL"; then
    mkdir -p "$link"
  else
    if [ -d "$reloc" ] && [ -z "$(es_pids_using "$reloc")" ]; then
      rm -rf "$reloc" # orphan of an earlier, since deleted, .local
    fi
    mkdir -p "$reloc"
    chown "$ES_USER:" /var/lib/sentrail-es "$reloc"
    chmod 755 /var/lib/sentrail-es
    ln -sfn "$reloc" "$link"
  fi
  ES_BASE=$(readlink -f "$link")
}

es_pids_using() { # pids of java processes whose command line mentions folder $1
  local d pid a=()
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    { mapfile -d '' -t a <"$d/cmdline"; } 2>/dev/null || continue
    [ "${#a[@]}" -gt 0 ] || continue
    case "${a[0]}" in *java) ;; *) continue ;; esac
    case " ${a[*]} " in *"$1/"*) echo "$pid" ;; esac
  done
}

# ---------------------------------------------------------------------------------------------
# Process identification: a pid is "ours" when its command line has the server's main class /
# jar and the path of this checkout's .local folder (guards against pid reuse and against the
# same server started from another checkout).
# ---------------------------------------------------------------------------------------------
server_markers() { # prints: <main-class-or-jar marker> TAB <path marker>
  case "$1" in
    kafka) printf '%s\t%s\n' " kafka.Kafka " "$LOCAL/kafka/" ;;
    elasticsearch) printf '%s\t%s\n' "org.elasticsearch.bootstrap.Elasticsearch" "$ES_BASE/" ;;
    elasticmq) printf '%s\t%s\n' " org.elasticmq.server.Main" "$LOCAL/elasticmq/" ;;
    s3proxy) printf '%s\t%s\n' "/s3proxy/lib/s3proxy.jar" "$LOCAL/s3proxy/" ;;
  esac
}

cmdline_of() {
  local a=()
  { mapfile -d '' -t a <"/proc/$1/cmdline"; } 2>/dev/null || return 1
  [ "${#a[@]}" -gt 0 ] || return 1
  printf ' %s \n' "${a[*]}"
}

pid_is_ours() { # pid_is_ours <server> <pid>
  local cmd m p
  [[ "$2" =~ ^[0-9]+$ ]] || return 1
  cmd=$(cmdline_of "$2") || return 1
  IFS=$'\t' read -r m p < <(server_markers "$1")
  [[ "$cmd" == *"$m"* && "$cmd" == *"$p"* ]]
}

find_ours() { # all pids of <server> from this checkout, found by command line
  local d pid cmd m p a=()
  IFS=$'\t' read -r m p < <(server_markers "$1")
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    { mapfile -d '' -t a <"$d/cmdline"; } 2>/dev/null || continue
    [ "${#a[@]}" -gt 0 ] || continue
    cmd=" ${a[*]} "
    [[ "$cmd" == *"$m"* && "$cmd" == *"$p"* ]] && echo "$pid"
  done
  return 0
}

pidfile() { echo "$RUN/$1.pid"; }

# Prints the live pid of <server> (pid file, validated; else a command-line match, which then
# re-creates the pid file). Removes a stale pid file. Returns 1 when not running.
server_pid() {
  local f pid
  f=$(pidfile "$1")
  if [ -f "$f" ]; then
    pid=$(head -n 1 "$f" 2>/dev/null || true)
    if pid_is_ours "$1" "$pid"; then
      echo "$pid"
      return 0
    fi
    rm -f "$f"
  fi
  pid=$(find_ours "$1" | head -n 1)
  if [ -n "$pid" ]; then
    if [ -d "$RUN" ]; then echo "$pid" >"$f"; fi
    echo "$pid"
    return 0
  fi
  return 1
}

# ---------------------------------------------------------------------------------------------
# Health checks (fast, bounded by timeouts).
# ---------------------------------------------------------------------------------------------
port_open() { # something accepts TCP connections on 127.0.0.1:<port> (any of the ports given)
  local p
  for p in "$@"; do
    # shellcheck disable=SC2016 # $0 belongs to the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$p" 2>/dev/null && return 0
  done
  return 1
}

# Kafka: a real ApiVersions (v0) round trip, not just a TCP connect (the KRaft broker binds its
# port before it processes requests). Request: size 18, api_key 18, version 0, correlation id
# "SENT", client id "sentrail". Healthy when the reply echoes the correlation id, error_code 0.
health_kafka() {
  local out
  # shellcheck disable=SC2016 # $0 belongs to the inner bash
  out=$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
    printf "\x00\x00\x00\x12\x00\x12\x00\x00\x53\x45\x4e\x54\x00\x08sentrail" >&3
    head -c 10 <&3 | od -An -tx1' "$KAFKA_PORT" 2>/dev/null) || return 1
  out=${out//$'\n'/ }
  [[ "$out" =~ 53\ +45\ +4e\ +54\ +00\ +00 ]]
}

health_elasticsearch() {
  local out
  out=$("${CURL[@]}" -f "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null) ||
    return 1
  [[ "$out" == *'"timed_out":false'* ]]
}

health_elasticmq() {
  local out
  out=$("${CURL[@]}" -f "http://127.0.0.1:$SQS_PORT/?Action=ListQueues" 2>/dev/null) || return 1
  [[ "$out" == *"/$S3_BUCKET<"* ]]
}

health_s3proxy() {
  "${CURL[@]}" -f -o /dev/null "http://127.0.0.1:$S3_PORT/" 2>/dev/null
}

server_healthy() { "health_$1"; }

# Log files of a server, most useful first (for failure reports).
server_logs() {
  case "$1" in
    kafka) printf '%s\n' "$LOCAL/kafka/logs/server.log" "$LOCAL/kafka/logs/kafka.out" ;;
    elasticsearch) printf '%s\n' "$ES_BASE/logs/sentrail-local.log" "$ES_BASE/logs/startup.out" ;;
    elasticmq) printf '%s\n' "$LOCAL/elasticmq/logs/elasticmq.log" ;;
    s3proxy) printf '%s\n' "$LOCAL/s3proxy/logs/s3proxy.log" ;;
  esac
}

# Lock shared by start.sh and stop.sh on fd 9. Server processes are started with fd 9 closed,
# otherwise they would hold the lock for their whole life.
lock_acquire() {
  mkdir -p "$RUN"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$RUN/infra.lock"
    flock -w 600 9 || die "another infra/start.sh or stop.sh holds $RUN/infra.lock"
  fi
}
