#!/usr/bin/env bats
# The README's pipeline example, run exactly as printed: the first indented
# block of README.md, its lines in order in one shell, in a directory
# holding what it names (a Makefile to build, a receipts/ folder), with the
# starter policy at its installed path in a private mount namespace.

bats_require_minimum_version 1.5.0
load filter

setup() {
	filter_setup
	cd "$BATS_TEST_TMPDIR"
}

# The first block of lines indented by four spaces, without the indent.
readme_block() {
	awk '/^    [^ ]/ { print substr($0, 5); seen = 1; next } seen { exit }' "$GH_ROOT/README.md"
}

@test "README: the pipeline example runs as printed" {
	[ "$(id -u)" -eq 0 ] || skip "tracing needs root"
	unshare -m true 2>/dev/null || skip "unshare -m cannot make a mount namespace here"
	readme_block > pipeline.sh
	# the block is the one this test was written for
	grep -q '^gh-trace .*make -j2 .*| gh-aggregate > receipt.json' pipeline.sh
	grep -q '^gh-policy -a [^ ]*agent.rules receipt.json > judged.json' pipeline.sh
	# what the commands name
	printf 'all: hello\nhello: hello.c\n\tcc -o hello hello.c\n' > Makefile
	printf 'int main(void) { return 0; }\n' > hello.c
	mkdir receipts share
	cp "$GH_ROOT/tests/fixtures/train/quiet.json" receipts/
	cp "$GH_ROOT/tests/fixtures/train/quiet.json" yesterday.json
	cp "$GH_ROOT/policies/"*.rules share/
	# each line as printed, then its status on a line of its own
	while IFS= read -r line; do
		printf '%s\necho $? >> statuses\n' "$line"
	done < pipeline.sh > runner.sh
	echo 'printf "%s\n" "${k-.}" > keydir' >> runner.sh
	# /usr/local/share/glasshouse is the starter policies, in this namespace only
	unshare -m sh -c 'mount -t tmpfs gh-readme /usr/local/share &&
		mkdir /usr/local/share/glasshouse &&
		cp share/*.rules /usr/local/share/glasshouse/ &&
		bash -o pipefail runner.sh' > run.out 2>&1 || true
	cat run.out
	# every line succeeded (gh-policy may say 1: violations)
	n=0
	paste -d '\t' statuses pipeline.sh | while IFS=$'\t' read -r st line; do
		case $line in
		gh-policy* | gh-diff*) [ "$st" -le 1 ] ;;
		*) [ "$st" -eq 0 ] ;;
		esac || { echo "status $st: $line"; exit 1; }
	done
	[ "$(wc -l < statuses)" -eq "$(wc -l < pipeline.sh)" ]
	[ "$(wc -l < statuses)" -ge 6 ]
	# what each step left
	[ "$(jq -r .observation_mode receipt.json)" = ebpf ]
	jq -e '.process_tree[] | select(.argv[0] == "cc")' receipt.json > /dev/null
	[ "$(jq -r .policy.verdict judged.json)" = pass ]
	[ "$(jq -r .policy.verdict signed.json)" = pass ]
	jq -e .signature signed.json > /dev/null
	gh-sign -V -q -p "$(cat keydir)/pub.pem" signed.json
	[ "$(wc -l < features.csv)" -eq 2 ]
	[ -s receipts.db ]
	grep -q '^<!DOCTYPE html>' report.html
	# the namespace's mount did not leak out
	[ ! -e /usr/local/share/glasshouse/base-runtime.rules ] ||
		cmp -s /usr/local/share/glasshouse/base-runtime.rules "$GH_ROOT/policies/base-runtime.rules"
}

@test "README: the twin: a tampered receipt fails the verification line" {
	readme_block > pipeline.sh
	{ grep -E '^k=|^gh-sign -G' pipeline.sh; echo 'gh-sign -S -s $k/key.pem r.json > signed.json'
	  echo "jq '.exit_code = 1' signed.json > t.json && mv t.json signed.json"
	  grep '^gh-sign -V' pipeline.sh; } > twin.sh
	cp "$GH_ROOT/tests/fixtures/train/quiet.json" r.json
	run bash twin.sh
	[ "$status" -eq 1 ]
	# the same lines without the tampering verify
	sed -i '/^jq /d' twin.sh
	run bash twin.sh
	[ "$status" -eq 0 ]
}
