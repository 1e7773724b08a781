#!/usr/bin/env bash
# Local multi-node cluster for ringlink development, tests and CI.
#
#   scripts/cluster.sh up                  start everything (idempotent); with a new SHARDS
#                                          on a running cluster: start/stop only the shards
#                                          added/removed
#   scripts/cluster.sh down [--purge]      stop what up started (and delete data)
#   scripts/cluster.sh status              one line per node; exit 1 if any is down
#   scripts/cluster.sh env                 export lines: eval "$(scripts/cluster.sh env)"
#   scripts/cluster.sh stop-node KIND I [--hard]
#   scripts/cluster.sh start-node KIND I
#   scripts/cluster.sh pid KIND I          KIND = primary | replica | redis | kafka | jaeger
#   scripts/cluster.sh psql KIND I [ARGS]  psql into primary/replica I
#   scripts/cluster.sh redis-cli I [ARGS]
#   scripts/cluster.sh kafka-topics [ARGS] Kafka's TopicCommand against the broker
#   scripts/cluster.sh logs KIND I         print the node's log file path
#   scripts/cluster.sh haproxy up [--port P] HOST:PORT HOST:PORT
#                                          HAProxy (repo's haproxy.cfg) in front of two instances
#   scripts/cluster.sh haproxy down
#   scripts/cluster.sh jaeger-build        build Jaeger v2 (go install) into .cluster/bin if missing
#
# Per shard i (0-based): a PostgreSQL 15 primary on PG_PORT_BASE+2i with a
# streaming replica (pg_basebackup -R, hot standby) on PG_PORT_BASE+2i+1, and
# a Redis node on REDIS_PORT_BASE+i. One single-node KRaft Kafka broker, and
# (WITH_JAEGER) a Jaeger v2 with in-memory storage for traces.
# See scripts/README.md for ports, environment variables and users.
# Layout variables are read and set indirectly (${!name}, printf -v):
# shellcheck disable=SC2034,SC2153
set -euo pipefail
umask 022

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
KAFKA_SRC_DIR="$SCRIPT_DIR/kafka"

# ---------------------------------------------------------------- output ----
info() { printf '[cluster] %s\n' "$*"; }
warn() { printf '[cluster] WARNING: %s\n' "$*" >&2; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }
tail_log() { # FILE [LINES]
  local f=$1 n=${2:-40}
  if [[ -r $f ]]; then
    printf '[cluster] ---- last %s lines of %s ----\n' "$n" "$f" >&2
    tail -n "$n" -- "$f" >&2 || true
    printf '[cluster] ---- end of %s ----\n' "$f" >&2
  else
    printf '[cluster] (no log at %s)\n' "$f" >&2
  fi
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# ---------------------------------------------------------------- config ----
CLUSTER_DIR=${CLUSTER_DIR:-$REPO_ROOT/.cluster}
[[ $CLUSTER_DIR == /* ]] || CLUSTER_DIR="$PWD/$CLUSTER_DIR"
CLUSTER_DIR=${CLUSTER_DIR%/}
[[ $CLUSTER_DIR != *[[:space:]]* ]] || die "CLUSTER_DIR must not contain whitespace: '$CLUSTER_DIR'"
LAYOUT_FILE="$CLUSTER_DIR/cluster.layout"
MARKER=".ringlink-cluster"

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_USER_NAME=ringlink      # database role (superuser) and password
PG_PASSWORD=ringlink
PG_DB=ringlink
TIMEOUT=${CLUSTER_TIMEOUT:-60}          # seconds per PostgreSQL/Redis node
KAFKA_TIMEOUT=${KAFKA_TIMEOUT:-120}     # seconds for the broker to serve requests
KAFKA_STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-30}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx512m -Xms128m}
PG_MAX_CONNECTIONS=${PG_MAX_CONNECTIONS:-100}
MVN=${MVN:-mvn}
JAEGER_SRC_DIR="$SCRIPT_DIR/jaeger"
# Outside CLUSTER_DIR's data: `down --purge` keeps it (a cold build takes minutes).
JAEGER_BIN=${JAEGER_BIN:-$REPO_ROOT/.cluster/bin/jaeger}
JAEGER_TIMEOUT=${JAEGER_TIMEOUT:-30}
JAVA=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}

# Layout values: on `up` the environment wins over the recorded layout; for
# every other command the recorded layout (what is actually running) wins.
L_SHARDS='' L_WITH_KAFKA='' L_PG_PORT_BASE='' L_REDIS_PORT_BASE='' L_KAFKA_PORT=''
L_KAFKA_CONTROLLER_PORT='' L_PG_ROOT='' L_PG_OS_USER='' L_WITH_JAEGER='' L_JAEGER_PORT_BASE=''
load_layout() {
  if [[ -f $LAYOUT_FILE ]]; then
    # shellcheck disable=SC1090
    source "$LAYOUT_FILE"
  fi
}

resolve_config() { # MODE
  local mode=$1 off=${CLUSTER_PORT_OFFSET:-0}
  [[ $off =~ ^[0-9]+$ ]] || die "CLUSTER_PORT_OFFSET must be a number (got '$off')"
  local name def envv layv val
  for name in SHARDS WITH_KAFKA PG_PORT_BASE REDIS_PORT_BASE KAFKA_PORT KAFKA_CONTROLLER_PORT WITH_JAEGER JAEGER_PORT_BASE; do
    case $name in
      SHARDS) def=3 ;;
      WITH_KAFKA) def=1 ;;
      # Jaeger runs when its binary has been built (scripts/cluster.sh jaeger-build), unless 0;
      # 1 builds it first when it is missing.
      WITH_JAEGER) if [[ -x $JAEGER_BIN ]]; then def=1; else def=0; fi ;;
      # Jaeger's ports: OTLP/HTTP base+18, health base+33, query gRPC base+85, query HTTP base+86
      # (54318, 54333, 54385, 54386 with no offset; apart from every other node's port for
      # offsets in steps of 500).
      JAEGER_PORT_BASE) def=$((54300 + off)) ;;
      PG_PORT_BASE) def=$((55432 + off)) ;;
      REDIS_PORT_BASE) def=$((56379 + off)) ;;
      KAFKA_PORT) def=$((59092 + off)) ;;
      KAFKA_CONTROLLER_PORT) def=$((59093 + off)) ;;
    esac
    envv=${!name-}
    layv="L_$name"; layv=${!layv-}
    if [[ $mode == up ]]; then val=${envv:-${layv:-$def}}
    else
      val=${layv:-${envv:-$def}}
      if [[ -n $layv && -n $envv && $envv != "$layv" ]]; then
        warn "$name=$envv ignored: the cluster in $CLUSTER_DIR was started with $name=$layv"
      fi
    fi
    [[ $val =~ ^[0-9]+$ ]] || die "$name must be a number (got '$val')"
    printf -v "$name" '%s' "$val"
  done
  ((SHARDS >= 1 && SHARDS <= 32)) || die "SHARDS must be between 1 and 32 (got $SHARDS)"
  local hi=$((PG_PORT_BASE + 2 * SHARDS - 1))
  ((REDIS_PORT_BASE + SHARDS - 1 > hi)) && hi=$((REDIS_PORT_BASE + SHARDS - 1))
  ((KAFKA_PORT > hi)) && hi=$KAFKA_PORT
  ((KAFKA_CONTROLLER_PORT > hi)) && hi=$KAFKA_CONTROLLER_PORT
  ((JAEGER_PORT_BASE + 86 > hi)) && hi=$((JAEGER_PORT_BASE + 86))
  ((hi <= 65535)) || die "port $hi is out of range: lower CLUSTER_PORT_OFFSET or the *_PORT* settings"
  [[ $WITH_KAFKA == 0 || $WITH_KAFKA == 1 ]] || die "WITH_KAFKA must be 0 or 1"
  [[ $WITH_JAEGER == 0 || $WITH_JAEGER == 1 ]] || die "WITH_JAEGER must be 0 or 1"
  JAEGER_OTLP_PORT=$((JAEGER_PORT_BASE + 18))
  JAEGER_HEALTH_PORT=$((JAEGER_PORT_BASE + 33))
  JAEGER_QUERY_GRPC_PORT=$((JAEGER_PORT_BASE + 85))
  JAEGER_QUERY_PORT=$((JAEGER_PORT_BASE + 86))
  PG_ROOT=$L_PG_ROOT
  PG_OS_USER=$L_PG_OS_USER
}

write_layout() {
  {
    echo "# written by scripts/cluster.sh up; do not edit while the cluster runs"
    local v
    for v in SHARDS WITH_KAFKA PG_PORT_BASE REDIS_PORT_BASE KAFKA_PORT KAFKA_CONTROLLER_PORT PG_ROOT PG_OS_USER WITH_JAEGER JAEGER_PORT_BASE; do
      printf 'L_%s=%q\n' "$v" "${!v}"
    done
  } >"$LAYOUT_FILE.tmp"
  mv -f "$LAYOUT_FILE.tmp" "$LAYOUT_FILE"
}

# ------------------------------------------------------------- node model ----
primary_port() { echo $((PG_PORT_BASE + 2 * $1)); }
replica_port() { echo $((PG_PORT_BASE + 2 * $1 + 1)); }
redis_port() { echo $((REDIS_PORT_BASE + $1)); }
node_port() { # KIND I
  case $1 in
    primary) primary_port "$2" ;; replica) replica_port "$2" ;;
    redis) redis_port "$2" ;; kafka) echo "$KAFKA_PORT" ;; jaeger) echo "$JAEGER_OTLP_PORT" ;;
  esac
}
node_dir() { # KIND I
  case $1 in
    primary | replica) echo "$PG_ROOT/$1-$2" ;;
    redis) echo "$CLUSTER_DIR/redis/node-$2" ;;
    kafka) echo "$CLUSTER_DIR/kafka" ;;
    jaeger) echo "$CLUSTER_DIR/jaeger" ;;
  esac
}
node_log() { # KIND I
  case $1 in
    primary | replica) echo "$PG_ROOT/logs/$1-$2.log" ;;
    redis) echo "$CLUSTER_DIR/redis/node-$2/redis.log" ;;
    kafka) echo "$CLUSTER_DIR/kafka/logs/server.log" ;;
    jaeger) echo "$CLUSTER_DIR/jaeger/jaeger.log" ;;
  esac
}
node_pidfile() { # KIND I
  case $1 in
    primary | replica) echo "$(node_dir "$1" "$2")/postmaster.pid" ;;
    redis) echo "$(node_dir redis "$2")/redis.pid" ;;
    kafka) echo "$CLUSTER_DIR/kafka/kafka.pid" ;;
    jaeger) echo "$CLUSTER_DIR/jaeger/jaeger.pid" ;;
  esac
}

# A PID counts as ours only if the process is alive and its working directory
# is the node's directory (postgres and redis chdir to their data dir; the
# Kafka JVM is launched from its node dir). This guards against stale
# pidfiles whose PID was reused by an unrelated process.
node_pid() { # KIND I -> prints PID of the live process, or fails
  local dir pidfile pid cwd
  dir=$(node_dir "$1" "$2")
  pidfile=$(node_pidfile "$1" "$2")
  [[ -r $pidfile ]] || return 1
  pid=$(head -n1 -- "$pidfile" 2>/dev/null | tr -dc '0-9') || return 1
  [[ -n $pid && -d /proc/$pid ]] || return 1
  cwd=$(readlink -- "/proc/$pid/cwd" 2>/dev/null) || return 1
  [[ $cwd == "$(readlink -f -- "$dir")" ]] || return 1
  echo "$pid"
}

port_open() { # PORT
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

check_port_free() { # KIND I
  local port
  port=$(node_port "$1" "$2")
  if port_open "$port"; then
    die "port $port (for $1 $2) is already in use by a process that is not this cluster's (CLUSTER_DIR=$CLUSTER_DIR). Stop it, or pick other ports with CLUSTER_PORT_OFFSET=N."
  fi
}

validate_kind_index() { # KIND I
  case $1 in
    primary | replica | redis)
      [[ ${2-} =~ ^[0-9]+$ ]] || die "usage: $1 needs an index 0..$((SHARDS - 1))"
      (($2 < SHARDS)) || die "$1 index $2 out of range (SHARDS=$SHARDS)"
      ;;
    kafka)
      [[ -z ${2-} || ${2-} == 0 ]] || die "there is only one kafka node (index 0)"
      ((WITH_KAFKA == 1)) || die "this cluster runs without Kafka (WITH_KAFKA=0)"
      ;;
    jaeger)
      [[ -z ${2-} || ${2-} == 0 ]] || die "there is only one jaeger node (index 0)"
      ((WITH_JAEGER == 1)) || die "this cluster runs without Jaeger (WITH_JAEGER=0)"
      ;;
    *) die "unknown node kind '$1' (expected primary|replica|redis|kafka|jaeger)" ;;
  esac
}

# ------------------------------------------------------------ postgresql ----
# PostgreSQL refuses to run as root: as root, its processes run as an
# unprivileged OS user (CLUSTER_PG_USER, else `postgres`, else a system user
# `ringlink-pg` created here); as anyone else they run as that user.
choose_pg_os_user() {
  if [[ -n $PG_OS_USER ]]; then return; fi
  if ((EUID == 0)); then
    if [[ -n ${CLUSTER_PG_USER-} ]]; then
      PG_OS_USER=$CLUSTER_PG_USER
    elif id -u postgres >/dev/null 2>&1; then
      PG_OS_USER=postgres
    else
      PG_OS_USER=ringlink-pg
    fi
  else
    PG_OS_USER=$(id -un)
    if [[ -n ${CLUSTER_PG_USER-} && $CLUSTER_PG_USER != "$PG_OS_USER" ]]; then
      die "CLUSTER_PG_USER=$CLUSTER_PG_USER needs root; not root, so PostgreSQL runs as $PG_OS_USER"
    fi
  fi
}

ensure_pg_os_user() {
  ((EUID == 0)) || return 0
  [[ $PG_OS_USER != root ]] || die "PostgreSQL cannot run as root; set CLUSTER_PG_USER to another user"
  if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    info "creating system user $PG_OS_USER to run PostgreSQL"
    useradd --system --no-create-home --user-group --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$PG_OS_USER" || die "useradd $PG_OS_USER failed"
  fi
}

# Run a command as the PostgreSQL OS user, from a directory it can access,
# without the lock file descriptor (daemons must not inherit it).
as_pg() {
  (
    cd "$PG_ROOT" 2>/dev/null || cd /
    if ((EUID == 0)); then exec runuser -u "$PG_OS_USER" -- "$@" 9>&-
    else exec "$@" 9>&-
    fi
  )
}
write_as_pg() { # FILE  (content on stdin)
  as_pg tee -- "$1" >/dev/null
}

# Decide where PostgreSQL data lives (once; recorded in the layout). Normally
# $CLUSTER_DIR/pg; if the PostgreSQL OS user cannot reach $CLUSTER_DIR (e.g.
# the repo is under /root, mode 700), a directory under /var/tmp is used and
# $CLUSTER_DIR/pg is made a symlink to it.
choose_pg_root() {
  if [[ -n $PG_ROOT ]]; then return; fi
  PG_ROOT="$CLUSTER_DIR/pg"
  if ((EUID == 0)) && ! runuser -u "$PG_OS_USER" -- test -x "$CLUSTER_DIR" -a -r "$CLUSTER_DIR" 2>/dev/null; then
    local h
    h=$(printf '%s' "$CLUSTER_DIR" | sha1sum | cut -c1-12)
    PG_ROOT="/var/tmp/ringlink-cluster-$h/pg"
    warn "$CLUSTER_DIR is not reachable by OS user $PG_OS_USER (a parent directory is not traversable);"
    warn "PostgreSQL data goes to $PG_ROOT instead ($CLUSTER_DIR/pg links to it)."
  fi
}

prepare_pg_root() {
  if [[ $PG_ROOT != "$CLUSTER_DIR/pg" ]]; then
    mkdir -p -- "$(dirname -- "$PG_ROOT")"
    chmod 755 -- "$(dirname -- "$PG_ROOT")"
    touch -- "$(dirname -- "$PG_ROOT")/$MARKER"
    [[ -L $CLUSTER_DIR/pg || ! -e $CLUSTER_DIR/pg ]] && ln -sfn -- "$PG_ROOT" "$CLUSTER_DIR/pg"
  fi
  mkdir -p -- "$PG_ROOT/logs"
  if ((EUID == 0)); then
    chown "$PG_OS_USER:" -- "$PG_ROOT" "$PG_ROOT/logs"
    runuser -u "$PG_OS_USER" -- test -w "$PG_ROOT" ||
      die "OS user $PG_OS_USER cannot write $PG_ROOT; set CLUSTER_DIR to a directory it can reach"
  fi
}

pg_conninfo() { # PORT [DB]
  echo "host=127.0.0.1 port=$1 user=$PG_USER_NAME password=$PG_PASSWORD dbname=${2:-$PG_DB} connect_timeout=5"
}
pg_sql() { # PORT DB SQL  -> unaligned tuples only
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -tA -d "$(pg_conninfo "$1" "$2")" -c "$3"
}
pg_ready() { # PORT
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -t 2
}

write_pg_node_conf() { # KIND I
  local dir port role=$1
  dir=$(node_dir "$1" "$2")
  port=$(node_port "$1" "$2")
  {
    echo "# generated by scripts/cluster.sh on every start: $role $2"
    echo "port = $port"
    echo "cluster_name = 'ringlink-$role-$2'"
    if [[ $role == replica ]]; then
      echo "hot_standby = on"
      echo "hot_standby_feedback = on"
      echo "wal_retrieve_retry_interval = 1s"
    fi
  } | write_as_pg "$dir/ringlink-node.conf"
}

pg_start() { # KIND I
  local kind=$1 i=$2 dir port log t0
  dir=$(node_dir "$kind" "$i")
  port=$(node_port "$kind" "$i")
  log=$(node_log "$kind" "$i")
  t0=$(now)
  check_port_free "$kind" "$i"
  write_pg_node_conf "$kind" "$i"
  # setsid: the postmaster gets its own session, so signals aimed at the
  # caller's terminal/process group (Ctrl-C) do not reach it.
  if ! as_pg setsid "$PG_BIN/pg_ctl" -D "$dir" -l "$log" -w -t "$TIMEOUT" start >/dev/null; then
    tail_log "$log"
    die "$kind $i (port $port) failed to start or was not ready within ${TIMEOUT}s (log above)"
  fi
  wait_pg "$kind" "$i"
  info "$kind $i started on 127.0.0.1:$port (pid $(node_pid "$kind" "$i"), $(elapsed "$t0"))"
}

wait_pg() { # KIND I
  local port deadline
  port=$(node_port "$1" "$2")
  deadline=$((SECONDS + TIMEOUT))
  until pg_ready "$port"; do
    if ((SECONDS >= deadline)) || ! node_pid "$1" "$2" >/dev/null; then
      tail_log "$(node_log "$1" "$2")"
      die "$1 $2 is not accepting connections on 127.0.0.1:$port"
    fi
    sleep 0.2
  done
}

ensure_primary() { # I
  local i=$1 dir port pid t0 pwfile
  dir=$(node_dir primary "$i")
  port=$(primary_port "$i")
  if pid=$(node_pid primary "$i"); then
    wait_pg primary "$i"
    info "primary $i already running on 127.0.0.1:$port (pid $pid)"
    return 0
  fi
  if [[ ! -f $dir/PG_VERSION ]]; then
    t0=$(now)
    [[ -e $dir ]] && rm -rf -- "$dir"
    pwfile="$PG_ROOT/.pwfile-$i"
    printf '%s\n' "$PG_PASSWORD" | write_as_pg "$pwfile"
    if ! as_pg "$PG_BIN/initdb" -D "$dir" -U "$PG_USER_NAME" --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C \
      --no-sync >"$PG_ROOT/logs/initdb-$i.log" 2>&1; then
      rm -f -- "$pwfile"
      tail_log "$PG_ROOT/logs/initdb-$i.log"
      die "initdb for primary $i failed"
    fi
    rm -f -- "$pwfile"
    write_as_pg "$dir/ringlink.conf" <<EOF
# generated by scripts/cluster.sh (small-machine settings; copied to the replica)
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = $PG_MAX_CONNECTIONS
shared_buffers = 64MB
effective_cache_size = 256MB
work_mem = 4MB
maintenance_work_mem = 32MB
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = 128MB
max_wal_size = 256MB
min_wal_size = 64MB
hot_standby = on
password_encryption = 'scram-sha-256'
log_line_prefix = '%m [%p] %q%u@%d '
log_connections = off
timezone = 'UTC'
EOF
    printf "\n# scripts/cluster.sh\ninclude_if_exists = 'ringlink.conf'\ninclude_if_exists = 'ringlink-node.conf'\n" |
      as_pg tee -a -- "$dir/postgresql.conf" >/dev/null
    write_as_pg "$dir/pg_hba.conf" <<EOF
# generated by scripts/cluster.sh: loopback TCP only, password (SCRAM) auth
# TYPE  DATABASE     USER  ADDRESS        METHOD
host    all          all   127.0.0.1/32   scram-sha-256
host    replication  all   127.0.0.1/32   scram-sha-256
EOF
    info "primary $i initialised in $dir ($(elapsed "$t0"))"
    NEW_PRIMARY[i]=1
  fi
  pg_start primary "$i"
  if [[ $(pg_sql "$port" postgres "SELECT count(*) FROM pg_database WHERE datname = '$PG_DB'") != 1 ]]; then
    pg_sql "$port" postgres "CREATE DATABASE $PG_DB OWNER $PG_USER_NAME" >/dev/null ||
      die "could not create database $PG_DB on primary $i"
    info "primary $i: database $PG_DB created"
  fi
}

ensure_replica() { # I [MODE]   MODE=strict: require streaming
  local i=$1 mode=${2:-strict} dir pport rport pid t0 slot tmp log
  dir=$(node_dir replica "$i")
  pport=$(primary_port "$i")
  rport=$(replica_port "$i")
  slot="replica_$i"
  if [[ ${NEW_PRIMARY[i]-} == 1 && -e $dir ]]; then
    # the primary was re-initialised: an old replica cannot follow it
    if pid=$(node_pid replica "$i"); then
      as_pg "$PG_BIN/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null || true
    fi
    warn "replica $i belonged to an older primary $i; re-creating it"
    rm -rf -- "$dir"
  fi
  if pid=$(node_pid replica "$i"); then
    wait_pg replica "$i"
    info "replica $i already running on 127.0.0.1:$rport (pid $pid)"
  else
    if [[ ! -f $dir/PG_VERSION || ! -f $dir/standby.signal ]]; then
      t0=$(now)
      pg_ready "$pport" || die "replica $i must be created from primary $i, which is not running (scripts/cluster.sh start-node primary $i)"
      rm -rf -- "$dir"
      tmp="$dir.creating"
      rm -rf -- "$tmp"
      pg_sql "$pport" postgres "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$slot' AND NOT active" >/dev/null
      log="$PG_ROOT/logs/basebackup-$i.log"
      if ! as_pg "$PG_BIN/pg_basebackup" \
        -d "host=127.0.0.1 port=$pport user=$PG_USER_NAME password=$PG_PASSWORD application_name=ringlink-replica-$i" \
        -D "$tmp" -R -X stream -c fast -C -S "$slot" --no-sync >"$log" 2>&1; then
        tail_log "$log"
        die "pg_basebackup of primary $i failed"
      fi
      mv -- "$tmp" "$dir"
      info "replica $i created from primary $i with pg_basebackup -R (slot $slot, $(elapsed "$t0"))"
    fi
    pg_start replica "$i"
  fi
  [[ $(pg_sql "$rport" postgres "SELECT pg_is_in_recovery()") == t ]] ||
    die "replica $i (port $rport) is not in recovery (not a standby)"
  # A real streaming replica: wait for its WAL receiver to stream.
  if pg_ready "$pport"; then
    local deadline=$((SECONDS + TIMEOUT)) st=''
    while :; do
      st=$(pg_sql "$rport" postgres "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null || true)
      [[ $st == streaming ]] && break
      if ((SECONDS >= deadline)); then
        tail_log "$(node_log replica "$i")"
        [[ $mode == strict ]] && die "replica $i is not streaming from primary $i (wal receiver: '${st:-none}')"
        warn "replica $i is not streaming from primary $i yet (wal receiver: '${st:-none}')"
        break
      fi
      sleep 0.2
    done
  elif [[ $mode == strict ]]; then
    die "primary $i is down; replica $i cannot stream"
  else
    warn "primary $i is down; replica $i runs as a disconnected hot standby until it is back"
  fi
}

pg_stop() { # KIND I [fast|immediate]
  local kind=$1 i=$2 m=${3:-fast} dir pid
  dir=$(node_dir "$kind" "$i")
  if ! pid=$(node_pid "$kind" "$i"); then
    info "$kind $i is not running"
    return 0
  fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$dir" -m "$m" -w -t "$TIMEOUT" stop >/dev/null; then
    warn "$kind $i did not stop with -m $m; using -m immediate"
    as_pg "$PG_BIN/pg_ctl" -D "$dir" -m immediate -w -t "$TIMEOUT" stop >/dev/null ||
      die "could not stop $kind $i (pid $pid)"
  fi
  info "$kind $i stopped (pid $pid, -m $m)"
}

# ----------------------------------------------------------------- redis ----
ensure_redis() { # I
  local i=$1 dir port pid t0 deadline
  dir=$(node_dir redis "$i")
  port=$(redis_port "$i")
  if pid=$(node_pid redis "$i"); then
    info "redis $i already running on 127.0.0.1:$port (pid $pid)"
  else
    t0=$(now)
    check_port_free redis "$i"
    mkdir -p -- "$dir"
    cat >"$dir/redis.conf" <<EOF
# generated by scripts/cluster.sh on every start
port $port
bind 127.0.0.1
protected-mode no
daemonize yes
pidfile $dir/redis.pid
logfile $dir/redis.log
dir $dir
save ""
appendonly no
loglevel notice
EOF
    rm -f -- "$dir/redis.pid"
    if ! (cd "$dir" && exec redis-server "$dir/redis.conf" </dev/null >/dev/null 2>>"$dir/redis.log" 9>&-); then
      tail_log "$dir/redis.log"
      die "redis $i failed to start"
    fi
  fi
  deadline=$((SECONDS + TIMEOUT))
  until [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]] && node_pid redis "$i" >/dev/null; do
    if ((SECONDS >= deadline)); then
      tail_log "$dir/redis.log"
      die "redis $i is not answering PING on 127.0.0.1:$port after ${TIMEOUT}s"
    fi
    sleep 0.1
  done
  [[ -n ${t0-} ]] && info "redis $i started on 127.0.0.1:$port (pid $(node_pid redis "$i"), $(elapsed "$t0"))"
  return 0
}

kill_pid() { # KIND I SIGNAL-FIRST TIMEOUT
  local kind=$1 i=$2 sig=$3 t=$4 pid deadline
  pid=$(node_pid "$kind" "$i") || { info "$kind $i is not running"; return 0; }
  kill "-$sig" "$pid" 2>/dev/null || true
  deadline=$((SECONDS + t))
  while node_pid "$kind" "$i" >/dev/null; do
    if ((SECONDS >= deadline)); then
      warn "$kind $i (pid $pid) still alive ${t}s after SIG$sig; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  if node_pid "$kind" "$i" >/dev/null; then die "could not stop $kind $i (pid $pid)"; fi
  rm -f -- "$(node_pidfile "$kind" "$i")"
  info "$kind $i stopped (pid $pid, SIG$sig)"
}

# ----------------------------------------------------------------- kafka ----
KAFKA_LIBS="$CLUSTER_DIR/kafka-libs"
KAFKA_FETCH_PID=''

kafka_libs_stamp() { sha256sum "$KAFKA_SRC_DIR/pom.xml" | cut -d' ' -f1; }
kafka_libs_fresh() {
  [[ -f $KAFKA_LIBS/.stamp && $(cat "$KAFKA_LIBS/.stamp") == "$(kafka_libs_stamp)" ]] &&
    compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null
}

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (Kafka needs Java 17+); install openjdk-17-jre-headless or set WITH_KAFKA=0"
  local v
  v=$("$JAVA" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
  v=${v%%.*}
  if ! [[ $v =~ ^[0-9]+$ ]] || ((v < 17)); then die "Kafka 4 needs Java 17+; $JAVA is version '${v:-unknown}'"; fi
}

# Starts `mvn dependency:copy-dependencies` in the background (the first time
# it downloads ~45 MB from Maven Central into ~/.m2).
kafka_fetch_start() {
  command -v "$MVN" >/dev/null 2>&1 || die "mvn not found (needed once to fetch Kafka); install maven or set WITH_KAFKA=0"
  mkdir -p -- "$CLUSTER_DIR/kafka/logs"
  rm -rf -- "$KAFKA_LIBS.new"
  info "kafka: fetching Apache Kafka jars with Maven in the background (log: $CLUSTER_DIR/kafka/logs/mvn.log)"
  "$MVN" -B -q -Dstyle.color=never -f "$KAFKA_SRC_DIR/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIBS.new" </dev/null >"$CLUSTER_DIR/kafka/logs/mvn.log" 2>&1 9>&- &
  KAFKA_FETCH_PID=$!
  KAFKA_FETCH_T0=$(now)
}
kafka_fetch_finish() {
  [[ -n $KAFKA_FETCH_PID ]] || return 0
  local rc=0
  wait "$KAFKA_FETCH_PID" || rc=$?
  KAFKA_FETCH_PID=''
  if ((rc != 0)) || ! compgen -G "$KAFKA_LIBS.new/kafka_2.13-*.jar" >/dev/null; then
    tail_log "$CLUSTER_DIR/kafka/logs/mvn.log"
    die "fetching Kafka with Maven failed (exit $rc)"
  fi
  kafka_libs_stamp >"$KAFKA_LIBS.new/.stamp"
  rm -rf -- "$KAFKA_LIBS"
  mv -- "$KAFKA_LIBS.new" "$KAFKA_LIBS"
  local jars=("$KAFKA_LIBS"/*.jar) kjar=("$KAFKA_LIBS"/kafka_2.13-*.jar)
  info "kafka: ${#jars[@]} jars in $KAFKA_LIBS ($(basename "${kjar[0]}"), $(elapsed "$KAFKA_FETCH_T0"))"
}

kafka_java() { # CLASS ARGS...  (a short-lived tool JVM)
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_SRC_DIR/tools-log4j2.properties" \
    -cp "$KAFKA_LIBS/*" "$@" 9>&-
}

write_kafka_props() {
  local dir="$CLUSTER_DIR/kafka"
  cat >"$dir/server.properties" <<EOF
# generated by scripts/cluster.sh on every start: single-node KRaft broker+controller
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
auto.create.topics.enable=true
num.partitions=3
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=24
log.segment.bytes=67108864
EOF
}

kafka_start() { # launches the broker; does not wait
  local dir="$CLUSTER_DIR/kafka" want pid
  if pid=$(node_pid kafka 0); then
    info "kafka already running on 127.0.0.1:$KAFKA_PORT (pid $pid)"
    return 0
  fi
  check_port_free kafka 0
  if port_open "$KAFKA_CONTROLLER_PORT"; then
    die "Kafka controller port $KAFKA_CONTROLLER_PORT is already in use by another process"
  fi
  KAFKA_T0=$(now)
  mkdir -p -- "$dir/logs"
  write_kafka_props
  # (Re)format when there is no formatted log dir, or the controller
  # endpoint it was formatted with changed.
  want="$KAFKA_CONTROLLER_PORT"
  if [[ ! -f $dir/data/meta.properties || $(cat "$dir/formatted-for" 2>/dev/null) != "$want" ]]; then
    rm -rf -- "$dir/data"
    local cid
    cid=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    if ! kafka_java kafka.tools.StorageTool format --standalone -t "$cid" -c "$dir/server.properties" \
      >"$dir/logs/format.log" 2>&1; then
      tail_log "$dir/logs/format.log"
      die "formatting the Kafka log dir failed"
    fi
    echo "$want" >"$dir/formatted-for"
    info "kafka: storage formatted (KRaft standalone, cluster id $cid)"
  fi
  printf '==== %s: starting Kafka broker (scripts/cluster.sh) ====\n' "$(date -u +%FT%TZ)" >>"$dir/logs/stdout.log"
  # shellcheck disable=SC2086
  # The cd comes before the fork (not inside a background subshell): node_pid checks the process's
  # cwd, and a subshell not yet scheduled to cd was once taken for a broker that had exited.
  pushd "$dir" >/dev/null
  setsid "$JAVA" $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dkafka.logs.dir="$dir/logs" \
    -Dlog4j2.configurationFile="$KAFKA_SRC_DIR/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/server.properties" \
    </dev/null >>"$dir/logs/stdout.log" 2>&1 9>&- &
  echo $! >"$dir/kafka.pid"
  popd >/dev/null
  info "kafka: broker launched (pid $!)"
}

kafka_wait() {
  local deadline=$((SECONDS + KAFKA_TIMEOUT)) dir="$CLUSTER_DIR/kafka" out
  local t0=${KAFKA_T0:-$(now)}
  while :; do
    if ! node_pid kafka 0 >/dev/null; then
      tail_log "$dir/logs/stdout.log" 20
      tail_log "$dir/logs/server.log"
      die "the Kafka broker exited during startup"
    fi
    if port_open "$KAFKA_PORT" &&
      out=$(kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list 2>&1); then
      break
    fi
    if ((SECONDS >= deadline)); then
      printf '%s\n' "${out-}" >&2
      tail_log "$dir/logs/server.log"
      die "the Kafka broker did not answer on 127.0.0.1:$KAFKA_PORT within ${KAFKA_TIMEOUT}s"
    fi
    sleep 0.5
  done
  info "kafka ready on 127.0.0.1:$KAFKA_PORT (pid $(node_pid kafka 0), $(elapsed "$t0"))"
}

ensure_kafka() { # fetch if needed, start, wait
  check_java
  if ! kafka_libs_fresh; then kafka_fetch_start; kafka_fetch_finish; fi
  kafka_start
  kafka_wait
}

# ---------------------------------------------------------------- jaeger ----
# Jaeger v2 built from the Go module proxy (scripts/jaeger/go.mod pins the version and go.sum the
# hashes), in-memory storage, every port on loopback (scripts/jaeger/config.yaml).
jaeger_build() {
  [[ -x $JAEGER_BIN ]] && return 0
  command -v go >/dev/null || die "go not found (needed once to build Jaeger into $JAEGER_BIN): install Go 1.24 or newer"
  local t0
  t0=$(now)
  info "jaeger: building github.com/jaegertracing/jaeger/cmd/jaeger $(awk '$1 == "github.com/jaegertracing/jaeger" { print $2 }' "$JAEGER_SRC_DIR/go.mod") with go install (a cold build takes a few minutes)"
  mkdir -p -- "$(dirname -- "$JAEGER_BIN")"
  (cd "$JAEGER_SRC_DIR" && GOBIN="$(dirname -- "$JAEGER_BIN")" GOFLAGS=-mod=readonly go install github.com/jaegertracing/jaeger/cmd/jaeger) ||
    die "building Jaeger failed"
  info "jaeger: built $JAEGER_BIN in $(elapsed "$t0")"
}

jaeger_start() { # launches and waits for the health check
  local dir="$CLUSTER_DIR/jaeger" pid p t0 deadline
  if pid=$(node_pid jaeger 0); then
    info "jaeger already running (OTLP 127.0.0.1:$JAEGER_OTLP_PORT, query 127.0.0.1:$JAEGER_QUERY_PORT, pid $pid)"
    return 0
  fi
  for p in "$JAEGER_OTLP_PORT" "$JAEGER_HEALTH_PORT" "$JAEGER_QUERY_GRPC_PORT" "$JAEGER_QUERY_PORT"; do
    port_open "$p" && die "port $p (for jaeger) is already in use by a process that is not this cluster's; pick other ports with CLUSTER_PORT_OFFSET=N or JAEGER_PORT_BASE"
  done
  t0=$(now)
  mkdir -p -- "$dir"
  # As for Kafka: cd before the fork, so the process has the cwd node_pid checks from its start.
  export JAEGER_OTLP_PORT JAEGER_HEALTH_PORT JAEGER_QUERY_GRPC_PORT JAEGER_QUERY_PORT
  pushd "$dir" >/dev/null
  setsid "$JAEGER_BIN" --config "$JAEGER_SRC_DIR/config.yaml" </dev/null >>"$dir/jaeger.log" 2>&1 9>&- &
  echo $! >"$dir/jaeger.pid"
  popd >/dev/null
  deadline=$((SECONDS + JAEGER_TIMEOUT))
  until [[ $(curl -s "http://127.0.0.1:$JAEGER_HEALTH_PORT/status" 2>/dev/null) == *'"healthy":true'* ]]; do
    if ! node_pid jaeger 0 >/dev/null; then tail_log "$dir/jaeger.log"; die "jaeger exited during startup"; fi
    if ((SECONDS >= deadline)); then tail_log "$dir/jaeger.log"; die "jaeger was not healthy within ${JAEGER_TIMEOUT}s"; fi
    sleep 0.2
  done
  info "jaeger ready: OTLP/HTTP 127.0.0.1:$JAEGER_OTLP_PORT, query 127.0.0.1:$JAEGER_QUERY_PORT (pid $(node_pid jaeger 0), $(elapsed "$t0"))"
}

cmd_jaeger_build() { jaeger_build; }

# ------------------------------------------------------------- lifecycle ----
take_lock() {
  mkdir -p -- "$CLUSTER_DIR"
  exec 9>"$CLUSTER_DIR/.lock"
  flock -w 600 9 || die "another scripts/cluster.sh holds $CLUSTER_DIR/.lock"
}

any_running() {
  local k i
  for k in primary replica redis; do
    for ((i = 0; i < 64; i++)); do
      [[ -e $(node_dir "$k" "$i") ]] || continue
      node_pid "$k" "$i" >/dev/null && return 0
    done
  done
  node_pid kafka 0 >/dev/null || node_pid jaeger 0 >/dev/null
}

on_exit() {
  if [[ -n ${KAFKA_FETCH_PID-} ]]; then kill "$KAFKA_FETCH_PID" 2>/dev/null || true; fi
}

stop_shard() { # I  (a shard removed by a smaller SHARDS: its nodes stop, its data stays)
  local i=$1
  [[ -e $(node_dir redis "$i") ]] && kill_pid redis "$i" TERM "$TIMEOUT"
  [[ -e $(node_dir replica "$i") ]] && pg_stop replica "$i" fast
  [[ -e $(node_dir primary "$i") ]] && pg_stop primary "$i" fast
  info "shard $i removed: its nodes are stopped (data kept in $CLUSTER_DIR)"
}

cmd_up() {
  local t0 i
  t0=$(now)
  load_layout
  resolve_config up
  # Refuse to change ports under running nodes. SHARDS may change: growing starts only the new
  # shards' nodes, shrinking stops only the removed shards' nodes (their data stays on disk).
  local shrink_from=0
  if [[ -f $LAYOUT_FILE ]]; then
    local v lv changed=''
    for v in WITH_KAFKA PG_PORT_BASE REDIS_PORT_BASE KAFKA_PORT KAFKA_CONTROLLER_PORT; do
      lv="L_$v"
      [[ ${!lv} == "${!v}" ]] || changed+=" $v=${!lv}->${!v}"
    done
    if [[ -n $L_SHARDS && $L_SHARDS != "$SHARDS" ]]; then
      info "shards: $L_SHARDS -> $SHARDS"
      ((L_SHARDS > SHARDS)) && shrink_from=$L_SHARDS
    fi
    if [[ -n $changed ]]; then
      PG_ROOT=$L_PG_ROOT
      if any_running; then
        die "the running cluster in $CLUSTER_DIR has a different layout ($changed ); run 'scripts/cluster.sh down' first"
      fi
      info "layout changed:$changed"
    fi
  fi
  command -v redis-server >/dev/null || die "redis-server not found: apt-get install -y redis-server"
  command -v redis-cli >/dev/null || die "redis-cli not found: apt-get install -y redis-tools"
  [[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] || die "PostgreSQL 15 binaries not found in $PG_BIN: apt-get install -y postgresql-15 (or set PG_BIN)"
  mkdir -p -- "$CLUSTER_DIR"
  chmod 755 -- "$CLUSTER_DIR"
  touch -- "$CLUSTER_DIR/$MARKER"
  take_lock
  trap on_exit EXIT
  choose_pg_os_user
  ensure_pg_os_user
  choose_pg_root
  write_layout
  info "up: $SHARDS shard(s), data in $CLUSTER_DIR, PostgreSQL runs as OS user $PG_OS_USER"
  prepare_pg_root
  if ((WITH_JAEGER == 1)); then jaeger_build; fi

  # Kafka first (fetch and/or JVM start run in the background while the
  # PostgreSQL and Redis nodes come up), then waited for at the end.
  if ((WITH_KAFKA == 1)); then
    check_java
    if node_pid kafka 0 >/dev/null; then
      :
    elif kafka_libs_fresh; then
      kafka_start
    else
      kafka_fetch_start
    fi
  fi

  if ((shrink_from > 0)); then
    for ((i = SHARDS; i < shrink_from; i++)); do stop_shard "$i"; done
  fi
  declare -ga NEW_PRIMARY=()
  for ((i = 0; i < SHARDS; i++)); do ensure_redis "$i"; done
  for ((i = 0; i < SHARDS; i++)); do
    ensure_primary "$i"
    ensure_replica "$i" strict
  done

  if ((WITH_KAFKA == 1)); then
    if [[ -n $KAFKA_FETCH_PID ]]; then
      kafka_fetch_finish
      kafka_start
    elif ! node_pid kafka 0 >/dev/null; then
      kafka_start
    fi
    kafka_wait
  fi
  if ((WITH_JAEGER == 1)); then jaeger_start; fi
  info "cluster up in $(elapsed "$t0"); eval \"\$(scripts/cluster.sh env)\" to use it"
}

cmd_down() {
  local purge=${CLUSTER_PURGE:-0} arg i k d
  for arg in "$@"; do
    case $arg in
      --purge) purge=1 ;;
      *) die "usage: scripts/cluster.sh down [--purge]" ;;
    esac
  done
  if [[ ! -d $CLUSTER_DIR ]]; then
    info "nothing to stop: $CLUSTER_DIR does not exist"
    return 0
  fi
  load_layout
  resolve_config down
  [[ -n $PG_ROOT ]] || PG_ROOT="$CLUSTER_DIR/pg"
  [[ -n $PG_OS_USER ]] || choose_pg_os_user
  take_lock
  haproxy_stop
  if [[ -d $CLUSTER_DIR/jaeger ]]; then kill_pid jaeger 0 TERM 10; fi
  # Stop everything that has a directory here, whatever SHARDS is now.
  if [[ -d $CLUSTER_DIR/kafka ]]; then kill_pid kafka 0 TERM "$KAFKA_STOP_TIMEOUT"; fi
  for d in "$CLUSTER_DIR"/redis/node-*; do
    [[ -d $d && ${d##*-} =~ ^[0-9]+$ ]] || continue
    kill_pid redis "${d##*-}" TERM "$TIMEOUT"
  done
  for k in replica primary; do
    for d in "$PG_ROOT/$k"-*; do
      [[ -d $d && ${d##*-} =~ ^[0-9]+$ ]] || continue
      pg_stop "$k" "${d##*-}" fast
    done
  done
  if [[ $purge == 1 ]]; then
    [[ -e $CLUSTER_DIR/$MARKER ]] || die "refusing to delete $CLUSTER_DIR: no $MARKER marker in it"
    if [[ $PG_ROOT != "$CLUSTER_DIR/pg" ]]; then
      local ext
      ext=$(dirname -- "$PG_ROOT")
      if [[ -e $ext/$MARKER ]]; then rm -rf -- "$ext"; else warn "not deleting $ext: no $MARKER marker"; fi
    fi
    if [[ $JAEGER_BIN == "$CLUSTER_DIR"/bin/* ]]; then
      # the built Jaeger stays (minutes to rebuild); everything else goes
      find "$CLUSTER_DIR" -mindepth 1 -maxdepth 1 ! -name bin -exec rm -rf -- {} +
    else
      rm -rf -- "$CLUSTER_DIR"
    fi
    info "purged $CLUSTER_DIR"
  fi
  info "cluster down"
}

node_state() { # KIND I -> sets ST_STATE ST_PID ST_INFO
  local kind=$1 i=$2 port st
  port=$(node_port "$kind" "$i")
  ST_PID=-; ST_STATE=down; ST_INFO=''
  ST_PID=$(node_pid "$kind" "$i") || { ST_PID=-; return 0; }
  case $kind in
    primary)
      if pg_ready "$port"; then
        ST_STATE=up
        ST_INFO="replicas streaming: $(pg_sql "$port" postgres "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" 2>/dev/null || echo '?')"
      else ST_STATE=starting
      fi ;;
    replica)
      if pg_ready "$port"; then
        ST_STATE=up
        st=$(pg_sql "$port" postgres "SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), 'not connected') || CASE WHEN pg_is_in_recovery() THEN ', read-only standby' ELSE ', NOT IN RECOVERY' END" 2>/dev/null || echo '?')
        ST_INFO="wal receiver: $st"
      else ST_STATE=starting
      fi ;;
    redis)
      if [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]; then ST_STATE=up; else ST_STATE=starting; fi ;;
    kafka | jaeger)
      if port_open "$port"; then ST_STATE=up; else ST_STATE=starting; fi ;;
  esac
}

cmd_status() {
  [[ -f $LAYOUT_FILE ]] || { echo "no cluster in $CLUSTER_DIR (run scripts/cluster.sh up)"; return 1; }
  load_layout
  resolve_config status
  local bad=0 i k
  printf '%-8s %-3s %-16s %-9s %-8s %s\n' KIND IDX ADDRESS STATE PID INFO
  for ((i = 0; i < SHARDS; i++)); do
    for k in primary replica redis; do
      node_state "$k" "$i"
      [[ $ST_STATE == up ]] || bad=1
      printf '%-8s %-3s %-16s %-9s %-8s %s\n' "$k" "$i" "127.0.0.1:$(node_port "$k" "$i")" "$ST_STATE" "$ST_PID" "$ST_INFO"
    done
  done
  if ((WITH_KAFKA == 1)); then
    node_state kafka 0
    [[ $ST_STATE == up ]] || bad=1
    printf '%-8s %-3s %-16s %-9s %-8s %s\n' kafka 0 "127.0.0.1:$KAFKA_PORT" "$ST_STATE" "$ST_PID" "controller 127.0.0.1:$KAFKA_CONTROLLER_PORT"
  fi
  if ((WITH_JAEGER == 1)); then
    node_state jaeger 0
    [[ $ST_STATE == up ]] || bad=1
    printf '%-8s %-3s %-16s %-9s %-8s %s\n' jaeger 0 "127.0.0.1:$JAEGER_OTLP_PORT" "$ST_STATE" "$ST_PID" "query 127.0.0.1:$JAEGER_QUERY_PORT"
  fi
  return $bad
}

cmd_env() {
  [[ -f $LAYOUT_FILE ]] || die "no cluster in $CLUSTER_DIR (run scripts/cluster.sh up first)"
  load_layout
  resolve_config env
  local i db='' rd=''
  for ((i = 0; i < SHARDS; i++)); do
    db+="${db:+,}postgres://$PG_USER_NAME:$PG_PASSWORD@127.0.0.1:$(primary_port "$i")/$PG_DB"
    db+=",postgres://$PG_USER_NAME:$PG_PASSWORD@127.0.0.1:$(replica_port "$i")/$PG_DB"
    rd+="${rd:+,}redis://127.0.0.1:$(redis_port "$i")"
  done
  local down=0 k
  [[ -n $PG_ROOT ]] || PG_ROOT="$CLUSTER_DIR/pg"
  for ((i = 0; i < SHARDS; i++)); do
    for k in primary replica redis; do node_pid "$k" "$i" >/dev/null || down=$((down + 1)); done
  done
  if ((WITH_KAFKA == 1)); then node_pid kafka 0 >/dev/null || down=$((down + 1)); fi
  if ((WITH_JAEGER == 1)); then node_pid jaeger 0 >/dev/null || down=$((down + 1)); fi
  ((down == 0)) || warn "$down node(s) of the cluster in $CLUSTER_DIR are not running (see scripts/cluster.sh status)"
  printf "export DATABASE_NODES='%s'\n" "$db"
  printf "export REDIS_NODES='%s'\n" "$rd"
  if ((WITH_KAFKA == 1)); then
    printf "export KAFKA_BROKERS='127.0.0.1:%s'\n" "$KAFKA_PORT"
  else
    echo "# WITH_KAFKA=0: no Kafka broker in this cluster"
  fi
  # Not OTEL_EXPORTER_OTLP_ENDPOINT itself: that would turn tracing on for every server started
  # from this shell; set it from JAEGER_OTLP_ENDPOINT where traces are wanted.
  if ((WITH_JAEGER == 1)); then
    printf "export JAEGER_OTLP_ENDPOINT='http://127.0.0.1:%s'\n" "$JAEGER_OTLP_PORT"
    printf "export JAEGER_QUERY_URL='http://127.0.0.1:%s'\n" "$JAEGER_QUERY_PORT"
  else
    echo "# WITH_JAEGER=0: no Jaeger in this cluster"
  fi
}

require_layout() {
  [[ -f $LAYOUT_FILE ]] || die "no cluster in $CLUSTER_DIR (run scripts/cluster.sh up first)"
  load_layout
  resolve_config node
  [[ -n $PG_ROOT ]] || PG_ROOT="$CLUSTER_DIR/pg"
  [[ -n $PG_OS_USER ]] || choose_pg_os_user
}

cmd_stop_node() { # KIND I [--hard]
  local kind=${1-} i=${2-} hard=${3-}
  [[ $kind == kafka && ( -z $i || $i == --hard ) ]] && { hard=$i; i=0; }
  require_layout
  validate_kind_index "$kind" "$i"
  [[ -z $hard || $hard == --hard ]] || die "usage: stop-node KIND I [--hard]"
  take_lock
  case $kind in
    primary | replica)
      if [[ $hard == --hard ]]; then pg_stop "$kind" "$i" immediate; else pg_stop "$kind" "$i" fast; fi ;;
    redis)
      if [[ $hard == --hard ]]; then kill_pid redis "$i" KILL 5; else kill_pid redis "$i" TERM "$TIMEOUT"; fi ;;
    kafka)
      if [[ $hard == --hard ]]; then kill_pid kafka 0 KILL 5; else kill_pid kafka 0 TERM "$KAFKA_STOP_TIMEOUT"; fi ;;
  esac
}

cmd_start_node() { # KIND I
  local kind=${1-} i=${2-}
  [[ $kind == kafka && -z $i ]] && i=0
  require_layout
  validate_kind_index "$kind" "$i"
  take_lock
  trap on_exit EXIT
  declare -ga NEW_PRIMARY=()
  case $kind in
    primary)
      [[ -f $(node_dir primary "$i")/PG_VERSION ]] || die "primary $i has no data; use scripts/cluster.sh up"
      ensure_primary "$i" ;;
    replica) ensure_replica "$i" lenient ;;
    redis) ensure_redis "$i" ;;
    kafka) ensure_kafka ;;
  esac
}

cmd_pid() {
  local kind=${1-} i=${2-}
  [[ ($kind == kafka || $kind == jaeger) && -z $i ]] && i=0
  require_layout
  validate_kind_index "$kind" "$i"
  node_pid "$kind" "$i" || die "$kind $i is not running"
}

cmd_logs() {
  local kind=${1-} i=${2-}
  [[ ($kind == kafka || $kind == jaeger) && -z $i ]] && i=0
  require_layout
  validate_kind_index "$kind" "$i"
  node_log "$kind" "$i"
}

cmd_psql() { # KIND I [psql args]
  local kind=${1-} i=${2-}
  require_layout
  [[ $kind == primary || $kind == replica ]] || die "usage: psql primary|replica I [psql args]"
  validate_kind_index "$kind" "$i"
  shift 2
  exec "$PG_BIN/psql" -X -d "$(pg_conninfo "$(node_port "$kind" "$i")")" "$@"
}

cmd_redis_cli() { # I [args]
  local i=${1-}
  require_layout
  validate_kind_index redis "$i"
  shift
  exec redis-cli -h 127.0.0.1 -p "$(redis_port "$i")" "$@"
}

cmd_kafka_topics() { # [TopicCommand args]
  require_layout
  validate_kind_index kafka 0
  kafka_libs_fresh || die "Kafka jars missing in $KAFKA_LIBS (run scripts/cluster.sh up)"
  check_java
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" "$@"
}

usage() {
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# ---------------------------------------------------------------- haproxy ---
HAPROXY_PIDFILE="$CLUSTER_DIR/haproxy/haproxy.pid"
haproxy_pid() {
  local pid
  pid=$(head -n1 -- "$HAPROXY_PIDFILE" 2>/dev/null | tr -dc '0-9') || return 1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}
haproxy_stop() {
  local pid
  pid=$(haproxy_pid) || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f -- "$HAPROXY_PIDFILE"
  info "haproxy stopped (pid $pid)"
}
cmd_haproxy() { # up [--port P] B1 B2 | down
  local sub=${1-} port=8080 stats_port
  [[ $# -gt 0 ]] && shift
  case $sub in
    down) haproxy_stop ;;
    up)
      if [[ ${1-} == --port ]]; then port=${2-}; shift 2 || die "usage: haproxy up [--port P] HOST:PORT HOST:PORT"; fi
      [[ $port =~ ^[0-9]+$ && $# -eq 2 ]] || die "usage: scripts/cluster.sh haproxy up [--port P] HOST:PORT HOST:PORT"
      command -v haproxy >/dev/null || die "haproxy is not installed (apt-get install haproxy)"
      haproxy_stop
      mkdir -p -- "$CLUSTER_DIR/haproxy"
      stats_port=$((port + 324))
      HAPROXY_BIND="127.0.0.1:$port" HAPROXY_STATS_BIND="127.0.0.1:$stats_port" RINGLINK_1=$1 RINGLINK_2=$2 \
        haproxy -D -f "$REPO_ROOT/haproxy.cfg" -p "$HAPROXY_PIDFILE" >"$CLUSTER_DIR/haproxy/haproxy.log" 2>&1 \
        || { tail_log "$CLUSTER_DIR/haproxy/haproxy.log"; die "haproxy failed to start"; }
      for _ in $(seq 1 50); do port_open "$port" && break; sleep 0.1; done
      port_open "$port" || die "haproxy is not listening on $port"
      info "haproxy on 127.0.0.1:$port -> $1, $2 (stats: http://127.0.0.1:$stats_port/stats, pid $(haproxy_pid))"
      ;;
    *) die "usage: scripts/cluster.sh haproxy up [--port P] HOST:PORT HOST:PORT | haproxy down" ;;
  esac
}

main() {
  local cmd=${1-}
  [[ $# -gt 0 ]] && shift
  case $cmd in
    up) [[ $# -eq 0 ]] || die "usage: scripts/cluster.sh up"; cmd_up ;;
    down) cmd_down "$@" ;;
    status) cmd_status ;;
    env) cmd_env ;;
    stop-node) cmd_stop_node "$@" ;;
    start-node) cmd_start_node "$@" ;;
    pid) cmd_pid "$@" ;;
    logs) cmd_logs "$@" ;;
    psql) cmd_psql "$@" ;;
    redis-cli) cmd_redis_cli "$@" ;;
    kafka-topics) cmd_kafka_topics "$@" ;;
    haproxy) cmd_haproxy "$@" ;;
    jaeger-build) cmd_jaeger_build ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
