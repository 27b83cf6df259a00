# What the suites that trace one small workload per test and check its
# receipt share (tests/channels.bats, evasion.bats, evasion2.bats,
# evasion3.bats), loaded with bats' load. EV is the test's event stream,
# R its receipt.
#
#   workload_build SRC [LIB...]  in setup_file: tests/SRC compiled (cc -O1,
#                        linked with LIB...) into $BATS_FILE_TMPDIR/work,
#                        exported as WORK
#   workload_kept SRC [LIB...]  in setup_file: workload_build, then as
#                        root the programs kept in a bpf filesystem of the
#                        suite's own (kept_setup, tests/trace/lib.bash;
#                        kept_teardown in teardown_file)
#   workload_setup       in setup: cd into the test's directory, EV and R
#   workload_root        in setup: skip unless root, then workload_setup
#   trace ARG...         ARG run under gh-trace (its status must be 0, its
#                        output in $output), the stream folded by
#                        gh-aggregate; the receipt says observation_mode
#                        ebpf
#   rc FILTER [ARG...]   jq -c FILTER on the receipt
#   reasons NAME         the completeness reasons named NAME
#   closed               the receipt is closed, with no reasons
#   verdict              [completeness, completeness_reasons], compact
#   execs                the receipt's exec accesses, [path, path_status]
#                        each

workload_build() {
	local src=$1
	shift
	export WORK=$BATS_FILE_TMPDIR/work
	cc -O1 -o "$WORK" "$GH_ROOT/tests/$src" "$@"
}

workload_kept() {
	workload_build "$@"
	[ "$(id -u)" -eq 0 ] || return 0
	kept_setup
}

workload_root() {
	[ "$(id -u)" -eq 0 ] || skip "tracing needs root"
	workload_setup
}

workload_setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	EV=$BATS_TEST_TMPDIR/ev.ndjson
	R=$BATS_TEST_TMPDIR/receipt.json
}

trace() {
	run gh-trace -o "$EV" -- "$@"
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -r .observation_mode "$R")" = ebpf ]
}

rc() {
	jq -c "$@" "$R"
}

reasons() {
	jq -c --arg n "$1" '[.completeness_reasons[] | select(startswith($n + ": "))]' "$R"
}

verdict() {
	rc '[.completeness, .completeness_reasons]'
}

closed() {
	[ "$(verdict)" = '["closed",[]]' ]
}

execs() {
	rc '[.filesystem.accesses[] | select(.op == "exec") | [.path, .path_status]]'
}
