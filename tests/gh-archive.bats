#!/usr/bin/env bats
# gh-archive: receipts into SQLite and back.

bats_require_minimum_version 1.5.0

setup() {
	source "$GH_ROOT/tests/archive.bash"
	F=$GH_ROOT/tests/fixtures/archive
	DB=$BATS_TEST_TMPDIR/runs.db
	GOOD=(etc-write curl denied hostile v0.3.0)
}

# A test's files outside BATS_TEST_TMPDIR (on tmpfs) go with it.
teardown() {
	[ -z "${RACE_DIR:-}" ] || rm -rf "$RACE_DIR"
}

# The five good fixtures in one database.
fixtures_db() {
	fixtures "$DB"
}

count() {
	sqlite3 -batch "$DB" "SELECT count(*) FROM $1"
}

run_example() {
	local sql
	sql=$(man_query "$1")
	[ -n "$sql" ]
	run sqlite3 -batch "$DB" "$sql"
	[ "$status" -eq 0 ]
	diff -u "$F/queries/$1.out" <(printf '%s\n' "$output")
}

@test "help: usage on stdout, exit 0" {
	run --separate-stderr gh-archive --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: gh-archive [-rv] [--host NAME] DB [RECEIPT...]" ]
	[ "${lines[1]}" = "       gh-archive --export ID [--pretty] DB" ]
	[ -z "$stderr" ]
}

@test "version" {
	run gh-archive --version
	[ "$status" -eq 0 ]
	[ "$output" = "gh-archive 0.1.0" ]
}

@test "usage errors: exit 2 with a message" {
	run --separate-stderr gh-archive
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-archive: missing database" ]
	[ -z "$output" ]
	run --separate-stderr gh-archive --bogus "$DB"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-archive: unknown option '--bogus'" ]
	run --separate-stderr gh-archive -x "$DB"
	[ "${stderr_lines[0]}" = "gh-archive: unknown option '-x'" ]
	run --separate-stderr gh-archive "$DB" --export
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-archive: option '--export' needs an argument" ]
	run --separate-stderr gh-archive --export x --replace "$DB"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-archive: can't combine --export with --replace or --verbose" ]
	run --separate-stderr gh-archive --export x "$DB" "$DB"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-archive: --export takes exactly one database" ]
	run --separate-stderr gh-archive --pretty "$DB" "$F/curl.json"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-archive: --pretty goes with --export" ]
	[ ! -e "$DB" ]
}

@test "usage errors of --export-all, --init, --db and --host" {
	run --separate-stderr gh-archive --export-all
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-archive: --export-all takes exactly one database" ]
	run --separate-stderr gh-archive --export-all "$DB" "$DB"
	[ "${stderr_lines[0]}" = "gh-archive: --export-all takes exactly one database" ]
	run --separate-stderr gh-archive --export-all --export x "$DB"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-archive: --export, --export-all and --init go alone" ]
	run --separate-stderr gh-archive --export-all -v "$DB"
	[ "${stderr_lines[0]}" = "gh-archive: can't combine --export-all with --replace or --verbose" ]
	run --separate-stderr gh-archive --export x --host h "$DB"
	[ "${stderr_lines[0]}" = "gh-archive: can't combine --export with --host" ]
	run --separate-stderr gh-archive --db
	[ "${stderr_lines[0]}" = "gh-archive: option '--db' needs an argument" ]
	run --separate-stderr gh-archive --host
	[ "${stderr_lines[0]}" = "gh-archive: option '--host' needs an argument" ]
	# with --db every operand is a receipt: --export wants none
	run --separate-stderr gh-archive --export x --db "host=/nonexistent" "$DB"
	[ "${stderr_lines[0]}" = "gh-archive: --export takes exactly one database" ]
	[ ! -e "$DB" ]
}

@test "create: schema version, application id, WAL" {
	run --separate-stderr gh-archive "$DB" "$F/etc-write.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 6 ]
	[ "$(sqlite3 "$DB" 'PRAGMA application_id')" = 1734885714 ]
	[ "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = wal ]
	[ "$(count receipts)" = 1 ]
}

@test "stdin, \"-\" and concatenated receipts" {
	gh-archive "$DB" < "$F/etc-write.json"
	cat "$F/curl.json" "$F/denied.json" | gh-archive "$DB" -
	cat "$F/hostile.json" "$F/v0.3.0.json" > "$BATS_TEST_TMPDIR/two.json"
	gh-archive "$DB" "$BATS_TEST_TMPDIR/two.json"
	[ "$(count receipts)" = 5 ]
}

@test "compact receipts on one line, separated by a space" {
	printf '%s %s' "$(tr -d '\n' < "$F/curl.json")" "$(cat "$F/v0.3.0.canonical")" > "$BATS_TEST_TMPDIR/line.json"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/line.json")" = 0 ]
	gh-archive "$DB" < "$BATS_TEST_TMPDIR/line.json"
	[ "$(count receipts)" = 2 ]
}

@test "export: canonical form byte for byte" {
	fixtures_db
	for f in "${GOOD[@]}"; do
		gh-archive --export "$(jq -r .execution_id "$F/$f.json")" "$DB" > "$BATS_TEST_TMPDIR/out"
		cmp "$F/$f.canonical" "$BATS_TEST_TMPDIR/out"
	done
}

@test "export: the same bytes as gh-sign --canonical (unsigned receipts)" {
	[ -x "${GH_BIN:-$GH_ROOT/bin}/gh-sign" ] || skip "bin/gh-sign is not built"
	fixtures_db
	for f in etc-write curl hostile v0.3.0; do
		gh-archive --export "$(jq -r .execution_id "$F/$f.json")" "$DB" | head -c -1 > "$BATS_TEST_TMPDIR/out"
		gh-sign --canonical "$F/$f.json" | cmp - "$BATS_TEST_TMPDIR/out"
	done
}

@test "export --pretty: the receipt file as the filters write it" {
	fixtures_db
	for f in "${GOOD[@]}"; do
		gh-archive --export "$(jq -r .execution_id "$F/$f.json")" --pretty "$DB" > "$BATS_TEST_TMPDIR/out"
		cmp "$F/$f.json" "$BATS_TEST_TMPDIR/out"
	done
}

@test "export: stored column equals the exported bytes less the newline" {
	fixtures_db
	sqlite3 "$DB" "SELECT canonical FROM receipts WHERE execution_id = 'legacy-0001'" > "$BATS_TEST_TMPDIR/col"
	cmp "$F/v0.3.0.canonical" "$BATS_TEST_TMPDIR/col"
	[ "$(sqlite3 "$DB" "SELECT sha256 FROM receipts WHERE execution_id = 'legacy-0001'")" = \
	  "$(head -c -1 "$F/v0.3.0.canonical" | sha256sum | cut -d' ' -f1)" ]
}

@test "export: a stored receipt whose bytes no longer match its SHA-256 is an error" {
	fixtures_db
	id=legacy-0001
	sha=$(sqlite3 "$DB" "SELECT sha256 FROM receipts WHERE execution_id = '$id'")
	# the twin: untouched, it exports
	gh-archive --export "$id" "$DB" | cmp - "$F/v0.3.0.canonical"
	sqlite3 "$DB" "UPDATE receipts SET canonical = replace(canonical, '\"exit_code\":1', '\"exit_code\":0') WHERE execution_id = '$id'"
	now=$(sqlite3 "$DB" "SELECT canonical FROM receipts WHERE execution_id = '$id'" | head -c -1 | sha256sum | cut -d' ' -f1)
	[ "$now" != "$sha" ]
	for pretty in "" --pretty; do
		run --separate-stderr gh-archive --export "$id" $pretty "$DB"
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[ "$stderr" = "gh-archive: $DB: stored receipt \"$id\" is damaged: its bytes have SHA-256 $now, not the stored $sha" ]
	done
	# a damaged digest is caught the same way
	cid=3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e02
	gh-archive --export "$cid" "$DB" > /dev/null
	sqlite3 "$DB" "UPDATE receipts SET sha256 = '$sha' WHERE execution_id = '$cid'"
	run --separate-stderr gh-archive --export "$cid" "$DB"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $DB: stored receipt \"$cid\" is damaged: its bytes have SHA-256 $(head -c -1 "$F/curl.canonical" | sha256sum | cut -d' ' -f1), not the stored $sha" ]
}

@test "export: unknown execution_id is exit 1" {
	fixtures_db
	run --separate-stderr gh-archive --export nope "$DB"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "gh-archive: $DB: no receipt with execution_id \"nope\"" ]
}

@test "export: missing, foreign or empty database is exit 2" {
	run --separate-stderr gh-archive --export x "$DB"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $DB: No such file or directory" ]
	[ ! -e "$DB" ]
	sqlite3 "$DB" 'CREATE TABLE t (x)'
	run --separate-stderr gh-archive --export x "$DB"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $DB: not a gh-archive database" ]
	: > "$BATS_TEST_TMPDIR/empty.db"
	run --separate-stderr gh-archive --export x "$BATS_TEST_TMPDIR/empty.db"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $BATS_TEST_TMPDIR/empty.db: empty database, no receipts" ]
}

@test "idempotent: the same receipt twice is stored once" {
	case_idempotent "$DB"
}

@test "conflict: same execution_id, other content, exit 2 and nothing changes" {
	case_conflict "$DB"
}

@test "--replace: the new content replaces the old, rows included" {
	gh-archive "$DB" "$F/etc-write.json" "$F/curl.json"
	run gh-archive -v --replace "$DB" "$F/conflict.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"status":"replaced"}' ]]
	gh-archive --export 3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e01 --pretty "$DB" | cmp - "$F/conflict.json"
	[ "$(count receipts)" = 2 ]
	[ "$(sqlite3 "$DB" "SELECT exit_code FROM receipts WHERE execution_id LIKE '%4e01'")" = 3 ]
	[ "$(count processes)" = 4 ]
	[ "$(count file_accesses)" = 15 ]
	[ "$(count file_access_pids)" = 21 ]
}

@test "one transaction per batch: an error stores nothing" {
	run --separate-stderr gh-archive "$DB" "$F/etc-write.json" "$F/curl.json" "$F/bad-type.json"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "gh-archive: $F/bad-type.json:1: process_tree[1].pid: expected a process id (0 to 2147483647)" ]
	# the database this run would have made is not left behind
	[ ! -e "$DB" ]
	gh-archive "$DB" "$F/denied.json"
	n=$(count processes)
	run --separate-stderr gh-archive "$DB" "$F/etc-write.json" "$F/curl.json" "$F/bad-type.json"
	[ "$status" -eq 2 ]
	[ "$(count receipts)" = 1 ]
	[ "$(count processes)" = "$n" ]
}

@test "bad input: not JSON, with file and line" {
	{ cat "$F/curl.json"; printf '{"execution_id": "x",\n  "version": tru\n}\n'; } > "$BATS_TEST_TMPDIR/bad.json"
	run --separate-stderr gh-archive "$DB" "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "gh-archive: $BATS_TEST_TMPDIR/bad.json:"* ]]
	[ ! -e "$DB" ]
}

@test "bad input: truncated receipt" {
	head -c 2000 "$F/curl.json" > "$BATS_TEST_TMPDIR/cut.json"
	run --separate-stderr gh-archive "$DB" "$BATS_TEST_TMPDIR/cut.json"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "gh-archive: $BATS_TEST_TMPDIR/cut.json:"* ]]
	# the database is created only when a receipt is ready to be stored
	[ ! -e "$DB" ]
}

@test "bad input: a value that is not a receipt, line of the second value" {
	{ cat "$F/curl.json"; echo '[1, 2]'; } > "$BATS_TEST_TMPDIR/arr.json"
	run --separate-stderr gh-archive "$DB" "$BATS_TEST_TMPDIR/arr.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $BATS_TEST_TMPDIR/arr.json:$(($(wc -l < "$F/curl.json") + 1)): not a receipt: expected a JSON object, not an array" ]
}

@test "bad input: no execution_id, empty execution_id" {
	run --separate-stderr gh-archive "$DB" "$F/no-id.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $F/no-id.json:1: not a receipt: no execution_id" ]
	echo '{"execution_id": ""}' > "$BATS_TEST_TMPDIR/e.json"
	run --separate-stderr gh-archive "$DB" < "$BATS_TEST_TMPDIR/e.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: <stdin>:1: not a receipt: no execution_id" ]
	printf '\n\n{"execution_id": 7}' > "$BATS_TEST_TMPDIR/e.json"
	run --separate-stderr gh-archive "$DB" - < "$BATS_TEST_TMPDIR/e.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: <stdin>:3: execution_id: expected a string" ]
}

@test "bad input: members of the wrong type are named" {
	run --separate-stderr gh-archive "$DB" "$F/bad-pid.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $F/bad-pid.json:1: filesystem.accesses[2].pids[1]: expected a process id (0 to 2147483647)" ]
	for t in '"process_tree": {}|process_tree: expected an array of objects' \
		 '"network": {"attempts": [{"dst": 5}]}|network.attempts[0].dst: expected a string' \
		 '"network": {"attempts": [{"protocol": "tcp"}]}|network.attempts[0].dst: missing' \
		 '"filesystem": {"reads": ["/a", 1]}|filesystem.reads[1]: expected a string' \
		 '"filesystem": {"accesses": [{"path": "/a"}]}|filesystem.accesses[0].op: missing' \
		 '"provenance": {"command": ["a", null]}|provenance.command[1]: expected a string' \
		 '"process_tree": [{"argv": ["a"], "execs": [{"cwd": 1}]}]|process_tree[0].execs[0].cwd: expected a string' \
		 '"syscalls": {"counts": {"open": 1.5}}|syscalls.counts.open: expected an integer' \
		 '"policy": "fail"|policy: expected an object' \
		 '"redactions": [{"rule": "r", "count": "2"}]|redactions[0].count: expected an integer' \
		 '"exit_code": true|exit_code: expected an integer'; do
		printf '{"execution_id": "t", %s}\n' "${t%%|*}" > "$BATS_TEST_TMPDIR/t.json"
		run --separate-stderr gh-archive "$DB" "$BATS_TEST_TMPDIR/t.json"
		[ "$status" -eq 2 ]
		[ "$stderr" = "gh-archive: $BATS_TEST_TMPDIR/t.json:1: ${t#*|}" ]
	done
	[ ! -e "$DB" ]
}

@test "bad input: duplicate member names are refused, not collapsed" {
	printf '{"execution_id": "d",\n "exit_code": 0,\n "exit_code": 1}\n' > "$BATS_TEST_TMPDIR/dup.json"
	run --separate-stderr gh-archive "$DB" "$BATS_TEST_TMPDIR/dup.json"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "gh-archive: $BATS_TEST_TMPDIR/dup.json:3: exit_code: duplicate member name" ]
	[ ! -e "$DB" ]
}

@test "bad input: empty input and missing file" {
	run --separate-stderr gh-archive "$DB" /dev/null
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: /dev/null: no receipt in input" ]
	[ ! -e "$DB" ]
	printf ' \n\n' > "$BATS_TEST_TMPDIR/blank.json"
	run --separate-stderr gh-archive "$DB" < "$BATS_TEST_TMPDIR/blank.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: <stdin>: no receipt in input" ]
	run --separate-stderr gh-archive "$DB" "$F/curl.json" "$BATS_TEST_TMPDIR/nope.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $BATS_TEST_TMPDIR/nope.json: No such file or directory" ]
	[ ! -e "$DB" ]
}

@test "bad input: JSONTestSuite n_ files are refused, nothing stored" {
	local d=$GH_SHARED/conformance/JSONTestSuite/test_parsing n=0 t=$BATS_TEST_TMPDIR rc
	[ -d "$d" ] || skip "no $d"
	gh-archive "$DB" "$F/curl.json"
	# runs that end in gh_die skip the sanitizer build's leak check (tests/hard.bats)
	local -x ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	for f in "$d"/n_*.json; do
		rc=0
		gh-archive "$DB" "$f" > "$t/out" 2> "$t/err" || rc=$?
		[ "$rc" -eq 2 ] || { echo "status $rc: $f"; false; }
		[ ! -s "$t/out" ]
		[[ "$(< "$t/err")" == "gh-archive: $f"* ]] || { cat "$t/err"; false; }
		n=$((n + 1))
	done
	[ "$n" -gt 150 ]
	[ "$(count receipts)" = 1 ]
}

@test "hostile strings: quotes, newlines, %, U+FFFD, NUL survive both ways" {
	fixtures_db
	id=$(jq -r .execution_id "$F/hostile.json")
	gh-archive --export "$id" "$DB" | cmp - "$F/hostile.canonical"
	gh-archive --export "$id" --pretty "$DB" | cmp - "$F/hostile.json"
	# the normalized rows hold the exact strings
	sqlite3 -batch "$DB" "SELECT hex(path) FROM file_accesses a JOIN receipts r
		ON r.id = a.receipt_id WHERE r.execution_id GLOB 'hostile-*' ORDER BY a.id" > "$BATS_TEST_TMPDIR/hex"
	diff -u "$F/hostile-paths.hex" "$BATS_TEST_TMPDIR/hex"
	[ "$(sqlite3 "$DB" "SELECT hex(execution_id) FROM receipts WHERE execution_id GLOB 'hostile-*'")" = \
	  "$(printf '%s' "$id" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" ]
	[ "$(sqlite3 "$DB" "SELECT path_hex FROM file_accesses WHERE path_hex IS NOT NULL")" = 2f746d702f626164fffe6279746573 ]
	[ "$(count receipts)" = 5 ]
	[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ]
}

@test "hostile strings: raw invalid UTF-8 is refused, not altered" {
	printf '{"execution_id": "u", "filesystem": {"reads": ["/tmp/\xff\xfe"]}}\n' > "$BATS_TEST_TMPDIR/u.json"
	run --separate-stderr gh-archive "$DB" "$BATS_TEST_TMPDIR/u.json"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "gh-archive: $BATS_TEST_TMPDIR/u.json:1: "* ]]
	[ ! -e "$DB" ]
}

@test "normalized tables of a full receipt" {
	gh-archive "$DB" "$F/denied.json"
	sqlite3 -batch -header "$DB" "
		SELECT execution_id, version, start_time, end_time, host, command, program, argv,
		       cwd, uid, run_uid, observation_mode, completeness, completeness_reasons,
		       exit_code, signal, error, duration_ms, cpu_time_ms, max_rss_kb,
		       lost_ringbuf, lost_fault, lost_truncated, files_failed, bytes_sent,
		       stdout_hash, stderr_hash, signed, signature_key, sha256 FROM receipts;
		SELECT * FROM processes;
		SELECT * FROM execs;
		SELECT * FROM files ORDER BY kind, path;
		SELECT * FROM file_accesses;
		SELECT * FROM file_access_pids;
		SELECT * FROM connections;
		SELECT * FROM network_attempts;
		SELECT * FROM network_attempt_pids;
		SELECT * FROM network_inbound;
		SELECT * FROM network_inbound_pids;
		SELECT * FROM syscalls ORDER BY type;
		SELECT * FROM redactions;
		SELECT * FROM policy_verdicts;
		SELECT * FROM policy_violations;" > "$BATS_TEST_TMPDIR/tables"
	diff -u "$F/tables-denied.out" "$BATS_TEST_TMPDIR/tables"
}

@test "0.3.0 receipts are archived and queryable" {
	gh-archive "$DB" "$F/v0.3.0.json"
	run sqlite3 -batch "$DB" "SELECT program, command, exit_code, duration_ms, cpu_time_ms FROM receipts;
		SELECT pid, ppid, exe, cmd FROM processes;
		SELECT kind, path FROM files ORDER BY kind;
		SELECT host, port, protocol, result IS NULL FROM network_attempts;
		SELECT type, count FROM syscalls ORDER BY type"
	[ "$status" -eq 0 ]
	diff -u "$F/v0.3.0-tables.out" <(printf '%s\n' "$output")
}

@test "values found in one place only are taken from there" {
	echo '{"execution_id": "o", "outcome": {"exit_code": 4}, "timing": {"duration_ms": 9, "cpu_time_ms": 2},
	       "processes": [{"pid": 5, "ppid": 1, "cmd": "make -j2"}]}' > "$BATS_TEST_TMPDIR/o.json"
	gh-archive "$DB" "$BATS_TEST_TMPDIR/o.json"
	[ "$(sqlite3 "$DB" "SELECT exit_code, duration_ms, cpu_time_ms, command, program IS NULL FROM receipts")" = "4|9|2|make -j2|1" ]
	[ "$(sqlite3 "$DB" "SELECT seq, pid, ppid, exe IS NULL, cmd FROM processes")" = "0|5|1|1|make -j2" ]
}

@test "values found in two places: the receipt's own exit_code, duration_ms and a v0 command string first" {
	echo '{"execution_id": "t", "exit_code": 130, "outcome": {"exit_code": 4, "signal": 2},
	       "duration_ms": 7, "timing": {"duration_ms": 9, "cpu_time_ms": 2}, "resources": {"cpu_time_ms": 3},
	       "command": "make -j2 all", "processes": [{"pid": 5, "ppid": 1, "cmd": "make -j2"}]}' > "$BATS_TEST_TMPDIR/t.json"
	gh-archive "$DB" "$BATS_TEST_TMPDIR/t.json"
	[ "$(sqlite3 "$DB" "SELECT exit_code, signal, duration_ms, cpu_time_ms, command, program IS NULL FROM receipts")" = "130|2|7|3|make -j2 all|1" ]
	# twin: without them, the other place's values
	jq -c 'del(.exit_code, .duration_ms, .resources, .command) | .execution_id = "u"' "$BATS_TEST_TMPDIR/t.json" > "$BATS_TEST_TMPDIR/u.json"
	gh-archive "$DB" "$BATS_TEST_TMPDIR/u.json"
	[ "$(sqlite3 "$DB" "SELECT exit_code, signal, duration_ms, cpu_time_ms, command FROM receipts WHERE execution_id = 'u'")" = "4|2|9|2|make -j2" ]
}

@test "v0 receipts: the command string and the read and written lists are stored" {
	V0=$GH_ROOT/tests/fixtures/aggregate/net.v0.json
	gh-archive "$DB" "$V0"
	[ "$(sqlite3 "$DB" "SELECT command, program IS NULL, exit_code, duration_ms FROM receipts")" = "perl net.pl|1|0|111" ]
	[ "$(sqlite3 "$DB" "SELECT kind, count(*) FROM files GROUP BY kind")" = "read|$(jq '.filesystem.read | length' "$V0")" ]
	[ "$(sqlite3 "$DB" "SELECT path FROM files ORDER BY path LIMIT 1")" = "$(jq -r '.filesystem.read | sort | .[0]' "$V0")" ]
	# twin: a 0.3.0 receipt's lists by their own names
	gh-archive "$DB" "$F/v0.3.0.json"
	[ "$(jq -c '.filesystem | [.reads, .writes, .deletes, .read]' "$F/v0.3.0.json")" = '[["/srv/Makefile"],["/srv/out"],[],null]' ]
	[ "$(sqlite3 "$DB" "SELECT f.kind, f.path FROM files f JOIN receipts r ON r.id = f.receipt_id WHERE r.version = '0.3.0' ORDER BY f.kind")" = "read|/srv/Makefile
write|/srv/out" ]
}

@test "policy: the 0.3.0 boolean pass is a verdict; a verdict string wins over it" {
	for t in 'x|{"pass": true}|pass|' 'y|{"pass": false, "violations": [{"rule": "r"}]}|fail|1' \
		 'z|{"verdict": "pass", "pass": false, "violations": []}|pass|0' 'w|{"rules_sha256": "ab"}||'; do
		IFS='|' read -r id pol verdict n <<< "$t"
		printf '{"version": "0.3.0", "execution_id": "%s", "policy": %s}\n' "$id" "$pol" > "$BATS_TEST_TMPDIR/p.json"
		gh-archive "$DB" "$BATS_TEST_TMPDIR/p.json"
		[ "$(sqlite3 "$DB" "SELECT coalesce(v.verdict, ''), coalesce(v.violations, '') FROM policy_verdicts v JOIN receipts r ON r.id = v.receipt_id WHERE r.execution_id = '$id'")" = "$verdict|$n" ]
	done
	printf '{"version": "0.3.0", "execution_id": "v", "policy": {"pass": "yes"}}\n' > "$BATS_TEST_TMPDIR/p.json"
	run --separate-stderr gh-archive "$DB" "$BATS_TEST_TMPDIR/p.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $BATS_TEST_TMPDIR/p.json:1: policy.pass: expected a boolean" ]
}

@test "database: refuses a symlink where it is to be created" {
	ln -s "$BATS_TEST_TMPDIR/elsewhere.db" "$DB"
	run --separate-stderr gh-archive "$DB" "$F/curl.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $DB: refusing to follow a symbolic link" ]
	[ ! -e "$BATS_TEST_TMPDIR/elsewhere.db" ]
	# nor to an existing file, which would be overwritten
	rm "$DB"
	: > "$BATS_TEST_TMPDIR/victim"
	ln -s "$BATS_TEST_TMPDIR/victim" "$DB"
	run --separate-stderr gh-archive "$DB" "$F/curl.json"
	[ "$status" -eq 2 ]
	[ ! -s "$BATS_TEST_TMPDIR/victim" ]
}

@test "database: refuses a symlink planted at DB-wal" {
	ln -s "$BATS_TEST_TMPDIR/victim" "$DB-wal"
	run --separate-stderr gh-archive "$DB" "$F/curl.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $DB-wal: refusing to follow a symbolic link" ]
	[ ! -e "$BATS_TEST_TMPDIR/victim" ]
}

@test "database: not a database, another application's, a newer schema" {
	echo hello > "$DB"
	run --separate-stderr gh-archive "$DB" "$F/curl.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $DB: file is not a database" ]
	[ "$(cat "$DB")" = hello ]
	rm "$DB"
	sqlite3 "$DB" 'CREATE TABLE receipts (x)'
	run --separate-stderr gh-archive "$DB" "$F/curl.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $DB: not a gh-archive database" ]
	rm "$DB"*
	gh-archive "$DB" "$F/curl.json"
	sqlite3 "$DB" 'PRAGMA user_version = 7'
	run --separate-stderr gh-archive "$DB" "$F/etc-write.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $DB: schema version 7, this gh-archive knows version 6" ]
	run --separate-stderr gh-archive --export x "$DB"
	[ "$status" -eq 2 ]
	[ "$(count receipts)" = 1 ]
}

@test "schema: a version 1 database is migrated to version 6, its receipts kept" {
	sqlite3 "$DB" < "$F/v1.sql"
	[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 1 ]
	# reading does not migrate
	gh-archive --export legacy-0001 "$DB" | cmp - "$F/v0.3.0.canonical"
	[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 1 ]
	run sqlite3 "$DB" 'SELECT machine FROM receipts'
	[ "$status" -ne 0 ]
	gh-archive --host new-01 "$DB" "$F/conflict.json" 2>/dev/null && false
	gh-archive "$DB" "$F/etc-write.json"
	[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 6 ]
	[ "$(sqlite3 "$DB" 'SELECT count(*) FROM receipts WHERE machine IS host')" = 5 ]
	[ "$(sqlite3 "$DB" 'SELECT count(machine) FROM receipts')" = 4 ]
	for f in "${GOOD[@]}"; do
		gh-archive --export "$(jq -r .execution_id "$F/$f.json")" "$DB" | cmp - "$F/$f.canonical"
	done
	[ "$(count receipts)" = 5 ]
	[ "$(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE name = 'receipts_machine'")" = receipts_machine ]
}

# dns_db: the receipt of a traced run that looked gh-test.example up and
# connected to its address (tests/fixtures/policy/dns.ndjson), with the
# five good fixtures.
dns_db() {
	gh-aggregate "$GH_ROOT/tests/fixtures/policy/dns.ndjson" > "$BATS_TEST_TMPDIR/dns.json"
	fixtures_db
	gh-archive "$DB" "$BATS_TEST_TMPDIR/dns.json"
}

@test "schema 3: bytes, names of peers, DNS questions and answers" {
	dns_db
	id=$(jq -r .execution_id "$BATS_TEST_TMPDIR/dns.json")
	[ "$(sqlite3 "$DB" "SELECT bytes_sent, bytes_received FROM receipts WHERE execution_id = '$id'")" = \
		"$(jq -r '"\(.network.bytes_sent)|\(.network.bytes_received)"' "$BATS_TEST_TMPDIR/dns.json")" ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM receipts WHERE bytes_received IS NULL")" = 5 ]
	[ "$(sqlite3 "$DB" "SELECT dst, protocol, bytes_sent, bytes_received FROM connections WHERE dst LIKE '127.0.0.7:%' AND bytes_received > 0")" = "127.0.0.7:41247|tcp|10|100" ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM peer_names")" = \
		"$(jq '[.network.connections[].names[]] | length' "$BATS_TEST_TMPDIR/dns.json")" ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM dns_queries")" = "$(jq '.network.dns | length' "$BATS_TEST_TMPDIR/dns.json")" ]
	# every receipt still comes back byte for byte
	gh-archive --export "$id" "$DB" | jq -S . | cmp - <(jq -S . "$BATS_TEST_TMPDIR/dns.json")
}

@test "schema: a version 2 database is migrated to version 6, filled in from its receipts" {
	dns_db
	want=$(sqlite3 "$DB" 'SELECT * FROM peer_names; SELECT * FROM dns_queries; SELECT * FROM dns_answers;
		SELECT receipt_id, dst, bytes_sent, bytes_received FROM connections ORDER BY 1, 2;
		SELECT id, bytes_received FROM receipts ORDER BY id')
	[ "$(sqlite3 "$DB" 'SELECT count(*) FROM dns_answers')" -gt 0 ]
	# back to version 2, as an older gh-archive left it
	sqlite3 "$DB" 'DROP TABLE peer_names; DROP TABLE dns_queries; DROP TABLE dns_answers;
		ALTER TABLE receipts DROP COLUMN bytes_received;
		ALTER TABLE connections DROP COLUMN bytes_sent; ALTER TABLE connections DROP COLUMN bytes_received;
		PRAGMA user_version = 2'
	run sqlite3 "$DB" 'SELECT count(*) FROM peer_names'
	[ "$status" -ne 0 ]
	gh-archive --init "$DB"
	[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 6 ]
	[ "$(sqlite3 "$DB" 'SELECT * FROM peer_names; SELECT * FROM dns_queries; SELECT * FROM dns_answers;
		SELECT receipt_id, dst, bytes_sent, bytes_received FROM connections ORDER BY 1, 2;
		SELECT id, bytes_received FROM receipts ORDER BY id')" = "$want" ]
}

@test "schema: --init creates the schema and stores nothing" {
	run --separate-stderr gh-archive --init "$DB"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 6 ]
	[ "$(count receipts)" = 0 ]
	run --separate-stderr gh-archive --init "$DB" "$F/curl.json"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-archive: --init takes exactly one database" ]
	run --separate-stderr gh-archive --init --host x "$DB"
	[ "${stderr_lines[0]}" = "gh-archive: can't combine --init with --host" ]
}

@test "--host: receipts.machine is the label given, else provenance.host" {
	gh-archive --host runner-07 "$DB" "$F/curl.json"
	gh-archive "$DB" "$F/etc-write.json"
	[ "$(sqlite3 "$DB" 'SELECT execution_id, host, machine FROM receipts ORDER BY id')" = \
	  "$(printf '%s\n' "3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e02|build-01|runner-07" "3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e01|build-01|build-01")" ]
	# the canonical copy is the receipt as given
	gh-archive --export 3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e02 "$DB" | cmp - "$F/curl.canonical"
	run --separate-stderr gh-archive --host "" "$DB" "$F/denied.json"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-archive: --host: expected a name of 1 to 255 bytes" ]
	[ "$(count receipts)" = 2 ]
}

@test "--export-all: every receipt in canonical form, in the order stored" {
	fixtures_db
	run --separate-stderr gh-archive --export-all "$DB"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	diff -u <(cat "$F"/{etc-write,curl,denied,hostile,v0.3.0}.canonical) <(printf '%s\n' "$output")
	# into another archive: the same receipts, byte for byte, twice is once
	gh-archive --export-all "$DB" | gh-archive -v "$BATS_TEST_TMPDIR/copy.db" > "$BATS_TEST_TMPDIR/v1"
	gh-archive --export-all "$DB" | gh-archive -v "$BATS_TEST_TMPDIR/copy.db" > "$BATS_TEST_TMPDIR/v2"
	[ "$(jq -r .status "$BATS_TEST_TMPDIR/v1" | sort | uniq -c | tr -s ' ')" = " 5 stored" ]
	[ "$(jq -r .status "$BATS_TEST_TMPDIR/v2" | sort | uniq -c | tr -s ' ')" = " 5 unchanged" ]
	cmp <(gh-archive --export-all "$DB") <(gh-archive --export-all "$BATS_TEST_TMPDIR/copy.db")
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/copy.db" 'SELECT count(*) FROM receipts')" = 5 ]
}

@test "--export-all: empty archive gives nothing, missing one is exit 2" {
	gh-archive --init "$DB"
	run --separate-stderr gh-archive --export-all "$DB"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr gh-archive --export-all "$BATS_TEST_TMPDIR/nope.db"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $BATS_TEST_TMPDIR/nope.db: No such file or directory" ]
	run --separate-stderr gh-archive --export-all --pretty "$DB"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-archive: --pretty goes with --export" ]
	run bash -c 'gh-archive --export-all "$1" > /dev/full' _ "$DB"
	[ "$status" -eq 0 ]
	gh-archive "$DB" "$F/curl.json"
	run bash -c 'gh-archive --export-all "$1" > /dev/full' _ "$DB"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-archive: write error: No space left on device" ]
}

@test "database: a directory is refused" {
	mkdir "$DB"
	run --separate-stderr gh-archive "$DB" "$F/curl.json"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "gh-archive: $DB: "* ]]
}

@test "concurrency: two writers, one process per receipt, N each: 2N stored" {
	local n=25
	make_receipts a $n
	make_receipts b $n
	writer() {
		local i
		for i in $(seq 1 $n); do
			gh-archive "$DB" "$BATS_TEST_TMPDIR/$1/$i.json" || echo "fail $1 $i"
		done
	}
	writer a > "$BATS_TEST_TMPDIR/a.log" 2>&1 &
	writer b > "$BATS_TEST_TMPDIR/b.log" 2>&1 &
	wait
	cat "$BATS_TEST_TMPDIR/a.log" "$BATS_TEST_TMPDIR/b.log"
	[ ! -s "$BATS_TEST_TMPDIR/a.log" ]
	[ ! -s "$BATS_TEST_TMPDIR/b.log" ]
	[ "$(count receipts)" = $((2 * n)) ]
	[ "$(count processes)" = $((2 * n * 3)) ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM receipts WHERE execution_id GLOB 'a-*'")" = $n ]
	[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ]
}

@test "concurrency: two writers, one batch of N each, on a new database: 2N stored" {
	local n=200
	make_receipts a $n
	make_receipts b $n
	cat "$BATS_TEST_TMPDIR"/a/*.json > "$BATS_TEST_TMPDIR/a.all"
	gh-archive "$DB" "$BATS_TEST_TMPDIR/a.all" &
	pa=$!
	gh-archive "$DB" "$BATS_TEST_TMPDIR"/b/*.json &
	pb=$!
	wait $pa
	wait $pb
	[ "$(count receipts)" = $((2 * n)) ]
	[ "$(count file_accesses)" = $((2 * n * 9)) ]
}

# Writers starting together on a database that does not exist yet: one
# creates it while the others look at what they opened. What they read
# must come from one state of the file, never half of the creator's commit
# ("not a gh-archive database"). The race is narrow: up to R rounds of W
# writers, each round a new database, stopping at the first failure (before
# the fix, about one round in eight failed, the first failure came at round
# 2 to 20 in five tries). On tmpfs when there is one: a round takes a
# quarter of the time it takes on a disk.
@test "concurrency: many writers on a new database: each round stores all of them" {
	local w=24 r=50 round i d n
	# a writer of the sanitizer build starts several times slower: there
	# ten rounds look for memory errors on this path, the plain build's
	# fifty hunt the race
	[[ "${GH_BIN:-}" != */bin-san ]] || r=10
	make_receipts c $w
	d=$(mktemp -d /dev/shm/gh-archive-race.XXXXXX 2>/dev/null) || d=$BATS_TEST_TMPDIR/race
	RACE_DIR=$d
	mkdir -p "$d"
	for round in $(seq 1 $r); do
		rm -f "$d"/runs.db*
		for i in $(seq 1 $w); do
			gh-archive "$d/runs.db" "$BATS_TEST_TMPDIR/c/$i.json" \
				2> "$d/err.$i" &
		done
		wait
		cat "$d"/err.*
		n=$(sqlite3 -batch "$d/runs.db" 'SELECT count(*) FROM receipts')
		echo "round $round: $n stored"
		[ "$n" = $w ]
		! grep -q . "$d"/err.*
	done
	[ "$round" = $r ]
}

@test "concurrency: a writer waits for another's transaction (busy timeout)" {
	gh-archive "$DB" "$F/curl.json"
	sqlite3 "$DB" "BEGIN IMMEDIATE" "DELETE FROM syscalls WHERE 0" \
		".shell touch '$BATS_TEST_TMPDIR/locked'; sleep 1" "COMMIT" &
	while [ ! -e "$BATS_TEST_TMPDIR/locked" ]; do sleep 0.05; done
	run --separate-stderr gh-archive "$DB" "$F/etc-write.json"
	wait
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(count receipts)" = 2 ]
}

@test "verbose: one JSON object per receipt, hostile ids included" {
	run --separate-stderr gh-archive -v "$DB" "$F/hostile.json" "$F/curl.json"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(printf '%s\n' "${lines[0]}" | jq -r .execution_id)" = "$(jq -r .execution_id "$F/hostile.json")" ]
	[ "$(printf '%s\n' "${lines[0]}" | jq -r .sha256)" = \
	  "$(head -c -1 "$F/hostile.canonical" | sha256sum | cut -d' ' -f1)" ]
	[ "$(printf '%s\n' "${lines[1]}" | jq -r .status)" = stored ]
}

@test "--replace within one batch: the last content wins" {
	run gh-archive -v --replace "$DB" "$F/etc-write.json" "$F/conflict.json" "$F/conflict.json"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -r .status | tr '\n' ' ')" = "stored replaced unchanged " ]
	[ "$(count receipts)" = 1 ]
	[ "$(count processes)" = 3 ]
	[ "$(sqlite3 "$DB" 'SELECT exit_code FROM receipts')" = 3 ]
}

@test "output errors: /dev/full is exit 2" {
	run bash -c 'gh-archive -v "$1" "$2" > /dev/full' _ "$DB" "$F/etc-write.json"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-archive: write error: No space left on device" ]
	run bash -c 'gh-archive --export legacy-0001 "$1" > /dev/full' _ "$DB"
	[ "$status" -eq 1 ]
	gh-archive "$DB" "$F/v0.3.0.json"
	run bash -c 'gh-archive --export legacy-0001 "$1" > /dev/full' _ "$DB"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-archive: write error: No space left on device" ]
	run bash -c 'gh-archive --help > /dev/full'
	[ "$status" -eq 2 ]
}

@test "man page examples: every query has a test and an expected output" {
	local names
	names=$(sed -n 's/^\.\\" query: //p' "$GH_ROOT/man/man1/gh-archive.1" | sort)
	[ "$(printf '%s\n' "$names" | wc -l)" -ge 12 ]
	[ "$names" = "$(cd "$F/queries" && ls *.out | sed 's/\.out$//' | sort)" ]
	for n in $names; do
		grep -q "^@test \"man example: $n\"" "$BATS_TEST_FILENAME"
	done
}

@test "man page: renders without warnings" {
	run groff -man -Tutf8 -ww -z "$GH_ROOT/man/man1/gh-archive.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "man example: wrote-under-etc" {
	fixtures_db
	run_example wrote-under-etc
}

@test "man example: hosts-last-week" {
	local recent old older
	recent=$(date -u -d '2 days ago' +%Y-%m-%dT%H:%M:%S.000000Z)
	old=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%S.000000Z)
	jq --arg t "$recent" '.start_time = $t | .execution_id = "recent-curl"' "$F/curl.json" > "$BATS_TEST_TMPDIR/r1.json"
	jq --arg t "$old" '.start_time = $t | .execution_id = "old-curl" |
		.network.attempts[1].dst = "198.51.100.7:443" | .network.attempts[1].result = "ok"' \
		"$F/curl.json" > "$BATS_TEST_TMPDIR/r2.json"
	jq --arg t "$recent" '.start_time = $t | .execution_id = "recent-python"' "$F/denied.json" > "$BATS_TEST_TMPDIR/r3.json"
	gh-archive "$DB" "$BATS_TEST_TMPDIR"/r[123].json
	run_example hosts-last-week
}

@test "man example: denied-by-policy" {
	fixtures_db
	run_example denied-by-policy
}

@test "man example: bytes-per-run" {
	dns_db
	run_example bytes-per-run
}

@test "man example: bytes-per-peer" {
	dns_db
	run_example bytes-per-peer
}

@test "man example: runs-by-name" {
	dns_db
	run_example runs-by-name
	# the twin: the fixtures without the traced run name no peer
	rm "$DB"*
	fixtures_db
	[ -z "$(sqlite3 "$DB" "$(man_query runs-by-name)")" ]
}

@test "man example: dns-lookups" {
	dns_db
	run_example dns-lookups
}

@test "man example: who-read" {
	fixtures_db
	run_example who-read
}

@test "man example: failed-or-partial" {
	fixtures_db
	run_example failed-or-partial
}

@test "man example: most-read" {
	fixtures_db
	run_example most-read
}

@test "man example: ran-curl" {
	fixtures_db
	run_example ran-curl
}

@test "man example: failed-accesses" {
	fixtures_db
	run_example failed-accesses
}

@test "man example: deleted" {
	fixtures_db
	run_example deleted
}

@test "man example: listeners" {
	fixtures_db
	run_example listeners
}

@test "man example: unreachable" {
	fixtures_db
	run_example unreachable
}

@test "man example: redactions" {
	fixtures_db
	run_example redactions
}

@test "man example: signed" {
	fixtures_db
	run_example signed
}

@test "man example: json-member" {
	fixtures_db
	run_example json-member
}

@test "man example: denied-syscalls" {
	fixtures_db
	run_example denied-syscalls
}

@test "man example: queries use the indexes they are meant to" {
	fixtures_db
	run sqlite3 -batch "$DB" "EXPLAIN QUERY PLAN $(man_query wrote-under-etc)"
	[[ "$output" == *"USING COVERING INDEX files_kind_path (kind=? AND path>? AND path<?)"* ]]
	run sqlite3 -batch "$DB" "EXPLAIN QUERY PLAN $(man_query hosts-last-week)"
	[[ "$output" == *"INDEX receipts_program (program=? AND start_time>?)"* ]]
	run sqlite3 -batch "$DB" "EXPLAIN QUERY PLAN $(man_query who-read)"
	[[ "$output" == *"SEARCH a USING INDEX file_accesses_op (op=? AND path=?)"* ||
	   "$output" == *"SEARCH a USING INDEX file_accesses_path (path=? AND op=?)"* ]]
}

@test "gh-sign: an exported signed receipt still verifies, a tampered one does not" {
	[ -x "${GH_BIN:-$GH_ROOT/bin}/gh-sign" ] || skip "bin/gh-sign is not built"
	local t=$BATS_TEST_TMPDIR
	gh-sign -G -s "$t/sk.pem" -p "$t/pk.pem"
	gh-sign -S -s "$t/sk.pem" "$F/curl.json" > "$t/signed.json"
	gh-archive "$DB" "$t/signed.json"
	id=$(jq -r .execution_id "$t/signed.json")
	gh-archive --export "$id" "$DB" > "$t/out.json"
	gh-sign -V -p "$t/pk.pem" "$t/out.json"
	gh-archive --export "$id" --pretty "$DB" | cmp - "$t/signed.json"
	[ "$(sqlite3 "$DB" 'SELECT signed FROM receipts')" = 1 ]
	sqlite3 "$DB" "UPDATE receipts SET canonical = replace(canonical, '93.184.216.34', '93.184.216.35')"
	# the row no longer has its SHA-256: not exported
	run gh-archive --export "$id" "$DB"
	[ "$status" -eq 2 ]
	# with the digest forged too, it is exported, and the signature fails
	sqlite3 "$DB" "SELECT canonical FROM receipts" | head -c -1 > "$t/forged.canon"
	sqlite3 "$DB" "UPDATE receipts SET sha256 = '$(sha256sum < "$t/forged.canon" | cut -d' ' -f1)'"
	gh-archive --export "$id" "$DB" > "$t/forged.json"
	run gh-sign -V -p "$t/pk.pem" "$t/forged.json"
	[ "$status" -eq 1 ]
}

@test "pipeline: a redacted, judged and signed receipt, archived and queried" {
	local p t=$BATS_TEST_TMPDIR
	for p in gh-redact gh-policy gh-sign; do
		[ -x "${GH_BIN:-$GH_ROOT/bin}/$p" ] || skip "bin/$p is not built"
	done
	printf 'deny read /etc/ssl/**\ndeny connect *:*\n' > "$t/agent.rules"
	gh-sign -G -s "$t/sk.pem" -p "$t/pk.pem"
	gh-policy --annotate "$t/agent.rules" "$F/curl.json" > "$t/judged.json" || [ $? -eq 1 ]
	gh-redact -m '/etc/hosts' "$t/judged.json" > "$t/redacted.json"
	gh-sign -S -s "$t/sk.pem" "$t/redacted.json" > "$t/signed.json"
	gh-archive "$DB" "$t/signed.json"
	# the rows say what the receipt says, whatever the filters wrote
	diff -u <(jq -r '.policy | "\(.verdict)|\(.violations | length)|\(.rules_sha256)"' "$t/signed.json") \
		<(sqlite3 -batch "$DB" "SELECT verdict, violations, rules_sha256 FROM policy_verdicts")
	diff -u <(jq -r '.policy.violations[] | "\(.rule)|\(.item)|\(.pid)"' "$t/signed.json") \
		<(sqlite3 -batch "$DB" "SELECT rule, item, pid FROM policy_violations ORDER BY seq")
	diff -u <(jq -r '.redactions[] | "\(.rule)|\(.count)"' "$t/signed.json") \
		<(sqlite3 -batch "$DB" "SELECT rule, count FROM redactions ORDER BY seq")
	[ "$(sqlite3 "$DB" "SELECT verdict FROM policy_verdicts")" = fail ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM redactions")" -ge 1 ]
	[ "$(sqlite3 "$DB" "SELECT signature_key FROM receipts")" = "$(jq -r .signature.key "$t/signed.json")" ]
	gh-archive --export "$(jq -r .execution_id "$t/signed.json")" "$DB" > "$t/out.json"
	gh-sign -V -p "$t/pk.pem" "$t/out.json"
}

@test "end to end: a traced command's receipt, archived and queried" {
	[ -x "${GH_BIN:-$GH_ROOT/bin}/gh-trace" ] || skip "bin/gh-trace is not built"
	[ -x "${GH_BIN:-$GH_ROOT/bin}/gh-aggregate" ] || skip "bin/gh-aggregate is not built"
	local t=$BATS_TEST_TMPDIR
	gh-trace -- sh -c 'cat /etc/hostname > /dev/null; echo hi > "$1"; touch "$2"' \
		sh "$t/out.txt" "$t/bad$(printf '\377\376')name" 2>/dev/null | gh-aggregate > "$t/r.json"
	gh-archive "$DB" "$t/r.json"
	id=$(jq -r .execution_id "$t/r.json")
	gh-archive --export "$id" --pretty "$DB" | cmp - "$t/r.json"
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM files WHERE kind = 'write' AND path = '$t/out.txt'")" = 1 ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM files WHERE kind = 'read' AND path = '/etc/hostname'")" = 1 ]
	[ "$(sqlite3 "$DB" "SELECT program FROM receipts")" = sh ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM execs WHERE exe GLOB '*/cat'")" = 1 ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM processes")" -ge 3 ]
	# a file name that is not UTF-8: U+FFFD in path, the raw bytes in path_hex
	[ "$(sqlite3 "$DB" "SELECT path_hex FROM file_accesses WHERE op = 'create' AND path GLOB '*/bad*name'")" = \
	  "$(printf '%s' "$t/bad" | od -An -tx1 | tr -d ' \n')fffe6e616d65" ]
}

# The fixtures as archived by three machines (tests/archive.bash).
fleet_db() {
	fleet "$DB"
}

@test "man example: receipts-per-host" {
	fleet_db
	run_example receipts-per-host
}

@test "man example: shared-peers" {
	fleet_db
	run_example shared-peers
}

@test "man example: one-host-exes" {
	fleet_db
	run_example one-host-exes
}

@test "man example: fleet queries tell one machine from many" {
	# the failing twin: one machine only, no peer is shared and every
	# executable is on one machine
	gh-archive --host solo "$DB" "$F/etc-write.json" "$F/curl.json" "$F/denied.json"
	[ "$(sqlite3 -batch "$DB" "$(man_query receipts-per-host)")" = "solo|3|2026-11-20T09:15:02.000100Z|2026-11-22T08:30:00.000000Z" ]
	[ -z "$(sqlite3 -batch "$DB" "$(man_query shared-peers)")" ]
	[ "$(sqlite3 -batch "$DB" "$(man_query one-host-exes)" | wc -l)" = \
	  "$(sqlite3 "$DB" 'SELECT count(DISTINCT exe) FROM execs')" ]
}

@test "concurrency: a writer killed mid-batch leaves all its receipts or none, the others whole" {
	local i pid
	make_batch k 400
	gh-archive "$DB" "$F/curl.json" "$F/denied.json"
	gh-archive "$DB" "$BATS_TEST_TMPDIR/k.all" &
	pid=$!
	# wait until it has the database open (its batch has begun)
	for i in $(seq 1 500); do
		ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "$DB" && break
		sleep 0.01
	done
	kill -KILL "$pid"
	wait "$pid" || true
	run sqlite3 "$DB" "SELECT count(*) FROM receipts WHERE execution_id GLOB 'k-*'"
	[ "$output" = 0 ] || [ "$output" = 400 ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM processes WHERE receipt_id NOT IN (SELECT id FROM receipts)")" = 0 ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM processes p JOIN receipts r ON r.id = p.receipt_id WHERE r.execution_id GLOB 'k-*'")" = $((output * 3)) ]
	gh-archive --export 3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e02 "$DB" | cmp - "$F/curl.canonical"
	[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ]
	# and the same batch again, not killed, stores it whole
	gh-archive "$DB" "$BATS_TEST_TMPDIR/k.all"
	[ "$(count receipts)" = 402 ]
}

# ---- DSSE envelopes (gh-sign --attest) ---------------------------------------

# attest NAME: an envelope of fixture NAME, its subject a file of the test.
attest() {
	local t=$BATS_TEST_TMPDIR
	[ -e "$t/sk.pem" ] || gh-sign -G -s "$t/sk.pem" -p "$t/pk.pem"
	printf 'artifact\n' > "$t/a.bin"
	gh-sign --attest -s "$t/sk.pem" --subject "$t/a.bin" "$F/$1.json" > "$t/$1.env.json"
}

@test "envelope: stored byte for byte, its receipt indexed like the receipt itself" {
	[ -x "${GH_BIN:-$GH_ROOT/bin}/gh-sign" ] || skip "bin/gh-sign is not built"
	local t=$BATS_TEST_TMPDIR
	attest curl
	run --separate-stderr gh-archive -v "$DB" "$t/curl.env.json"
	[ "$status" -eq 0 ]
	[ "$output" = "{\"execution_id\":\"3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e02\",\"sha256\":\"$(sha256sum < "$t/curl.env.json" | cut -d' ' -f1)\",\"status\":\"stored\"}" ]
	gh-archive --export 3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e02 "$DB" | cmp - "$t/curl.env.json"
	gh-archive --export 3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e02 --pretty "$DB" | cmp - "$t/curl.env.json"
	gh-archive --export 3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e02 "$DB" > "$t/out.json"
	gh-sign -V -q -p "$t/pk.pem" "$t/out.json"
	[ "$(sqlite3 "$DB" 'SELECT signed, signature_key FROM receipts')" = \
	  "2|$(openssl pkey -pubin -in "$t/pk.pem" -outform DER | sha256sum | cut -d' ' -f1)" ]
	# every table as for the receipt archived on its own (hashed outputs aside)
	gh-archive "$t/plain.db" "$F/curl.json"
	for tb in processes execs files file_accesses network_attempts syscalls; do
		diff <(sqlite3 "$DB" "SELECT * FROM $tb") <(sqlite3 "$t/plain.db" "SELECT * FROM $tb")
	done
	diff <(sqlite3 "$DB" 'SELECT execution_id, version, start_time, host, program, completeness, exit_code FROM receipts') \
	     <(sqlite3 "$t/plain.db" 'SELECT execution_id, version, start_time, host, program, completeness, exit_code FROM receipts')
	# again: unchanged
	run gh-archive -v "$DB" "$t/curl.env.json"
	[[ "$output" == *'"status":"unchanged"}' ]]
}

@test "envelope: a damaged stored envelope is not exported" {
	[ -x "${GH_BIN:-$GH_ROOT/bin}/gh-sign" ] || skip "bin/gh-sign is not built"
	local t=$BATS_TEST_TMPDIR
	attest curl
	gh-archive "$DB" "$t/curl.env.json"
	sqlite3 "$DB" "UPDATE receipts SET canonical = replace(canonical, 'payloadType', 'payloadtype')"
	run --separate-stderr gh-archive --export 3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e02 "$DB"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "gh-archive: $DB: stored receipt \"3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e02\" is damaged: "* ]]
}

@test "envelope: what is not an attested receipt, or not alone, is refused" {
	[ -x "${GH_BIN:-$GH_ROOT/bin}/gh-sign" ] || skip "bin/gh-sign is not built"
	local t=$BATS_TEST_TMPDIR
	attest curl
	jq '.payloadType = "application/json"' "$t/curl.env.json" > "$t/type.json"
	run --separate-stderr gh-archive "$DB" "$t/type.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $t/type.json: envelope payloadType is not application/vnd.in-toto+json" ]
	jq -r .payload "$t/curl.env.json" | base64 -d | jq -c 'del(.predicate.glasshouseReceipt)' > "$t/p.json"
	jq --arg p "$(base64 -w0 < "$t/p.json")" '.payload = $p' "$t/curl.env.json" > "$t/norec.json"
	run --separate-stderr gh-archive "$DB" "$t/norec.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $t/norec.json: envelope holds no receipt (an in-toto statement with predicate.glasshouseReceipt, as gh-sign --attest writes)" ]
	jq '.signatures = []' "$t/curl.env.json" > "$t/nosig.json"
	run --separate-stderr gh-archive "$DB" "$t/nosig.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $t/nosig.json: malformed envelope: signatures is empty" ]
	cat "$F/etc-write.json" "$t/curl.env.json" > "$t/two.json"
	run --separate-stderr gh-archive "$DB" "$t/two.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $t/two.json: an envelope must be alone in its input" ]
	cat "$t/curl.env.json" "$F/etc-write.json" > "$t/two2.json"
	run --separate-stderr gh-archive "$DB" "$t/two2.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-archive: $t/two2.json: an envelope must be alone in its input" ]
	# nothing stored: the database these runs would have created is gone
	[ ! -e "$DB" ]
}

# long-path.json: gh-trace recorded `sh -c 'cd DIR && echo x > f && cat f'`
# in a DIR of 4,027 bytes (16 levels of random bytes written as hex, which
# does not compress) and gh-aggregate made the receipt.
@test "a path too long for an index: stored cut within 2,000 bytes with its SHA-256, found by prefix, exported whole" {
	local id long cut
	id=$(jq -r .execution_id "$F/long-path.json")
	long=$(jq -r '.filesystem.writes[0]' "$F/long-path.json")
	[ "${#long}" -eq 4029 ]
	gh-archive "$DB" "$F/long-path.json"
	cut="${long:0:1926}…sha256:$(printf '%s' "$long" | sha256sum | cut -c1-64)"
	[ "$(sqlite3 "$DB" "SELECT kind, length(CAST(path AS BLOB)) FROM files WHERE path LIKE '${long:0:60}%' ORDER BY kind")" = "read|2000
write|2000" ]
	[ "$(sqlite3 "$DB" "SELECT DISTINCT path FROM files WHERE length(path) > 1000")" = "$cut" ]
	[ "$(sqlite3 "$DB" "SELECT op FROM file_accesses WHERE path = '$cut' ORDER BY id")" = "create
read" ]
	[ "$(sqlite3 "$DB" "SELECT length(CAST(path AS BLOB)) FROM file_accesses WHERE op = 'chdir'")" = 2000 ]
	gh-archive --export "$id" --pretty "$DB" | cmp - "$F/long-path.json"
	[ "$(gh-archive --export "$id" "$DB" | jq -r '.filesystem.writes[0]')" = "$long" ]
	# the twin: a path of 2,000 bytes is stored whole; one that ends as a
	# cut path does (here the cut path itself, in the real receipt edited)
	# is cut too, so the two stay apart
	jq --arg c "$cut" --arg s "${long:0:2000}" '.execution_id = "cut-twin" |
		.filesystem.reads += [$c, $s]' "$F/long-path.json" > "$BATS_TEST_TMPDIR/twin.json"
	gh-archive "$DB" "$BATS_TEST_TMPDIR/twin.json"
	[ "$(sqlite3 "$DB" "SELECT count(*), count(DISTINCT path) FROM files f JOIN receipts r ON r.id = f.receipt_id
		WHERE r.execution_id = 'cut-twin' AND f.kind = 'read' AND length(CAST(path AS BLOB)) = 2000")" = "3|3" ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM files WHERE path = '${long:0:2000}'")" = 1 ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM files WHERE path = '$cut'")" = 4 ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM files WHERE path = '${cut:0:1926}…sha256:$(printf '%s' "$cut" | sha256sum | cut -c1-64)'")" = 1 ]
	[ "$(gh-archive --export cut-twin "$DB" | jq -r '.filesystem.reads[-2]')" = "$cut" ]
}

@test "schema: a version 5 database is migrated to version 6 (a change of PostgreSQL's only), its pid tables and rows kept" {
	fixtures_db
	sqlite3 "$DB" 'PRAGMA user_version = 5'
	want=$(sqlite3 "$DB" 'SELECT * FROM file_access_pids ORDER BY 1, 2; SELECT * FROM network_attempt_pids ORDER BY 1, 2')
	[ -n "$want" ]
	# reading does not migrate
	gh-archive --export "$(jq -r .execution_id "$F/curl.json")" "$DB" | cmp - "$F/curl.canonical"
	[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 5 ]
	jq '.execution_id = "after-6"' "$F/curl.json" > "$BATS_TEST_TMPDIR/after.json"
	gh-archive "$DB" "$BATS_TEST_TMPDIR/after.json"
	[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 6 ]
	[ "$(sqlite3 "$DB" "SELECT type FROM sqlite_master WHERE name IN ('file_access_pids', 'network_attempt_pids', 'network_inbound_pids') ORDER BY name")" = "table
table
table" ]
	[ "$(sqlite3 "$DB" 'SELECT * FROM file_access_pids WHERE access_id IN (SELECT a.id FROM file_accesses a JOIN receipts r ON r.id = a.receipt_id WHERE r.execution_id <> "after-6") ORDER BY 1, 2;
		SELECT * FROM network_attempt_pids WHERE attempt_id IN (SELECT a.id FROM network_attempts a JOIN receipts r ON r.id = a.receipt_id WHERE r.execution_id <> "after-6") ORDER BY 1, 2')" = "$want" ]
	[ "$(count receipts)" = 6 ]
}
