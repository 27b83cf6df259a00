#!/usr/bin/env bats
# The C unit tests of lib/ under valgrind: no memory errors, no leaks.

vg() {
	run valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$@"
	echo "$output" | grep -v '^ok ' | tail -n 30
	[ "$status" -eq 0 ]
}

@test "valgrind: test_json clean" {
	vg "$GH_OUT/tests/test_json"
}

@test "valgrind: test_jcs clean" {
	vg "$GH_OUT/tests/test_jcs"
}

@test "valgrind: test_crypto clean" {
	vg "$GH_OUT/tests/test_crypto"
}

@test "valgrind: test_dsse clean" {
	vg "$GH_OUT/tests/test_dsse"
}

@test "valgrind: test_input clean" {
	vg "$GH_OUT/tests/test_input"
}

@test "valgrind: test_glob clean" {
	vg "$GH_OUT/tests/test_glob"
}

@test "valgrind: test_jv clean" {
	vg "$GH_OUT/tests/test_jv"
}

@test "valgrind: test_receipt clean" {
	vg "$GH_OUT/tests/test_receipt"
}

@test "valgrind: a planted leak is reported (the check can fail)" {
	printf '#include <stdlib.h>\nint main(void){ void *p = malloc(64); p = 0; return p != 0; }\n' \
		> "$BATS_TEST_TMPDIR/leak.c"
	cc -O0 -o "$BATS_TEST_TMPDIR/leak" "$BATS_TEST_TMPDIR/leak.c"
	run valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$BATS_TEST_TMPDIR/leak"
	[ "$status" -eq 99 ]
	[[ "$output" == *"definitely lost"* ]]
}

@test "valgrind: test_ring clean" {
	vg "$GH_OUT/tests/test_ring"
}

@test "valgrind: test_path clean" {
	vg "$GH_OUT/tests/test_path"
}
