# A private PostgreSQL server for the tests, sourced by the bats suites that
# need one (tests/gh-archive-pg.bats) and by bench/archive/run.
#
#   pg_start      in setup_file: initdb into a new directory under TMPDIR
#                 (default /tmp; the socket's path must stay short), as
#                 an unprivileged user (nobody when run as root), listening
#                 only on a Unix socket in that directory (listen_addresses
#                 is empty: no TCP port), superuser "ghadmin" trusted on the
#                 socket, role "ghpass" with a password (scram-sha-256).
#                 Sets PG_DIR (socket directory), PG_HOST_URI (the directory
#                 percent-encoded for a URI) and exports PGHOST, PGUSER.
#   pg_stop       in teardown_file: stops the server and removes PG_DIR,
#                 whatever happened before.
#   pg_need       first line of a test that needs the server: in CI
#                 (CI=true) a server that could not start fails the test;
#                 elsewhere it is skipped with the reason.
#   pg_newdb NAME create database NAME (owner ghadmin); prints its URI.
#   pg_sql URI SQL...  psql, unaligned, no headers, fields split by "|",
#                 NULL as empty (what "sqlite3 -batch" prints).
#
# PG_BIN overrides the directory of the server programs
# (default /usr/lib/postgresql/15/bin). PG_DURABLE=1 keeps fsync on (the
# benchmark); the tests turn it off, as they never survive a crash.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# _pg_as CMD...: run CMD as the server's user.
_pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PG_ERROR=
	if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
		PG_ERROR="no PostgreSQL server programs in $PG_BIN (install postgresql)"
		export PG_ERROR
		return 0
	fi
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gh-pg.XXXXXX") || { PG_ERROR="mktemp failed"; export PG_ERROR; return 0; }
	export PG_DIR
	chmod 0755 "$PG_DIR"
	[ "$(id -u)" -ne 0 ] || chown nobody:nogroup "$PG_DIR"
	if ! _pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U ghadmin -A trust \
		-E UTF8 --locale=C.UTF-8 > "$PG_DIR/initdb.log" 2>&1; then
		PG_ERROR="initdb failed: $(tail -3 "$PG_DIR/initdb.log")"
		export PG_ERROR
		return 0
	fi
	{
		echo "local all ghpass scram-sha-256"
		echo "local all all trust"
	} > "$PG_DIR/data/pg_hba.conf"
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$PG_DIR'"
		echo "max_connections = 60"
		if [ "${PG_DURABLE:-0}" != 1 ]; then
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "full_page_writes = off"
		fi
	} >> "$PG_DIR/data/postgresql.conf"
	if ! _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
		-w -t 60 start > "$PG_DIR/pg_ctl.log" 2>&1; then
		PG_ERROR="the server did not start: $(tail -3 "$PG_DIR/server.log" 2>/dev/null)"
		export PG_ERROR
		return 0
	fi
	PG_HOST_URI=$(printf '%s' "$PG_DIR" | sed 's|/|%2F|g')
	export PG_HOST_URI
	export PGHOST=$PG_DIR PGUSER=ghadmin
	unset PGPASSWORD PGSERVICE PGDATABASE PGPORT
	psql -X -q -d postgres -v ON_ERROR_STOP=1 \
		-c "CREATE ROLE ghpass LOGIN PASSWORD 'pw-not-on-the-command-line'" \
		> "$PG_DIR/roles.log" 2>&1 ||
		{ PG_ERROR="creating roles failed: $(cat "$PG_DIR/roles.log")"; export PG_ERROR; }
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ] || return 0
	if [ -f "$PG_DIR/data/postmaster.pid" ]; then
		_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop \
			> /dev/null 2>&1 || true
	fi
	rm -rf "$PG_DIR"
}

pg_need() {
	[ -z "${PG_ERROR:-}" ] && return 0
	if [ "${CI:-}" = true ]; then
		echo "PostgreSQL needed and not available: $PG_ERROR" >&2
		return 1
	fi
	skip "PostgreSQL needed: $PG_ERROR"
}

pg_newdb() {
	psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$1\"" > /dev/null &&
		printf 'postgresql://%s/%s\n' "$PG_HOST_URI" "$1"
}

pg_sql() {
	local uri=$1
	shift
	psql -X -q -A -t -F '|' -v ON_ERROR_STOP=1 -d "$uri" "$@"
}
