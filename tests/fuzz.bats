#!/usr/bin/env bats
# Short bounded libFuzzer runs of every target (tests/fuzz/fuzz_*.c) with
# ASan and UBSan; a longer run is `make fuzz FUZZ_SECONDS=N`.

setup_file() {
	make -s -C "$GH_ROOT" OUT="$GH_OUT" fuzz-build >&2
}

fuzz_one() {
	local name=$1 secs=${GH_FUZZ_SECONDS:-10}
	run "$GH_OUT/fuzz/$name" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$BATS_TEST_TMPDIR/" \
		"$BATS_TEST_TMPDIR" "${@:2}"
	echo "$output" | tail -n 20
	[ "$status" -eq 0 ]
	[[ "$output" == *"Done "*" runs in "* ]]
}

@test "fuzz: strict JSON parser and stream readers, no crash" {
	fuzz_one fuzz_json "$GH_SHARED/conformance/JSONTestSuite/test_parsing" "$GH_ROOT/tests/fixtures"
}

@test "fuzz: RFC 8785 canonicalizer, no crash, canonical form a fixed point" {
	fuzz_one fuzz_jcs "$GH_SHARED/conformance/jcs/input" "$GH_SHARED/conformance/JSONTestSuite/test_transform"
}

@test "fuzz: glob compiler and matcher, no crash" {
	fuzz_one fuzz_glob "$GH_ROOT/tests/fuzz/seeds/glob"
}

@test "fuzz: gh-policy rules parser, no crash, no leak" {
	fuzz_one fuzz_policy "$GH_ROOT/tests/fuzz/seeds/policy" "$GH_ROOT/tests/fixtures/policy"
}

@test "fuzz: receipt reader (lib/receipt), no crash, every error located" {
	fuzz_one fuzz_receipt "$GH_ROOT/tests/fixtures/show" "$GH_ROOT/tests/fixtures/aggregate"
}

@test "fuzz: event stream reader (lib/events), no crash, records only from lines JSON reads alike, errors located" {
	fuzz_one fuzz_events "$GH_ROOT/tests/fixtures/aggregate" "$GH_ROOT/tests/fixtures/gh-trace"
}

@test "fuzz: DNS message decoder (lib/dns), no crash, a verdict and bounded names for any bytes" {
	fuzz_one fuzz_dns "$GH_ROOT/tests/fuzz/seeds/dns"
}

@test "fuzz: DSSE envelope reader (lib/dsse), no crash, a verdict and a PAE of what was read" {
	# the seed: gh-sign --attest -s KEY --subject Makefile tests/fixtures/aggregate/notfound.json
	fuzz_one fuzz_dsse "$GH_ROOT/tests/fuzz/seeds/dsse"
}

@test "fuzz: a planted crash is detected (the harness can fail)" {
	# a target that aborts on one input: libFuzzer must report it
	cat > "$BATS_TEST_TMPDIR/planted.c" <<'C'
#include <stdlib.h>
#include <string.h>
int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)
{
	if (n >= 3 && memcmp(d, "BUG", 3) == 0)
		abort();
	return 0;
}
C
	clang -fsanitize=fuzzer -o "$BATS_TEST_TMPDIR/planted" "$BATS_TEST_TMPDIR/planted.c"
	mkdir -p "$BATS_TEST_TMPDIR/seed"
	printf 'BUG' > "$BATS_TEST_TMPDIR/seed/1"
	run "$BATS_TEST_TMPDIR/planted" -runs=10 -artifact_prefix="$BATS_TEST_TMPDIR/" "$BATS_TEST_TMPDIR/seed"
	[ "$status" -ne 0 ]
	[[ "$output" == *"deadly signal"* ]]
}
