#!/usr/bin/env bats
# gh-archive on PostgreSQL: the same behaviour as on SQLite, many writers,
# moving archives, roles. Needs a PostgreSQL server: the suite starts a
# private one (tests/pg.bash: initdb in a temporary directory, a Unix
# socket only, run as an unprivileged user) and stops it at the end. In CI
# a server that cannot start fails these tests; elsewhere they are skipped.

bats_require_minimum_version 1.5.0

setup_file() {
	source "$GH_ROOT/tests/pg.bash"
	pg_start
}

teardown_file() {
	source "$GH_ROOT/tests/pg.bash"
	pg_stop
}

setup() {
	source "$GH_ROOT/tests/pg.bash"
	source "$GH_ROOT/tests/archive.bash"
	pg_need
	F=$GH_ROOT/tests/fixtures/archive
	GOOD=(etc-write curl denied hostile v0.3.0)
	U=$(pg_newdb "t$BATS_TEST_NUMBER")
	SQ=$BATS_TEST_TMPDIR/runs.db
}

count() {
	pg_sql "$U" -c "SELECT count(*) FROM $1"
}

# version: the schema version the database says it has.
version() {
	pg_sql "$U" -c "SELECT value FROM gh_archive_meta WHERE key = 'schema_version'"
}

@test "pg: the private server listens on its Unix socket only, as an unprivileged user" {
	[ -S "$PG_DIR/.s.PGSQL.5432" ]
	[ "$(pg_sql "$U" -c "SHOW listen_addresses")" = "" ]
	[ "$(stat -c %U "$PG_DIR/data")" = "$( [ "$(id -u)" -eq 0 ] && echo nobody || id -un)" ]
	# the twin: nothing answers on TCP
	run psql -X -h 127.0.0.1 -d postgres -c 'SELECT 1'
	[ "$status" -ne 0 ]
}

@test "pg: URI and --db: create the schema, store, export byte for byte" {
	run --separate-stderr gh-archive "$U" "$F/etc-write.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	gh-archive --db "host=$PG_DIR dbname=t$BATS_TEST_NUMBER" "$F"/curl.json "$F"/denied.json
	gh-archive "postgres://$PG_HOST_URI/t$BATS_TEST_NUMBER" "$F"/hostile.json "$F"/v0.3.0.json
	[ "$(count receipts)" = 5 ]
	[ "$(pg_sql "$U" -c "SELECT key, value FROM gh_archive_meta ORDER BY key")" = "application|gh-archive
schema_version|6" ]
	for f in "${GOOD[@]}"; do
		id=$(jq -r .execution_id "$F/$f.json")
		gh-archive --export "$id" "$U" | cmp - "$F/$f.canonical"
		gh-archive --export "$id" --pretty "$U" | cmp - "$F/$f.json"
		gh-archive --export "$id" --db "host=$PG_DIR dbname=t$BATS_TEST_NUMBER" | cmp - "$F/$f.canonical"
	done
	run --separate-stderr gh-archive --export nope "$U"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "gh-archive: postgresql://$PG_HOST_URI/t$BATS_TEST_NUMBER: no receipt with execution_id \"nope\"" ]
}

@test "pg: types mapped: BIGINT, SMALLINT, BOOLEAN, TEXT, JSON" {
	fixtures "$U"
	pg_sql "$U" -c "SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'public' AND (data_type <> 'text' OR column_name IN ('canonical', 'argv'))
		AND table_name IN ('receipts', 'processes', 'connections')
		ORDER BY table_name, ordinal_position" > "$BATS_TEST_TMPDIR/types"
	grep -qx 'receipts|id|bigint' "$BATS_TEST_TMPDIR/types"
	grep -qx 'receipts|signed|smallint' "$BATS_TEST_TMPDIR/types"
	grep -qx 'receipts|canonical|text' "$BATS_TEST_TMPDIR/types"
	grep -qx 'receipts|doc|json' "$BATS_TEST_TMPDIR/types"
	grep -qx 'receipts|exit_code|bigint' "$BATS_TEST_TMPDIR/types"
	grep -qx 'processes|argv_truncated|boolean' "$BATS_TEST_TMPDIR/types"
	grep -qx 'connections|attempted|boolean' "$BATS_TEST_TMPDIR/types"
	! grep -q '|integer$' "$BATS_TEST_TMPDIR/types"
	# doc is the receipt: the same member as in the canonical text
	[ "$(pg_sql "$U" -c "SELECT doc->'provenance'->>'host' FROM receipts WHERE execution_id = 'legacy-0001' OR execution_id LIKE '%4e02' ORDER BY id DESC")" = "
build-01" ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM receipts WHERE doc IS NULL")" = 0 ]
}

# sq_rows DB SQL: the rows as "sqlite3 -batch" prints them, but whole: text
# with U+0000 in it is printed with U+FFFD there, as PostgreSQL stores it
# (the one difference between the engines' rows; sqlite3 would cut the
# text at U+0000).
sq_rows() {
	python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
out = sys.stdout.buffer
for row in db.execute(sys.argv[2]):
    out.write(b"|".join(b"" if v is None else str(v).replace("\0", "\ufffd").encode("utf-8", "surrogateescape") for v in row) + b"\n")
' "$@"
}

@test "pg: the normalized rows are those SQLite holds" {
	fixtures "$U"
	fixtures "$SQ"
	local t
	for t in "processes ORDER BY receipt_id, seq|argv_truncated" \
		 "execs ORDER BY receipt_id, process_seq, seq|argv_truncated" \
		 "files ORDER BY receipt_id, kind, path|" \
		 "file_accesses ORDER BY id|" \
		 "file_access_pids ORDER BY access_id, pid|" \
		 "connections ORDER BY receipt_id, dst, protocol|attempted" \
		 "network_attempts ORDER BY id|" \
		 "network_attempt_pids ORDER BY attempt_id, pid|" \
		 "network_inbound ORDER BY id|" \
		 "network_inbound_pids ORDER BY inbound_id, pid|" \
		 "syscalls ORDER BY receipt_id, type|" \
		 "redactions ORDER BY receipt_id, seq|" \
		 "policy_verdicts ORDER BY receipt_id|" \
		 "policy_violations ORDER BY receipt_id, seq|"; do
		local q=${t%%|*} b=${t#*|} cols
		cols=$(pg_sql "$U" -c "SELECT string_agg(CASE WHEN column_name = '$b' THEN column_name || '::int' ELSE column_name END, ', ' ORDER BY ordinal_position)
			FROM information_schema.columns WHERE table_name = '${q%% *}' AND column_name <> 'pids'")
		pg_sql "$U" -c "SELECT $cols FROM $q" > "$BATS_TEST_TMPDIR/pg"
		sq_rows "$SQ" "SELECT ${cols//::int/} FROM $q" > "$BATS_TEST_TMPDIR/sq"
		diff -u "$BATS_TEST_TMPDIR/sq" "$BATS_TEST_TMPDIR/pg" || { echo "table ${q%% *}"; false; }
		[ -s "$BATS_TEST_TMPDIR/pg" ] || [[ "$q" == network_inbound* || "$q" == redactions* ]]
	done
	cols="execution_id, version, start_time, end_time, host, command, program, argv, cwd, uid, run_uid,
	      observation_mode, completeness, completeness_reasons, exit_code, signal, error, duration_ms,
	      cpu_time_ms, max_rss_kb, lost_ringbuf, lost_fault, lost_truncated, files_failed, bytes_sent,
	      stdout_hash, stderr_hash, signed, signature_key, sha256, canonical, machine"
	diff -u <(sq_rows "$SQ" "SELECT $cols FROM receipts ORDER BY id") \
		<(pg_sql "$U" -c "SELECT ${cols/signed,/signed::int,} FROM receipts ORDER BY id")
}

# The statements the server ran for database $U since byte $1 of its log
# (log_statement = all for that database): "insert", "select" or "copy"
# and the table, one line each.
executed() {
	tail -c +$(($1 + 1)) "$PG_DIR/server.log" |
		sed -n 's/.*LOG:  execute [^:]*: \(WITH i AS (\)\{0,1\}INSERT INTO \([a-z_]*\).*/insert \2/p
			s/.*LOG:  execute [^:]*: SELECT .* FROM \([a-z_]*\) .*/select \1/p
			s/.*LOG:  statement: COPY \([a-z_]*\) .*/copy \1/p'
}

@test "pg: a receipt's rows go as one statement per table, linked as in SQLite" {
	local n0 i
	pg_sql "$U" -c "ALTER DATABASE t$BATS_TEST_NUMBER SET log_statement = 'all'" \
		-c "ALTER DATABASE t$BATS_TEST_NUMBER SET log_parameter_max_length = 0"
	gh-archive --init "$U"
	n0=$(wc -c < "$PG_DIR/server.log")
	gh-archive "$U" "$F/etc-write.json"
	# 3 processes, 9 file accesses with 15 pids, several files: one
	# statement each, after the receipt's row (no lookup of the
	# execution_id before a receipt is new), by COPY; the pids in their
	# access's row (schema 6), nothing read back
	[ "$(count processes)" = 3 ]
	[ "$(count file_accesses)" = 9 ]
	[ "$(count file_access_pids)" = 15 ]
	[ "$(count files)" -gt 1 ]
	[ "$(executed "$n0")" = "insert receipts
copy processes
copy execs
copy files
copy file_accesses
copy syscalls" ]
	# the twin: the same receipt again stores no row; the insert that
	# stored nothing is followed by the lookup that finds it the same
	n0=$(wc -c < "$PG_DIR/server.log")
	run gh-archive -v "$U" "$F/etc-write.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"status":"unchanged"'* ]]
	[ "$(executed "$n0")" = "insert receipts
select receipts" ]
	[ "$(count processes)" = 3 ]
	# a receipt of more than a megabyte of rows goes in
	# parts, each access with its pids
	jq -c '.execution_id = "big" | .filesystem.accesses = [range(0; 6000) as $i |
		{path: ("/big/" + ("x" * 200) + "/\($i)"), op: "read", result: "ok", count: 1,
		 pids: [4101, (5000 + $i % 7)]}]' "$F/etc-write.json" > "$BATS_TEST_TMPDIR/big.json"
	n0=$(wc -c < "$PG_DIR/server.log")
	gh-archive "$U" "$BATS_TEST_TMPDIR/big.json"
	[ "$(executed "$n0" | grep -c "copy file_accesses")" -gt 1 ]
	! executed "$n0" | grep -v "copy file_accesses"
	gh-archive "$SQ" "$F/etc-write.json" "$BATS_TEST_TMPDIR/big.json"
	i="SELECT r.execution_id, a.path, a.op, p.pid FROM file_access_pids p
		JOIN file_accesses a ON a.id = p.access_id JOIN receipts r ON r.id = a.receipt_id
		ORDER BY a.id, p.pid"
	[ "$(pg_sql "$U" -c "$i" | wc -l)" = $((6000 * 2 + 15)) ]
	diff -u <(sq_rows "$SQ" "$i") <(pg_sql "$U" -c "$i")
}

@test "pg: the rows of several receipts go together, those of a receipt with a long text at its end" {
	local n0
	pg_sql "$U" -c "ALTER DATABASE t$BATS_TEST_NUMBER SET log_statement = 'all'" \
		-c "ALTER DATABASE t$BATS_TEST_NUMBER SET log_parameter_max_length = 0"
	gh-archive --init "$U"
	n0=$(wc -c < "$PG_DIR/server.log")
	gh-archive "$U" "$F/curl.json" "$F/denied.json" "$F/etc-write.json"
	[ "$(executed "$n0" | sort | uniq -c | grep -E "receipts|files|processes" | tr -s ' ')" = " 1 copy files
 1 copy processes
 3 insert receipts" ]
	# the twin: a receipt with a text of more than 1,000 bytes sends what
	# was gathered at its end, so that a refusal of the server names it
	jq --arg p "/tmp/$(printf 'y%.0s' $(seq 1 1500))" '.execution_id = "long-path" |
		.filesystem.reads += [$p]' "$F/denied.json" > "$BATS_TEST_TMPDIR/long.json"
	jq '.execution_id = "after"' "$F/etc-write.json" > "$BATS_TEST_TMPDIR/after.json"
	jq '.execution_id = "before"' "$F/curl.json" > "$BATS_TEST_TMPDIR/before.json"
	n0=$(wc -c < "$PG_DIR/server.log")
	gh-archive "$U" "$BATS_TEST_TMPDIR/before.json" "$BATS_TEST_TMPDIR/long.json" "$BATS_TEST_TMPDIR/after.json"
	[ "$(executed "$n0" | grep -c "copy files")" = 2 ]
	[ "$(count receipts)" = 6 ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM files WHERE length(path) > 1500")" = 1 ]
}

@test "pg: the receipt's text compressed with lz4, unless the database chose a method" {
	gh-archive "$U" "$F/denied.json"
	[ "$(pg_sql "$U" -c "SELECT pg_column_compression(canonical) FROM receipts")" = lz4 ]
	[ "$(pg_sql "$U" -c "SHOW default_toast_compression")" = pglz ]
	# the twin: a method the database's owner chose is kept
	pg_sql "$U" -c "ALTER DATABASE t$BATS_TEST_NUMBER SET default_toast_compression = pglz"
	gh-archive "$U" "$F/etc-write.json"
	[ "$(pg_sql "$U" -c "SELECT execution_id, pg_column_compression(canonical) FROM receipts ORDER BY id" | cut -d'|' -f2 | tr '\n' ' ')" = "lz4 pglz " ]
	gh-archive --export-all "$U" | cmp - <(cat "$F/denied.canonical" "$F/etc-write.canonical")
}

@test "pg: idempotent: the same receipt twice is stored once" {
	case_idempotent "$U"
}

@test "pg: conflict: same execution_id, other content, exit 2 and nothing changes; --replace replaces" {
	case_conflict "$U"
	gh-archive "$U" "$F/curl.json"
	run gh-archive -v --replace "$U" "$F/conflict.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"status":"replaced"}' ]]
	gh-archive --export 3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e01 --pretty "$U" | cmp - "$F/conflict.json"
	[ "$(count receipts)" = 2 ]
	[ "$(count processes)" = 4 ]
	[ "$(count file_accesses)" = 15 ]
	[ "$(count file_access_pids)" = 21 ]
}

@test "pg: one transaction per batch: an error stores nothing" {
	gh-archive --init "$U"
	run --separate-stderr gh-archive "$U" "$F/etc-write.json" "$F/curl.json" "$F/bad-type.json"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "gh-archive: $F/bad-type.json:1: process_tree[1].pid: expected a process id (0 to 2147483647)" ]
	[ "$(count receipts)" = 0 ]
	[ "$(count processes)" = 0 ]
}

@test "pg: bad input makes no schema; members of the wrong type are named" {
	head -c 2000 "$F/curl.json" > "$BATS_TEST_TMPDIR/cut.json"
	run --separate-stderr gh-archive "$U" "$BATS_TEST_TMPDIR/cut.json"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "gh-archive: $BATS_TEST_TMPDIR/cut.json:"* ]]
	[ "$(pg_sql "$U" -c "SELECT to_regclass('receipts') IS NULL")" = t ]
	for t in '"process_tree": {}|process_tree: expected an array of objects' \
		 '"network": {"attempts": [{"dst": 5}]}|network.attempts[0].dst: expected a string' \
		 '"filesystem": {"accesses": [{"path": "/a"}]}|filesystem.accesses[0].op: missing' \
		 '"syscalls": {"counts": {"open": 1.5}}|syscalls.counts.open: expected an integer' \
		 '"syscalls": {"denied": {"open": "x"}}|syscalls.denied.open: expected an integer' \
		 '"exit_code": true|exit_code: expected an integer'; do
		printf '{"execution_id": "t", %s}\n' "${t%%|*}" > "$BATS_TEST_TMPDIR/t.json"
		run --separate-stderr gh-archive "$U" "$F/curl.json" "$BATS_TEST_TMPDIR/t.json"
		[ "$status" -eq 2 ]
		[ "$stderr" = "gh-archive: $BATS_TEST_TMPDIR/t.json:1: ${t#*|}" ]
	done
	[ "$(count receipts)" = 0 ]
}

@test "pg: hostile strings survive both ways; U+0000 is U+FFFD in the columns only" {
	fixtures "$U"
	id=$(jq -r .execution_id "$F/hostile.json")
	gh-archive --export "$id" "$U" | cmp - "$F/hostile.canonical"
	gh-archive --export "$id" --pretty "$U" | cmp - "$F/hostile.json"
	pg_sql "$U" -c "SELECT upper(encode(convert_to(a.path, 'UTF8'), 'hex')) FROM file_accesses a
		JOIN receipts r ON r.id = a.receipt_id WHERE r.execution_id LIKE 'hostile-%' ORDER BY a.id" > "$BATS_TEST_TMPDIR/hex"
	diff -u <(sed 's/^2F746D702F6E756C0062797465$/2F746D702F6E756CEFBFBD62797465/' "$F/hostile-paths.hex") "$BATS_TEST_TMPDIR/hex"
	[ "$(pg_sql "$U" -c "SELECT encode(convert_to(execution_id, 'UTF8'), 'hex') FROM receipts WHERE execution_id LIKE 'hostile-%'")" = \
	  "$(printf '%s' "$id" | od -An -tx1 | tr -d ' \n')" ]
	[ "$(pg_sql "$U" -c "SELECT path_hex FROM file_accesses WHERE path_hex IS NOT NULL")" = 2f746d702f626164fffe6279746573 ]
	# doc (JSON) has the receipt with U+FFFD for U+0000
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM receipts r, json_array_elements_text(r.doc->'process_tree'->0->'argv') p
		WHERE p = '/tmp/nul' || chr(65533) || 'byte'")" = 1 ]
	[ "$(count receipts)" = 5 ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 16 ]
}

@test "pg: every man page example gives the rows it gives on SQLite" {
	fixtures "$U"
	local n names
	names=$(sed -n 's/^\.\\" query: //p' "$GH_ROOT/man/man1/gh-archive.1")
	[ "$(printf '%s\n' "$names" | wc -l)" -ge 18 ]
	for n in $names; do
		case $n in hosts-last-week|receipts-per-host|shared-peers|one-host-exes) continue ;; esac
		case $n in bytes-per-run|bytes-per-peer|runs-by-name|dns-lookups) continue ;; esac
		run pg_sql "$U" -c "$(man_query "$n" pg)"
		[ "$status" -eq 0 ] || { echo "$n: $output"; false; }
		diff -u "$F/queries/$n.out" <(printf '%s\n' "$output") || { echo "query $n"; false; }
	done
	# the PostgreSQL versions are the ones that differ from SQLite's
	for n in wrote-under-etc hosts-last-week ran-curl json-member; do
		[ "$(man_query "$n" pg)" != "$(man_query "$n")" ]
	done
	# the twin: SQLite's GLOB is no PostgreSQL
	run pg_sql "$U" -c "$(man_query ran-curl)"
	[ "$status" -ne 0 ]
}

@test "pg: man example hosts-last-week" {
	local recent old
	recent=$(date -u -d '2 days ago' +%Y-%m-%dT%H:%M:%S.000000Z)
	old=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%S.000000Z)
	jq --arg t "$recent" '.start_time = $t | .execution_id = "recent-curl"' "$F/curl.json" > "$BATS_TEST_TMPDIR/r1.json"
	jq --arg t "$old" '.start_time = $t | .execution_id = "old-curl" |
		.network.attempts[1].dst = "198.51.100.7:443" | .network.attempts[1].result = "ok"' \
		"$F/curl.json" > "$BATS_TEST_TMPDIR/r2.json"
	jq --arg t "$recent" '.start_time = $t | .execution_id = "recent-python"' "$F/denied.json" > "$BATS_TEST_TMPDIR/r3.json"
	gh-archive "$U" "$BATS_TEST_TMPDIR"/r[123].json
	run pg_sql "$U" -c "$(man_query hosts-last-week pg)"
	[ "$status" -eq 0 ]
	diff -u "$F/queries/hosts-last-week.out" <(printf '%s\n' "$output")
}

@test "pg: fleet queries: the rows they give on SQLite" {
	fleet "$U"
	for n in receipts-per-host shared-peers one-host-exes; do
		run pg_sql "$U" -c "$(man_query "$n" pg)"
		[ "$status" -eq 0 ]
		diff -u "$F/queries/$n.out" <(printf '%s\n' "$output")
	done
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM receipts WHERE machine IS DISTINCT FROM host")" = 5 ]
}

@test "pg: the queries use the indexes they are meant to" {
	fixtures "$U"
	pg_sql "$U" -c "SET enable_seqscan = off" -c "EXPLAIN $(man_query wrote-under-etc pg)" > "$BATS_TEST_TMPDIR/plan"
	grep -q 'files_kind_path' "$BATS_TEST_TMPDIR/plan" || { cat "$BATS_TEST_TMPDIR/plan"; false; }
	pg_sql "$U" -c "SET enable_seqscan = off" -c "EXPLAIN $(man_query receipts-per-host pg)" > "$BATS_TEST_TMPDIR/plan"
	grep -q 'receipts_machine' "$BATS_TEST_TMPDIR/plan" || { cat "$BATS_TEST_TMPDIR/plan"; false; }
}

@test "pg: schema: another application's database, a newer version, migration from version 1" {
	pg_sql "$U" -c "CREATE TABLE receipts (x int)"
	run --separate-stderr gh-archive "$U" "$F/curl.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: postgresql://$PG_HOST_URI/t$BATS_TEST_NUMBER: not a gh-archive database" ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM receipts")" = 0 ]
	pg_sql "$U" -c "DROP TABLE receipts"
	run --separate-stderr gh-archive --export x "$U"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: postgresql://$PG_HOST_URI/t$BATS_TEST_NUMBER: empty database, no receipts" ]
	fixtures "$U"
	# back to version 1, as a database archived by an older gh-archive
	pg_sql "$U" -c "DROP TABLE peer_names, dns_queries, dns_answers" \
		-c "ALTER TABLE receipts DROP COLUMN bytes_received" \
		-c "ALTER TABLE connections DROP COLUMN bytes_sent, DROP COLUMN bytes_received" \
		-c "DROP INDEX receipts_machine" -c "ALTER TABLE receipts DROP COLUMN machine" \
		-c "UPDATE gh_archive_meta SET value = '1' WHERE key = 'schema_version'"
	gh-archive --export legacy-0001 "$U" | cmp - "$F/v0.3.0.canonical"
	[ "$(version)" = 1 ]
	gh-archive "$U" "$F/curl.json"
	[ "$(version)" = 6 ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM receipts WHERE machine IS NOT DISTINCT FROM host")" = 5 ]
	pg_sql "$U" -c "UPDATE gh_archive_meta SET value = '7' WHERE key = 'schema_version'"
	run --separate-stderr gh-archive "$U" "$F/etc-write.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: postgresql://$PG_HOST_URI/t$BATS_TEST_NUMBER: schema version 7, this gh-archive knows version 6" ]
}

@test "pg: schema 3: the man page's queries on names and bytes give SQLite's rows; migration from version 2 fills them in" {
	gh-aggregate "$GH_ROOT/tests/fixtures/policy/dns.ndjson" > "$BATS_TEST_TMPDIR/dns.json"
	fixtures "$U"
	gh-archive "$U" "$BATS_TEST_TMPDIR/dns.json"
	for n in bytes-per-run bytes-per-peer runs-by-name dns-lookups; do
		run pg_sql "$U" -c "$(man_query "$n" pg)"
		[ "$status" -eq 0 ] || { echo "$n: $output"; false; }
		diff -u "$F/queries/$n.out" <(printf '%s\n' "$output") || { echo "query $n"; false; }
	done
	# back to version 2: the new columns and tables are filled in again
	pg_sql "$U" -c "DROP TABLE peer_names, dns_queries, dns_answers" \
		-c "ALTER TABLE receipts DROP COLUMN bytes_received" \
		-c "ALTER TABLE connections DROP COLUMN bytes_sent, DROP COLUMN bytes_received" \
		-c "UPDATE gh_archive_meta SET value = '2' WHERE key = 'schema_version'"
	run pg_sql "$U" -c "$(man_query runs-by-name pg)"
	[ "$status" -ne 0 ]
	gh-archive --init "$U"
	[ "$(version)" = 6 ]
	for n in bytes-per-run bytes-per-peer runs-by-name dns-lookups; do
		run pg_sql "$U" -c "$(man_query "$n" pg)"
		diff -u "$F/queries/$n.out" <(printf '%s\n' "$output") || { echo "query $n after migration"; false; }
	done
}

# rows_of ID: "table|rows" of receipt ID in each table with a receipt_id,
# then the pids of its file accesses and network attempts.
rows_of() {
	local t
	for t in $(pg_sql "$U" -c "SELECT table_name FROM information_schema.columns
		WHERE column_name = 'receipt_id' AND table_schema = 'public'
		AND table_name IN (SELECT table_name FROM information_schema.tables
		WHERE table_type = 'BASE TABLE') ORDER BY 1"); do
		pg_sql "$U" -c "SELECT '$t', count(*) FROM $t WHERE receipt_id = $1"
	done
	pg_sql "$U" -c "SELECT 'file_access_pids', count(*) FROM file_access_pids
		WHERE access_id NOT IN (SELECT id FROM file_accesses WHERE receipt_id <> $1)"
	pg_sql "$U" -c "SELECT 'network_attempt_pids', count(*) FROM network_attempt_pids
		WHERE attempt_id NOT IN (SELECT id FROM network_attempts WHERE receipt_id <> $1)"
}

@test "pg: schema 4: no foreign keys; a receipt deleted by hand takes its rows along; migration from version 3 takes the keys off" {
	fixtures "$U"
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")" = 0 ]
	# curl's receipt: network attempts with pids besides its processes and files
	id=$(pg_sql "$U" -c "SELECT id FROM receipts WHERE execution_id = '$(jq -r .execution_id "$F/curl.json")'")
	rows_of "$id" > "$BATS_TEST_TMPDIR/before"
	# the twin: it has rows in the tables that matter
	for t in processes files file_accesses file_access_pids network_attempts network_attempt_pids connections syscalls; do
		n=$(sed -n "s/^$t|//p" "$BATS_TEST_TMPDIR/before")
		[ "$n" -gt 0 ] || { echo "$t: $n rows"; cat "$BATS_TEST_TMPDIR/before"; false; }
	done
	total=$(pg_sql "$U" -c "SELECT (SELECT count(*) FROM file_access_pids) + (SELECT count(*) FROM files)")
	pg_sql "$U" -c "DELETE FROM receipts WHERE id = $id"
	rows_of "$id" > "$BATS_TEST_TMPDIR/after"
	! grep -v '|0$' "$BATS_TEST_TMPDIR/after"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/after")" = "$(wc -l < "$BATS_TEST_TMPDIR/before")" ]
	# the other receipts keep theirs
	[ "$(count receipts)" = 4 ]
	[ "$(pg_sql "$U" -c "SELECT (SELECT count(*) FROM file_access_pids) + (SELECT count(*) FROM files)")" = \
		"$((total - $(sed -n 's/^file_access_pids|//p' "$BATS_TEST_TMPDIR/before") - $(sed -n 's/^files|//p' "$BATS_TEST_TMPDIR/before")))" ]
	# back to version 3, with a foreign key as an older gh-archive made it
	pg_sql "$U" -c "ALTER TABLE processes ADD FOREIGN KEY (receipt_id) REFERENCES receipts(id) ON DELETE CASCADE" \
		-c "DROP TRIGGER receipts_deleted ON receipts" \
		-c "UPDATE gh_archive_meta SET value = '3' WHERE key = 'schema_version'"
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")" = 1 ]
	gh-archive --init "$U"
	[ "$(version)" = 6 ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")" = 0 ]
	id=$(pg_sql "$U" -c "SELECT receipt_id FROM files GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM files WHERE receipt_id = $id")" -gt 0 ]
	pg_sql "$U" -c "DELETE FROM receipts WHERE id = $id"
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM files WHERE receipt_id = $id")" = 0 ]
	for f in "${GOOD[@]}"; do
		gh-archive "$U" "$F/$f.json"
	done
	[ "$(count receipts)" = 5 ]
}

@test "pg: rows sent by COPY keep tabs, newlines, carriage returns, backslashes and the text \N as they are" {
	jq '.execution_id = "esc-1" |
		.filesystem.reads += ["/tmp/t\tab", "/tmp/n\nl", "/tmp/c\rr", "/tmp/b\\s\\", "\\N", "\\.", "/tmp/x\n\\.\n"] |
		.filesystem.accesses[0].pids += [77] |
		.process_tree[0].working_dir = "/w\tb\\N\nc\\" |
		.process_tree[0].argv = ["sh", "-c", "printf \"a\\tb\\n\""]' "$F/curl.json" > "$BATS_TEST_TMPDIR/esc.json"
	gh-archive "$U" "$BATS_TEST_TMPDIR/esc.json"
	gh-archive "$SQ" "$BATS_TEST_TMPDIR/esc.json"
	diff -u <(sq_rows "$SQ" "SELECT kind, lower(hex(path)) FROM files ORDER BY kind, path") \
		<(pg_sql "$U" -c "SELECT kind, encode(convert_to(path, 'UTF8'), 'hex') FROM files ORDER BY kind, path")
	diff -u <(sq_rows "$SQ" "SELECT seq, lower(hex(working_dir)), lower(hex(argv)) FROM processes ORDER BY seq") \
		<(pg_sql "$U" -c "SELECT seq, encode(convert_to(working_dir, 'UTF8'), 'hex'), encode(convert_to(argv, 'UTF8'), 'hex') FROM processes ORDER BY seq")
	i="SELECT a.path, p.pid FROM file_access_pids p JOIN file_accesses a ON a.id = p.access_id ORDER BY a.id, p.pid"
	diff -u <(sq_rows "$SQ" "$i") <(pg_sql "$U" -c "$i")
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM file_access_pids WHERE pid = 77")" = 1 ]
	# the twin: \N is the text, not NULL; the working directory is whole
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM files WHERE path = '\\N'")" = 1 ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM files WHERE path IS NULL")" = 0 ]
	[ "$(pg_sql "$U" -c "SELECT working_dir = E'/w\\tb\\\\N\\nc\\\\' FROM processes WHERE seq = 0")" = t ]
	gh-archive --export esc-1 "$U" | cmp - <(gh-archive --export esc-1 "$SQ")
}

# partial_indexes: the definitions of files_kind_path and file_accesses_op
partial_indexes() {
	pg_sql "$U" -c "SELECT indexname, indexdef FROM pg_indexes
		WHERE indexname IN ('files_kind_path', 'file_accesses_op') ORDER BY 1"
}

@test "pg: schema 5: the indexes by kind and by op leave reads out, the man page's queries use them; migration from version 4" {
	fixtures "$U"
	[ "$(partial_indexes)" = "file_accesses_op|CREATE INDEX file_accesses_op ON public.file_accesses USING btree (op, path) WHERE (op <> 'read'::text)
files_kind_path|CREATE INDEX files_kind_path ON public.files USING btree (kind, path) WHERE (kind <> 'read'::text)" ]
	# the queries that name another kind or op use them
	pg_sql "$U" -c "SET enable_seqscan = off" -c "EXPLAIN $(man_query deleted pg)" > "$BATS_TEST_TMPDIR/plan"
	grep -q 'file_accesses_op' "$BATS_TEST_TMPDIR/plan" || { cat "$BATS_TEST_TMPDIR/plan"; false; }
	pg_sql "$U" -c "SET enable_seqscan = off" -c "EXPLAIN $(man_query wrote-under-etc pg)" > "$BATS_TEST_TMPDIR/plan"
	grep -q 'files_kind_path' "$BATS_TEST_TMPDIR/plan" || { cat "$BATS_TEST_TMPDIR/plan"; false; }
	# the twin: reads are not in them
	pg_sql "$U" -c "SET enable_seqscan = off" -c "EXPLAIN SELECT path FROM files WHERE kind = 'read' AND path LIKE '/etc/%'" > "$BATS_TEST_TMPDIR/plan"
	! grep -q 'files_kind_path' "$BATS_TEST_TMPDIR/plan"
	pg_sql "$U" -c "SET enable_seqscan = off" -c "EXPLAIN SELECT path FROM file_accesses WHERE op = 'read'" > "$BATS_TEST_TMPDIR/plan"
	! grep -q 'file_accesses_op' "$BATS_TEST_TMPDIR/plan"
	for n in deleted wrote-under-etc who-read most-read failed-accesses; do
		run pg_sql "$U" -c "$(man_query "$n" pg)"
		[ "$status" -eq 0 ] || { echo "$n: $output"; false; }
		diff -u "$F/queries/$n.out" <(printf '%s\n' "$output") || { echo "query $n"; false; }
	done
	# back to version 4, with the full indexes an older gh-archive made
	pg_sql "$U" -c "DROP INDEX files_kind_path" -c "CREATE INDEX files_kind_path ON files(kind, path)" \
		-c "DROP INDEX file_accesses_op" -c "CREATE INDEX file_accesses_op ON file_accesses(op, path)" \
		-c "UPDATE gh_archive_meta SET value = '4' WHERE key = 'schema_version'"
	[ "$(partial_indexes)" = "file_accesses_op|CREATE INDEX file_accesses_op ON public.file_accesses USING btree (op, path)
files_kind_path|CREATE INDEX files_kind_path ON public.files USING btree (kind, path)" ]
	gh-archive --init "$U"
	[ "$(version)" = 6 ]
	[ "$(partial_indexes)" = "file_accesses_op|CREATE INDEX file_accesses_op ON public.file_accesses USING btree (op, path) WHERE (op <> 'read'::text)
files_kind_path|CREATE INDEX files_kind_path ON public.files USING btree (kind, path) WHERE (kind <> 'read'::text)" ]
	for n in deleted wrote-under-etc; do
		run pg_sql "$U" -c "$(man_query "$n" pg)"
		diff -u "$F/queries/$n.out" <(printf '%s\n' "$output") || { echo "query $n after migration"; false; }
	done
	[ "$(count receipts)" = 5 ]
}

@test "pg: a path or a pid given twice in a receipt is one row; U+0000 and U+FFFD are one path; the receipt comes back byte for byte" {
	jq '.execution_id = "dup-1" |
		.filesystem.reads += [.filesystem.reads[1], "/tmp/a\u0000b", "/tmp/a\ufffdb", .filesystem.reads[1], "/tmp/a\u0000b"] |
		.filesystem.writes = ["/tmp/w", "/tmp/w"] |
		.filesystem.accesses[0].pids += [7, 5200, 7] |
		.network.attempts[1].pids += [5200]' "$F/curl.json" > "$BATS_TEST_TMPDIR/dup.json"
	gh-archive "$U" "$BATS_TEST_TMPDIR/dup.json"
	id=$(pg_sql "$U" -c "SELECT id FROM receipts WHERE execution_id = 'dup-1'")
	[ "$(pg_sql "$U" -c "SELECT kind, count(*) FROM files WHERE receipt_id = $id GROUP BY 1 ORDER BY 1")" = "read|6
write|1" ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM files WHERE receipt_id = $id AND path = U&'/tmp/a\FFFDb'")" = 1 ]
	[ "$(pg_sql "$U" -c "SELECT string_agg(p.pid::text, ' ' ORDER BY p.pid) FROM file_accesses a
		JOIN file_access_pids p ON p.access_id = a.id WHERE a.receipt_id = $id GROUP BY a.id ORDER BY a.id LIMIT 1")" = "7 5200" ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM network_attempts a
		JOIN network_attempt_pids p ON p.attempt_id = a.id WHERE a.receipt_id = $id")" = 3 ]
	gh-archive "$SQ" "$BATS_TEST_TMPDIR/dup.json"
	gh-archive --export dup-1 "$U" | cmp - <(gh-archive --export dup-1 "$SQ")
	[ "$(gh-archive --export dup-1 "$U" | wc -c)" -gt 1000 ]
	# SQLite keeps U+0000: the two paths are two rows there
	[ "$(sqlite3 "$SQ" "SELECT count(*) FROM files f JOIN receipts r ON r.id = f.receipt_id WHERE r.execution_id = 'dup-1' AND kind = 'read'")" = 7 ]
	# the twin: the same paths in another receipt are rows of their own
	jq '.execution_id = "dup-2"' "$BATS_TEST_TMPDIR/dup.json" > "$BATS_TEST_TMPDIR/dup2.json"
	gh-archive "$U" "$BATS_TEST_TMPDIR/dup2.json"
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM files WHERE path = U&'/tmp/a\FFFDb'")" = 2 ]
	[ "$(count files)" = 14 ]
}

@test "pg: connection failures: the database named, the reason, exit 2, no password printed" {
	local name="postgresql://$PG_HOST_URI/nodb"
	run --separate-stderr gh-archive "postgresql://ghadmin:s3cret-pw@$PG_HOST_URI/nodb" "$F/curl.json"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "gh-archive: $name: "*'database "nodb" does not exist' ]]
	[[ "$stderr" != *s3cret* ]]
	[[ "$stderr" != *ghadmin* ]]
	# nothing answers there
	run --separate-stderr gh-archive "postgresql://u:s3cret-pw@%2Fnonexistent/gh" "$F/curl.json"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "gh-archive: postgresql://%2Fnonexistent/gh: connection to server on socket \"/nonexistent/.s.PGSQL.5432\" failed: No such file or directory" ]]
	[[ "$stderr" != *s3cret* ]]
	# a wrong password
	run --separate-stderr gh-archive "postgresql://ghpass:s3cret-pw@$PG_HOST_URI/t$BATS_TEST_NUMBER" "$F/curl.json"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "gh-archive: postgresql://$PG_HOST_URI/t$BATS_TEST_NUMBER: "*'password authentication failed for user "ghpass"' ]]
	[[ "$stderr" != *s3cret* ]]
	# a string libpq cannot parse is not quoted back
	run --separate-stderr gh-archive --db "password=s3cret-pw host='$PG_DIR" "$F/curl.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: postgresql://: invalid connection string" ]
	run --separate-stderr gh-archive --export x "postgresql://%2Fnonexistent/gh"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "gh-archive: postgresql://%2Fnonexistent/gh: connection to server"* ]]
	# nothing was stored anywhere
	[ "$(pg_sql "$U" -c "SELECT to_regclass('receipts') IS NULL")" = t ]
}

@test "pg: the password from PGPASSFILE or a service file, never the command line" {
	pg_sql "$U" -c "ALTER DATABASE t$BATS_TEST_NUMBER OWNER TO ghpass"
	local t=$BATS_TEST_TMPDIR
	printf '*:*:t%s:ghpass:pw-not-on-the-command-line\n' "$BATS_TEST_NUMBER" > "$t/pgpass"
	chmod 600 "$t/pgpass"
	printf '[fleet]\nhost=%s\ndbname=t%s\nuser=ghpass\n' "$PG_DIR" "$BATS_TEST_NUMBER" > "$t/services"
	PGPASSFILE=$t/pgpass gh-archive "postgresql://ghpass@$PG_HOST_URI/t$BATS_TEST_NUMBER" "$F/curl.json"
	PGPASSFILE=$t/pgpass PGSERVICEFILE=$t/services gh-archive --db service=fleet "$F/etc-write.json"
	[ "$(count receipts)" = 2 ]
	# the twin: without the password file the server refuses
	run --separate-stderr env PGSERVICEFILE="$t/services" PGPASSFILE=/nonexistent gh-archive --db service=fleet "$F/denied.json"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "gh-archive: postgresql://$PG_HOST_URI/t$BATS_TEST_NUMBER: "*"password"* ]]
	[ "$(count receipts)" = 2 ]
	# the man page's examples put no password on a command line
	! grep -E 'postgres(ql)?://[^ @/]*:[^ @/]*@|password=' "$GH_ROOT/man/man1/gh-archive.1"
}

@test "pg: least privileges: a role with SELECT and INSERT on the tables archives and exports" {
	local d="t$BATS_TEST_NUMBER"
	gh-archive --init "$U"
	pg_sql "$U" -c "CREATE ROLE w$BATS_TEST_NUMBER LOGIN" -c "CREATE ROLE r$BATS_TEST_NUMBER LOGIN" \
		-c "REVOKE CREATE ON SCHEMA public FROM PUBLIC" \
		-c "GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO w$BATS_TEST_NUMBER" \
		-c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO r$BATS_TEST_NUMBER"
	local W="postgresql://w$BATS_TEST_NUMBER@$PG_HOST_URI/$d" R="postgresql://r$BATS_TEST_NUMBER@$PG_HOST_URI/$d"
	fixtures "$W"
	fixtures "$W"
	[ "$(count receipts)" = 5 ]
	for f in "${GOOD[@]}"; do
		gh-archive --export "$(jq -r .execution_id "$F/$f.json")" "$R" | cmp - "$F/$f.canonical"
	done
	gh-archive --export-all "$R" | cmp - <(cat "$F"/{etc-write,curl,denied,hostile,v0.3.0}.canonical)
	# the twins: --replace needs DELETE; the reader may not insert
	run --separate-stderr gh-archive --replace "$W" "$F/conflict.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $F/conflict.json:1: database: permission denied for table receipts" ]
	jq '.execution_id = "new"' "$F/curl.json" > "$BATS_TEST_TMPDIR/new.json"
	run --separate-stderr gh-archive "$R" "$BATS_TEST_TMPDIR/new.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $BATS_TEST_TMPDIR/new.json:1: database: permission denied for table receipts" ]
	[ "$(count receipts)" = 5 ]
	# a writer cannot create the schema in an empty database
	local E; E=$(pg_newdb "e$BATS_TEST_NUMBER")
	pg_sql "$E" -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC"
	run --separate-stderr gh-archive "postgresql://w$BATS_TEST_NUMBER@$PG_HOST_URI/e$BATS_TEST_NUMBER" "$F/curl.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: postgresql://$PG_HOST_URI/e$BATS_TEST_NUMBER: creating the schema: permission denied for schema public" ]
}

# N receipts with distinct execution ids in one file, for writer $1.
@test "pg: many writers: 16 processes, one machine each, 40 receipts each: nothing lost, nothing twice" {
	# (the benchmark runs 16 x 500, bench/archive/run)
	local n=40 w pids=()
	gh-archive --init "$U"
	for w in $(seq -w 1 16); do make_batch "m$w" $n; done
	for w in $(seq -w 1 16); do
		gh-archive --host "runner-$w" "$U" "$BATS_TEST_TMPDIR/m$w.all" 2> "$BATS_TEST_TMPDIR/m$w.err" &
		pids+=($!)
	done
	for w in "${pids[@]}"; do wait "$w"; done
	cat "$BATS_TEST_TMPDIR"/m*.err
	[ "$(count receipts)" = $((16 * n)) ]
	[ "$(count processes)" = $((16 * n * 3)) ]
	[ "$(count file_accesses)" = $((16 * n * 9)) ]
	[ "$(pg_sql "$U" -c "SELECT count(DISTINCT execution_id) FROM receipts")" = $((16 * n)) ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM (SELECT machine FROM receipts GROUP BY machine HAVING count(*) = $n
		AND count(*) = sum((execution_id LIKE 'm' || substr(machine, 8) || '-%')::int)) m")" = 16 ]
	# each access has its own pids, whatever the other writers stored
	# meanwhile: as one writer stores them into SQLite
	[ "$(count file_access_pids)" = $((16 * n * 15)) ]
	gh-archive "$SQ" "$BATS_TEST_TMPDIR"/m*.all
	i="SELECT r.execution_id, a.path, a.op, p.pid FROM file_access_pids p
		JOIN file_accesses a ON a.id = p.access_id JOIN receipts r ON r.id = a.receipt_id
		ORDER BY 1, 2, 3, 4"
	diff -u <(sq_rows "$SQ" "$i") <(pg_sql "$U" -c "$i")
}

@test "pg: many writers of the same receipts: each stored once, every writer succeeds" {
	local w pids=() rc=0
	make_batch same 20
	for w in $(seq 1 8); do
		gh-archive -v "$U" "$BATS_TEST_TMPDIR/same.all" > "$BATS_TEST_TMPDIR/v$w" 2>&1 &
		pids+=($!)
	done
	for w in "${pids[@]}"; do wait "$w" || rc=1; done
	cat "$BATS_TEST_TMPDIR"/v* | grep -v '^{' || true
	[ "$rc" -eq 0 ]
	[ "$(count receipts)" = 20 ]
	[ "$(count processes)" = 60 ]
	# every receipt stored by exactly one writer, found by the others
	[ "$(cat "$BATS_TEST_TMPDIR"/v* | jq -r .status | sort | uniq -c | tr -s ' ')" = " 20 stored
 140 unchanged" ]
}

@test "pg: a writer killed mid-batch leaves its receipts absent, the others whole" {
	make_batch k 400
	make_batch ok 30
	gh-archive --init "$U"
	gh-archive "$U" "$BATS_TEST_TMPDIR/ok.all"
	# the batch's second input is a FIFO held open with nothing in it:
	# the writer stores the first input's 400 receipts and waits there,
	# mid-batch however fast it stores
	mkfifo "$BATS_TEST_TMPDIR/in"
	gh-archive "$U" "$BATS_TEST_TMPDIR/k.all" "$BATS_TEST_TMPDIR/in" &
	local pid=$! i
	exec 7> "$BATS_TEST_TMPDIR/in"
	# wait until its transaction has written rows (has a transaction id)
	for i in $(seq 1 1000); do
		[ "$(pg_sql "$U" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")" = 1 ] && break
		sleep 0.02
	done
	[ "$i" -lt 1000 ]
	kill -KILL "$pid"
	wait "$pid" || true
	exec 7>&-
	# the server ends the transaction when it sees the connection gone
	for i in $(seq 1 500); do
		[ "$(pg_sql "$U" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND pid <> pg_backend_pid() AND backend_type = 'client backend'")" = 0 ] && break
		sleep 0.02
	done
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM receipts WHERE execution_id LIKE 'k-%'")" = 0 ]
	[ "$(count receipts)" = 30 ]
	[ "$(count processes)" = 90 ]
	[ "$(count file_accesses)" = 270 ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM file_access_pids WHERE access_id NOT IN (SELECT id FROM file_accesses)")" = 0 ]
	# the twin: the same batch, not killed, is stored whole
	gh-archive "$U" "$BATS_TEST_TMPDIR/k.all"
	[ "$(count receipts)" = 430 ]
}

@test "pg: --export-all: a local SQLite archive pushed into PostgreSQL, twice is once, and back" {
	fleet "$SQ"
	run --separate-stderr bash -c 'gh-archive --export-all "$1" | gh-archive -v --host pushed "$2"' _ "$SQ" "$U"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -r .status | sort | uniq -c | tr -s ' ')" = " 6 stored" ]
	run bash -c 'gh-archive --export-all "$1" | gh-archive -v "$2"' _ "$SQ" "$U"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -r .status | sort | uniq -c | tr -s ' ')" = " 6 unchanged" ]
	cmp <(gh-archive --export-all "$SQ") <(gh-archive --export-all "$U")
	[ "$(pg_sql "$U" -c "SELECT DISTINCT machine FROM receipts")" = pushed ]
	# and back into a new SQLite file
	gh-archive --export-all "$U" | gh-archive "$BATS_TEST_TMPDIR/back.db"
	cmp <(gh-archive --export-all "$SQ") <(gh-archive --export-all "$BATS_TEST_TMPDIR/back.db")
	# the twin: a receipt changed on the way is refused, nothing stored
	gh-archive --export-all "$SQ" | sed '2s/"exit_code":0/"exit_code":5/' > "$BATS_TEST_TMPDIR/changed"
	! cmp -s <(gh-archive --export-all "$SQ") "$BATS_TEST_TMPDIR/changed"
	run --separate-stderr gh-archive "$U" "$BATS_TEST_TMPDIR/changed"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"already archived with other content (use --replace)" ]]
}

# long-path.json: see tests/gh-archive.bats (a real recording, a path of
# 4,029 bytes of random bytes written as hex, which does not compress).
@test "pg: a path too long for a B-tree index: stored cut as in SQLite, found by prefix, exported whole; the batch stored" {
	local id long cut q
	id=$(jq -r .execution_id "$F/long-path.json")
	long=$(jq -r '.filesystem.writes[0]' "$F/long-path.json")
	[ "${#long}" -eq 4029 ]
	cut="${long:0:1926}…sha256:$(printf '%s' "$long" | sha256sum | cut -c1-64)"
	# in one batch between two others: all three stored
	gh-archive "$U" "$F/curl.json" "$F/long-path.json" "$F/denied.json"
	[ "$(count receipts)" = 3 ]
	[ "$(pg_sql "$U" -c "SELECT kind, octet_length(path) FROM files WHERE path LIKE '${long:0:60}%' ORDER BY kind")" = "read|2000
write|2000" ]
	[ "$(pg_sql "$U" -c "SELECT DISTINCT path FROM files WHERE length(path) > 1000")" = "$cut" ]
	[ "$(pg_sql "$U" -c "SELECT op FROM file_accesses WHERE path = '$cut' ORDER BY id")" = "create
read" ]
	gh-archive --export "$id" "$U" | jq -r '.filesystem.writes[0]' > "$BATS_TEST_TMPDIR/w"
	[ "$(cat "$BATS_TEST_TMPDIR/w")" = "$long" ]
	gh-archive --export "$id" --pretty "$U" | cmp - "$F/long-path.json"
	# the same rows as SQLite's
	gh-archive "$SQ" "$F/curl.json" "$F/long-path.json" "$F/denied.json"
	q="SELECT r.execution_id, f.kind, f.path FROM files f JOIN receipts r ON r.id = f.receipt_id
		WHERE f.path LIKE '/tmp/h4long/%' ORDER BY 1, 2, 3;
		SELECT a.op, a.path FROM file_accesses a WHERE a.path LIKE '/tmp/h4long/%' ORDER BY a.id"
	diff -u <(sqlite3 -batch "$SQ" "$q") <(pg_sql "$U" -c "$q")
	[ "$(sqlite3 -batch "$SQ" "$q" | wc -l)" = 5 ]
	# the twin: 2,000 bytes are stored whole; the cut path itself (the real
	# receipt edited) is cut too, so no key repeats
	jq --arg c "$cut" --arg s "${long:0:2000}" '.execution_id = "cut-twin" |
		.filesystem.reads += [$c, $s]' "$F/long-path.json" > "$BATS_TEST_TMPDIR/twin.json"
	gh-archive "$U" "$BATS_TEST_TMPDIR/twin.json"
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM files WHERE path = '${long:0:2000}'")" = 1 ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM files WHERE path = '$cut'")" = 4 ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM files WHERE path LIKE '${cut:0:1926}…sha256:%' AND path <> '$cut'")" = 1 ]
}

@test "pg: an exe, an address, a peer name and a DNS name too long for an index: cut as in SQLite, exported whole" {
	local long id q
	long=$(head -c 1500 /dev/urandom | od -An -tx1 | tr -d ' \n')
	# a real receipt (curl.json) edited: what a command could make gh-trace record
	jq --arg l "$long" '.execution_id = "long-keys" |
		.process_tree[0].exe = "/x/\($l)" | .process_tree[0].execs[0].exe = "/x/\($l)" |
		.network.connections[0].dst = "\($l):53" | .network.attempts[0].dst = "\($l):53" |
		.network.connections[1].names = ["\($l).example", "b.example"] |
		.network.dns = [{"name": "\($l).example", "type": "A", "count": 1,
			"addresses": ["\($l)", "93.184.216.34"]}]' "$F/curl.json" > "$BATS_TEST_TMPDIR/keys.json"
	gh-archive "$U" "$F/denied.json" "$BATS_TEST_TMPDIR/keys.json" "$F/etc-write.json"
	gh-archive "$SQ" "$F/denied.json" "$BATS_TEST_TMPDIR/keys.json" "$F/etc-write.json"
	[ "$(count receipts)" = 3 ]
	gh-archive --export long-keys "$U" | cmp - <(gh-archive --export long-keys "$SQ")
	diff <(gh-archive --export long-keys "$U" | jq -S .) <(jq -S . "$BATS_TEST_TMPDIR/keys.json")
	q="SELECT 'p', exe FROM processes UNION ALL SELECT 'e', exe FROM execs
		UNION ALL SELECT 'c', dst || ' ' || host FROM connections
		UNION ALL SELECT 'a', dst || ' ' || host FROM network_attempts
		UNION ALL SELECT 'n', dst || ' ' || name FROM peer_names
		UNION ALL SELECT 'q', name FROM dns_queries
		UNION ALL SELECT 'd', name || ' ' || address FROM dns_answers ORDER BY 1, 2"
	diff -u <(sqlite3 -batch "$SQ" "$q") <(pg_sql "$U" -c "$q")
	# the keys cut: an exe within 2,000 bytes, the others within 512
	[ "$(pg_sql "$U" -c "SELECT octet_length(exe) FROM processes WHERE exe LIKE '/x/%'
		UNION ALL SELECT octet_length(name) FROM dns_queries
		UNION ALL SELECT octet_length(address) FROM dns_answers WHERE address LIKE '${long:0:20}%'
		UNION ALL SELECT octet_length(host) FROM connections WHERE host LIKE '${long:0:20}%'")" = "2000
512
512
512" ]
	# the twin: what stays under its bound is stored whole
	[ "$(pg_sql "$U" -c "SELECT name FROM peer_names WHERE name NOT LIKE '${long:0:20}%'")" = b.example ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM dns_answers WHERE address = '93.184.216.34'")" = 1 ]
}

@test "pg: eight writers on a new database: the schema made once, every receipt stored" {
	local w pids=() rc=0
	for w in $(seq 1 8); do make_batch "n$w" 5; done
	for w in $(seq 1 8); do
		gh-archive --host "n$w" "$U" "$BATS_TEST_TMPDIR/n$w.all" 2> "$BATS_TEST_TMPDIR/n$w.err" &
		pids+=($!)
	done
	for w in "${pids[@]}"; do wait "$w" || rc=1; done
	cat "$BATS_TEST_TMPDIR"/n*.err
	[ "$rc" -eq 0 ]
	[ "$(count receipts)" = 40 ]
	[ "$(pg_sql "$U" -c "SELECT count(DISTINCT machine) FROM receipts")" = 8 ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM gh_archive_meta")" = 2 ]
}

@test "pg: a reader waits while a writer makes or migrates the schema, then reads it whole" {
	local i reader
	fixtures "$U"
	# a writer's hold on the schema: the advisory lock gh-archive takes
	mkfifo "$BATS_TEST_TMPDIR/hold"
	pg_sql "$U" -f "$BATS_TEST_TMPDIR/hold" > /dev/null &
	local holder=$!
	exec 8> "$BATS_TEST_TMPDIR/hold"
	echo "BEGIN; SELECT pg_advisory_xact_lock(1734885714);" >&8
	for i in $(seq 1 500); do
		[ "$(pg_sql "$U" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" = 1 ] && break
		sleep 0.02
	done
	gh-archive --export-all "$U" > "$BATS_TEST_TMPDIR/all" &
	reader=$!
	for i in $(seq 1 500); do
		[ "$(pg_sql "$U" -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory'")" = 1 ] && break
		sleep 0.02
	done
	[ "$i" -lt 500 ]
	kill -0 "$reader"
	[ ! -s "$BATS_TEST_TMPDIR/all" ]
	echo "COMMIT;" >&8
	exec 8>&-
	wait "$holder"
	wait "$reader"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/all")" = 5 ]
	# the twin: with nobody holding it, no reader waits
	gh-archive --export-all "$U" | cmp - "$BATS_TEST_TMPDIR/all"
}

@test "pg: an envelope of gh-sign --attest: stored byte for byte, indexed, exported; a damaged row is refused" {
	[ -x "${GH_BIN:-$GH_ROOT/bin}/gh-sign" ] || skip "bin/gh-sign is not built"
	local t=$BATS_TEST_TMPDIR id=3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e02
	gh-sign -G -s "$t/sk.pem" -p "$t/pk.pem"
	printf 'artifact\n' > "$t/a.bin"
	gh-sign --attest -s "$t/sk.pem" --subject "$t/a.bin" "$F/curl.json" > "$t/env.json"
	run --separate-stderr gh-archive -v "$U" "$t/env.json"
	[ "$status" -eq 0 ]
	[ "$output" = "{\"execution_id\":\"$id\",\"sha256\":\"$(sha256sum < "$t/env.json" | cut -d' ' -f1)\",\"status\":\"stored\"}" ]
	gh-archive --export "$id" "$U" | cmp - "$t/env.json"
	gh-archive --export "$id" --pretty "$U" | cmp - "$t/env.json"
	gh-archive --export "$id" "$U" > "$t/out.json"
	gh-sign -V -q -p "$t/pk.pem" "$t/out.json"
	[ "$(pg_sql "$U" -c "SELECT signed, signature_key FROM receipts")" = \
	  "2|$(openssl pkey -pubin -in "$t/pk.pem" -outform DER | sha256sum | cut -d' ' -f1)" ]
	# doc is the receipt the envelope carries; its rows are the receipt's
	[ "$(pg_sql "$U" -c "SELECT doc->>'execution_id' FROM receipts")" = "$id" ]
	gh-archive "$SQ" "$F/curl.json"
	diff <(sqlite3 "$SQ" 'SELECT kind, path FROM files ORDER BY kind, path') \
	     <(pg_sql "$U" -c 'SELECT kind, path FROM files ORDER BY kind, path')
	[ "$(count processes)" = "$(sqlite3 "$SQ" 'SELECT count(*) FROM processes')" ]
	run gh-archive -v "$U" "$t/env.json"
	[[ "$output" == *'"status":"unchanged"}' ]]
	# a row edited since: an error, nothing exported
	pg_sql "$U" -c "UPDATE receipts SET canonical = replace(canonical, 'payloadType', 'payloadtype')"
	run --separate-stderr gh-archive --export "$id" "$U"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "gh-archive: postgresql://$PG_HOST_URI/t$BATS_TEST_NUMBER: stored receipt \"$id\" is damaged: its bytes have SHA-256 "* ]]
	# the same for a plain receipt whose stored hash no longer matches
	gh-archive "$U" "$F/etc-write.json"
	id=$(jq -r .execution_id "$F/etc-write.json")
	gh-archive --export "$id" "$U" | cmp - "$F/etc-write.canonical"
	pg_sql "$U" -c "UPDATE receipts SET sha256 = repeat('0', 64) WHERE execution_id = '$id'"
	run --separate-stderr gh-archive --export "$id" "$U"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *"is damaged: its bytes have SHA-256 "*", not the stored $(printf '0%.0s' $(seq 64))" ]]
}

@test "pg: without a server, tests fail in CI and are skipped elsewhere" {
	run env PG_BIN=/nonexistent CI=true bash -ec 'source "$1/tests/pg.bash"; pg_start; pg_need; echo ran' _ "$GH_ROOT"
	[ "$status" -eq 1 ]
	[ "$output" = "PostgreSQL needed and not available: no PostgreSQL server programs in /nonexistent (install postgresql)" ]
	run env PG_BIN=/nonexistent CI= bash -c 'skip() { echo "skip: $*"; exit 0; }
		source "$1/tests/pg.bash"; pg_start; pg_need; echo ran' _ "$GH_ROOT"
	[ "$status" -eq 0 ]
	[ "$output" = "skip: PostgreSQL needed: no PostgreSQL server programs in /nonexistent (install postgresql)" ]
	# the twin: with the server programs, nothing is said and the test runs
	run env CI=true bash -c 'source "$1/tests/pg.bash"; PG_ERROR=; pg_need; echo ran' _ "$GH_ROOT"
	[ "$output" = ran ]
}

# The seq_scan and n_tup_ins counters of table $1, once the server has
# counted $2 rows inserted (a backend reports at its exit). (A count(*)
# would scan the table.)
scans() {
	local i
	for i in $(seq 1 50); do
		[ "$(pg_sql "$U" -c "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = '$1'")" = "$2" ] && break
		sleep 0.1
	done
	pg_sql "$U" -c "SELECT seq_scan, n_tup_ins FROM pg_stat_user_tables WHERE relname = '$1'"
}

@test "pg: a writer scans none of the tables it writes, even on statistics of a smaller table" {
	local s0
	gh-archive --init "$U"
	make_batch few 10
	make_batch more 100
	gh-archive "$U" "$BATS_TEST_TMPDIR/few.all"
	# statistics of 10 receipts of 9 accesses each: a receipt_id matches
	# a tenth of the table, whatever its size
	pg_sql "$U" -c "ANALYZE file_accesses"
	# the twin: with those, the planner's defaults scan the whole table
	# for the ids of 100 receipts
	run pg_sql "$U" -c "EXPLAIN SELECT id FROM file_accesses WHERE receipt_id = ANY
		(ARRAY(SELECT generate_series(11, 110)::bigint)) AND id > 0 ORDER BY id"
	[[ "$output" == *"Seq Scan on file_accesses"* ]]
	s0=$(scans file_accesses 90)
	[ "${s0#*|}" = 90 ]
	gh-archive "$U" "$BATS_TEST_TMPDIR/more.all"
	run scans file_accesses 990
	echo "before: $s0, after: $output"
	[ "$output" = "${s0%|*}|990" ]
	[ "$(count file_access_pids)" = $((110 * 15)) ]
}

# pid_rows: the rows of the pid tables and of the views by pid.
pid_rows() {
	pg_sql "$U" -c "SELECT 'a', access_id, pid FROM file_access_pids ORDER BY 2, 3" \
		-c "SELECT 'n', attempt_id, pid FROM network_attempt_pids ORDER BY 2, 3" \
		-c "SELECT 'i', inbound_id, pid FROM network_inbound_pids ORDER BY 2, 3" \
		-c "SELECT * FROM file_access_by_pid ORDER BY 1, 2, 3, 7" \
		-c "SELECT * FROM network_attempt_by_pid ORDER BY 1, 2, 3, 9"
}

# kinds: "name|relkind" of the pid tables, then the type of receipts.doc.
kinds() {
	pg_sql "$U" -c "SELECT relname, relkind FROM pg_class WHERE relname IN
		('file_access_pids', 'network_attempt_pids', 'network_inbound_pids') ORDER BY 1" \
		-c "SELECT data_type FROM information_schema.columns WHERE table_name = 'receipts' AND column_name = 'doc'"
}

# keys: the indexes of files and file_accesses, "name|method|columns".
keys() {
	pg_sql "$U" -c "SELECT i.relname, am.amname, pg_get_indexdef(i.oid, 1, true) ||
		coalesce(',' || nullif(pg_get_indexdef(i.oid, 2, true), ''), '') ||
		coalesce(',' || nullif(pg_get_indexdef(i.oid, 3, true), ''), '')
		FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_am am ON am.oid = i.relam WHERE t.relname IN ('files', 'file_accesses') ORDER BY 1"
}

# schema6: the pid tables are views, receipts.doc is JSON, files and
# file_accesses are found by receipt through BRIN indexes (version 6).
schema6() {
	[ "$(kinds)" = "file_access_pids|v
network_attempt_pids|v
network_inbound_pids|v
json" ]
	[ "$(keys)" = "file_accesses_op|btree|op,path
file_accesses_path|btree|path,op
file_accesses_receipt|brin|receipt_id
files_kind_path|btree|kind,path
files_path|btree|path
files_receipt|brin|receipt_id" ]
}

# first_pids ID: the pids of the first file access of receipt ID.
first_pids() {
	pg_sql "$U" -c "SELECT a.pids FROM file_accesses a JOIN receipts r ON r.id = a.receipt_id
		WHERE r.execution_id = '$1' ORDER BY a.id LIMIT 1"
}

@test "pg: schema 6: the pids in an array of their row, views of them with SQLite's rows; keys by receipt as BRIN; doc JSON; migration from version 5" {
	fixtures "$U"
	fixtures "$SQ"
	schema6
	# the pids of etc-write's first access: its array, ascending, each once
	id=$(jq -r .execution_id "$F/etc-write.json")
	[ "$(first_pids "$id")" = \
	  "$(jq -r '.filesystem.accesses[0].pids | unique | "{" + (map(tostring) | join(",")) + "}"' "$F/etc-write.json")" ]
	# the views hold what SQLite's tables hold
	for q in "file_access_pids ORDER BY access_id, pid" "network_attempt_pids ORDER BY attempt_id, pid" \
		 "file_access_by_pid ORDER BY receipt_id, path, op, pid" "network_attempt_by_pid ORDER BY receipt_id, dst, pid"; do
		diff -u <(sq_rows "$SQ" "SELECT * FROM $q") <(pg_sql "$U" -c "SELECT * FROM $q") || { echo "$q"; false; }
	done
	[ "$(count file_access_pids)" -gt "$(count file_accesses)" ]
	pid_rows > "$BATS_TEST_TMPDIR/before"
	# back to version 5, as an older gh-archive made it
	pg_sql "$U" -c "DROP VIEW file_access_by_pid, network_attempt_by_pid" \
		-c "CREATE TABLE fap AS SELECT * FROM file_access_pids" \
		-c "CREATE TABLE nap AS SELECT * FROM network_attempt_pids" \
		-c "CREATE TABLE nip AS SELECT * FROM network_inbound_pids" \
		-c "DROP VIEW file_access_pids, network_attempt_pids, network_inbound_pids" \
		-c "CREATE TABLE file_access_pids (access_id BIGINT NOT NULL, pid BIGINT NOT NULL, PRIMARY KEY (access_id, pid))" \
		-c "CREATE TABLE network_attempt_pids (attempt_id BIGINT NOT NULL, pid BIGINT NOT NULL, PRIMARY KEY (attempt_id, pid))" \
		-c "CREATE TABLE network_inbound_pids (inbound_id BIGINT NOT NULL, pid BIGINT NOT NULL, PRIMARY KEY (inbound_id, pid))" \
		-c "INSERT INTO file_access_pids SELECT * FROM fap" \
		-c "INSERT INTO network_attempt_pids SELECT * FROM nap" \
		-c "INSERT INTO network_inbound_pids SELECT * FROM nip" \
		-c "DROP TABLE fap, nap, nip" \
		-c "ALTER TABLE file_accesses DROP COLUMN pids" \
		-c "ALTER TABLE network_attempts DROP COLUMN pids" \
		-c "ALTER TABLE network_inbound DROP COLUMN pids" \
		-c "CREATE VIEW file_access_by_pid AS SELECT a.receipt_id, a.path, a.op, a.target, a.result, a.count, p.pid
			FROM file_accesses a JOIN file_access_pids p ON p.access_id = a.id" \
		-c "CREATE VIEW network_attempt_by_pid AS SELECT n.receipt_id, n.dst, n.host, n.port, n.protocol, n.op, n.result,
			n.count, p.pid FROM network_attempts n JOIN network_attempt_pids p ON p.attempt_id = n.id" \
		-c "ALTER TABLE file_accesses ADD PRIMARY KEY (id)" \
		-c "DROP INDEX file_accesses_receipt" -c "CREATE INDEX file_accesses_receipt ON file_accesses(receipt_id, id)" \
		-c "DROP INDEX files_receipt" -c "ALTER TABLE files ADD PRIMARY KEY (receipt_id, kind, path)" \
		-c "ALTER TABLE receipts ALTER COLUMN doc TYPE jsonb USING doc::jsonb" \
		-c "UPDATE gh_archive_meta SET value = '5' WHERE key = 'schema_version'"
	# the twin: tables, JSONB, the keys of version 5, the same rows
	[ "$(kinds)" = "file_access_pids|r
network_attempt_pids|r
network_inbound_pids|r
jsonb" ]
	[ "$(keys)" = "file_accesses_op|btree|op,path
file_accesses_path|btree|path,op
file_accesses_pkey|btree|id
file_accesses_receipt|btree|receipt_id,id
files_kind_path|btree|kind,path
files_path|btree|path
files_pkey|btree|receipt_id,kind,path" ]
	pid_rows | diff -u "$BATS_TEST_TMPDIR/before" -
	# reading does not migrate
	gh-archive --export "$id" "$U" | cmp - "$F/etc-write.canonical"
	[ "$(version)" = 5 ]
	gh-archive --init "$U"
	[ "$(version)" = 6 ]
	schema6
	pid_rows | diff -u "$BATS_TEST_TMPDIR/before" -
	for n in who-read deleted json-member wrote-under-etc failed-accesses; do
		run pg_sql "$U" -c "$(man_query "$n" pg)"
		diff -u "$F/queries/$n.out" <(printf '%s\n' "$output") || { echo "query $n after migration"; false; }
	done
	# a receipt replaced after the migration takes its old rows along
	jq '.filesystem.accesses[0].pids = [9, 8, 9]' "$F/etc-write.json" > "$BATS_TEST_TMPDIR/new.json"
	gh-archive --replace "$U" "$BATS_TEST_TMPDIR/new.json"
	[ "$(first_pids "$id")" = "{8,9}" ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM file_accesses a WHERE NOT EXISTS (SELECT 1 FROM receipts r WHERE r.id = a.receipt_id)")" = 0 ]
	[ "$(pg_sql "$U" -c "SELECT count(*) FROM files f WHERE NOT EXISTS (SELECT 1 FROM receipts r WHERE r.id = f.receipt_id)")" = 0 ]
	[ "$(count receipts)" = 5 ]
}
