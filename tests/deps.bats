#!/usr/bin/env bats
# Every command the suites, the Makefile and the scripts run comes from a
# package scripts/deps.sh installs or from a minimal Debian 12
# (scripts/check-commands), and the quick start's scripts install what is
# missing before they call make.

bats_require_minimum_version 1.5.0

setup() {
	# run under make test or make check: the fake trees' makes must not
	# print "Entering directory" lines for the outer make's level
	unset MAKELEVEL MAKEFLAGS MFLAGS
	cd "$BATS_TEST_TMPDIR" || return 1
	# deps.sh's list without jq
	sed '/^jq$/d' "$GH_ROOT/scripts/deps.sh" > nojq.sh
	printf "pkgs='\n'\n" > none.sh
	: > empty.txt
}

check() {
	run --separate-stderr python3 "$GH_ROOT/scripts/check-commands" "$@"
}

@test "every command the tree runs comes from deps.sh's packages or a minimal Debian 12" {
	check
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$output"; false; }
}

@test "the check reads the tree: it finds commands in the suites, the Makefile and the scripts" {
	check -v
	[ "$status" -eq 0 ]
	[[ "$output" == *"# jq (tests/"*"): jq"* ]]
	[[ "$output" == *"# llvm-strip (Makefile:"*"): llvm"* ]]
	[[ "$output" == *"# apt-get (scripts/deps.sh:"*"): apt"* ]]
	[[ "$output" == *"# valgrind (tests/valgrind.bats:"*"): valgrind"* ]]
}

@test "a command from a package deps.sh does not install fails the check, wherever it runs" {
	msg="from package jq, which deps.sh does not install and a minimal Debian 12 lacks"
	for line in 'jq . f' 'x=$(jq . f)' 'echo "$(jq . f)"' "sh -c 'true; jq . f'" \
		'timeout 5 jq . f' 'run --separate-stderr jq . f' 'true | jq .' \
		'gh-trace -o ev -- jq . f' 'if jq . f; then :; fi' "	\$(Q)jq . f"; do
		printf '%s\n' "$line" > t.bats
		check --deps nojq.sh t.bats
		[ "$status" -eq 1 ] && [ "$output" = "jq (t.bats:1): $msg" ] ||
			{ echo "[$line]: $status $output"; false; }
		# the twin: with deps.sh's own list the same line passes
		check t.bats
		[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "[$line]: $status $output"; false; }
	done
}

@test "words that are text, not commands, are not taken for commands" {
	printf '%s\n' 'echo "jq; jq"' "x='| jq'" 'cat <<EOF' 'jq' 'EOF' '# jq' 'echo $((jq + 1)) "$((jq))"' \
		"python3 -c 'import jq'" > t.bats
	check --deps nojq.sh t.bats
	[ "$status" -eq 0 ] && [ -z "$output" ]
}

@test "a command of a minimal Debian 12 needs no package in deps.sh; without the minbase list it fails" {
	echo 'sed -n p f' > t.bats
	check --deps none.sh t.bats
	[ "$status" -eq 0 ] && [ -z "$output" ]
	check --deps none.sh --minbase empty.txt t.bats
	[ "$status" -eq 1 ]
	[ "$output" = "sed (t.bats:1): from package sed, which deps.sh does not install and a minimal Debian 12 lacks" ]
}

@test "deps.sh installs the sanitizer runtime, groff, valgrind, make and debootstrap" {
	for p in libclang-rt-14-dev groff-base valgrind make debootstrap iproute2; do
		grep -qx "$p" "$GH_ROOT/scripts/deps.sh" || { echo "$p missing"; false; }
	done
	# and it is quiet when all is there (no apt-get update)
	run --separate-stderr sh "$GH_ROOT/scripts/deps.sh"
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
}

@test "check-fresh fails loudly when the Debian mirror cannot be reached, and leaves nothing behind" {
	mkdir tmp
	run env FRESH_TMP="$BATS_TEST_TMPDIR/tmp" FRESH_MIRROR=http://127.0.0.1:9/debian \
		bash "$GH_ROOT/scripts/check-fresh"
	[ "$status" -eq 1 ]
	[[ "$output" == *"check-fresh: debootstrap could not build a Debian 12 root from http://127.0.0.1:9/debian (is the mirror reachable?)"* ]]
	[ -z "$(ls -A tmp)" ]
	# a tier it does not know is refused before anything is built
	run env FRESH_TMP="$BATS_TEST_TMPDIR/tmp" FRESH_TIER=all bash "$GH_ROOT/scripts/check-fresh"
	[ "$status" -eq 1 ]
	[ "$output" = "check-fresh: FRESH_TIER is check or test, not 'all'" ]
}

# fake_tree T F: a tree with scripts/test, a deps.sh that installs nothing,
# and a Makefile whose test exits T and check-fresh exits F.
fake_tree() {
	mkdir -p tree/scripts
	cp "$GH_ROOT/scripts/test" tree/scripts/
	printf '#!/bin/sh\nexit 0\n' > tree/scripts/deps.sh
	printf 'test:\n\t@echo "tests: 5 passed, 0 failed"; exit %s\ncheck:\n\t@echo quick\ncheck-fresh:\n\t@echo fresh-root; exit %s\n' \
		"$1" "$2" > tree/Makefile
}

@test "sh scripts/test runs make test and make check-fresh, the tally last; either failing fails it" {
	# as CI runs it (in make check-fresh's root GH_TEST_TIER is set)
	unset GH_TEST_TIER
	fake_tree 0 0
	run -0 sh tree/scripts/test
	[ "$output" = "tests: 5 passed, 0 failed
# make check-fresh (run alongside make test):
# check-fresh: fresh-root
tests: 5 passed, 0 failed" ]
	fake_tree 0 3
	run -1 sh tree/scripts/test
	[[ "$output" == *"not ok - make check-fresh failed (exit 2)"* ]]
	[ "${lines[${#lines[@]}-1]}" = "tests: 5 passed, 0 failed" ]
	fake_tree 2 0
	run -2 sh tree/scripts/test
	# the quick tier alone, as in the fresh root, and make test alone
	run -0 env GH_TEST_TIER=check sh tree/scripts/test
	[ "$output" = quick ]
	fake_tree 0 3
	run -0 env GH_TEST_TIER=test sh tree/scripts/test
	[ "$output" = "tests: 5 passed, 0 failed" ]
	run -2 env GH_TEST_TIER=all sh tree/scripts/test
}
