#!/usr/bin/env bats
# The build and the conventions every program shares.

bats_require_minimum_version 1.5.0

PROGS="gh-trace gh-aggregate gh-redact gh-sign gh-policy gh-train gh-archive"

@test "make install puts binaries, man pages and the starter policy in place" {
	make -s -C "$GH_ROOT" install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/usr > /dev/null
	(cd "$BATS_TEST_TMPDIR/root" && find . -type f | sort) > "$BATS_TEST_TMPDIR/got"
	cat > "$BATS_TEST_TMPDIR/want" <<'LIST'
./usr/bin/gh-aggregate
./usr/bin/gh-archive
./usr/bin/gh-policy
./usr/bin/gh-redact
./usr/bin/gh-sign
./usr/bin/gh-trace
./usr/bin/gh-train
./usr/share/glasshouse/agent.rules
./usr/share/man/man1/gh-aggregate.1
./usr/share/man/man1/gh-archive.1
./usr/share/man/man1/gh-policy.1
./usr/share/man/man1/gh-redact.1
./usr/share/man/man1/gh-sign.1
./usr/share/man/man1/gh-trace.1
./usr/share/man/man1/gh-train.1
./usr/share/man/man5/gh-events.5
./usr/share/man/man5/gh-policy.5
./usr/share/man/man5/gh-receipt.5
./usr/share/man/man7/glasshouse.7
LIST
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ -x "$BATS_TEST_TMPDIR/root/usr/bin/gh-trace" ]
}

@test "make uninstall removes what make install put there, and nothing else" {
	local r=$BATS_TEST_TMPDIR/root
	make -s -C "$GH_ROOT" install DESTDIR="$r" PREFIX=/usr > /dev/null
	# a file of the machine's own beside them stays
	echo mine > "$r/usr/share/man/man1/other.1"
	make -s -C "$GH_ROOT" uninstall DESTDIR="$r" PREFIX=/usr > /dev/null
	[ "$(cd "$r" && find . -type f)" = "./usr/share/man/man1/other.1" ]
	[ ! -e "$r/usr/share/glasshouse" ]
	# the twin: before uninstall the programs were there
	make -s -C "$GH_ROOT" install DESTDIR="$r" PREFIX=/usr > /dev/null
	[ -x "$r/usr/bin/gh-trace" ] && [ -e "$r/usr/share/glasshouse/agent.rules" ]
	# a policy of the machine's own keeps its directory
	echo "deny exec x" > "$r/usr/share/glasshouse/site.rules"
	make -s -C "$GH_ROOT" uninstall DESTDIR="$r" PREFIX=/usr > /dev/null
	[ "$(cd "$r" && find . -type f | sort)" = "./usr/share/glasshouse/site.rules
./usr/share/man/man1/other.1" ]
}

@test "every program: --help on stdout with exit 0, naming its synopsis" {
	for p in $PROGS; do
		run "$p" --help
		[ "$status" -eq 0 ] || { echo "$p --help: $status"; false; }
		[[ "$output" == *"$p"* ]] || { echo "$p: $output"; false; }
	done
}

@test "every program: --version prints its name and the version" {
	v=$(sed -n 's/^VERSION *:= *//p' "$GH_ROOT/Makefile")
	for p in $PROGS; do
		run "$p" --version
		[ "$status" -eq 0 ] && [ "$output" = "$p $v" ] || { echo "$p: $status $output"; false; }
	done
}

@test "every program: an unknown option is a usage error, exit 2, on stderr" {
	for p in $PROGS; do
		run --separate-stderr "$p" --no-such-option
		[ "$status" -eq 2 ] && [ -z "$output" ] && [[ "$stderr" == *"$p"* ]] ||
			{ echo "$p: $status out=$output err=$stderr"; false; }
	done
}
