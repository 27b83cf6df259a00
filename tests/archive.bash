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
