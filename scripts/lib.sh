# Shared shell helpers for scripts/*: prerequisites and throwaway PostgreSQL clusters.
# shellcheck shell=bash

PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_CONFIG=$PG_BIN/pg_config
PGRX_VERSION=0.18.1
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs whatever a fresh Debian bookworm machine lacks; every step is skipped when done.
ensure_prerequisites() {
    ensure_apt_packages
    if ! cargo pgrx --version 2>/dev/null | grep -q "$PGRX_VERSION"; then
        log "cargo install cargo-pgrx $PGRX_VERSION (about 8 minutes, once)"
        cargo install cargo-pgrx --version "$PGRX_VERSION" --locked
    fi
    if ! grep -qs "pg$PG_MAJOR" "${PGRX_HOME:-$HOME/.pgrx}/config.toml"; then
        log "cargo pgrx init --pg$PG_MAJOR=$PG_CONFIG"
        cargo pgrx init --pg$PG_MAJOR="$PG_CONFIG" >/dev/null
    fi
}

# The Debian packages: PostgreSQL, pg_cron, clang for pgrx, and for tests/py/test_bi_clients.py
# a JDK and pgJDBC (/usr/share/java/postgresql.jar). Skipped when all are installed.
ensure_apt_packages() {
    local pkgs=(postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR postgresql-$PG_MAJOR-cron
                libclang-dev clang sudo python3 python3-pip
                default-jdk-headless libpostgresql-jdbc-java)
    local missing=()
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        log "apt-get install ${missing[*]}"
        apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    fi
}

# Builds (release) and installs the extension into the system PostgreSQL $PG_MAJOR.
install_extension() { # PGOPS_PROFILE=dev installs a debug build (faster to compile)
    local profile=(--release)
    [ "${PGOPS_PROFILE:-release}" = dev ] && profile=()
    log "cargo pgrx install ${profile[*]}"
    (cd "$REPO_ROOT" && cargo pgrx install "${profile[@]}" --pg-config "$PG_CONFIG" >/dev/null)
    # Install scripts of earlier releases (frozen when released), so that databases can
    # CREATE EXTENSION ... VERSION 'old' and ALTER EXTENSION ... UPDATE through
    # sql/pg_operations--A--B.sql (which cargo pgrx install copies itself).
    cp "$REPO_ROOT"/sql/released/pg_operations--*.sql "$("$PG_CONFIG" --sharedir)/extension/"
}

# pg_start NAME PORT: a fresh cluster owned by user postgres under /tmp/pg_operations-NAME,
# listening only on a socket in that directory. Replaces a leftover cluster of the same name.
# PG_LISTEN=127.0.0.1 makes it listen on that TCP address too (for clients such as pgJDBC
# that cannot use a Unix socket); no other network address is accepted.
pg_start() {
    local name=$1 port=$2 listen=${PG_LISTEN:-}
    case "$listen" in
        '' | 127.0.0.1) ;;
        *) log "pg_start: PG_LISTEN must be empty or 127.0.0.1, not '$listen'"; return 1 ;;
    esac
    PGDIR=/tmp/pg_operations-$name
    pg_stop "$name" quiet
    rm -rf "$PGDIR"
    mkdir -p "$PGDIR"
    chown postgres:postgres "$PGDIR"
    sudo -u postgres "$PG_BIN/initdb" -D "$PGDIR/data" -A trust -U postgres >"$PGDIR/initdb.log" 2>&1 \
        || { cat "$PGDIR/initdb.log"; return 1; }
    cat >>"$PGDIR/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '$listen'
unix_socket_directories = '$PGDIR'
shared_preload_libraries = '${PG_PRELOAD:-}'
cron.database_name = 'postgres'
max_worker_processes = 16
max_parallel_workers = 8
max_parallel_workers_per_gather = 2
shared_buffers = '1GB'
work_mem = '256MB'
CONF
    sudo -u postgres "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w start >/dev/null \
        || { cat "$PGDIR/server.log"; return 1; }
    export PGHOST=$PGDIR PGPORT=$port PGUSER=postgres PGDATABASE=postgres
}

# pg_stop NAME [quiet]: stops the cluster started by pg_start NAME, if running.
pg_stop() {
    local dir=/tmp/pg_operations-$1
    if [ -f "$dir/data/postmaster.pid" ]; then
        sudo -u postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
        [ "${2:-}" = quiet ] || log "stopped the PostgreSQL cluster in $dir"
    fi
}

# pip_install IMPORT PACKAGE... WHAT: installs PACKAGE... unless `import IMPORT` works
# (with --break-system-packages when pip refuses the system Python); only logs a failure.
pip_install() {
    local module=$1 what=${*: -1} pkgs=("${@:2:$#-2}")
    python3 -c "import $module" 2>/dev/null && return 0
    log "pip install ${pkgs[*]} ($what)"
    python3 -m pip install -q "${pkgs[@]}" 2>/dev/null \
        || python3 -m pip install -q --break-system-packages "${pkgs[@]}" 2>/dev/null \
        || log "${pkgs[*]} could not be installed: $what will be skipped"
}

# Optional Python packages; the tests that need them report themselves skipped without them:
# chdb (embedded ClickHouse) for the differential funnel test, SQLAlchemy and psycopg 3 for
# the BI client test (tests/py/test_bi_clients.py).
ensure_python_packages() {
    pip_install chdb chdb "the ClickHouse differential test"
    pip_install sqlalchemy sqlalchemy "the SQLAlchemy stack of the BI client test"
    pip_install psycopg 'psycopg[binary]' "the SQLAlchemy stack of the BI client test"
    pip_install pandas pandas "the pandas oracle of the retention test"
}
