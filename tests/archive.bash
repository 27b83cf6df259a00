# What tests/gh-archive.bats (SQLite) and tests/gh-archive-pg.bats
# (PostgreSQL) share, sourced by both (and by bench/archive/fleet for
# man_query). F is the fixtures folder (tests/fixtures/archive).
#
#   fixtures TARGET      the five good fixtures into TARGET, one batch
#   fleet TARGET         the fixtures as three machines archive them, and
#                        one receipt without a host (0.3.0): runner-a and
#                        runner-b both ran curl against the same peers
#   man_query NAME [pg]  the SQL of example NAME in gh-archive(1) (between
#                        '.\" query: NAME' and .EE), roff escapes undone;
#                        with pg, its PostgreSQL version where there is one
#   make_batch NAME N    N copies of etc-write.json with execution_id
#                        NAME-1 ... NAME-N, one per line, in
#                        $BATS_TEST_TMPDIR/NAME.all
#   make_receipts NAME N the same, one file each: $BATS_TEST_TMPDIR/NAME/I.json
#
# Cases both suites run against their TARGET (count TABLE: the suite's own
# row count):
#   case_idempotent TARGET  the same receipt twice is stored once
#   case_conflict TARGET    an execution_id stored with other content: exit
#                        2, nothing stored, the first receipt kept

fixtures() {
	gh-archive "$1" "$F"/etc-write.json "$F"/curl.json "$F"/denied.json \
		"$F"/hostile.json "$F"/v0.3.0.json
}

fleet() {
	jq '.execution_id = "b-curl"' "$F/curl.json" > "$BATS_TEST_TMPDIR/b-curl.json"
	gh-archive --host runner-a "$1" "$F/etc-write.json" "$F/curl.json"
	gh-archive --host runner-b "$1" "$F/denied.json" "$BATS_TEST_TMPDIR/b-curl.json"
	gh-archive --host runner-c "$1" "$F/hostile.json"
	gh-archive "$1" "$F/v0.3.0.json"
}

man_query() {
	local m=$GH_ROOT/man/man1/gh-archive.1 mark=".\\\" query: $1"
	local pgmark=".\\\" example: not run: PostgreSQL's version of query $1, run by tests/gh-archive-pg.bats"
	if [ "${2:-}" = pg ] && grep -qxF "$pgmark" "$m"; then
		mark=$pgmark
	fi
	MARK=$mark awk '$0 == ENVIRON["MARK"] { on = 1; next }
		on && /^\.EE/ { exit } on && !/^\.EX/ { print }' "$m" |
		sed -e 's/\\-/-/g' -e 's/\\e/\\/g'
}

make_batch() {
	jq -c --arg w "$1" --argjson n "$2" 'range(1; $n + 1) as $i | .execution_id = "\($w)-\($i)"' \
		"$F/etc-write.json" > "$BATS_TEST_TMPDIR/$1.all"
}

make_receipts() {
	local i text
	text=$(cat "$F/etc-write.json")
	mkdir -p "$BATS_TEST_TMPDIR/$1"
	for i in $(seq 1 "$2"); do
		printf '%s\n' "${text//3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e01/$1-$i}" \
			> "$BATS_TEST_TMPDIR/$1/$i.json"
	done
}

case_idempotent() {
	run gh-archive -v "$1" "$F/etc-write.json" "$F/etc-write.json"
	[ "$status" -eq 0 ]
	diff -u "$F/verbose-twice.out" <(printf '%s\n' "$output")
	run gh-archive -v "$1" "$F/etc-write.json"
	[ "$status" -eq 0 ]
	[ "$output" = "$(sed -n 2p "$F/verbose-twice.out")" ]
	[ "$(count receipts)" = 1 ]
	[ "$(count processes)" = 3 ]
	[ "$(count file_accesses)" = 9 ]
}

case_conflict() {
	gh-archive "$1" "$F/etc-write.json"
	run --separate-stderr gh-archive -v "$1" "$F/curl.json" "$F/conflict.json"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "gh-archive: $F/conflict.json:1: execution_id \"3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e01\": already archived with other content (use --replace)" ]
	[ "$(count receipts)" = 1 ]
	gh-archive --export 3f2b1c9e-7d41-4a8e-9c55-0a1b2c3d4e01 --pretty "$1" | cmp - "$F/etc-write.json"
}
