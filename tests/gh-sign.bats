#!/usr/bin/env bats
# gh-sign: key generation, hashing, signing, verification, canonical bytes.
# Fixtures in tests/fixtures/sign: a hand-written receipt following
# gh-receipt(5), its captured outputs, a test-only key pair, and the exact
# outputs expected from them (Ed25519 is deterministic).

bats_require_minimum_version 1.5.0

setup() {
	FIX="$GH_ROOT/tests/fixtures/sign"
	T="$BATS_TEST_TMPDIR"
	cp "$FIX"/receipt.json "$FIX"/out.txt "$FIX"/err.txt "$FIX"/pub.pem "$T"/
	cp "$FIX"/key.pem "$T"/key.pem
	chmod 600 "$T"/key.pem
	# fingerprint of pub.pem: SHA-256 of the raw key, the DER's last 32 bytes
	FP=569b0b5503676dbba72b336eee7f8d3f0eeb92bf2b9a0d7689b37c7667765c85
	USAGE_LINE="usage: gh-sign -G -s SECRET.pem -p PUBLIC.pem"
	cd "$T"
}

fingerprint() {
	openssl pkey -pubin -in "$1" -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1
}

# A receipt naming the captured outputs where this test keeps them.
local_receipt() {
	sed "s|/nonexistent/glasshouse/|$T/|" receipt.json > local.json
}

# The fixture receipt signed with the captured outputs given on the command
# line: the bytes of $FIX/signed.json.
fixture_signed() {
	gh-sign -S -s key.pem --stdout out.txt --stderr err.txt receipt.json > signed.json
}

# The receipt signed where it names the captured outputs of this test.
signed() {
	local_receipt
	gh-sign -S -s key.pem local.json > signed.json
}

# invalid KEY FILE MESSAGE: gh-sign -V -p KEY FILE finds FILE invalid:
# exit 1, and "gh-sign: FILE: MESSAGE" on stderr.
invalid() {
	run --separate-stderr gh-sign -V -p "$1" "$2"
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: $2: $3" ]
}

# ---- usage ----------------------------------------------------------------

@test "--help prints the synopsis and options on stdout" {
	run --separate-stderr gh-sign --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$USAGE_LINE" ]
	[[ "$output" == *"--canonical      print the bytes that are signed"* ]]
	[ -z "$stderr" ]
}

@test "--version prints the version" {
	run gh-sign --version
	[ "$status" -eq 0 ]
	[ "$output" = "gh-sign 0.1.0" ]
}

@test "no verb is a usage error" {
	run --separate-stderr gh-sign receipt.json
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: no mode given: use -G, -S, -H, -V, --attest or --canonical" ]
	[ "${stderr_lines[1]}" = "$USAGE_LINE" ]
	[ -z "$output" ]
}

@test "two verbs can't be combined" {
	run --separate-stderr gh-sign -S -V -s key.pem receipt.json
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: can't combine -S and -V" ]
	run --separate-stderr gh-sign --canonical -H receipt.json
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: can't combine --canonical and -H" ]
}

@test "options a verb can't use are rejected before anything is read" {
	run --separate-stderr gh-sign -H -s key.pem /nonexistent
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: can't combine -H and -s" ]
	run --separate-stderr gh-sign -S -s key.pem -p pub.pem /nonexistent
	[ "${stderr_lines[0]}" = "gh-sign: can't combine -S and -p" ]
	run --separate-stderr gh-sign -V -p pub.pem -s key.pem /nonexistent
	[ "${stderr_lines[0]}" = "gh-sign: can't combine -V and -s" ]
	run --separate-stderr gh-sign -S -q -s key.pem /nonexistent
	[ "${stderr_lines[0]}" = "gh-sign: can't combine -S and -q" ]
	run --separate-stderr gh-sign -G -s a.pem -p b.pem --stdout out.txt
	[ "${stderr_lines[0]}" = "gh-sign: can't combine -G and --stdout" ]
	run --separate-stderr gh-sign --canonical --stderr err.txt receipt.json
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: can't combine --canonical and --stderr" ]
	[ ! -e a.pem ]
}

@test "a verb without its key option is a usage error" {
	run --separate-stderr gh-sign -S receipt.json
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: -S needs -s SECRET.pem" ]
	run --separate-stderr gh-sign -V receipt.json
	[ "${stderr_lines[0]}" = "gh-sign: -V needs -p PUBLIC.pem" ]
	run --separate-stderr gh-sign -G -s a.pem
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: -G needs -p PUBLIC.pem" ]
}

@test "more than one receipt operand, or one with -G, is a usage error" {
	run --separate-stderr gh-sign -H receipt.json receipt.json
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: too many arguments: one receipt at a time" ]
	run --separate-stderr gh-sign -G -s a.pem -p b.pem receipt.json
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: -G takes no file operand" ]
	[ ! -e a.pem ]
}

@test "an unknown option is a usage error" {
	run --separate-stderr gh-sign -x
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: unknown option '-x'" ]
	[ "${stderr_lines[1]}" = "$USAGE_LINE" ]
	[ -z "$output" ]
	# named as typed: alone inside a group, a long one without its value,
	# and by the program's name when it is run by its path
	run --separate-stderr gh-sign --quiet -qx
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: unknown option '-x'" ]
	run --separate-stderr "$GH_BIN/gh-sign" --bogus=1
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: unknown option '--bogus'" ]
}

@test "an option without its argument is a usage error naming it as typed" {
	run --separate-stderr gh-sign -V --public
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: option '--public' needs an argument" ]
	[ "${stderr_lines[1]}" = "$USAGE_LINE" ]
	run --separate-stderr gh-sign -V -p
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: option '-p' needs an argument" ]
	# the twin: given its argument, the option is taken (the key is missing)
	run --separate-stderr gh-sign -V --public nokey.pem "$FIX/receipt.json"
	[ "$status" -eq 2 ]
	[[ "${stderr_lines[0]}" == "gh-sign: nokey.pem: "* ]]
}

# ---- -G -------------------------------------------------------------------

@test "-G writes a 0600 secret key and a public key that openssl reads" {
	run --separate-stderr gh-sign -G -s new.pem -p new.pub
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(stat -c %a new.pem)" = 600 ]
	[ "$(stat -c %a new.pub)" = 644 ]
	head -1 new.pem | grep -qx -- '-----BEGIN PRIVATE KEY-----'
	openssl pkey -in new.pem -noout
	openssl pkey -in new.pem -pubout | cmp - new.pub
	openssl pkey -pubin -in new.pub -text -noout | grep -q 'ED25519 Public-Key'
}

@test "-G twice makes different keys" {
	gh-sign -G -s a.pem -p a.pub
	gh-sign -G -s b.pem -p b.pub
	! cmp -s a.pem b.pem
	! cmp -s a.pub b.pub
}

@test "-G refuses to overwrite an existing secret key" {
	echo keep > old.pem
	run --separate-stderr gh-sign -G -s old.pem -p new.pub
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: old.pem: file exists, refusing to overwrite it" ]
	[ "$(cat old.pem)" = keep ]
	[ ! -e new.pub ]
}

@test "-G refuses an existing public key file and leaves no secret key behind" {
	echo keep > old.pub
	run --separate-stderr gh-sign -G -s new.pem -p old.pub
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: old.pub: file exists, refusing to overwrite it" ]
	[ ! -e new.pem ]
	[ "$(cat old.pub)" = keep ]
}

@test "-G refuses to follow a symlink, even a dangling one" {
	ln -s target.pem link.pem
	run --separate-stderr gh-sign -G -s link.pem -p new.pub
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: link.pem: is a symbolic link, refusing to follow it" ]
	[ ! -e target.pem ]
	[ ! -e new.pub ]
}

@test "-G with -s and -p naming the same file is a usage error" {
	run --separate-stderr gh-sign -G -s same.pem -p same.pem
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: -s and -p name the same file" ]
	[ ! -e same.pem ]
}

@test "-G into a missing directory fails" {
	run --separate-stderr gh-sign -G -s nodir/k.pem -p k.pub
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: nodir/k.pem: No such file or directory" ]
	[ ! -e k.pub ]
}

# ---- -H and -S ------------------------------------------------------------

@test "-H fills stdout_hash and stderr_hash (exact output)" {
	run --separate-stderr gh-sign -H --stdout out.txt --stderr err.txt receipt.json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	diff -u "$FIX/hashed.json" - <<<"$output"
	[ "$(jq -r .artifacts.stdout_hash <<<"$output")" = "$(sha256sum < out.txt | cut -d' ' -f1)" ]
	[ "$(jq -r .artifacts.stderr_hash <<<"$output")" = "$(sha256sum < err.txt | cut -d' ' -f1)" ]
}

@test "-S hashes and signs (exact output, deterministic signature)" {
	[ "$(fingerprint pub.pem)" = "$FP" ]
	fixture_signed
	cmp "$FIX/signed.json" signed.json
	[ "$(jq -r .signature.key signed.json)" = "$FP" ]
	[ "$(jq -r .signature.alg signed.json)" = Ed25519 ]
	[ "$(jq -r .signature.sig signed.json | base64 -d | wc -c)" = 64 ]
}

@test "-S finds the captured outputs where the receipt says" {
	local_receipt
	gh-sign -S -s key.pem local.json > s.json
	[ "$(jq -r .artifacts.stdout_hash s.json)" = "$(sha256sum < out.txt | cut -d' ' -f1)" ]
	[ "$(jq -r .artifacts.stderr_hash s.json)" = "$(sha256sum < err.txt | cut -d' ' -f1)" ]
	gh-sign -V -p pub.pem s.json
}

@test "-S reads stdin when no file or - is given" {
	gh-sign -S -s key.pem --stdout out.txt --stderr err.txt < receipt.json | cmp - "$FIX/signed.json"
	gh-sign -S -s key.pem --stdout out.txt --stderr err.txt - < receipt.json | cmp - "$FIX/signed.json"
}

@test "-S over a signed receipt replaces the signature" {
	signed
	gh-sign -S -s key.pem signed.json | cmp - signed.json
	gh-sign -G -s other.pem -p other.pub
	gh-sign -S -s other.pem signed.json > resigned.json
	gh-sign -V -p other.pub -q resigned.json
}

@test "-S without captured files keeps null hashes" {
	jq '.artifacts.stdout = null | .artifacts.stderr = null' receipt.json > nocap.json
	gh-sign -S -s key.pem nocap.json > s.json
	[ "$(jq -c '[.artifacts.stdout_hash, .artifacts.stderr_hash]' s.json)" = "[null,null]" ]
	run gh-sign -V -p pub.pem s.json
	[ "$status" -eq 0 ]
	[ "$output" = "s.json: signature ok" ]
}

@test "-S refuses a captured file whose size differs from the receipt's" {
	echo extra >> out.txt
	run --separate-stderr gh-sign -S -s key.pem --stdout out.txt --stderr err.txt receipt.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: out.txt: stdout has 37 bytes, the receipt says 31" ]
	[ -z "$output" ]
}

@test "-S refuses a captured file that is missing" {
	run --separate-stderr gh-sign -S -s key.pem receipt.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: /nonexistent/glasshouse/out.txt: No such file or directory" ]
	[ -z "$output" ]
}

@test "-H and -S refuse a captured output that is not a regular file, without reading it" {
	mkfifo fifo
	for f in /dev/zero "$T/fifo"; do
		jq --arg p "$f" '.artifacts.stdout.path = $p' receipt.json > dev.json
		run --separate-stderr timeout 20 gh-sign -H --stderr err.txt dev.json
		[ "$status" -eq 2 ]
		[ "$stderr" = "gh-sign: $f: not a regular file" ]
		[ -z "$output" ]
		run --separate-stderr timeout 20 gh-sign -S -s key.pem --stdout "$f" --stderr err.txt receipt.json
		[ "$status" -eq 2 ]
		[ "$stderr" = "gh-sign: $f: not a regular file" ]
		[ -z "$output" ]
	done
	# a FIFO with a writer that never stops is refused as well
	yes > fifo &
	run --separate-stderr timeout 20 gh-sign -H --stdout fifo --stderr err.txt receipt.json
	kill $! 2>/dev/null || true	# gone already if it wrote to the closed FIFO
	wait $! || true
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: fifo: not a regular file" ]
	# the twin: the same option naming a regular file is hashed
	run --separate-stderr timeout 20 gh-sign -H --stdout out.txt --stderr err.txt receipt.json
	[ "$status" -eq 0 ]
	[ "$(jq -r .artifacts.stdout_hash <<<"$output")" = "$(sha256sum < out.txt | cut -d' ' -f1)" ]
}

@test "-H refuses a file whose size changes while it is read" {
	# a /proc file says 0 bytes and has more
	jq '.artifacts.stdout.bytes = 0' receipt.json > proc.json
	run --separate-stderr timeout 20 gh-sign -H --stdout /proc/self/status --stderr err.txt proc.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: /proc/self/status: its size changed while it was read" ]
	# the twin: an empty regular file of 0 bytes is hashed
	: > empty.txt
	run --separate-stderr gh-sign -H --stdout empty.txt --stderr err.txt proc.json
	[ "$status" -eq 0 ]
	[ "$(jq -r .artifacts.stdout_hash <<<"$output")" = e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ]
}

@test "-S refuses a secret key readable by group or others" {
	chmod 640 key.pem
	run --separate-stderr gh-sign -S -s key.pem --stdout out.txt --stderr err.txt receipt.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: key.pem: secret key is accessible by group or others (mode 0640), refusing to use it: chmod 600 key.pem" ]
	[ -z "$output" ]
}

@test "-S refuses a public key, junk, or a missing file as secret key" {
	run --separate-stderr gh-sign -S -s pub.pem receipt.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: pub.pem: not an Ed25519 secret key in PEM form" ]
	echo junk > junk.pem
	chmod 600 junk.pem
	run --separate-stderr gh-sign -S -s junk.pem receipt.json
	[ "$stderr" = "gh-sign: junk.pem: not an Ed25519 secret key in PEM form" ]
	run --separate-stderr gh-sign -S -s none.pem receipt.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: none.pem: No such file or directory" ]
	[ -z "$output" ]
}

@test "-S refuses an RSA secret key" {
	openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out rsa.pem 2>/dev/null
	chmod 600 rsa.pem
	run --separate-stderr gh-sign -S -s rsa.pem receipt.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: rsa.pem: not an Ed25519 secret key in PEM form" ]
}

@test "-S signs with a key made by openssl genpkey" {
	openssl genpkey -algorithm ed25519 -out o.pem
	chmod 600 o.pem
	openssl pkey -in o.pem -pubout -out o.pub
	gh-sign -S -s o.pem --stdout out.txt --stderr err.txt receipt.json > s.json
	gh-sign -V -q -p o.pub --stdout out.txt --stderr err.txt s.json
}

@test "bad JSON is an error with file:line and nothing on stdout" {
	printf '{\n  "version": "0.4.0",\n  "x": tru\n}\n' > bad.json
	run --separate-stderr gh-sign -S -s key.pem bad.json
	[ "$status" -eq 2 ]
	[[ "$stderr" == "gh-sign: bad.json:3: "* ]]
	[ -z "$output" ]
}

@test "duplicate member names are refused with their line (I-JSON)" {
	printf '{\n  "a": 1,\n  "b": {"c": 1,\n        "c": 2}\n}\n' > dup.json
	run --separate-stderr gh-sign -H dup.json
	[ "$status" -eq 2 ]
	[ "$stderr" = 'gh-sign: dup.json:4: b.c: duplicate member name' ]
	[ -z "$output" ]
}

@test "a lone surrogate escape is refused (I-JSON)" {
	printf '{"a": "x\\ud800y"}' > sur.json
	run --separate-stderr gh-sign --canonical sur.json
	[ "$status" -eq 2 ]
	[[ "$stderr" == 'gh-sign: sur.json:1: lone high surrogate \ud800'* ]]
	[ -z "$output" ]
}

@test "a number too large for a double is refused" {
	printf '{"a": [1, 1e400]}' > big.json
	run --separate-stderr gh-sign --canonical big.json
	[ "$status" -eq 2 ]
	[[ "$stderr" == "gh-sign: big.json"* ]]
	[ -z "$output" ]
}

@test "input that is not one JSON object is refused" {
	printf '[1, 2]\n' > arr.json
	run --separate-stderr gh-sign -H arr.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: arr.json:1: not a receipt: expected a JSON object, not an array" ]
	cat receipt.json receipt.json > two.json
	run --separate-stderr gh-sign -H two.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: two.json:180: more than one JSON value, expected one receipt" ]
	: > empty.json
	run --separate-stderr gh-sign -H empty.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: empty.json: empty input, expected a receipt" ]
	run --separate-stderr gh-sign -H missing.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: missing.json: No such file or directory" ]
	[ -z "$output" ]
}

# ---- only receipts are signed --------------------------------------------

@test "an event stream is refused: run gh-aggregate first" {
	for verb in "-H" "-S -s key.pem" "-V -p pub.pem"; do
		run --separate-stderr gh-sign $verb "$GH_ROOT/tests/fixtures/aggregate/net.ndjson"
		[ "$status" -eq 2 ]
		[ "$stderr" = "gh-sign: $GH_ROOT/tests/fixtures/aggregate/net.ndjson:1: this is a gh-events stream; run gh-aggregate first" ]
		[ -z "$output" ]
	done
	# its twin: the receipt gh-aggregate makes of that stream is signed
	gh-aggregate "$GH_ROOT/tests/fixtures/aggregate/net.ndjson" > net.json
	gh-sign -S -s key.pem net.json > net.signed.json
	gh-sign -V -q -p pub.pem net.signed.json
}

@test "a JSON object that is not a receipt is refused, {} included" {
	printf '{}\n' > empty.json
	run --separate-stderr gh-sign -S -s key.pem empty.json
	[ "$status" -eq 2 ]
	[ "$stderr" = 'gh-sign: empty.json:1: not a receipt: no "version" or "execution_id" member' ]
	[ -z "$output" ]
	jq '{a: 1}' receipt.json > other.json
	run --separate-stderr gh-sign -S -s key.pem --stdout out.txt --stderr err.txt other.json
	[ "$status" -eq 2 ]
	[ "$stderr" = 'gh-sign: other.json:1: not a receipt: no "version" or "execution_id" member' ]
	jq '.version = 4' receipt.json > numver.json
	run --separate-stderr gh-sign -H numver.json
	[ "$status" -eq 2 ]
	[ "$stderr" = 'gh-sign: numver.json:1: version: expected a string' ]
	# -V refuses it too, even with a signature made elsewhere over {}
	printf '{}' > c.bin
	openssl pkeyutl -sign -inkey key.pem -rawin -in c.bin -out sig.bin
	jq -n --arg s "$(base64 -w0 < sig.bin)" --arg k "$FP" \
		'{signature: {alg: "Ed25519", key: $k, sig: $s}}' > forged.json
	run --separate-stderr gh-sign -V -p pub.pem forged.json
	[ "$status" -eq 2 ]
	[ "$stderr" = 'gh-sign: forged.json:1: not a receipt: no "version" or "execution_id" member' ]
	[ -z "$output" ]
	# the twin: the same fields of the fixture receipt are enough
	jq '{version, execution_id}' receipt.json > minimal.json
	gh-sign -S -s key.pem minimal.json > minimal.signed.json
	gh-sign -V -q -p pub.pem minimal.signed.json
}

@test "a wrong type deep in a process is named with its path, by every reading verb" {
	jq '.process_tree[0].argv = "x"' receipt.json > t.json
	for verb in -H "-S -s key.pem" "--attest -s key.pem --subject out.txt" "-V -p pub.pem"; do
		run --separate-stderr gh-sign $verb t.json
		[ "$status" -eq 2 ]
		[ "$stderr" = 'gh-sign: t.json:1: process_tree[0].argv: expected an array of strings' ]
		[ -z "$output" ]
	done
	jq '.filesystem.accesses[1].pids = [1.5]' receipt.json > t2.json
	run --separate-stderr gh-sign -H t2.json
	[ "$status" -eq 2 ]
	[ "$stderr" = 'gh-sign: t2.json:1: filesystem.accesses[1].pids[0]: expected a process id (0 to 2147483647)' ]
	# the twin: the same member as an array of strings is signed
	jq '.process_tree[0].argv = ["x"]' receipt.json > t3.json
	gh-sign -S -s key.pem --stdout out.txt --stderr err.txt t3.json > t3.signed.json
	gh-sign -V -q -p pub.pem --stdout out.txt --stderr err.txt t3.signed.json
}

@test "older shapes: a 0.3.0 and a v0 receipt are signed, verified and attested" {
	for f in "$GH_ROOT/tests/fixtures/policy/v030.json" "$GH_ROOT/tests/fixtures/aggregate/files.v0.json"; do
		gh-sign -S -s key.pem "$f" > old.signed.json
		run --separate-stderr gh-sign -V -p pub.pem old.signed.json
		[ "$status" -eq 0 ]
		[ "$output" = "old.signed.json: signature ok" ]
		# the twin: a changed member fails
		jq '.execution_id = "other"' old.signed.json > old.forged.json
		run --separate-stderr gh-sign -V -p pub.pem old.forged.json
		[ "$status" -eq 1 ]
	done
	gh-sign --attest -s key.pem --subject out.txt "$GH_ROOT/tests/fixtures/policy/v030.json" > env.json
	jq -r .payload env.json | base64 -d > st.json
	# 0.3.0: provenance is a string, attempts have no op
	[ "$(jq -c '[.predicate.monitor, .predicate.monitoredProcess.hostID, .predicate.monitorLog.network]' st.json)" = \
	  '[{"type":"urn:glasshouse:gh-trace"},"urn:glasshouse:host:unknown",[{"dst":"127.0.0.9:80","invokingProcess":{"pids":null},"ip":"127.0.0.9","port":80,"protocol":"tcp"}]]' ]
	[ "$(jq -r '.predicate.glasshouseReceipt.version' st.json)" = 0.3.0 ]
	gh-sign --attest -s key.pem --subject out.txt "$GH_ROOT/tests/fixtures/aggregate/files.v0.json" > env0.json
	jq -r .payload env0.json | base64 -d > st0.json
	[ "$(jq -c '[.predicate.monitorLog.network, .predicate.monitorLog.fileAccess, .predicate.metadata]' st0.json)" = '[[],[],{}]' ]
	[ "$(jq -r '.predicate.monitoredProcess.event' st0.json)" = "$(jq -r .execution_id "$GH_ROOT/tests/fixtures/aggregate/files.v0.json")" ]
}

# ---- integers beyond 2^53 ---------------------------------------------------

# big NAME VALUE: the fixture receipt with duration_ms (both places) set to
# VALUE as written (sed: jq would round it through a double).
big() {
	sed "s/\"duration_ms\": 12/\"duration_ms\": $2/" receipt.json > "$1"
	[ "$(grep -c -- "\"duration_ms\": $2" "$1")" -eq 2 ]
}

@test "-S refuses an integer beyond 2^53, naming it and where" {
	big big.json 9007199254740993
	run --separate-stderr gh-sign -S -s key.pem --stdout out.txt --stderr err.txt big.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: big.json: cannot canonicalize: integer 9007199254740993 is beyond 2^53 and has no exact canonical form at /duration_ms" ]
	[ -z "$output" ]
	big neg.json -9007199254740993
	run --separate-stderr gh-sign -S -s key.pem --stdout out.txt --stderr err.txt neg.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: neg.json: cannot canonicalize: integer -9007199254740993 is beyond 2^53 and has no exact canonical form at /duration_ms" ]
}

@test "-S signs 2^53 and -2^53 exactly (the twin of the refusal)" {
	for v in 9007199254740992 -9007199254740992; do
		big edge.json $v
		gh-sign -S -s key.pem --stdout out.txt --stderr err.txt edge.json > s.json
		[ "$(grep -c -- "\"duration_ms\": $v" s.json)" -eq 2 ]
		gh-sign --canonical s.json | grep -q -- "\"duration_ms\":$v}"
		gh-sign -V -q -p pub.pem --stdout out.txt --stderr err.txt s.json
	done
}

@test "-V: an integer changed past 2^53 after signing fails verification" {
	# 2^53 + 1 rounds to 2^53 in binary64: before, it verified
	big edge.json 9007199254740992
	gh-sign -S -s key.pem --stdout out.txt --stderr err.txt edge.json > s.json
	sed '0,/"duration_ms": 9007199254740992/s//"duration_ms": 9007199254740993/' s.json > t.json
	[ "$(grep -c '"duration_ms": 9007199254740993' t.json)" -eq 1 ]
	run --separate-stderr gh-sign -V -q -p pub.pem --stdout out.txt --stderr err.txt t.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: t.json: cannot canonicalize: integer 9007199254740993 is beyond 2^53 and has no exact canonical form at /duration_ms" ]
	[ "$output" = "t.json: FAILED: cannot canonicalize: integer 9007199254740993 is beyond 2^53 and has no exact canonical form at /duration_ms" ]
	# and --canonical (RFC 8785 alone) shows why: both print alike
	cmp <(gh-sign --canonical s.json) <(gh-sign --canonical t.json)
}

@test "--canonical canonicalizes any JSON value: arrays, scalars, null" {
	gh-sign --canonical "$GH_SHARED/conformance/jcs/input/arrays.json" > a.out
	cmp "$GH_SHARED/conformance/jcs/output/arrays.json" a.out
	[ "$(printf ' 1E30 ' | gh-sign --canonical)" = "1e+30" ]
	[ "$(printf 'null' | gh-sign --canonical)" = "null" ]
	[ "$(printf '"\\u00e9"' | gh-sign --canonical)" = '"é"' ]
	[ "$(printf '{}' | gh-sign --canonical)" = "{}" ]
	# but still exactly one value
	run --separate-stderr gh-sign --canonical <<<'[1] [2]'
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: <stdin>:1: more than one JSON value, expected one JSON value" ]
	[ -z "$output" ]
}

@test "-H drops a signature the receipt carried" {
	fixture_signed
	run --separate-stderr gh-sign -H --stdout out.txt --stderr err.txt signed.json
	[ "$status" -eq 0 ]
	[ "$stderr" = "gh-sign: signed.json: signature removed: sign again with -S" ]
	diff -u "$FIX/hashed.json" - <<<"$output"
}

@test "a write error on stdout is exit 2" {
	run --separate-stderr bash -c 'gh-sign -S -s key.pem --stdout out.txt --stderr err.txt receipt.json > /dev/full'
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: write error: No space left on device" ]
}

# ---- -V -------------------------------------------------------------------

@test "-V accepts a valid receipt and says what it checked" {
	local_receipt
	gh-sign -S -s key.pem local.json > s.json
	run --separate-stderr gh-sign -V -p pub.pem s.json
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "s.json: signature ok" ]
	[ "${lines[1]}" = "s.json: stdout ok: $T/out.txt" ]
	[ "${lines[2]}" = "s.json: stderr ok: $T/err.txt" ]
	[ "${#lines[@]}" -eq 3 ]
	[ -z "$stderr" ]
}

@test "-V -q prints nothing on success; stdin works" {
	signed
	run --separate-stderr gh-sign -V -q -p pub.pem --stdout out.txt --stderr err.txt - < signed.json
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "-V does not depend on white space or member order" {
	signed
	jq -c . signed.json > compact.json
	jq -S . signed.json | tac | tac > again.json
	gh-sign -V -q -p pub.pem compact.json
	gh-sign -V -q -p pub.pem again.json
}

@test "-V: a changed field makes the signature invalid" {
	signed
	sed 's/"exit_code": 0,/"exit_code": 1,/' signed.json > t.json
	! cmp -s signed.json t.json
	invalid pub.pem t.json "signature does not match (receipt modified or wrong key)"
}

@test "-V: a removed list element or an added member makes it invalid" {
	signed
	jq '.filesystem.reads = []' signed.json > t1.json
	invalid pub.pem t1.json "signature does not match (receipt modified or wrong key)"
	jq '.extra = null' signed.json > t2.json
	invalid pub.pem t2.json "signature does not match (receipt modified or wrong key)"
}

@test "-V: a changed hash in the receipt makes it invalid" {
	signed
	jq '.artifacts.stdout_hash = "0000000000000000000000000000000000000000000000000000000000000000"' signed.json > t.json
	run --separate-stderr gh-sign -V -p pub.pem t.json
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "gh-sign: t.json: signature does not match (receipt modified or wrong key)" ]
}

@test "-V: a changed signature is invalid" {
	signed
	sig=$(jq -r .signature.sig signed.json)
	printf '%s' "$sig" | base64 -d > sig.bin
	printf 'X' | dd of=sig.bin bs=1 seek=10 conv=notrunc status=none
	bad=$(base64 -w0 < sig.bin)
	[ "$bad" != "$sig" ]
	jq --arg s "$bad" '.signature.sig = $s' signed.json > t.json
	invalid pub.pem t.json "signature does not match (receipt modified or wrong key)"
}

@test "-V: another public key is refused by fingerprint" {
	signed
	gh-sign -G -s other.pem -p other.pub
	ofp=$(fingerprint other.pub)
	invalid other.pub signed.json "signed with another key: $FP, not other.pub ($ofp)"
}

@test "-V: a key field rewritten to the verifier's key still fails" {
	signed
	gh-sign -G -s other.pem -p other.pub
	ofp=$(fingerprint other.pub)
	jq --arg k "$ofp" '.signature.key = $k' signed.json > t.json
	invalid other.pub t.json "signature does not match (receipt modified or wrong key)"
}

@test "-V: one changed byte of captured stdout is reported" {
	local_receipt
	gh-sign -S -s key.pem local.json > s.json
	printf 'X' | dd of=out.txt bs=1 seek=3 conv=notrunc status=none
	invalid pub.pem s.json "stdout hash differs: $T/out.txt"
	# the failure goes where the results go, too
	[ "${lines[0]}" = "s.json: signature ok" ]
	[ "${lines[1]}" = "s.json: FAILED: stdout hash differs: $T/out.txt" ]
	[ "${lines[2]}" = "s.json: stderr ok: $T/err.txt" ]
}

@test "-V: a changed stderr file given with --stderr is reported" {
	signed
	echo more >> err.txt
	run --separate-stderr gh-sign -V -q -p pub.pem --stdout out.txt --stderr err.txt signed.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: signed.json: stderr hash differs: err.txt" ]
	# -q leaves out the ok lines, not the failure
	[ "$output" = "signed.json: FAILED: stderr hash differs: err.txt" ]
}

@test "-V: a captured file that is gone is noted, not checked" {
	local_receipt
	gh-sign -S -s key.pem local.json > s.json
	rm out.txt
	run --separate-stderr gh-sign -V -p pub.pem s.json
	[ "$status" -eq 0 ]
	[ "$stderr" = "gh-sign: s.json: stdout not checked: $T/out.txt is not present" ]
}

@test "-V: a file named with --stdout must exist" {
	signed
	run --separate-stderr gh-sign -V -p pub.pem --stdout gone.txt signed.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: gone.txt: No such file or directory" ]
}

@test "-V: a captured output replaced by a device or a FIFO is an error, not read" {
	local_receipt
	gh-sign -S -s key.pem local.json > s.json
	rm out.txt
	mkfifo out.txt
	run --separate-stderr timeout 20 gh-sign -V -p pub.pem s.json
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: $T/out.txt: not a regular file" ]
	run --separate-stderr timeout 20 gh-sign -V -p pub.pem --stdout "$FIX/out.txt" --stderr /dev/zero s.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: /dev/zero: not a regular file" ]
	# the twin: a regular file there is checked
	rm out.txt
	cp "$FIX/out.txt" out.txt
	run --separate-stderr timeout 20 gh-sign -V -p pub.pem s.json
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "s.json: stdout ok: $T/out.txt" ]
}

@test "--attest refuses a subject that is not a regular file" {
	run --separate-stderr timeout 20 gh-sign --attest -s key.pem --subject /dev/zero --stdout out.txt --stderr err.txt receipt.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: /dev/zero: not a regular file" ]
	[ -z "$output" ]
	run --separate-stderr timeout 20 gh-sign --attest -s key.pem --subject out.txt --stdout out.txt --stderr err.txt receipt.json
	[ "$status" -eq 0 ]
}

@test "-V: an unsigned receipt is invalid" {
	invalid pub.pem receipt.json "not signed (no signature member)"
}

@test "-V: malformed signature members are invalid" {
	signed
	jq '.signature.alg = "RSA"' signed.json > t1.json
	invalid pub.pem t1.json 'unsupported signature algorithm "RSA"'
	jq '.signature.sig = "not base64!"' signed.json > t2.json
	invalid pub.pem t2.json "malformed signature (want 64 bytes in base64)"
	jq '.signature.sig |= .[4:]' signed.json > t3.json
	invalid pub.pem t3.json "malformed signature (want 64 bytes in base64)"
	jq '.signature.note = "x"' signed.json > t4.json
	invalid pub.pem t4.json "malformed signature member (want exactly alg, key, sig strings)"
	jq '.signature = "x"' signed.json > t5.json
	invalid pub.pem t5.json "malformed signature member (want exactly alg, key, sig strings)"
	jq '.signature.key |= ascii_upcase' signed.json > t6.json
	invalid pub.pem t6.json "malformed signature key (want 64 lowercase hex digits)"
}

@test "-V: an unusable public key is an error" {
	signed
	run --separate-stderr gh-sign -V -p none.pub signed.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: none.pub: No such file or directory" ]
	echo junk > junk.pub
	run --separate-stderr gh-sign -V -p junk.pub signed.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: junk.pub: not an Ed25519 public key in PEM form" ]
}

@test "-V accepts the secret key file as public key" {
	signed
	gh-sign -V -q -p key.pem --stdout out.txt --stderr err.txt signed.json
}

# ---- canonical form and openssl interop -------------------------------------

@test "--canonical prints the signed bytes (exact, no newline)" {
	fixture_signed
	gh-sign --canonical signed.json > c.bin
	cmp "$FIX/canonical.bin" c.bin
	gh-sign --canonical receipt.json | jq -c '.artifacts.stdout_hash' | grep -qx null
}

@test "--canonical passes every RFC 8785 vector" {
	for n in arrays french structures unicode values weird; do
		gh-sign --canonical "$GH_SHARED/conformance/jcs/input/$n.json" > "$n.out"
		cmp "$GH_SHARED/conformance/jcs/output/$n.json" "$n.out"
	done
}

@test "openssl pkeyutl verifies a gh-sign signature" {
	fixture_signed
	gh-sign --canonical signed.json > canonical.bin
	jq -r .signature.sig signed.json | base64 -d > sig.bin
	run openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in canonical.bin -sigfile sig.bin
	[ "$status" -eq 0 ]
	[ "$output" = "Signature Verified Successfully" ]
	printf ' ' >> canonical.bin
	run openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in canonical.bin -sigfile sig.bin
	[ "$status" -ne 0 ]
}

@test "gh-sign -V accepts a signature made by openssl pkeyutl" {
	gh-sign -H --stdout out.txt --stderr err.txt receipt.json > h.json
	gh-sign --canonical h.json > canonical.bin
	openssl pkeyutl -sign -inkey key.pem -rawin -in canonical.bin -out sig.bin
	jq --arg s "$(base64 -w0 < sig.bin)" --arg k "$FP" \
		'.signature = {"alg": "Ed25519", "key": $k, "sig": $s}' h.json > s.json
	gh-sign -V -q -p pub.pem --stdout out.txt --stderr err.txt s.json
	cmp <(jq -S . s.json) <(jq -S . "$FIX/signed.json")
}

# ---- the whole pipeline ------------------------------------------------------

@test "end to end: gh-trace | gh-aggregate | gh-sign -S, then -V" {
	if [ ! -x "$GH_ROOT/bin/gh-trace" ] || [ ! -x "$GH_ROOT/bin/gh-aggregate" ]; then
		skip "bin/gh-trace or bin/gh-aggregate is not built"
	fi
	gh-sign -G -s k.pem -p k.pub
	redact=cat
	[ -x "$GH_ROOT/bin/gh-redact" ] && redact=gh-redact
	gh-trace --stdout "$T/o.txt" --stderr "$T/e.txt" -- \
		sh -c 'echo hello; echo oops >&2; ls / > /dev/null' 2>/dev/null |
		gh-aggregate | $redact | gh-sign -S -s k.pem > r.json
	run --separate-stderr gh-sign -V -p k.pub r.json
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "r.json: signature ok" ]
	[ "${lines[1]}" = "r.json: stdout ok: $T/o.txt" ]
	[ "${lines[2]}" = "r.json: stderr ok: $T/e.txt" ]
	[ "$(jq -r .artifacts.stdout_hash r.json)" = "$(printf 'hello\n' | sha256sum | cut -d' ' -f1)" ]
	# a changed field, a changed output byte
	sed 's/"version": "0.4.0"/"version": "0.4.1"/' r.json > t.json
	run --separate-stderr gh-sign -V -p k.pub t.json
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "gh-sign: t.json: signature does not match (receipt modified or wrong key)" ]
	printf 'J' | dd of=o.txt bs=1 seek=0 conv=notrunc status=none
	invalid k.pub r.json "stdout hash differs: $T/o.txt"
}

# ---- attestations: DSSE envelopes of in-toto statements ---------------------

PY=/usr/bin/python3
INTOTO=application/vnd.in-toto+json

# The key id rule: SHA-256 of the public key's DER SubjectPublicKeyInfo.
keyid() {
	openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1
}

# The statement an envelope carries.
statement() {
	jq -r .payload "$1" | base64 -d
}

# pae TYPE FILE: the DSSE pre-authentication encoding, written here from
# the spec: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.
pae() {
	printf 'DSSEv1 %d %s %d ' "$(printf '%s' "$1" | wc -c)" "$1" "$(wc -c < "$2")"
	cat "$2"
}

# An envelope of the local receipt, its subjects the captured outputs.
attested() {
	local_receipt
	gh-sign --attest -s key.pem local.json > env.json
}

# reenvelope ENV PAYLOADFILE > NEW: the same envelope with another payload.
reenvelope() {
	jq --arg p "$(base64 -w0 < "$2")" '.payload = $p' "$1"
}

@test "--attest writes a DSSE envelope: payloadType, base64 payload, keyid and sig" {
	attested
	[ "$(jq -c 'keys' env.json)" = '["payload","payloadType","signatures"]' ]
	[ "$(jq -r .payloadType env.json)" = "$INTOTO" ]
	[ "$(jq -c '.signatures | map(keys)' env.json)" = '[["keyid","sig"]]' ]
	[ "$(jq -r '.signatures[0].keyid' env.json)" = "$(keyid pub.pem)" ]
	[ "$(jq -r '.signatures[0].sig' env.json | base64 -d | wc -c)" -eq 64 ]
	# the payload is the statement's RFC 8785 form
	statement env.json > st.json
	gh-sign --canonical st.json | cmp - st.json
	# Ed25519 is deterministic: the same receipt gives the same bytes
	gh-sign --attest -s key.pem local.json | cmp - env.json
}

@test "--attest: an in-toto Statement v1 with the runtime-trace v0.2 predicate" {
	attested
	statement env.json > st.json
	[ "$(jq -r ._type st.json)" = "https://in-toto.io/Statement/v1" ]
	[ "$(jq -r .predicateType st.json)" = "https://in-toto.io/attestation/runtime-trace/v0.2" ]
	[ "$(jq -c '.predicate | keys' st.json)" = '["glasshouseReceipt","metadata","monitor","monitorLog","monitoredProcess"]' ]
	[ "$(jq -c .predicate.monitor st.json)" = '{"glasshouseMonitor":{"bpf_object_sha256":null,"bpf_programs":null,"kernel":"6.18.44","tool_version":"0.1.0"},"type":"urn:glasshouse:gh-trace"}' ]
	[ "$(jq -c .predicate.monitoredProcess st.json)" = '{"event":"8c0e6f1e-3b7a-4d2c-9e55-0a1b2c3d4e5f","hostID":"urn:glasshouse:host:build-7","type":"urn:glasshouse:command"}' ]
	[ "$(jq -c .predicate.metadata st.json)" = '{"buildFinishedOn":"2026-11-22T19:40:56.135456Z","buildStartedOn":"2026-11-22T19:40:56.123456Z"}' ]
	[ "$(jq -cS '.predicate.monitorLog.process' st.json)" = "$(jq -cS .process_tree local.json)" ]
	[ "$(jq -c '.predicate.monitorLog.fileAccess[2]' st.json)" = '{"annotations":{"count":1,"op":"read","pids":[4242],"result":"EACCES"},"name":"/home/dev/.ssh/id_ed25519"}' ]
	[ "$(jq -c '.predicate.monitorLog.network' st.json)" = '[{"count":1,"dst":"1.1.1.1:443","family":"inet","invokingProcess":{"pids":[4242]},"ip":"1.1.1.1","op":"connect","port":443,"protocol":"tcp","result":"refused"}]' ]
}

@test "--attest: the whole receipt, completeness and loss included, is in the signed payload" {
	jq '.completeness = "partial" | .completeness_reasons = ["lost 3 records: ring buffer full"] | .loss.ringbuf = 3' \
		receipt.json | sed "s|/nonexistent/glasshouse/|$T/|" > partial.json
	gh-sign --attest -s key.pem partial.json > env.json
	gh-sign -H partial.json > hashed.json
	statement env.json | jq -S .predicate.glasshouseReceipt > inside.json
	jq -S . hashed.json | diff -u - inside.json
	[ "$(jq -r .completeness inside.json)" = partial ]
	[ "$(jq -c .completeness_reasons inside.json)" = '["lost 3 records: ring buffer full"]' ]
	[ "$(jq -c .loss inside.json)" = '{"fault":0,"ringbuf":3,"truncated":0}' ]
	# an embedded signature is not carried: the envelope's covers it all
	signed
	gh-sign --attest -s key.pem signed.json > env2.json
	[ "$(statement env2.json | jq '.predicate.glasshouseReceipt | has("signature")')" = false ]
}

@test "--attest: a peer's hostname, where the receipt knows it, is in monitorLog.network" {
	jq '.network.attempts[0].hostname = "one.one.one.one"' receipt.json |
		sed "s|/nonexistent/glasshouse/|$T/|" > named.json
	gh-sign --attest -s key.pem named.json > env.json
	[ "$(statement env.json | jq -c '.predicate.monitorLog.network[0] | [.hostname, .ip, .port, .protocol]')" = '["one.one.one.one","1.1.1.1",443,"tcp"]' ]
	# the twin: without one, no hostname
	attested
	[ "$(statement env.json | jq -c '.predicate.monitorLog.network[0] | has("hostname")')" = false ]
}

@test "--attest: the captured outputs are the subjects by default" {
	attested
	[ "$(statement env.json | jq -c .subject)" = "[{\"digest\":{\"sha256\":\"$(sha256sum < out.txt | cut -d' ' -f1)\"},\"name\":\"$T/out.txt\"},{\"digest\":{\"sha256\":\"$(sha256sum < err.txt | cut -d' ' -f1)\"},\"name\":\"$T/err.txt\"}]" ]
}

@test "--attest --subject FILE, repeatable, names those files; fileAccess has their digest" {
	local_receipt
	printf 'artifact\n' > a.bin
	gh-sign --attest -s key.pem --subject a.bin --subject /etc/ld.so.cache local.json > env.json
	statement env.json > st.json
	[ "$(jq -c .subject st.json)" = "[{\"digest\":{\"sha256\":\"$(sha256sum < a.bin | cut -d' ' -f1)\"},\"name\":\"a.bin\"},{\"digest\":{\"sha256\":\"$(sha256sum < /etc/ld.so.cache | cut -d' ' -f1)\"},\"name\":\"/etc/ld.so.cache\"}]" ]
	[ "$(jq -r '.predicate.monitorLog.fileAccess[] | select(.name == "/etc/ld.so.cache") | .digest.sha256' st.json)" = "$(sha256sum < /etc/ld.so.cache | cut -d' ' -f1)" ]
	# the twin: a file that was not hashed has no digest
	[ "$(jq -c '.predicate.monitorLog.fileAccess[] | select(.name == "/usr/bin/printf") | .digest' st.json)" = null ]
}

@test "--attest refuses what cannot be attested" {
	jq '.artifacts.stdout = null | .artifacts.stderr = null' receipt.json > nocap.json
	run --separate-stderr gh-sign --attest -s key.pem nocap.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: nocap.json: nothing to attest: no --subject FILE and no captured stdout or stderr" ]
	[ -z "$output" ]
	run --separate-stderr gh-sign --attest -s key.pem --subject gone.bin nocap.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: gone.bin: No such file or directory" ]
	run --separate-stderr gh-sign --attest -s key.pem "$GH_ROOT/tests/fixtures/aggregate/net.ndjson"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"this is a gh-events stream; run gh-aggregate first" ]]
	big big.json 9007199254740993
	run --separate-stderr gh-sign --attest -s key.pem --stdout out.txt --stderr err.txt big.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: big.json: cannot canonicalize: integer 9007199254740993 is beyond 2^53 and has no exact canonical form at /duration_ms" ]
	[ -z "$output" ]
	run --separate-stderr gh-sign --attest receipt.json
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: --attest needs -s SECRET.pem" ]
	run --separate-stderr gh-sign -S -s key.pem --subject a.bin receipt.json
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-sign: can't combine -S and --subject" ]
}

# ---- -V of envelopes ------------------------------------------------------

@test "-V verifies an envelope and prints the predicate type and subjects" {
	attested
	run --separate-stderr gh-sign -V -p pub.pem env.json
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "env.json: signature ok" ]
	[ "${lines[1]}" = "env.json: predicate https://in-toto.io/attestation/runtime-trace/v0.2" ]
	[ "${lines[2]}" = "env.json: subject $T/out.txt sha256:$(sha256sum < out.txt | cut -d' ' -f1) ok" ]
	[ "${lines[3]}" = "env.json: subject $T/err.txt sha256:$(sha256sum < err.txt | cut -d' ' -f1) ok" ]
	[ "${#lines[@]}" -eq 4 ]
	[ -z "$stderr" ]
	run --separate-stderr gh-sign -V -q -p pub.pem - < env.json
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "-V: an envelope subject whose file changed is invalid; one that is gone is noted" {
	attested
	printf 'X' | dd of=out.txt bs=1 seek=2 conv=notrunc status=none
	rm err.txt
	invalid pub.pem env.json "subject $T/out.txt: sha256 differs (445e9db50a2fc76dbedb5916d13561a46eda4f97ef809f35128db169460d8a1b in the statement)"
	[ "${lines[2]}" = "env.json: FAILED: subject $T/out.txt: sha256 differs (445e9db50a2fc76dbedb5916d13561a46eda4f97ef809f35128db169460d8a1b in the statement)" ]
	[ "${lines[3]}" = "env.json: subject $T/err.txt sha256:9be7c8486757b1fcdb9da47103a2f4b17d558400fe583222119485c78fbd6ad2 not present, not checked" ]
}

@test "-V: a subject naming a device or a directory is not read" {
	py_envelope_named /dev/zero > z.json
	run --separate-stderr timeout 20 gh-sign -V -p pub.pem z.json
	[ "$status" -eq 0 ]
	[ "$stderr" = "gh-sign: z.json: subject /dev/zero not checked: not a regular file" ]
	py_envelope_named . > d.json
	run --separate-stderr gh-sign -V -p pub.pem d.json
	[ "$status" -eq 0 ]
	[ "$stderr" = "gh-sign: d.json: subject . not checked: not a regular file" ]
	# the twin: a regular file is read and checked
	py_envelope_named out.txt > f.json
	invalid pub.pem f.json "subject out.txt: sha256 differs ($(printf x | sha256sum | cut -d' ' -f1) in the statement)"
}

@test "-V: a changed payload fails" {
	attested
	statement env.json | sed 's/"exit_code":0/"exit_code":1/' > p.json
	! statement env.json | cmp -s - p.json
	reenvelope env.json p.json > t.json
	invalid pub.pem t.json "signature does not match (envelope modified or wrong key)"
	[ "$output" = "t.json: FAILED: signature does not match (envelope modified or wrong key)" ]
}

@test "-V: a changed payloadType fails" {
	attested
	jq '.payloadType = "application/vnd.in-toto+jsom"' env.json > t.json
	invalid pub.pem t.json "signature does not match (envelope modified or wrong key)"
}

@test "-V: a changed subject digest fails" {
	attested
	statement env.json | jq -c '.subject[0].digest.sha256 = "'"$(printf x | sha256sum | cut -d' ' -f1)"'"' > p.json
	gh-sign --canonical p.json > p.canon
	reenvelope env.json p.canon > t.json
	invalid pub.pem t.json "signature does not match (envelope modified or wrong key)"
}

@test "-V: a changed signature fails" {
	attested
	jq -r '.signatures[0].sig' env.json | base64 -d > sig.bin
	printf 'X' | dd of=sig.bin bs=1 seek=5 conv=notrunc status=none
	jq --arg s "$(base64 -w0 < sig.bin)" '.signatures[0].sig = $s' env.json > t.json
	! cmp -s env.json t.json
	invalid pub.pem t.json "signature does not match (envelope modified or wrong key)"
	jq '.signatures[0].sig = "AAAA"' env.json > t2.json
	invalid pub.pem t2.json "signature does not match (envelope modified or wrong key)"
}

@test "-V: an envelope by another key, or malformed, is invalid" {
	attested
	gh-sign -G -s other.pem -p other.pub
	invalid other.pub env.json "no signature by other.pub (keyid $(keyid other.pub))"
	# a keyid rewritten to the verifier's still fails
	jq --arg k "$(keyid other.pub)" '.signatures[0].keyid = $k' env.json > t.json
	invalid other.pub t.json "signature does not match (envelope modified or wrong key)"
	jq '.signatures = []' env.json > t1.json
	invalid pub.pem t1.json "malformed envelope: signatures is empty"
	jq '.payload = "not base64!"' env.json > t2.json
	invalid pub.pem t2.json "malformed envelope: payload is not base64"
	run --separate-stderr gh-sign -V -p pub.pem --stdout out.txt env.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-sign: env.json: an envelope's files are its subjects: --stdout and --stderr apply to receipts" ]
}

# ---- independent verification ----------------------------------------------

@test "securesystemslib verifies a gh-sign envelope over a PAE computed here" {
	attested
	run "$PY" -c '
import base64, json, sys
from cryptography.hazmat.primitives import serialization
from securesystemslib.signer import SSlibKey, Signature
env = json.load(open("env.json"))
body = base64.b64decode(env["payload"], validate=True)
t = env["payloadType"].encode()
pae = b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)
pub = serialization.load_pem_public_key(open("pub.pem", "rb").read())
raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
s = env["signatures"][0]
key = SSlibKey(s["keyid"], "ed25519", "ed25519", {"public": raw.hex()})
sig = Signature(s["keyid"], base64.b64decode(s["sig"]).hex())
key.verify_signature(sig, pae)
print("verified")
try:
    key.verify_signature(sig, pae.replace(b"DSSEv1 28", b"DSSEv1 28 ", 1))
    print("accepted a changed PAE")
except Exception as e:
    print(type(e).__name__)
'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = verified ]
	[ "${lines[1]}" = UnverifiedSignatureError ]
}

@test "openssl pkeyutl verifies a gh-sign envelope over a PAE computed here" {
	attested
	statement env.json > body.bin
	pae "$(jq -r .payloadType env.json)" body.bin > pae.bin
	head -c 60 pae.bin | grep -q '^DSSEv1 28 application/vnd.in-toto+json [0-9]* {"_type"'
	jq -r '.signatures[0].sig' env.json | base64 -d > sig.bin
	run openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in pae.bin -sigfile sig.bin
	[ "$status" -eq 0 ]
	[ "$output" = "Signature Verified Successfully" ]
	# the twin: the body alone is not what is signed
	run openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in body.bin -sigfile sig.bin
	[ "$status" -ne 0 ]
}

# py_envelope TYPE: an envelope that python3-cryptography signs over a
# statement written here, with key.pem, PAE built from the spec.
py_envelope() {
	"$PY" -c '
import base64, hashlib, json, sys
from cryptography.hazmat.primitives import serialization
sk = serialization.load_pem_private_key(open("key.pem", "rb").read(), None)
der = sk.public_key().public_bytes(serialization.Encoding.DER,
    serialization.PublicFormat.SubjectPublicKeyInfo)
st = {"_type": "https://in-toto.io/Statement/v1",
      "subject": [{"name": "out.txt",
                   "digest": {"sha256": hashlib.sha256(open("out.txt", "rb").read()).hexdigest()}}],
      "predicateType": "https://example.com/test-predicate/v1",
      "predicate": {"note": "written by the test"}}
body = json.dumps(st, indent=1).encode()
signed_type = sys.argv[1].encode()
pae = b"DSSEv1 %d %s %d %s" % (len(signed_type), signed_type, len(body), body)
print(json.dumps({"payloadType": "application/vnd.in-toto+json",
                  "payload": base64.b64encode(body).decode(),
                  "signatures": [{"keyid": hashlib.sha256(der).hexdigest(),
                                  "sig": base64.b64encode(sk.sign(pae)).decode()}]}))
' "$1"
}

# py_envelope_named NAME: an envelope (python3-cryptography, key.pem) whose
# one subject is NAME with the digest of "x".
py_envelope_named() {
	"$PY" -c '
import base64, hashlib, json, sys
from cryptography.hazmat.primitives import serialization
sk = serialization.load_pem_private_key(open("key.pem", "rb").read(), None)
st = {"_type": "https://in-toto.io/Statement/v1",
      "subject": [{"name": sys.argv[1], "digest": {"sha256": hashlib.sha256(b"x").hexdigest()}}],
      "predicateType": "https://example.com/test-predicate/v1", "predicate": {}}
body = json.dumps(st).encode()
t = b"application/vnd.in-toto+json"
pae = b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)
print(json.dumps({"payloadType": t.decode(), "payload": base64.b64encode(body).decode(),
                  "signatures": [{"sig": base64.b64encode(sk.sign(pae)).decode()}]}))
' "$1"
}

@test "gh-sign -V verifies an envelope signed by python3-cryptography" {
	py_envelope "$INTOTO" > py.json
	run --separate-stderr gh-sign -V -p pub.pem py.json
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "py.json: signature ok" ]
	[ "${lines[1]}" = "py.json: predicate https://example.com/test-predicate/v1" ]
	[ "${lines[2]}" = "py.json: subject out.txt sha256:$(sha256sum < out.txt | cut -d' ' -f1) ok" ]
	[ -z "$stderr" ]
	# the twin: signed over another payload type than the envelope says
	py_envelope "application/json" > py2.json
	invalid pub.pem py2.json "signature does not match (envelope modified or wrong key)"
}

@test "end to end: the attestation names the monitor (BPF object, kernel) and the policy file" {
	if [ ! -x "$GH_ROOT/bin/gh-trace" ] || [ ! -x "$GH_ROOT/bin/gh-policy" ]; then
		skip "bin/gh-trace or bin/gh-policy is not built"
	fi
	printf 'allow read /**\n' > rules
	GH_TRACE_PIN_DIR="$T/no-kept-programs" gh-trace --stdout "$T/o.txt" -- \
		sh -c 'echo hello' 2>/dev/null | gh-aggregate |
		gh-policy --annotate rules | gh-sign --attest -s key.pem > env.json
	gh-sign -V -q -p pub.pem env.json
	statement env.json > st.json
	bpf=$(sha256sum < "${GH_OUT:-$GH_ROOT/build}/trace.bpf.o" | cut -d' ' -f1)
	[ "$(jq -c .predicate.monitor st.json)" = "{\"configSource\":{\"digest\":{\"sha256\":\"$bpf\"},\"name\":\"gh-trace BPF object\"},\"glasshouseMonitor\":{\"bpf_object_sha256\":\"$bpf\",\"bpf_programs\":\"loaded\",\"kernel\":\"$(uname -r)\",\"tool_version\":\"0.1.0\"},\"type\":\"urn:glasshouse:gh-trace\"}" ]
	[ "$(jq -r .predicate.glasshouseReceipt.policy.rules_sha256 st.json)" = "$(sha256sum < rules | cut -d' ' -f1)" ]
	[ "$(jq -c .subject st.json)" = "[{\"digest\":{\"sha256\":\"$(printf 'hello\n' | sha256sum | cut -d' ' -f1)\"},\"name\":\"$T/o.txt\"}]" ]
}

# py_sign TYPE BODYFILE: an envelope of those bytes, signed by
# python3-cryptography with key.pem over their PAE.
py_sign() {
	"$PY" -c '
import base64, sys
from cryptography.hazmat.primitives import serialization
sk = serialization.load_pem_private_key(open("key.pem", "rb").read(), None)
t = sys.argv[1].encode()
body = open(sys.argv[2], "rb").read()
pae = b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)
import json
print(json.dumps({"payloadType": t.decode(), "payload": base64.b64encode(body).decode(),
                  "signatures": [{"keyid": "", "sig": base64.b64encode(sk.sign(pae)).decode()}]}))
' "$1" "$2"
}

@test "-V: a valid signature over what is not an in-toto statement is still invalid" {
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"%s"}}],"predicateType":"p","predicate":{}}' \
		"$(printf x | sha256sum | cut -d' ' -f1)" > st.json
	# the twin: signed as it should be, it verifies
	py_sign "$INTOTO" st.json > ok.json
	run --separate-stderr gh-sign -V -p pub.pem ok.json
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "ok.json: predicate p" ]
	py_sign application/json st.json > t1.json
	invalid pub.pem t1.json 'payloadType is "application/json", not application/vnd.in-toto+json'
	printf 'not json' > junk.bin
	py_sign "$INTOTO" junk.bin > t2.json
	run --separate-stderr gh-sign -V -p pub.pem t2.json
	[ "$status" -eq 1 ]
	[[ "$stderr" == "gh-sign: t2.json: payload is not a JSON statement: "* ]]
	printf '{"_type":"https://in-toto.io/Statement/v0.1","subject":[],"predicateType":"p"}' > old.json
	py_sign "$INTOTO" old.json > t3.json
	invalid pub.pem t3.json "payload is not an in-toto statement (_type is not https://in-toto.io/Statement/v1)"
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}' > nosub.json
	py_sign "$INTOTO" nosub.json > t4.json
	invalid pub.pem t4.json "statement has no subject"
	printf '{"_type":"https://in-toto.io/Statement/v1","_type":"x","subject":[{}],"predicateType":"p"}' > dup.json
	py_sign "$INTOTO" dup.json > t5.json
	run --separate-stderr gh-sign -V -p pub.pem t5.json
	[ "$status" -eq 1 ]
	[[ "$stderr" == 'gh-sign: t5.json: payload is not a JSON statement: '*'_type: duplicate member name' ]]
}
