#!/usr/bin/env bats
# The README's pipeline example, run exactly as printed: the first indented
# block of README.md, line by line, in a directory holding what it names (a
# Makefile to build, the starter policy, a key pair, a receipts/ folder).

bats_require_minimum_version 1.5.0

setup() {
	GH_ROOT=${GH_ROOT:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
	GH_BIN=${GH_BIN:-$GH_ROOT/bin}
	PATH="$GH_BIN:$PATH"
	cd "$BATS_TEST_TMPDIR"
}

# The first block of lines indented by four spaces, without the indent.
readme_block() {
	awk '/^    [^ ]/ { print substr($0, 5); seen = 1; next } seen { exit }' "$GH_ROOT/README.md"
}

@test "README: the pipeline example runs as printed" {
	[ "$(id -u)" -eq 0 ] || skip "tracing needs root"
	readme_block > pipeline.sh
	# the block is the one this test was written for
	grep -q '^gh-trace .*make -j2 .*| gh-aggregate > receipt.json' pipeline.sh
	grep -q '^gh-policy -a policies/agent.rules receipt.json > judged.json' pipeline.sh
	# what the commands name
	printf 'all: hello\nhello: hello.c\n\tcc -o hello hello.c\n' > Makefile
	printf 'int main(void) { return 0; }\n' > hello.c
	mkdir policies receipts
	cp "$GH_ROOT/policies/"*.rules policies/
	cp "$GH_ROOT/tests/fixtures/train/quiet.json" receipts/
	grep -q 'gh-sign -G' pipeline.sh || gh-sign -G -s key.pem -p pub.pem
	# every line as printed, in order; gh-policy may say 1 (violations)
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		run bash -o pipefail -c "$line"
		case $line in
		gh-policy*) [ "$status" -le 1 ] ;;
		*) [ "$status" -eq 0 ] ;;
		esac || { echo "line $n: status $status: $line"; echo "$output"; false; }
	done < pipeline.sh
	[ "$n" -ge 6 ]
	# what each step left
	[ "$(jq -r .observation_mode receipt.json)" = ebpf ]
	jq -e '.process_tree[] | select(.argv[0] == "cc")' receipt.json > /dev/null
	[ "$(jq -r .policy.verdict judged.json)" = pass ]
	[ "$(jq -r .policy.verdict signed.json)" = pass ]
	jq -e .signature signed.json > /dev/null
	gh-sign -V -q -p pub.pem signed.json
	[ "$(wc -l < features.csv)" -eq 2 ]
	[ -s receipts.db ]
}

@test "README: the twin: a tampered receipt fails the verification line" {
	readme_block > pipeline.sh
	line=$(grep '^gh-sign -V' pipeline.sh)
	gh-sign -G -s key.pem -p pub.pem
	gh-sign -S -s key.pem "$GH_ROOT/tests/fixtures/train/quiet.json" > signed.json
	run bash -c "$line"
	[ "$status" -eq 0 ]
	jq '.exit_code = 1' signed.json > t.json && mv t.json signed.json
	run bash -c "$line"
	[ "$status" -eq 1 ]
}
