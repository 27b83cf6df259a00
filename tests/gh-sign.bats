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
	[ "${stderr_lines[0]}" = "gh-sign: no mode given: use -G, -S, -H, -V or --canonical" ]
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
	[ "${stderr_lines[0]}" = "gh-sign: invalid option -- 'x'" ]
	[ "${stderr_lines[1]}" = "$USAGE_LINE" ]
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
	run --separate-stderr gh-sign -V -p pub.pem t.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: t.json: signature does not match (receipt modified or wrong key)" ]
}

@test "-V: a removed list element or an added member makes it invalid" {
	signed
	jq '.filesystem.reads = []' signed.json > t1.json
	run --separate-stderr gh-sign -V -p pub.pem t1.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: t1.json: signature does not match (receipt modified or wrong key)" ]
	jq '.extra = null' signed.json > t2.json
	run --separate-stderr gh-sign -V -p pub.pem t2.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: t2.json: signature does not match (receipt modified or wrong key)" ]
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
	run --separate-stderr gh-sign -V -p pub.pem t.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: t.json: signature does not match (receipt modified or wrong key)" ]
}

@test "-V: another public key is refused by fingerprint" {
	signed
	gh-sign -G -s other.pem -p other.pub
	ofp=$(fingerprint other.pub)
	run --separate-stderr gh-sign -V -p other.pub signed.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: signed.json: signed with another key: $FP, not other.pub ($ofp)" ]
}

@test "-V: a key field rewritten to the verifier's key still fails" {
	signed
	gh-sign -G -s other.pem -p other.pub
	ofp=$(fingerprint other.pub)
	jq --arg k "$ofp" '.signature.key = $k' signed.json > t.json
	run --separate-stderr gh-sign -V -p other.pub t.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: t.json: signature does not match (receipt modified or wrong key)" ]
}

@test "-V: one changed byte of captured stdout is reported" {
	local_receipt
	gh-sign -S -s key.pem local.json > s.json
	printf 'X' | dd of=out.txt bs=1 seek=3 conv=notrunc status=none
	run --separate-stderr gh-sign -V -p pub.pem s.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: s.json: stdout hash differs: $T/out.txt" ]
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

@test "-V: an unsigned receipt is invalid" {
	run --separate-stderr gh-sign -V -p pub.pem receipt.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: receipt.json: not signed (no signature member)" ]
}

@test "-V: malformed signature members are invalid" {
	signed
	jq '.signature.alg = "RSA"' signed.json > t1.json
	run --separate-stderr gh-sign -V -p pub.pem t1.json
	[ "$status" -eq 1 ]
	[ "$stderr" = 'gh-sign: t1.json: unsupported signature algorithm "RSA"' ]
	jq '.signature.sig = "not base64!"' signed.json > t2.json
	run --separate-stderr gh-sign -V -p pub.pem t2.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: t2.json: malformed signature (want 64 bytes in base64)" ]
	jq '.signature.sig |= .[4:]' signed.json > t3.json
	run --separate-stderr gh-sign -V -p pub.pem t3.json
	[ "$stderr" = "gh-sign: t3.json: malformed signature (want 64 bytes in base64)" ]
	jq '.signature.note = "x"' signed.json > t4.json
	run --separate-stderr gh-sign -V -p pub.pem t4.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: t4.json: malformed signature member (want exactly alg, key, sig strings)" ]
	jq '.signature = "x"' signed.json > t5.json
	run --separate-stderr gh-sign -V -p pub.pem t5.json
	[ "$stderr" = "gh-sign: t5.json: malformed signature member (want exactly alg, key, sig strings)" ]
	jq '.signature.key |= ascii_upcase' signed.json > t6.json
	run --separate-stderr gh-sign -V -p pub.pem t6.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: t6.json: malformed signature key (want 64 lowercase hex digits)" ]
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

@test "--canonical passes the RFC 8785 vectors that are objects" {
	for n in french structures unicode values weird; do
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
	run --separate-stderr gh-sign -V -p k.pub r.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "gh-sign: r.json: stdout hash differs: $T/o.txt" ]
}
