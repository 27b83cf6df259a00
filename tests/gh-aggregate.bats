#!/usr/bin/env bats
# gh-aggregate: gh-events(5) stream -> receipt (man/man1/gh-aggregate.1).
#
# The *.ndjson fixtures are real gh-trace recordings (see
# tests/fixtures/aggregate/record and README) or hand-edited copies of them;
# expected receipts are compared byte for byte.

load filter

setup() {
	filter_setup
	F=$GH_ROOT/tests/fixtures/aggregate
	T=$BATS_TEST_TMPDIR
}

# receipt NAME [OPTION]: gh-aggregate's receipt of NAME.ndjson equals
# NAME.json (NAME.v0.json with --v0), byte for byte, with exit 0 and
# nothing on stderr.
receipt() {
	local name=$1 opt=${2:-} want=$F/$1.json

	[ -z "$opt" ] || want=$F/$1.v0.json
	gh-aggregate $opt "$F/$name.ndjson" > "$T/out" 2> "$T/err" || return $?
	[ ! -s "$T/err" ] || { cat "$T/err"; return 97; }
	cmp "$want" "$T/out" || { diff "$want" "$T/out" | head -20; return 98; }
}

# bad FILE MESSAGE: gh-aggregate FILE exits 2 with exactly
# "gh-aggregate: FILE:LINE: reason" (MESSAGE) on stderr and nothing on stdout.
bad() {
	local rc=0

	gh-aggregate "$1" > "$T/out" 2> "$T/err" || rc=$?
	[ "$rc" -eq 2 ] || { echo "exit $rc"; return 96; }
	[ ! -s "$T/out" ] || { echo "stdout not empty"; return 97; }
	[ "$(cat "$T/err")" = "$2" ] || { echo "stderr: $(cat "$T/err")"; return 98; }
}

# badf NAME REASON: bad on tests/fixtures/aggregate/bad/NAME.ndjson, whose
# message is "gh-aggregate: bad/NAME.ndjson:REASON".
badf() {
	cd "$F"
	bad "bad/$1.ndjson" "gh-aggregate: bad/$1.ndjson:$2"
}

# --- options ---------------------------------------------------------------

@test "--help prints the usage on stdout and exits 0" {
	run gh-aggregate --help
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$F/help.txt")" ]
	run gh-aggregate -h
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$F/help.txt")" ]
}

@test "--version prints name and version" {
	run gh-aggregate --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^gh-aggregate\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "an unknown option is a usage error with exit 2 and nothing on stdout" {
	gh-aggregate --bogus "$F/net.ndjson" > "$T/out" 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ ! -s "$T/out" ]
	[ "$(cat "$T/err")" = "gh-aggregate: unknown option '--bogus'
usage: gh-aggregate [--v0] [FILE]" ]
	# an option given an argument it does not take
	gh-aggregate --v0=yes "$F/net.ndjson" > "$T/out" 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ] && [ ! -s "$T/out" ]
	[ "$(head -1 "$T/err")" = "gh-aggregate: option '--v0' takes no argument" ]
}

@test "two input files are a usage error" {
	gh-aggregate "$F/net.ndjson" "$F/net.ndjson" > "$T/out" 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ ! -s "$T/out" ]
	[ "$(head -1 "$T/err")" = "gh-aggregate: too many arguments" ]
}

@test "a missing input file is an error naming it" {
	bad "$T/nope.ndjson" "gh-aggregate: $T/nope.ndjson: No such file or directory"
}

@test "an input that cannot be read (a directory) is an error" {
	mkdir "$T/dir"
	bad "$T/dir" "gh-aggregate: $T/dir: read error: Is a directory"
}

@test "a write error (full disk) is exit 2 with a message" {
	run gh-aggregate "$F/net.ndjson"
	[ "$status" -eq 0 ]
	gh-aggregate "$F/net.ndjson" > /dev/full 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ "$(cat "$T/err")" = "gh-aggregate: write error: No space left on device" ]
}

# --- receipts of real recordings -------------------------------------------

@test "files: every file record type, child processes, a signal: the receipt" {
	receipt files
}

@test "net: connect, send, bind, listen, accept, unix, IPv6: the receipt" {
	receipt net
}

@test "exchange: renameat2 RENAME_EXCHANGE is a rename each way, both names written" {
	receipt exchange
	jq -c '[.filesystem.accesses[] | select(.op == "rename") | [.path, .target]]' \
		"$F/exchange.json" > "$T/renames"
	[ "$(cat "$T/renames")" = '[["/tmp/gh-fx/a","/tmp/gh-fx/b"],["/tmp/gh-fx/b","/tmp/gh-fx/a"],["/tmp/gh-fx/b","/tmp/gh-fx/c"]]' ]
	[ "$(jq -c .filesystem.writes "$F/exchange.json")" = '["/tmp/gh-fx/a","/tmp/gh-fx/b","/tmp/gh-fx/c"]' ]
	# the twin: the same record without RENAME_EXCHANGE is one rename, and
	# the old name is not written
	sed 's/"new_raw":"b","flags":2,/"new_raw":"b","flags":0,/' "$F/exchange.ndjson" > "$T/plain.ndjson"
	! cmp -s "$F/exchange.ndjson" "$T/plain.ndjson"
	gh-aggregate "$T/plain.ndjson" > "$T/plain.json"
	[ "$(jq -c '[.filesystem.accesses[] | select(.op == "rename") | [.path, .target]]' "$T/plain.json")" = '[["/tmp/gh-fx/a","/tmp/gh-fx/b"],["/tmp/gh-fx/b","/tmp/gh-fx/c"]]' ]
	[ "$(jq -c .filesystem.writes "$T/plain.json")" = '["/tmp/gh-fx/b","/tmp/gh-fx/c"]' ]
}

@test "core: a process that dumped core makes the receipt partial (the core file is not recorded)" {
	receipt core
	[ "$(jq -r .completeness "$F/core.json")" = partial ]
	[ "$(jq -c .completeness_reasons "$F/core.json")" = '["core_dump: 1 processes dumped core: the file the kernel wrote for them is not recorded"]' ]
	# the twin: the same stream without the core dump is closed
	sed 's/"signal":11,"core":true}/"signal":11,"core":false}/' "$F/core.ndjson" > "$T/nocore.ndjson"
	! cmp -s "$F/core.ndjson" "$T/nocore.ndjson"
	gh-aggregate "$T/nocore.ndjson" > "$T/nocore.json"
	[ "$(jq -r .completeness "$T/nocore.json")" = closed ]
	[ "$(jq -c .completeness_reasons "$T/nocore.json")" = '[]' ]
}

@test "outside: TIOCSTI, a descriptor received over SCM_RIGHTS, a relative unix name: the receipt" {
	receipt outside
	[ "$(jq -c '[.actions[] | select(.type == "tty_inject" or .type == "fd_received") | [.type, .path, .name]]' "$T/out")" = \
		'[["fd_received","/tmp/gh-fx/passed",null],["tty_inject","/dev/pts/0","TIOCSTI"]]' ]
	[ "$(jq -c '[.completeness, .completeness_reasons]' "$T/out")" = \
		'["partial",["tty_injection: 1 inputs pushed into a terminal (TIOCSTI, TIOCLINUX paste): what reads them runs outside the traced tree, after the run"]]' ]
	[ "$(jq -c '[.network.inbound[], .network.attempts[] | [.addr // .dst, .addr_raw]]' "$T/out")" = \
		'[["unix:/tmp/gh-fx/rel.sock","rel.sock"],["unix:/tmp/gh-fx/pass.sock","pass.sock"]]' ]
	# the twins: the TIOCSTI refused (ret -5) is an action but leaves the
	# receipt closed; control data not all read makes it partial
	sed 's/"name":"TIOCSTI","ret":0}/"name":"TIOCSTI","ret":-5,"err":"EIO"}/' "$F/outside.ndjson" > "$T/refused.ndjson"
	! cmp -s "$F/outside.ndjson" "$T/refused.ndjson"
	gh-aggregate "$T/refused.ndjson" > "$T/refused.json"
	[ "$(jq -c '[.completeness, .completeness_reasons, [.actions[] | select(.type == "tty_inject") | .result]]' "$T/refused.json")" = '["closed",[],["EIO"]]' ]
	sed 's/"scm_rights_unread":0}/"scm_rights_unread":1}/' "$T/refused.ndjson" > "$T/unread.ndjson"
	! cmp -s "$T/refused.ndjson" "$T/unread.ndjson"
	gh-aggregate "$T/unread.ndjson" > "$T/unread.json"
	[ "$(jq -c .completeness_reasons "$T/unread.json")" = \
		'["scm_rights_unread: 1 received messages whose descriptors (SCM_RIGHTS) were not all read: control data cut or beyond the limits"]' ]
}

@test "notfound: the command cannot be executed: outcome.error says why" {
	receipt notfound
	[ "$(jq -r .outcome.error "$T/out")" = "cannot execute the command: ENOENT" ]
	[ "$(jq -r .exit_code "$T/out")" = 127 ]
}

@test "truncated: an argv cut at --argv-limit makes the receipt partial" {
	receipt truncated
	[ "$(jq -c .completeness_reasons "$T/out")" = '["1 records truncated"]' ]
	[ "$(jq -c '.process_tree[0].argv_truncated' "$T/out")" = true ]
}

@test "stdout: a captured stdout is in artifacts with its byte count" {
	receipt stdout
	[ "$(jq -c .artifacts.stdout "$T/out")" = '{"bytes":6,"path":"/tmp/gh-fx/out.txt"}' ]
}

@test "noaudit: audit unavailable gives observation_mode none, partial, and why" {
	receipt noaudit
	[ "$(jq -r .observation_mode "$T/out")" = none ]
	[ "$(jq -c .completeness_reasons "$T/out")" = '["audit unavailable: not running as root (euid 65534)"]' ]
}

@test "files: a closed receipt has no reasons; the process killed by SIGTERM is 143" {
	receipt files
	[ "$(jq -r .completeness "$T/out")" = closed ]
	[ "$(jq -c .completeness_reasons "$T/out")" = '[]' ]
	[ "$(jq -c '[.exit_code, .outcome.exit_code, .outcome.signal]' "$T/out")" = '[143,null,15]' ]
}

@test "--v0 writes the older shape (files, net, a cut stream, hostile names)" {
	receipt files --v0
	[ "$(jq -c 'keys' "$T/out")" = '["command","duration_ms","execution_id","exit_code","filesystem","network","processes"]' ]
	[ "$(jq -c '.filesystem | keys' "$T/out")" = '["read","written"]' ]
	receipt net --v0
	receipt cut --v0
	receipt hostile --v0
}

@test "reading stdin, or '-', gives the same receipt as the file" {
	gh-aggregate < "$F/net.ndjson" > "$T/a"
	cmp "$F/net.json" "$T/a"
	gh-aggregate - < "$F/net.ndjson" > "$T/b"
	cmp "$F/net.json" "$T/b"
}

# --- determinism ---------------------------------------------------------------

@test "the same stream always gives the same bytes" {
	gh-aggregate "$F/files.ndjson" > "$T/a"
	gh-aggregate "$F/files.ndjson" > "$T/b"
	cmp "$T/a" "$T/b"
	cmp "$F/files.json" "$T/a"
}

@test "file and network records in another order give the same lists" {
	# net.ndjson: lines 3-54 are opens and network records of one process
	{ sed -n 1,2p "$F/net.ndjson"; sed -n 3,54p "$F/net.ndjson" | tac
	  sed -n '55,$p' "$F/net.ndjson"; } > "$T/rev.ndjson"
	gh-aggregate "$T/rev.ndjson" > "$T/rev.json"
	for k in filesystem network syscalls; do
		[ "$(jq -c ".$k" "$T/rev.json")" = "$(jq -c ".$k" "$F/net.json")" ]
	done
	# the last record's time is not the duration: only the order changed
	cmp <(jq -c 'del(.filesystem, .network, .syscalls)' "$T/rev.json") \
	    <(jq -c 'del(.filesystem, .network, .syscalls)' "$F/net.json")
}

@test "attempts sort by destination, then protocol and operation, whatever the order of the records" {
	receipt peers
	[ "$(jq -c '[.network.attempts[] | [.dst, .protocol, .op, .result]]' "$T/out")" = \
		'[["127.0.0.1:9","tcp","connect","refused"],["127.0.0.1:9","udp","send","ok"],["127.0.0.2:9","tcp","connect","refused"],["127.0.0.2:9","udp","send","ok"]]' ]
	# the twin: the network records in reverse order, the same network
	awk 'NR == FNR { if (/"type":"(connect|send)"/) n[++k] = $0; next }
	     /"type":"(connect|send)"/ { print n[k--]; next } 1' \
		"$F/peers.ndjson" "$F/peers.ndjson" > "$T/rev.ndjson"
	! cmp -s "$F/peers.ndjson" "$T/rev.ndjson"
	gh-aggregate "$T/rev.ndjson" > "$T/rev.json"
	[ "$(jq -c .network "$T/rev.json")" = "$(jq -c .network "$F/peers.json")" ]
}

@test "records whose members change order from line to line give the same receipt" {
	# the reader first tries the member the last record of a type had at
	# each position: every other record reversed keeps it guessing wrong
	jq -c 'if input_line_number % 2 == 0 then to_entries | reverse | from_entries else . end' \
		"$F/files.ndjson" > "$T/mixed.ndjson"
	! cmp -s "$F/files.ndjson" "$T/mixed.ndjson"
	gh-aggregate "$T/mixed.ndjson" > "$T/out"
	cmp "$F/files.json" "$T/out"
	# the twin: a member guessed right but there twice is refused
	sed '3s/^{"type":"open",/&"path":"\/x",/' "$F/files.ndjson" > "$T/dup.ndjson"
	bad "$T/dup.ndjson" "gh-aggregate: $T/dup.ndjson:3: path: duplicate member name"
	sed '4s/"path":/"tid":1,&/' "$F/files.ndjson" > "$T/dup.ndjson"
	bad "$T/dup.ndjson" "gh-aggregate: $T/dup.ndjson:4: tid: duplicate member name"
}

@test "pid reuse: two processes with one pid stay two, in start order" {
	receipt reuse
	[ "$(jq -c '[.process_tree[] | [.pid, .exe, .exit_code]]' "$T/out")" = \
	  '[[32323,"/usr/bin/dash",1],[700,"/usr/bin/true",0],[700,"/usr/bin/false",1]]' ]
}

# --- incomplete streams --------------------------------------------------------

@test "a stream without its end line gives a partial receipt saying so" {
	receipt cut
	[ "$(jq -r .completeness "$T/out")" = partial ]
	[ "$(jq -c .completeness_reasons "$T/out")" = '["stream ended without end record"]' ]
	# the command's exit record is still there: its status is known
	[ "$(jq -c '[.exit_code, .outcome.signal, .end_time]' "$T/out")" = '[143,15,null]' ]
}

@test "a stream cut inside a record (no newline) is partial, not an error" {
	receipt cutmid
	[ "$(jq -c .completeness_reasons "$T/out")" = \
	  '["stream cut off inside a record at line 50","stream ended without end record"]' ]
	[ "$(jq -c '[.exit_code, .outcome.exit_code, .outcome.error]' "$T/out")" = \
	  '[null,null,"stream ended without end record"]' ]
}

@test "a cut line that still has its newline is an error" {
	badf cut-with-newline "21: unexpected end of input, expected string key"
}

@test "lost records (ring buffer, memory faults) make the receipt partial" {
	receipt lost
	[ "$(jq -c .completeness_reasons "$T/out")" = \
	  '["lost 1 records: user memory fault","lost 3 records: ring buffer full"]' ]
	[ "$(jq -c .loss "$T/out")" = '{"fault":1,"ringbuf":3,"truncated":0}' ]
}

@test "a record missing from the stream (count differs from the end line) is partial" {
	receipt missing-line
	[ "$(jq -c .completeness_reasons "$T/out")" = '["end record counts 32 records, stream has 31"]' ]
}

# --- hostile strings -------------------------------------------------------------

@test "hostile: quotes, newlines, controls, escapes and non-UTF-8 bytes survive" {
	receipt hostile
	# raw bytes come back from the *_hex members
	[ "$(jq -r '.filesystem.accesses[] | select(.op == "read") | .path_hex' "$T/out" | tr '\n' ' ')" = \
	  "2f746d702ffe 2f746d702fff " ]
	[ "$(jq -r '.process_tree[0].argv_hex[3]' "$T/out")" = 78ff790a01 ]
	[ "$(jq -r '.process_tree[0].exe_hex' "$T/out")" = 2f7573722f62696e2f80227368 ]
	[ "$(jq -r '.network.attempts[0].dst_hex' "$T/out")" = 756e69783a40ff736f636b ]
	[ "$(jq -r '.filesystem.accesses[] | select(.op == "create") | .path' "$T/out")" = \
	  "$(printf '/tmp/tab\there "quoted" back\\slash \303\251\342\202\254\360\237\230\200')" ]
}

@test "files: a recorded file name with a quote, a newline and byte 0xff" {
	receipt files
	[ "$(jq -r '[.filesystem.accesses[] | select(.path_hex)] | length' "$T/out")" = 2 ]
	# /tmp/gh-fx/d/q"uote<newline>new<0xff>line
	[ "$(jq -r '.filesystem.accesses[] | select(.path_hex) | .path_hex' "$T/out" | sort -u)" = \
	  2f746d702f67682d66782f642f7122756f74650a6e6577ff6c696e65 ]
	[ "$(jq -r '.filesystem.writes[5]' "$T/out")" = "$(printf '/tmp/gh-fx/d/q"uote\nnew\357\277\275line')" ]
}

@test "a byte that is not UTF-8 outside a *_hex member is an error" {
	badf json-invalid-utf8 "3: invalid UTF-8 in string"
}

@test "a malformed *_hex member is an error" {
	badf path-hex-bad '3: open: member "path_hex" must be lowercase hex'
	badf path-hex-odd '3: open: member "path_hex" must be lowercase hex'
	badf argv-hex-length '2: exec: member "argv_hex" must be an array as long as "argv"'
}

# --- invalid streams ---------------------------------------------------------------

@test "invalid JSON is an error with file:line and nothing on stdout" {
	badf json-garbage "48: unexpected data after the value"
	badf json-single-quote "3: unexpected character ''', expected string key"
	badf json-raw-tab "3: unescaped control character 0x09 in string"
	badf json-leading-zero "3: leading zero in number"
	badf json-lone-surrogate '3: lone high surrogate \ud800'
	badf json-big-int "3: integer out of range"
	badf json-not-object "3: a record must be a JSON object"
}

@test "an unknown record type is an error" {
	badf type-unknown '47: unknown record type "teleport"'
	badf type-missing '47: missing member "type"'
	badf type-number '47: member "type" must be a string'
}

@test "a missing required member is an error" {
	badf pid-missing '3: open: missing member "pid"'
	badf flags-missing '3: open: missing member "flags"'
	badf err-missing '47: connect: missing member "err" (ret is negative)'
	badf result-missing '47: connect: missing member "result"'
	badf audit-missing '1: header: missing member "audit"'
	badf rusage-missing-field '56: end: missing member "rusage.maxrss_kb"'
}

@test "a member of the wrong type or value is an error" {
	badf ret-string '3: open: member "ret" must be an integer'
	badf t-float '48: send: member "t" must be an integer'
	badf t-negative '3: open: member "t" must not be negative'
	badf argv-not-strings '2: exec: member "argv" must be an array of strings'
	badf audit-active-string '1: header: member "audit.active" must be a boolean'
	badf audit-programs-number '1: header: member "audit.programs" must be a string'
	badf audit-bpf-sha-array '1: header: member "audit.bpf_object_sha256" must be a string'
	badf proto-unknown '47: connect: member "proto" has an unknown value "sctp"'
	badf start-bad '1: header: member "start" must be an RFC 3339 UTC time'
}

@test "the header comes first and once, the end record last" {
	badf no-header "1: the first record must be a header, not exec"
	badf two-headers "2: a second header record"
	badf after-end "57: open record after the end record"
	badf schema-3 "1: header: events schema 3 is not supported (only 1 and 2)"
}

@test "an empty stream, or one whose header is cut, is an error" {
	cd "$F"
	bad bad/empty.ndjson "gh-aggregate: bad/empty.ndjson: no header record"
	bad bad/header-cut.ndjson "gh-aggregate: bad/header-cut.ndjson:1: unterminated string"
}

@test "errors on stdin are named <stdin>" {
	gh-aggregate < "$F/bad/type-unknown.ndjson" > "$T/out" 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ ! -s "$T/out" ]
	[ "$(cat "$T/err")" = 'gh-aggregate: <stdin>:47: unknown record type "teleport"' ]
}

@test "blank lines are skipped but counted in line numbers" {
	{ sed -n 1,2p "$F/bad/type-unknown.ndjson"; printf '\n  \n'
	  sed -n '3,$p' "$F/bad/type-unknown.ndjson"; } > "$T/blank.ndjson"
	bad "$T/blank.ndjson" "gh-aggregate: $T/blank.ndjson:49: unknown record type \"teleport\""
	{ sed -n 1,2p "$F/net.ndjson"; printf '\n\t\r\n'; sed -n '3,$p' "$F/net.ndjson"; } > "$T/ok.ndjson"
	gh-aggregate "$T/ok.ndjson" | cmp "$F/net.json"
}

@test "CRLF line ends and a last line without newline are accepted" {
	sed 's/$/\r/' "$F/notfound.ndjson" > "$T/crlf.ndjson"
	gh-aggregate "$T/crlf.ndjson" | cmp "$F/notfound.json"
	head -c -1 "$F/notfound.ndjson" > "$T/nonl.ndjson"
	gh-aggregate "$T/nonl.ndjson" | cmp "$F/notfound.json"
}

@test "JSONTestSuite: every y_ value is accepted in a record (but duplicate names), every n_ rejected, no i_ crashes" {
	local dir=$GH_SHARED/conformance/JSONTestSuite/test_parsing f rc n=0 head err san
	[ -d "$dir" ] || skip "no $dir"
	read -r head < "$F/notfound.ndjson"
	# n_ runs end in gh_die: no leak check for them in the sanitizer build
	san=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	for f in "$dir"/[yni]_*.json; do
		# the value of an unknown member "x", which readers must check and skip
		{ printf '%s\n{"type":"fork","t":1,"pid":2,"ppid":1,"tid":1,"x":' "$head"
		  case ${f##*/} in y_*) tr -d '\n' < "$f" ;; *) cat "$f" ;; esac
		  printf '}\n'; } > "$T/in.ndjson"
		rc=0
		case ${f##*/} in
		n_*) ASAN_OPTIONS=$san gh-aggregate "$T/in.ndjson" > "$T/out" 2> "$T/err" || rc=$? ;;
		*) gh-aggregate "$T/in.ndjson" > "$T/out" 2> "$T/err" || rc=$? ;;
		esac
		err=
		read -r -d '' err < "$T/err" || true
		case ${f##*/} in
		# a member name twice in one object is refused (I-JSON)
		y_object_duplicated_key*) [ "$rc" -eq 2 ] && [[ "$err" == *"x.a: duplicate member name" ]] ||
			{ echo "${f##*/}: exit $rc: $err"; return 1; } ;;
		y_*) [ "$rc" -eq 0 ] || { echo "rejected ${f##*/}: $err"; return 1; } ;;
		n_*) [ "$rc" -eq 2 ] && [ ! -s "$T/out" ] && [[ "$err" == "gh-aggregate: "*":2: "* ]] ||
			{ echo "accepted ${f##*/}"; return 1; } ;;
		i_*) [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] || { echo "${f##*/}: exit $rc"; return 1; } ;;
		esac
		n=$((n + 1))
	done
	[ "$n" -eq 318 ]
}

# --- memory ----------------------------------------------------------------------

@test "memory grows with distinct paths, not events: 500k records in 16 MB of address space" {
	# sanitizer runtimes reserve terabytes of address space (clang links
	# them statically, so look for their symbols, not a shared library)
	if grep -qa -e __asan_init -e __tsan_init "$GH_BIN/gh-aggregate"; then
		skip "sanitizer build reserves address space"
	fi
	cc -O2 -o "$T/gen" "$GH_ROOT/bench/aggregate/gen.c"
	"$T/gen" -n 5000 -p 300 > "$T/small.ndjson"
	"$T/gen" -n 500000 -p 300 > "$T/big.ndjson"
	(ulimit -v 16000; gh-aggregate "$T/small.ndjson" > "$T/small.json")
	(ulimit -v 16000; gh-aggregate "$T/big.ndjson" > "$T/big.json")
	[ "$(jq '.filesystem.accesses | length' "$T/big.json")" -gt 300 ]
	# and a limit far below what the tables need is an error, not a crash
	"$T/gen" -n 200000 -p 100000 > "$T/wide.ndjson"
	(ulimit -v 16000; gh-aggregate "$T/wide.ndjson" > "$T/wide.json" 2> "$T/err") && false || rc=$?
	[ "$rc" -eq 2 ]
	grep -qx "gh-aggregate: \(.*: \)\?out of memory" "$T/err"
}

# argv_json ARG...: the arguments as one compact JSON array.
argv_json() {
	python3 -c 'import json, sys; print(json.dumps(sys.argv[1:], separators=(",", ":"), ensure_ascii=False))' "$@"
}

@test "processes[].cmd quotes the argv as a shell would: sh reads each back to its argv" {
	for f in files hostile; do
		gh-aggregate "$F/$f.ndjson" | jq -r '.process_tree as $t | .processes[] | . as $p |
			($t[] | select(.pid == $p.pid) | .argv) as $a | [$p.cmd, ($a | @json)] | @json' |
		while IFS= read -r line; do
			cmd=$(jq -r '.[0]' <<<"$line")
			# one python for the comparison: the argv sh read back
			# against the recorded one (a process each was most of
			# this test's time)
			(eval "set -- $cmd"; python3 -c 'import json, sys
want = json.loads(json.loads(sys.argv[1])[1])
sys.exit(0 if sys.argv[2:] == want else "%s != %s" % (json.dumps(sys.argv[2:], ensure_ascii=False), json.dumps(want, ensure_ascii=False)))' "$line" "$@") ||
				{ echo "$f: $cmd"; false; }
		done
	done
	[ "$(gh-aggregate "$F/reuse.ndjson" | jq -r '.processes[] | select(.cmd | startswith("sh")) | .cmd')" = "sh -c 'true; true'" ]
}

@test "joining the argv by spaces would not read back (the twin of the quoting test)" {
	cmd=$(gh-aggregate "$F/reuse.ndjson" | jq -r '.process_tree[] | select(.argv[0] == "sh") | .argv | join(" ")')
	[ "$cmd" = "sh -c true; true" ]
	got=$(eval "set -- $cmd"; argv_json "$@")
	[ "$got" = '["sh","-c","true"]' ]
}

@test "a command not found on PATH: outcome.error says so (from the end record's err)" {
	sed -e '$ s/"status":127,/"status":127,"err":"ENOENT",/' -e '/"type":"exec"/d' \
		-e '$ s/"events":[0-9]*/"events":1/' "$F/notfound.ndjson" > "$BATS_TEST_TMPDIR/nf.ndjson"
	[ "$(gh-aggregate "$BATS_TEST_TMPDIR/nf.ndjson" | jq -c '[.outcome.error, .exit_code, .completeness]')" = \
		'["command not found: ./no-such-command",127,"closed"]' ]
	sed -i '$ s/"err":"ENOENT"/"err":"EACCES"/' "$BATS_TEST_TMPDIR/nf.ndjson"
	[ "$(gh-aggregate "$BATS_TEST_TMPDIR/nf.ndjson" | jq -r .outcome.error)" = "cannot execute the command: ./no-such-command: EACCES" ]
	# the twin: without err in the end record, nothing is said
	sed -i '$ s/"err":"EACCES",//' "$BATS_TEST_TMPDIR/nf.ndjson"
	[ "$(gh-aggregate "$BATS_TEST_TMPDIR/nf.ndjson" | jq -c .outcome.error)" = null ]
}

@test "the header's audit.programs and audit.bpf_object_sha256 go to provenance" {
	cd "$F"
	sed '1s/"audit":{"active":true}/"audit":{"active":true,"programs":"kept","bpf_object_sha256":"ab"}/' net.ndjson |
		gh-aggregate | jq -c '.provenance | [.bpf_object_sha256, .bpf_programs]' > "$BATS_TEST_TMPDIR/p"
	[ "$(cat "$BATS_TEST_TMPDIR/p")" = '["ab","kept"]' ]
	# a stream without them (an earlier gh-trace, or no audit) says null
	[ "$(gh-aggregate net.ndjson | jq -c '.provenance | [.bpf_object_sha256, .bpf_programs]')" = '[null,null]' ]
}

@test "every completeness reason at once: all 17 listed, sorted (reasons.ndjson)" {
	gh-aggregate "$F/reasons.ndjson" > "$T/out" 2> "$T/err"
	[ ! -s "$T/err" ]
	[ "$(jq -r .completeness "$T/out")" = partial ]
	jq -r '.completeness_reasons[]' "$T/out" > "$T/got"
	cat > "$T/want" <<'WANT'
2 records truncated
4 program runs skipped by the kernel (recursion): records may be lost
audit unavailable: not running as root (euid 65534)
bpf_syscall: 1 changes under the tracer's bpf directory /sys/fs/bpf/glasshouse
bpf_syscall: 2 bpf() calls by the traced tree
compat_syscall: 1 32-bit syscalls not decoded
core_dump: 1 processes dumped core: the file the kernel wrote for them is not recorded
end record counts 10 records, stream has 11
foreign_process_control: 4 controls of processes outside the traced tree
io_uring_unsupported_op: 3 io_uring operations not decoded (opcodes 14, 40)
left_running: 5 processes still running when gh-trace stopped waiting (--wait); what they did after is not recorded
lost 1 records: user memory fault
lost 3 records: ring buffer full
path_changed: 6 names changed while their syscall ran: the recorded name may not be the one the kernel used
stderr capture incomplete: EIO after 0 bytes
stdout capture incomplete: ENOSPC after 6 bytes
unwatched_sockets: 7 inherited sockets beyond the 16 watched: sends on them are not recorded
WANT
	diff "$T/want" "$T/got"
}

@test "the stream reasons.ndjson was edited from gives only its core dump (the twin of the reasons test)" {
	gh-aggregate "$F/core.ndjson" > "$T/out"
	[ "$(jq -c .completeness_reasons "$T/out")" = \
	  '["core_dump: 1 processes dumped core: the file the kernel wrote for them is not recorded"]' ]
}

@test "socks: a non-blocking connect counts with its socket's final result (socks.ndjson)" {
	gh-aggregate "$F/socks.ndjson" > "$T/out"
	[ "$(jq -c '[.network.attempts[] | [.op, .result, .count]]' "$T/out")" = '[["connect","ok",3]]' ]
	[ "$(jq -r .completeness "$T/out")" = closed ]
}

@test "20,000 sockets open at once, closed shuffled: each connect gets its own socket's end" {
	"$F/socks-many" 20000 > "$T/many.ndjson"
	[ "$(grep -c '"type":"connect"' "$T/many.ndjson")" -eq 20000 ]
	gh-aggregate "$T/many.ndjson" > "$T/out"
	[ "$(jq -c '[.network.attempts[] | [.op, .result, .count]]' "$T/out")" = '[["connect","ok",20000]]' ]
	[ "$(jq -c .completeness_reasons "$T/out")" = '[]' ]
}

@test "20,000 sockets, half of them without an end: those count with their connect's own result (the twin)" {
	"$F/socks-many" 20000 | grep -Ev '"type":"sock_end".*"sock":101[0-9]{4},' > "$T/half.ndjson"
	[ "$(grep -c '"type":"sock_end"' "$T/half.ndjson")" -eq 10000 ]
	gh-aggregate "$T/half.ndjson" > "$T/out"
	[ "$(jq -c '[.network.attempts[] | [.op, .result, .count]]' "$T/out")" = \
	  '[["connect","in_progress",10000],["connect","ok",10000]]' ]
}

@test "pid sets: 4 processes, 2,000 others, then a late one of a lower pid: each access lists exactly its pids, sorted" {
	"$F/pids-many" 2000 15000 > "$T/pids.ndjson"
	gh-aggregate "$T/pids.ndjson" > "$T/out"
	[ "$(jq -c '.filesystem.accesses[] | select(.path == "/etc/ld.so.cache") | [.count, .pids]' "$T/out")" = \
	  '[5,[15000,20000,20001,20002,20003]]' ]
	jq -e '.filesystem.accesses[] | select(.path == "/usr/lib/x86_64-linux-gnu/libc.so.6") |
	       .count == 2000 and .pids == [range(20004; 22004)]' "$T/out"
	[ "$(jq -c .completeness_reasons "$T/out")" = '[]' ]
}

@test "pid sets: without the late process the first access lists its 4 pids only (the twin)" {
	"$F/pids-many" 2000 > "$T/pids.ndjson"
	gh-aggregate "$T/pids.ndjson" > "$T/out"
	[ "$(jq -c '.filesystem.accesses[] | select(.path == "/etc/ld.so.cache") | [.count, .pids]' "$T/out")" = \
	  '[4,[20000,20001,20002,20003]]' ]
	! jq -e '.filesystem.accesses[] | select(.path == "/usr/lib/x86_64-linux-gnu/libc.so.6") |
	         .pids | index([15000])' "$T/out"
}
