#!/usr/bin/env bats
# tests/run itself: the tally, suites that die, output order with suites
# side by side, the sanitizer variant catching reports that a test ignored,
# and its usage errors. Each test runs tests/run on small suites of its own.

bats_require_minimum_version 1.5.0

setup() {
	# the runner under test sets these itself, as it would from make test
	unset GH_VARIANTS GH_BIN GH_OUT ASAN_OPTIONS UBSAN_OPTIONS GH_TRACE_PIN_DIR
	cd "$BATS_TEST_TMPDIR"
	RUN=$GH_ROOT/tests/run
}

# norm: the runner's output with each suite's times replaced by T.
norm() {
	sed -E 's/^(# .*): [0-9]+\.[0-9]{3} s, CPU [0-9]+\.[0-9]{3} s user [0-9]+\.[0-9]{3} s system$/\1: T/' <<<"$output"
}

# suite NAME BODY...: a bats file NAME.bats with one test per BODY.
suite() {
	local name=$1 n=0 body
	shift
	{
		echo '#!/usr/bin/env bats'
		for body in "$@"; do
			n=$((n + 1))
			printf '@test "%s %d" {\n\t%s\n}\n' "$name" "$n" "$body"
		done
	} > "$name.bats"
}

@test "the tally counts passes, failures and skips over all suites" {
	suite a 'true' 'false' 'skip "not here"'
	suite b 'true' 'true'
	run -1 bash "$RUN" -j 1 a.bats b.bats
	[ "${lines[0]}" = "# a.bats" ]
	[ "${lines[${#lines[@]}-1]}" = "tests: 3 passed, 1 failed, 1 skipped" ]
	[ "$(grep -c '^not ok ' <<<"$output")" = 1 ]
}

@test "all passing prints the two-number summary and exits 0" {
	suite a 'true'
	run -0 bash "$RUN" a.bats
	[ "$(norm)" = "# a.bats
1..1
ok 1 a 1
# a.bats: T
tests: 1 passed, 0 failed" ]
}

@test "a suite that dies without a not ok line counts as a failure" {
	printf '#!/bin/sh\necho "1..2"\necho "ok 1 one"\nexit 3\n' > test_dies
	chmod +x test_dies
	run -1 bash "$RUN" ./test_dies
	[ "$(norm)" = "# ./test_dies
1..2
ok 1 one
not ok - ./test_dies exited with status 3
# ./test_dies: T
tests: 1 passed, 1 failed" ]
}

@test "suites run side by side are printed whole, in the order given" {
	suite slow 'sleep 1; true'
	suite fast 'true'
	suite mid 'sleep 0.3; true'
	run -0 bash "$RUN" -j 3 slow.bats fast.bats mid.bats
	[ "$(norm | grep '^#' | tr '\n' ' ')" = "# slow.bats # slow.bats: T # fast.bats # fast.bats: T # mid.bats # mid.bats: T " ]
	[ "$(grep -c '^1\.\.1$' <<<"$output")" = 3 ]
}

@test "GH_VARIANTS runs every suite once per build, named in the header" {
	suite a 'echo "$GH_BIN" > "'"$BATS_TEST_TMPDIR"'/bin.$$"'
	run -0 env GH_VARIANTS="plain san" bash "$RUN" a.bats
	[ "$(norm | grep '^#' | tr '\n' ' ')" = "# a.bats (plain) # a.bats (plain): T # a.bats (san) # a.bats (san): T " ]
	[ "$(cat bin.* | sort | tr '\n' ' ')" = "$GH_ROOT/bin $GH_ROOT/bin-san " ]
	[ "${lines[${#lines[@]}-1]}" = "tests: 2 passed, 0 failed" ]
}

@test "a sanitizer report fails the suite even when its test ignored the status" {
	command -v clang >/dev/null || skip "clang is not installed"
	printf '#include <stdlib.h>\nint main(void) { char *p = malloc(4); p[4] = 1; return 0; }\n' > overflow.c
	printf '#include <stdlib.h>\nint main(void) { return malloc(32) == NULL; }\n' > leak.c
	printf '#include <limits.h>\nint main(int c, char **v) { int x = INT_MAX; (void)v; return x + c > 0; }\n' > ub.c
	for p in overflow leak ub; do
		clang -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -o "$p" "$p.c"
	done
	suite s "$PWD/overflow || true" "$PWD/leak || true" "$PWD/ub || true"
	run -1 env GH_VARIANTS=san bash "$RUN" s.bats
	[ "${lines[${#lines[@]}-1]}" = "tests: 3 passed, 3 failed" ]
	[ "$(grep -c '^not ok - s.bats (san): sanitizer report from pid [0-9]*$' <<<"$output")" = 3 ]
	grep -q '^# .*ERROR: AddressSanitizer: heap-buffer-overflow' <<<"$output"
	grep -q '^# .*ERROR: LeakSanitizer: detected memory leaks' <<<"$output"
	grep -q '^# ub.c:2:.*runtime error: signed integer overflow' <<<"$output"
	# the same suite with the plain variant: nothing is collected
	run -0 bash "$RUN" s.bats
	[ "${lines[${#lines[@]}-1]}" = "tests: 3 passed, 0 failed" ]
}

@test "usage errors: -j wants a positive number, variants must be known" {
	suite a 'true'
	run -2 bash "$RUN" -j 0 a.bats
	[ "$output" = "tests/run: -j wants a positive number" ]
	run -2 env GH_VARIANTS="plain msan" bash "$RUN" a.bats
	[ "$output" = "tests/run: unknown variant 'msan' in GH_VARIANTS" ]
	run -2 bash "$RUN" -x
	[ "${lines[1]}" = "usage: tests/run [-j N] [-q] [SUITE...]" ]
}

@test "-q: one line per suite as it ends, a failing suite's TAP whole, the tally last" {
	suite a 'true' 'skip "not here"'
	suite b 'true' 'false'
	suite c 'true'
	run -1 bash "$RUN" -q -j 2 a.bats b.bats c.bats
	[ "$(grep '^# \[' <<<"$output" | sed -E 's/, [0-9]+\.[0-9]{3} s$/, T/')" = "# [1/3] a.bats: 1 passed, 0 failed, 1 skipped, T
# [2/3] b.bats: 1 passed, 1 failed, T
# [3/3] c.bats: 1 passed, 0 failed, T" ]
	# only b's TAP, whole, before its line
	[ "$(grep -v '^# \[' <<<"$output" | sed -n '1,4p;$p')" = "# b.bats
1..2
ok 1 b 1
not ok 2 b 2
tests: 3 passed, 1 failed, 1 skipped" ]
	[ "$(grep -c '^1\.\.' <<<"$output")" = 1 ]
	# the twin: without -q every suite's TAP is printed
	run -1 bash "$RUN" -j 2 a.bats b.bats c.bats
	[ "$(grep -c '^1\.\.' <<<"$output")" = 3 ]
	[ "$(grep -c '^# \[' <<<"$output")" = 0 ]
}

@test "a suite that is not there is an error, not a silent pass" {
	run -2 bash "$RUN" nothing.bats
	[ "$output" = "tests/run: nothing.bats: no such suite" ]
}

@test "signals ignored when the runner starts (a background job, nohup) are at their defaults in every suite, SIGHUP aside" {
	# the test passes only where none of INT, QUIT, PIPE and TERM is
	# ignored (bits 1, 2, 12 and 14 of SigIgn)
	suite a 'ign=$(sed -n "s/^SigIgn:[[:space:]]*//p" /proc/self/status); [ $((0x$ign & 0x5006)) -eq 0 ]'
	run -0 bash -c 'bash "$1" a.bats & wait $!' _ "$RUN"
	[ "${lines[${#lines[@]}-1]}" = "tests: 1 passed, 0 failed" ]
	run -0 bash -c 'trap "" INT QUIT PIPE TERM; exec bash "$1" a.bats' _ "$RUN"
	[ "${lines[${#lines[@]}-1]}" = "tests: 1 passed, 0 failed" ]
	run -0 nohup bash "$RUN" a.bats
	[ "${lines[${#lines[@]}-1]}" = "tests: 1 passed, 0 failed" ]
	# the twin: the same suite started by bats itself keeps them ignored
	run -1 bash -c 'bats a.bats & wait $!'
	[ "${lines[1]}" = "not ok 1 a 1" ]
	run -1 bash -c 'trap "" PIPE; exec bats a.bats'
	[ "${lines[1]}" = "not ok 1 a 1" ]
}

@test "SIGHUP stays as the runner got it: a run under nohup outlives its terminal" {
	suite a 'ign=$(sed -n "s/^SigIgn:[[:space:]]*//p" /proc/self/status); [ $((0x$ign & 1)) -eq 1 ]'
	run -0 nohup bash "$RUN" a.bats
	[ "${lines[${#lines[@]}-1]}" = "tests: 1 passed, 0 failed" ]
	# the twin: not ignored when the runner starts, not ignored in the suite
	run -1 env --default-signal=HUP bash "$RUN" a.bats
	[ "${lines[${#lines[@]}-1]}" = "tests: 0 passed, 1 failed" ]
}
