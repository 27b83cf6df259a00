# What the suites of the filters share (gh-aggregate.bats, gh-diff.bats,
# gh-show.bats, gh-show-html.bats, gh-train.bats, hostile*.bats,
# readme.bats), loaded with bats' load.
#
#   filter_setup   in setup: GH_ROOT (tests/run's, else this checkout) and
#                  the programs of GH_BIN (default GH_ROOT/bin) first in
#                  PATH, so that a suite also runs alone under bats
#   bad_input PROG FIXTURE FILTER
#                  PROG on FIXTURE changed by the jq FILTER ($T/bad.json):
#                  prints PROG's stderr, checks that its stdout stays
#                  empty (else status 98), returns PROG's status (99 when
#                  FILTER fails)

filter_setup() {
	GH_ROOT=${GH_ROOT:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
	GH_BIN=${GH_BIN:-$GH_ROOT/bin}
	PATH="$GH_BIN:$PATH"
}

bad_input() {
	jq "$3" "$2" > "$T/bad.json" || return 99
	"$1" "$T/bad.json" > "$T/out" 2> "$T/err"
	local rc=$?
	[ ! -s "$T/out" ] || { echo "stdout not empty"; return 98; }
	cat "$T/err"
	return $rc
}
