#!/usr/bin/env bats
# gh-redact: path globs everywhere a path stands, default secrets, --home,
# --hash-key, redactions, sorted lists, signatures, errors.
# Fixtures in tests/fixtures/redact: a hand-written receipt following
# gh-receipt(5) (run_uid 4242, home /home/u) and the exact outputs expected
# from it.

bats_require_minimum_version 1.5.0

setup() {
	FIX="$GH_ROOT/tests/fixtures/redact"
	T="$BATS_TEST_TMPDIR"
	USAGE_LINE="usage: gh-redact [-m GLOB]... [--sensitive] [--home] [--hash-key FILE] [--no-default-secrets] [FILE]"
	# The fixture's run_uid 4242 has no passwd entry on the test machines
	# (checked in the --home tests), so HOME decides.
	export HOME=/home/u
	cd "$T"
}

# refused MESSAGE ARG...: gh-redact ARG... exits 2, with the one line
# "gh-redact: MESSAGE" on stderr and nothing on stdout.
refused() {
	local msg=$1
	shift
	run --separate-stderr gh-redact "$@"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-redact: $msg" ]
	[ -z "$output" ]
}

# Fail when the command succeeds ("! cmd" does not fail a bats test).
refute() {
	if "$@"; then
		echo "unexpectedly succeeded: $*"
		return 1
	fi
}

# A minimal receipt whose provenance.command is the JSON array $1, run in
# $CWD (default /w).
cmd_receipt() {
	jq -n --argjson c "$1" --arg cwd "${CWD:-/w}" \
		'{version: "0.4.0", provenance: {command: $c, cwd: $cwd, run_uid: 4242}, redactions: []}'
}

# Redact the command line $1 with the options that follow; print the
# redacted command line compactly.
redact_cmd() {
	local c=$1
	shift
	cmd_receipt "$c" | gh-redact "$@" | jq -c .provenance.command
}

# The fixture redacted with the usual rules.
full() {
	gh-redact -m '/home/*/.ssh/**' -m /secret --home "$FIX/receipt.json"
}

# ---- usage ----------------------------------------------------------------

@test "--help prints the synopsis and options on stdout" {
	run --separate-stderr gh-redact --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$USAGE_LINE" ]
	[[ "$output" == *"--no-default-secrets"* ]]
	[ -z "$stderr" ]
}

@test "-h is --help" {
	run gh-redact -h
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$USAGE_LINE" ]
}

@test "--version prints the version" {
	run gh-redact --version
	[ "$status" -eq 0 ]
	[ "$output" = "gh-redact 0.1.0" ]
}

@test "an unknown option is a usage error" {
	run --separate-stderr gh-redact --bogus "$FIX/receipt.json"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-redact: unknown option '--bogus'" ]
	[ "${stderr_lines[1]}" = "$USAGE_LINE" ]
	[ -z "$output" ]
}

@test "an unknown short option is a usage error" {
	run --separate-stderr gh-redact -x "$FIX/receipt.json"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-redact: unknown option '-x'" ]
	[ -z "$output" ]
}

@test "-m without a glob is a usage error" {
	run --separate-stderr gh-redact -m
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-redact: option '-m' needs an argument" ]
	[ -z "$output" ]
}

@test "two input files are a usage error" {
	run --separate-stderr gh-redact "$FIX/receipt.json" "$FIX/receipt.json"
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-redact: too many arguments: '$FIX/receipt.json'" ]
	[ -z "$output" ]
}

@test "a malformed glob is a usage error" {
	for g in '/a/[bc' '/a/[b/c]' '/a/\'; do
		run --separate-stderr gh-redact -m "$g" "$FIX/receipt.json"
		[ "$status" -eq 2 ]
		[ "${stderr_lines[0]}" = "gh-redact: -m '$g': malformed pattern" ]
		[ -z "$output" ]
	done
}

# ---- bad input ------------------------------------------------------------

@test "a missing input file is an error" {
	refused "nonexistent.json: No such file or directory" nonexistent.json
}

@test "empty input is an error" {
	refused "<stdin>: no receipt in input" < /dev/null
}

@test "invalid JSON is an error with file:line and nothing on stdout" {
	printf '{\n  "version": "0.4.0",\n  "x": tru\n}\n' > bad.json
	run --separate-stderr gh-redact bad.json
	[ "$status" -eq 2 ]
	[[ "$stderr" == "gh-redact: bad.json:3: "* ]]
	[ -z "$output" ]
}

@test "a JSON value that is not an object is not a receipt" {
	printf '\n[1, 2]\n' > arr.json
	refused "arr.json:2: not a receipt: expected a JSON object, not an array" arr.json
}

@test "an object without a version is not a receipt" {
	echo '{"process_tree": []}' > nov.json
	refused "nov.json:1: not a receipt: no \"version\" or \"execution_id\" member" nov.json
}

@test "a member of the wrong type is an error naming it" {
	jq '.filesystem.reads = "x"' "$FIX/receipt.json" > t1.json
	refused "t1.json:1: filesystem.reads: expected an array of strings" t1.json
	jq '.process_tree[2].argv[1] = 5' "$FIX/receipt.json" > t2.json
	refused "t2.json:1: process_tree[2].argv[1]: expected a string" t2.json
}

@test "a wrong type deep in a process is named with its path (lib/receipt's message)" {
	jq '.process_tree[3].argv = "x"' "$FIX/receipt.json" > t1.json
	refused "t1.json:1: process_tree[3].argv: expected an array of strings" t1.json
	jq '.process_tree[2].execs = [{"argv": ["x"]}, 3]' "$FIX/receipt.json" > t2.json
	refused "t2.json:1: process_tree[2].execs[1]: expected an object" t2.json
	# the twin: the same members with their types are redacted
	jq '.process_tree[3].argv = ["x"] | .process_tree[2].execs = [{"argv": ["x"]}, {"exe": "/x"}]' \
		"$FIX/receipt.json" > t3.json
	run --separate-stderr gh-redact -m /x t3.json
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.process_tree[3].argv, .process_tree[2].execs]' <<< "$output")" = \
	  '[["x"],[{"argv":["x"]},{"exe":"[REDACTED]"}]]' ]
}

@test "a 0.3.0 receipt: its path lists, working dirs and string provenance are redacted" {
	run --separate-stderr gh-redact -m '/srv/job/**' -m '/root/.ssh/**' \
		"$GH_ROOT/tests/fixtures/policy/v030.json"
	[ "$status" -eq 0 ]
	[ "$(jq -c '.filesystem' <<< "$output")" = \
	  '{"deletes":["[REDACTED]"],"policy_violations":[],"reads":["/etc/passwd","[REDACTED]"],"writes":["/etc/motd","[REDACTED]"]}' ]
	[ "$(jq -c '[.process_tree[].working_dir, .provenance, .version]' <<< "$output")" = \
	  '["[REDACTED]","[REDACTED]","host","0.3.0"]' ]
	[ "$(jq -c '.redactions' <<< "$output")" = \
	  '[{"count":1,"rule":"-m /root/.ssh/**"},{"count":4,"rule":"-m /srv/job/**"}]' ]
	# the twin: without -m the same paths stay
	run --separate-stderr gh-redact "$GH_ROOT/tests/fixtures/policy/v030.json"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.filesystem.reads, .filesystem.deletes, .redactions]' <<< "$output")" = \
	  '[["/etc/passwd","/root/.ssh/id_ed25519"],["/srv/job/tmp"],[]]' ]
}

@test "a v0 receipt made by gh-aggregate --v0: read and written lists are redacted" {
	run --separate-stderr gh-redact -m '/tmp/gh-fx/**' "$GH_ROOT/tests/fixtures/aggregate/files.v0.json"
	[ "$status" -eq 0 ]
	[ "$(jq -c '.filesystem.written' <<< "$output")" = '["/dev/null","[REDACTED]"]' ]
	[ "$(jq -c '[.filesystem.read[] | select(startswith("/tmp/gh-fx"))]' <<< "$output")" = '[]' ]
	[ "$(jq -c '.redactions' <<< "$output")" = '[{"count":9,"rule":"-m /tmp/gh-fx/**"}]' ]
	jq -e 'has("version") | not' <<< "$output"
	# the twin: another glob leaves them
	run --separate-stderr gh-redact -m '/tmp/other/**' "$GH_ROOT/tests/fixtures/aggregate/files.v0.json"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.filesystem.read[] | select(startswith("/tmp/gh-fx"))] | length' <<< "$output")" = 2 ]
	[ "$(jq -c '.redactions' <<< "$output")" = '[]' ]
}

@test "an error in the second receipt leaves stdout empty" {
	{ cat "$FIX/receipt.json"; echo '{"version": 1}'; } > two.json
	refused "two.json:523: version: expected a string" two.json
}

# Every JSONTestSuite n_ file: see tests/hard.bats, which feeds them to every filter.

@test "a write error is reported and fails" {
	run --separate-stderr bash -c 'gh-redact "$1" > /dev/full' _ "$FIX/receipt.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-redact: write error: No space left on device" ]
}

# ---- the whole receipt ----------------------------------------------------

@test "the fixture redacts to the expected receipt" {
	full > out.json
	cmp out.json "$FIX/expected-full.json"
}

@test "reading stdin gives the same bytes as reading the file" {
	gh-redact -m '/home/*/.ssh/**' -m /secret --home < "$FIX/receipt.json" > out.json
	cmp out.json "$FIX/expected-full.json"
	gh-redact -m '/home/*/.ssh/**' -m /secret --home - < "$FIX/receipt.json" > out2.json
	cmp out2.json "$FIX/expected-full.json"
}

@test "no masked original byte sequence is left in the output" {
	full > out.json
	local s
	# Every value the rules mask in the fixture.
	while IFS= read -r s; do
		if grep -qF -- "$s" out.json; then
			echo "left in the output: $s"
			return 1
		fi
	done < "$FIX/masked-values.txt"
	# ... and each of them really is in the input.
	while IFS= read -r s; do
		grep -qF -- "$s" "$FIX/receipt.json"
	done < "$FIX/masked-values.txt"
	# The home directory is gone too.
	refute grep -qF '/home/u' out.json
}

@test "masked values stay out with --hash-key too" {
	printf 'test-key' > k
	gh-redact -m '/home/*/.ssh/**' -m /secret --hash-key k "$FIX/receipt.json" > out.json
	local s
	while IFS= read -r s; do
		if grep -qF -- "$s" out.json; then
			echo "left in the output: $s"
			return 1
		fi
	done < "$FIX/masked-values.txt"
}

@test "the output is stable: redacting twice changes only the counts" {
	full > once.json
	gh-redact -m '/home/*/.ssh/**' -m /secret --home once.json > twice.json
	diff <(jq 'del(.redactions)' once.json) <(jq 'del(.redactions)' twice.json)
}

@test "redactions list each rule that fired with its count, sorted, never values" {
	full > out.json
	run jq -c '.redactions' out.json
	[ "$output" = "$(cat "$FIX/expected-redactions.json")" ]
	jq -r '.redactions[].rule' out.json > rules.txt
	refute grep -q -e 'id_rsa' -e 'S3cret' -e 'hunter2' rules.txt
}

@test "earlier redactions are added to, old-style entries dropped with a warning" {
	jq '.redactions = [{"rule": "-m /secret", "count": 2}, {"rule": "default:jwt", "count": 1}, "/old/masked/path"]' \
		"$FIX/receipt.json" > pre.json
	run --separate-stderr gh-redact -m /secret --no-default-secrets pre.json
	[ "$status" -eq 0 ]
	[ "$stderr" = "gh-redact: pre.json:1: dropped 1 \"redactions\" entries that are not {\"rule\", \"count\"}" ]
	[ "$(jq -c .redactions <<<"$output")" = '[{"count":7,"rule":"-m /secret"},{"count":1,"rule":"default:jwt"}]' ]
	[[ "$output" != *"/old/masked/path"* ]]
}

@test "nothing to mask leaves the receipt as gh-receipt(5) wrote it" {
	run --separate-stderr gh-redact --no-default-secrets "$FIX/receipt.json"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$(cat "$FIX/receipt.json")" ]
}

@test "several receipts in one input are redacted one by one" {
	cat "$FIX/receipt.json" "$FIX/receipt.json" > two.json
	gh-redact -m '/home/*/.ssh/**' -m /secret --home two.json > out.json
	cat "$FIX/expected-full.json" "$FIX/expected-full.json" | cmp - out.json
}

# ---- -m: path globs -------------------------------------------------------

@test "-m masks whole paths in filesystem lists; /secret does not mask /secretary" {
	full > out.json
	[ "$(jq -c .filesystem.reads out.json)" = '["/etc/ld.so.cache","/secretary/plan.py","[REDACTED]","~/notes.txt"]' ]
	[ "$(jq -c .filesystem.writes out.json)" = '["/tmp/key-link","/tmp/out","[REDACTED]"]' ]
	[ "$(jq -c .filesystem.deletes out.json)" = '["[REDACTED]"]' ]
}

@test "-m /secret masks /secret only, never /secret/x" {
	run redact_cmd '["tool","/secret","/secret/x","/secretary","--out=/secret"]' -m /secret
	[ "$output" = '["tool","[REDACTED]","/secret/x","/secretary","--out=[REDACTED]"]' ]
	run redact_cmd '["tool","/secret","/secret/x","/secretary"]' -m '/secret/**'
	[ "$output" = '["tool","[REDACTED]","[REDACTED]","/secretary"]' ]
}

@test "-m '*' stays within a component, '**' crosses them" {
	run redact_cmd '["t","/home/u/.ssh","/home/u/x/.ssh","/home/u/.ssh/a/b"]' -m '/home/*/.ssh'
	[ "$output" = '["t","[REDACTED]","/home/u/x/.ssh","/home/u/.ssh/a/b"]' ]
	run redact_cmd '["t","/home/u/.ssh","/home/u/x/.ssh","/srv/.ssh"]' -m '/home/**/.ssh'
	[ "$output" = '["t","[REDACTED]","[REDACTED]","/srv/.ssh"]' ]
}

@test "-m finds paths inside argv elements and shell commands" {
	run redact_cmd '["sh","-c","cat /k/id; cp /k/id:/x /tmp/y","--config=/k/a,/ok","X=/k/b","@/k/c","open /k/d: ENOENT"]' --no-default-secrets -m '/k/*'
	[ "$output" = '["sh","-c","cat [REDACTED]; cp [REDACTED]:/x /tmp/y","--config=[REDACTED],/ok","X=[REDACTED]","@[REDACTED]","open [REDACTED]: ENOENT"]' ]
	# Lists are masked item by item, even with a glob that crosses
	# components.
	run redact_cmd '["t","--config=/k/a,/ok","PATH=/bin:/k/x/bin:/usr/bin"]' --no-default-secrets -m '/k/**'
	[ "$output" = '["t","--config=[REDACTED],/ok","PATH=/bin:[REDACTED]:/usr/bin"]' ]
	# ... but a whole argv element that matches is masked whole.
	run redact_cmd '["t","/k/a,b"]' --no-default-secrets -m '/k/**'
	[ "$output" = '["t","[REDACTED]"]' ]
}

@test "-m does not mask a path glued to other text" {
	run redact_cmd '["t","x/k/id","/k/id.bak"]' --no-default-secrets -m '/k/id'
	[ "$output" = '["t","x/k/id","/k/id.bak"]' ]
}

@test "-m resolves relative argv paths against the working directory" {
	CWD=/home/u/.ssh run redact_cmd '["cat","id_rsa","../notes","./x/../id_rsa","-n"]' -m '/home/u/.ssh/*'
	[ "$output" = '["cat","[REDACTED]","../notes","[REDACTED]","-n"]' ]
	# A bare program name is looked up in PATH, not in the working directory.
	# File names with spaces and newlines are paths too; a script after
	# -c is not.
	CWD=/home/u/.ssh run redact_cmd '["cat","my key","new\nline"]' -m '/home/u/.ssh/*'
	[ "$output" = '["cat","[REDACTED]","[REDACTED]"]' ]
	CWD=/home/u/.ssh run redact_cmd '["sh","-c","id_rsa"]' -m '/home/u/.ssh/*'
	[ "$output" = '["sh","-c","id_rsa"]' ]
	CWD=/home/u/.ssh run redact_cmd '["id_rsa"]' -m '/home/u/.ssh/*'
	[ "$output" = '["id_rsa"]' ]
	# ~/ is the home directory.
	CWD=/ run redact_cmd '["cat","~/.ssh/id_rsa"]' -m '/home/u/.ssh/*'
	[ "$output" = '["cat","[REDACTED]"]' ]
}

@test "-m masks processes cmd, working dirs, exe, execs and provenance" {
	full > out.json
	[ "$(jq -r '.processes[1].cmd' out.json)" = "cat [REDACTED]" ]
	[ "$(jq -r '.process_tree[5].working_dir' out.json)" = "[REDACTED]" ]
	[ "$(jq -c '.process_tree[5].execs[0]' out.json)" = '{"argv":["cat","[REDACTED]","../notes.txt"],"argv_truncated":false,"cwd":"[REDACTED]","exe":"/usr/bin/cat"}' ]
	[ "$(jq -r '.provenance.command[2]' out.json)" = "cat [REDACTED] > /tmp/out; mysql -u root -p[REDACTED] db; curl -H 'Authorization: Bearer [REDACTED]' https://bob:[REDACTED]@example.com/x" ]
	run redact_cmd '["/opt/secret/bin/x"]' -m '/opt/secret/**'
	[ "$output" = '["[REDACTED]"]' ]
}

@test "-m masks exe paths" {
	run gh-redact -m '/usr/bin/cat' --no-default-secrets "$FIX/receipt.json"
	[ "$(jq -r '.process_tree[1].exe' <<<"$output")" = "[REDACTED]" ]
	[ "$(jq -r '.process_tree[2].exe' <<<"$output")" = "/usr/bin/mysql" ]
}

@test "-m masks a symlink's relative target resolved against the link" {
	full > out.json
	[ "$(jq -c '.filesystem.accesses[] | select(.op == "symlink")' out.json)" = '{"count":1,"op":"symlink","path":"/tmp/key-link","pids":[100],"result":"ok","target":"[REDACTED]"}' ]
	run gh-redact -m '/home/*/.ssh/**' "$FIX/receipt.json"
	[[ "$output" != *"../home/u/.ssh/id_rsa"* ]]
}

@test "-m masks unix socket addresses and output paths, not IP addresses" {
	full > out.json
	[ "$(jq -c '[.network.connections[].dst]' out.json)" = '["127.0.0.34:443","unix:[REDACTED]"]' ]
	[ "$(jq -c '[.network.attempts[].dst]' out.json)" = '["127.0.0.34:443","unix:[REDACTED]"]' ]
	run gh-redact -m '/home/u/run/*' "$FIX/receipt.json"
	[ "$(jq -r '.artifacts.stdout.path' <<<"$output")" = "[REDACTED]" ]
}

@test "-m masks paths in completeness reasons, errors and policy text" {
	jq '.completeness_reasons = ["b", "open failed: /k/x"] | .outcome.error = "exec /k/y: ENOENT" | .policy = {"violations": [{"item": "/k/z", "rule": "rules:3"}]}' \
		"$FIX/receipt.json" > t.json
	gh-redact -m '/k/**' t.json > out.json
	[ "$(jq -c .completeness_reasons out.json)" = '["b","open failed: [REDACTED]"]' ]
	[ "$(jq -r .outcome.error out.json)" = "exec [REDACTED]: ENOENT" ]
	[ "$(jq -c .policy out.json)" = '{"violations":[{"item":"[REDACTED]","rule":"rules:3"}]}' ]
}

@test "the first -m that matches names the masking" {
	run redact_cmd '["t","/a/b"]' -m '/a/*' -m '/a/**'
	cmd_receipt '["t","/a/b"]' | gh-redact -m '/a/*' -m '/a/**' > out.json
	[ "$(jq -c .redactions out.json)" = '[{"count":1,"rule":"-m /a/*"}]' ]
}

# ---- sorted and unique lists ----------------------------------------------

@test "masked paths that become equal are merged and lists sorted again" {
	full > out.json
	# Three reads under .ssh become one "[REDACTED]".
	[ "$(jq -c '[.filesystem.accesses[] | select(.path == "[REDACTED]" and .op == "read" and .result == "ok")]' out.json)" = '[{"count":3,"op":"read","path":"[REDACTED]","pids":[101,104,105],"result":"ok"}]' ]
	# Every list is still sorted and unique.
	jq -e '.filesystem | (.reads == (.reads | unique)) and (.writes == (.writes | unique)) and (.deletes == (.deletes | unique))' out.json
	jq -e '.filesystem.accesses == (.filesystem.accesses | sort_by(.path, .op, (.target // ""), .result))' out.json
	jq -e '[.filesystem.accesses[] | [.path, .op, (.target // ""), .result]] | . == unique' out.json
	jq -e '.network.connections == (.network.connections | unique_by([.dst, .protocol]))' out.json
	# failed keeps its meaning.
	[ "$(jq .filesystem.failed out.json)" = 1 ]
}

@test "accesses merge only when path, op, target, result and mode agree" {
	jq '.filesystem.accesses = [{"path": "/k/a", "op": "chmod", "mode": 420, "result": "ok", "count": 1, "pids": [3]},
	                            {"path": "/k/b", "op": "chmod", "mode": 384, "result": "ok", "count": 1, "pids": [4]},
	                            {"path": "/k/c", "op": "chmod", "mode": 420, "result": "ok", "count": 2, "pids": [2, 3]},
	                            {"path": "/k/d", "op": "chmod", "mode": 420, "result": "EPERM", "count": 1, "pids": [5]}]' \
		"$FIX/receipt.json" > t.json
	gh-redact -m '/k/*' t.json > out.json
	[ "$(jq -c .filesystem.accesses out.json)" = '[{"count":1,"mode":420,"op":"chmod","path":"[REDACTED]","pids":[5],"result":"EPERM"},{"count":1,"mode":384,"op":"chmod","path":"[REDACTED]","pids":[4],"result":"ok"},{"count":3,"mode":420,"op":"chmod","path":"[REDACTED]","pids":[2,3],"result":"ok"}]' ]
}

@test "merging attempts adds counts and unites pids" {
	jq '.network.connections = [{"dst": "unix:/k/a", "protocol": "unix", "attempted": true}, {"dst": "unix:/k/b", "protocol": "unix", "attempted": true}]
	    | .network.attempts = [{"dst": "unix:/k/a", "protocol": "unix", "op": "connect", "family": "unix", "result": "ok", "count": 2, "pids": [5, 7]},
	                           {"dst": "unix:/k/b", "protocol": "unix", "op": "connect", "family": "unix", "result": "ok", "count": 1, "pids": [6, 7]}]' \
		"$FIX/receipt.json" > t.json
	gh-redact -m '/k/*' t.json > out.json
	[ "$(jq -c .network.connections out.json)" = '[{"attempted":true,"dst":"unix:[REDACTED]","protocol":"unix"}]' ]
	[ "$(jq -c .network.attempts out.json)" = '[{"count":3,"dst":"unix:[REDACTED]","family":"unix","op":"connect","pids":[5,6,7],"protocol":"unix","result":"ok"}]' ]
}

# ---- default secrets ------------------------------------------------------

@test "secret option values are masked: --NAME=VALUE and --NAME VALUE" {
	run redact_cmd '["t","--password=hunter22","--token","tk-1234","--api-key=k1","--db-password","pw","-password=x1","--client-secret","cs1"]'
	[ "$output" = '["t","--password=[REDACTED]","--token","[REDACTED]","--api-key=[REDACTED]","--db-password","[REDACTED]","-password=[REDACTED]","--client-secret","[REDACTED]"]' ]
}

@test "options that only say where a secret is are left alone" {
	run redact_cmd '["t","--password-file","/run/pw","--token-stdin","reg","--no-password","db","--tokenizer","bert","--key","k.pem","--verbose","x"]'
	[ "$output" = '["t","--password-file","/run/pw","--token-stdin","reg","--no-password","db","--tokenizer","bert","--key","k.pem","--verbose","x"]' ]
	# A flag followed by another option has no value to mask.
	run redact_cmd '["mysql","--password","-h","db"]'
	[ "$output" = '["mysql","--password","-h","db"]' ]
}

@test "-p is a password only for programs that take one there" {
	run redact_cmd '["mysql","-u","root","-pS3cret","db"]'
	[ "$output" = '["mysql","-u","root","-p[REDACTED]","db"]' ]
	run redact_cmd '["sudo","/usr/bin/mysqldump","-pS3cret"]'
	[ "$output" = '["sudo","/usr/bin/mysqldump","-p[REDACTED]"]' ]
	run redact_cmd '["sshpass","-p","S3cret","ssh","h"]'
	[ "$output" = '["sshpass","-p","[REDACTED]","ssh","h"]' ]
	run redact_cmd '["redis-cli","-a","S3cret","ping"]'
	[ "$output" = '["redis-cli","-a","[REDACTED]","ping"]' ]
	run redact_cmd '["mkdir","-p","/tmp/dir"]'
	[ "$output" = '["mkdir","-p","/tmp/dir"]' ]
	run redact_cmd '["ssh","-p","2222","host"]'
	[ "$output" = '["ssh","-p","2222","host"]' ]
	run redact_cmd '["docker","login","-u","me","-p","S3cret","reg.io"]'
	[ "$output" = '["docker","login","-u","me","-p","[REDACTED]","reg.io"]' ]
	run redact_cmd '["docker","run","-p","8080:80","img"]'
	[ "$output" = '["docker","run","-p","8080:80","img"]' ]
}

@test "curl -u keeps the user and masks the password" {
	run redact_cmd '["curl","-u","alice:S3cret","https://h/","--user=bob:pw2"]'
	[ "$output" = '["curl","-u","alice:[REDACTED]","https://h/","--user=bob:[REDACTED]"]' ]
	run redact_cmd '["sort","-u","a:b"]'
	[ "$output" = '["sort","-u","a:b"]' ]
}

@test "NAME=VALUE with a secret name is masked, in argv and --env=" {
	run redact_cmd '["env","AWS_SECRET_ACCESS_KEY=abc123","GITHUB_TOKEN=t0k","DB_PWD=p","PWD=/w","PATH=/bin","docker","--env=API_KEY=z9","-e","MY_PASSWORD=q","CFLAGS=-O2"]'
	[ "$output" = '["env","AWS_SECRET_ACCESS_KEY=[REDACTED]","GITHUB_TOKEN=[REDACTED]","DB_PWD=[REDACTED]","PWD=/w","PATH=/bin","docker","--env=API_KEY=[REDACTED]","-e","MY_PASSWORD=[REDACTED]","CFLAGS=-O2"]' ]
}

@test "secrets inside a shell command are masked word by word" {
	run redact_cmd '["sh","-c","FOO_TOKEN=abc mysql -pS3cret db && tool --password \"two words\" x"]'
	[ "$output" = '["sh","-c","FOO_TOKEN=[REDACTED] mysql -p[REDACTED] db && tool --password \"[REDACTED]\" x"]' ]
	run redact_cmd '["bash","-lc","GH_TOKEN=abc gh pr list"]'
	[ "$output" = '["bash","-lc","GH_TOKEN=[REDACTED] gh pr list"]' ]
	# An element with spaces that is no script is one value.
	run redact_cmd '["t","--password","two words","TOKEN=a b"]'
	[ "$output" = '["t","--password","[REDACTED]","TOKEN=[REDACTED]"]' ]
}

@test "URL passwords are masked, user names kept" {
	run redact_cmd '["git","clone","https://alice:S3cret@example.com/r.git","ssh://git@example.com/r","http://u:@h/"]'
	[ "$output" = '["git","clone","https://alice:[REDACTED]@example.com/r.git","ssh://git@example.com/r","http://u:@h/"]' ]
}

@test "well-known token shapes are masked anywhere in a string" {
	local gh=ghp_0123456789abcdefghijABCDEFGHIJ012345
	local pat=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz
	local jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U
	run redact_cmd "[\"t\",\"AKIAIOSFODNN7EXAMPLE\",\"x=$gh\",\"$pat\",\"glpat-abcdefghij0123456789\",\"xoxb-1234567890-abcdef\",\"$jwt\"]"
	[ "$output" = '["t","[REDACTED]","x=[REDACTED]","[REDACTED]","[REDACTED]","[REDACTED]","[REDACTED]"]' ]
	cmd_receipt "[\"t\",\"AKIAIOSFODNN7EXAMPLE\",\"x=$gh\",\"$pat\",\"glpat-abcdefghij0123456789\",\"xoxb-1234567890-abcdef\",\"$jwt\"]" |
		gh-redact | jq -c .redactions > red.json
	[ "$(cat red.json)" = '[{"count":1,"rule":"default:aws-access-key"},{"count":2,"rule":"default:github-token"},{"count":1,"rule":"default:gitlab-token"},{"count":1,"rule":"default:jwt"},{"count":1,"rule":"default:slack-token"}]' ]
}

@test "near misses of token shapes are left alone" {
	run redact_cmd '["t","AKIAIOSFODNN7EXAMPL","XAKIAIOSFODNN7EXAMPLE","ghp_short","xoxb-short","eyJabc.eyJdef.x"]'
	[ "$output" = '["t","AKIAIOSFODNN7EXAMPL","XAKIAIOSFODNN7EXAMPLE","ghp_short","xoxb-short","eyJabc.eyJdef.x"]' ]
}

@test "authorization credentials and secret headers are masked" {
	run redact_cmd '["curl","-H","Authorization: Bearer abcdefgh1234","-H","authorization: Basic dXNlcjpwdw==","-H","Proxy-Authorization: tok123","-H","X-Api-Key: k-123","-H","Accept: text/plain","-H","key: value"]'
	[ "$output" = '["curl","-H","Authorization: Bearer [REDACTED]","-H","authorization: Basic [REDACTED]","-H","Proxy-Authorization: [REDACTED]","-H","X-Api-Key: [REDACTED]","-H","Accept: text/plain","-H","key: value"]' ]
	run redact_cmd '["git","-c","http.extraheader=AUTHORIZATION: basic dXNlcjpwdw==","clone","u"]'
	[ "$output" = '["git","-c","http.extraheader=AUTHORIZATION: basic [REDACTED]","clone","u"]' ]
	run redact_cmd '["sh","-c","curl -H \"Authorization: token abc123\" https://x"]'
	[ "$output" = '["sh","-c","curl -H \"Authorization: token [REDACTED]\" https://x"]' ]
}

@test "bearer tokens are masked outside headers too" {
	run redact_cmd '["t","--auth=Bearer abcdefgh1234","bearer of news"]'
	[ "$output" = '["t","--auth=Bearer [REDACTED]","bearer of news"]' ]
}

@test "private key blocks are masked" {
	local k
	k=$(printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----')
	run redact_cmd "$(jq -nc --arg k "$k" '["echo", ("key: " + $k + " done"), "-----BEGIN PUBLIC KEY-----"]')"
	[ "$output" = '["echo","key: [REDACTED] done","-----BEGIN PUBLIC KEY-----"]' ]
}

@test "a masked secret is masked wherever else it occurs" {
	jq '.filesystem.writes = ["/tmp/hunter2hunter.txt"]' "$FIX/receipt.json" > t.json
	gh-redact t.json > out.json
	[ "$(jq -c .filesystem.writes out.json)" = '["/tmp/[REDACTED].txt"]' ]
	# Short values are masked where they stand, not hunted down.
	cmd_receipt '["t","--token","true","/bin/true"]' | gh-redact | jq -c .provenance.command > short.json
	[ "$(cat short.json)" = '["t","--token","[REDACTED]","/bin/true"]' ]
}

@test "many secrets: each one masked wherever else it occurs" {
	# 300 processes, each with a password of its own that also names the
	# file it wrote (bench/redact/sweep measures the time of this sweep)
	jq -c '.process_tree[0] as $p | .process_tree = [range(300) as $i |
		$p | .pid = 9000 + $i | .argv = ["prog", "--password=Secret\($i)X"]] |
		.filesystem.writes = [range(300) as $i | "/tmp/Secret\($i)X.txt"]' "$FIX/receipt.json" > t.json
	gh-redact t.json > out.json
	! grep -q 'Secret[0-9]' out.json || false
	# (the 300 masked paths are one path now)
	[ "$(jq -c .filesystem.writes out.json)" = '["/tmp/[REDACTED].txt"]' ]
	[ "$(jq -c '[.process_tree[].argv[1]] | unique' out.json)" = '["--password=[REDACTED]"]' ]
	# 300 argv, 300 writes, and what the fixture's other members hold
	[ "$(jq -c '.redactions[] | select(.rule == "default:secret-option") | .count' out.json)" = 905 ]
	# the twin: a value under 6 bytes is masked where it stands only
	jq -c '.process_tree[0].argv = ["prog", "--password=S3c"] | .filesystem.writes = ["/tmp/S3c.txt"]' \
		"$FIX/receipt.json" > short.json
	gh-redact short.json > out2.json
	[ "$(jq -c '[.process_tree[0].argv, .filesystem.writes]' out2.json)" = '[["prog","--password=[REDACTED]"],["/tmp/S3c.txt"]]' ]
}

@test "many entries made alike by masking: one entry, counts added, pids sorted once each" {
	# 2,000 processes each write a file of their own under /srv/out, in
	# reverse pid order (bench/redact/merge measures the time)
	jq -c '.filesystem.accesses += [range(2000) as $i | {op: "write", path: "/srv/out/f\($i)",
		count: 2, pids: [12000 - $i, 5000], result: "ok"}]' "$FIX/receipt.json" > t.json
	gh-redact -m '/srv/out/**' t.json > out.json
	[ "$(jq -c '[.filesystem.accesses[] | select(.path == "[REDACTED]")] | length' out.json)" = 1 ]
	[ "$(jq -c '.filesystem.accesses[] | select(.path == "[REDACTED]") | [.count, (.pids | length), .pids[0:3], (.pids == (.pids | sort))]' out.json)" = \
	  '[4000,2001,[5000,10001,10002],true]' ]
	# the twin: entries that stay apart are not merged
	gh-redact -m '/srv/none/**' t.json > out2.json
	[ "$(jq -c '[.filesystem.accesses[] | select(.path | startswith("/srv/out/"))] | length' out2.json)" = 2000 ]
}

@test "environments in a receipt: values whose names say secret" {
	jq '.process_tree[0].env = {"HOME": "/home/u", "GITHUB_TOKEN": "t0k3n", "LANG": "C"}
	    | .provenance.env = ["PATH=/bin", "AWS_SESSION_TOKEN=s3ss", "NPM_CONFIG_PASSWORD=np"]' \
		"$FIX/receipt.json" > t.json
	gh-redact t.json > out.json
	[ "$(jq -c .process_tree[0].env out.json)" = '{"GITHUB_TOKEN":"[REDACTED]","HOME":"/home/u","LANG":"C"}' ]
	[ "$(jq -c .provenance.env out.json)" = '["PATH=/bin","AWS_SESSION_TOKEN=[REDACTED]","NPM_CONFIG_PASSWORD=[REDACTED]"]' ]
	# The platform description is no environment of variables.
	[ "$(jq -c .environment out.json)" = '{"arch":"x86_64","os":"linux","runtime":"native","sandbox":"none"}' ]
}

@test "--no-default-secrets turns the secret rules off" {
	run redact_cmd '["mysql","-pS3cret","--password=x","TOKEN=y","https://a:b@h/","AKIAIOSFODNN7EXAMPLE"]' --no-default-secrets
	[ "$output" = '["mysql","-pS3cret","--password=x","TOKEN=y","https://a:b@h/","AKIAIOSFODNN7EXAMPLE"]' ]
	cmd_receipt '["mysql","-pS3cret"]' | gh-redact --no-default-secrets | jq -c .redactions > red.json
	[ "$(cat red.json)" = '[]' ]
}

# ---- --home ---------------------------------------------------------------

@test "--home rewrites the home prefix to ~, at component boundaries only" {
	run redact_cmd '["t","/home/u","/home/u/x","/home/user/x","--dir=/home/u/y","a:/home/u/z"]' --home
	[ "$output" = '["t","~","~/x","/home/user/x","--dir=~/y","a:~/z"]' ]
	full > out.json
	[ "$(jq -r .provenance.cwd out.json)" = "~" ]
	[ "$(jq -r .artifacts.stdout.path out.json)" = "~/run/out.txt" ]
}

@test "--home takes the home of provenance.run_uid, else HOME" {
	# uid 4242 has no passwd entry here: HOME decides.
	refute getent passwd 4242
	run redact_cmd '["t","/srv/h/x"]' --home
	[ "$output" = '["t","/srv/h/x"]' ]
	HOME=/srv/h run redact_cmd '["t","/srv/h/x"]' --home
	[ "$output" = '["t","~/x"]' ]
	# uid 0 is root, whose home is /root whatever HOME says.
	jq -n '{version: "0.4.0", provenance: {command: ["t", "/root/x", "/srv/h/x"], run_uid: 0}}' > r0.json
	HOME=/srv/h gh-redact --home r0.json | jq -c .provenance.command > out.txt
	[ "$(cat out.txt)" = '["t","~/x","/srv/h/x"]' ]
}

@test "--home without a known home directory is an error" {
	cmd_receipt '["t"]' > r.json
	HOME= run --separate-stderr gh-redact --home r.json
	[ "$status" -eq 2 ]
	[ "$stderr" = "gh-redact: r.json:1: --home: no home directory known (no user with the receipt's provenance.run_uid, and \$HOME is unset or \"/\")" ]
	[ -z "$output" ]
	HOME=/ run --separate-stderr gh-redact --home r.json
	[ "$status" -eq 2 ]
}

@test "without --home the home directory stays" {
	run redact_cmd '["t","/home/u/x"]'
	[ "$output" = '["t","/home/u/x"]' ]
}

# ---- --hash-key -----------------------------------------------------------

@test "--hash-key writes HMAC-SHA-256 prefixes that openssl agrees with" {
	printf 'test-key' > k
	gh-redact -m '/home/*/.ssh/**' --hash-key k "$FIX/receipt.json" > out.json
	local want
	want=$(printf %s /home/u/.ssh/id_rsa | openssl dgst -sha256 -mac HMAC -macopt key:test-key | sed 's/.*= //' | cut -c1-16)
	[ "$(jq -r '.process_tree[1].argv[1]' out.json)" = "[HMAC:$want]" ]
	want=$(printf %s S3cretPass | openssl dgst -sha256 -mac HMAC -macopt key:test-key | sed 's/.*= //' | cut -c1-16)
	[ "$(jq -r '.process_tree[2].argv[3]' out.json)" = "-p[HMAC:$want]" ]
}

@test "--hash-key keeps equal values equal and different values apart" {
	printf 'test-key' > k
	gh-redact -m '/home/*/.ssh/**' --hash-key k "$FIX/receipt.json" > out.json
	# id_rsa in cat's argv and in the reads list hash the same.
	[ "$(jq -r '.process_tree[1].argv[1]' out.json)" = "$(jq -r '.filesystem.accesses[] | select(.op == "read" and .pids == [101] and .result == "ok") | .path' out.json)" ]
	[ "$(jq '.filesystem.reads | map(select(startswith("[HMAC:"))) | unique | length' out.json)" = 3 ]
	# Another key gives other hashes.
	printf 'other-key' > k2
	gh-redact -m '/home/*/.ssh/**' --hash-key k2 "$FIX/receipt.json" > out2.json
	[ "$(jq -r '.process_tree[1].argv[1]' out.json)" != "$(jq -r '.process_tree[1].argv[1]' out2.json)" ]
}

@test "--hash-key with a missing or empty key file is an error" {
	refused "--hash-key: nokey: No such file or directory" --hash-key nokey "$FIX/receipt.json"
	: > empty
	refused "--hash-key: empty: empty key" --hash-key empty "$FIX/receipt.json"
}

# ---- signatures -----------------------------------------------------------

@test "redacting a signed receipt removes the signature with a warning" {
	jq '.signature = {"alg": "Ed25519", "key": "00", "sig": "AA=="}' "$FIX/receipt.json" > s.json
	run --separate-stderr gh-redact -m '/home/*/.ssh/**' s.json
	[ "$status" -eq 0 ]
	[ "$stderr" = "gh-redact: s.json:1: removed the signature, which redaction invalidates (sign the redacted receipt again)" ]
	[ "$(jq 'has("signature")' <<<"$output")" = false ]
}

@test "a signed receipt that nothing changes keeps its signature" {
	jq '.signature = {"alg": "Ed25519", "key": "00", "sig": "AA=="}' "$FIX/receipt.json" > s.json
	run --separate-stderr gh-redact --no-default-secrets -m /nowhere s.json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(jq -c .signature <<<"$output")" = '{"alg":"Ed25519","key":"00","sig":"AA=="}' ]
}

# ---- hostile data ---------------------------------------------------------

@test "control bytes, quotes and odd text in strings still give valid JSON" {
	jq -n '{version: "0.4.0", provenance: {command: ["t", "a\nb\"c\\d /k/x\u0001", "--password=\u0000zz", "\u00e9/k/y é"], cwd: "/w"},
	        filesystem: {reads: ["/k/\n", "/k/é", "/z\u0007"]}}' > h.json
	gh-redact -m '/k/*' h.json > out.json
	jq -e . out.json > /dev/null
	[ "$(jq -c .provenance.command out.json)" = '["t","a\nb\"c\\d [REDACTED]","--password=[REDACTED]","é/k/y é"]' ]
	[ "$(jq -c .filesystem.reads out.json)" = '["/z\u0007","[REDACTED]"]' ]
}

@test "raw bytes beside a masked value (NAME_hex) are dropped with it" {
	jq -n '{version: "0.4.0",
	        provenance: {command: ["cat", "/k/a\ufffd", "/ok/\ufffd"], command_hex: [null, "2f6b2f61ff", "2f6f6b2fff"], cwd: "/w"},
	        process_tree: [{pid: 1, ppid: 0, argv: ["cat", "/k/a\ufffd"], argv_hex: [null, "2f6b2f61ff"], exe: "/k/\ufffd", exe_hex: "2f6b2fff"}],
	        filesystem: {accesses: [{path: "/k/a\ufffd", path_hex: "2f6b2f61ff", op: "read", result: "ok", count: 1, pids: [1]},
	                                {path: "/ok/\ufffd", path_hex: "2f6f6b2fff", op: "read", result: "ok", count: 1, pids: [1]}]}}' > hex.json
	gh-redact -m '/k/**' hex.json > out.json
	refute grep -q 2f6b2f out.json
	[ "$(jq -c .provenance.command_hex out.json)" = '[null,null,"2f6f6b2fff"]' ]
	[ "$(jq -c '.process_tree[0] | [has("argv_hex"), has("exe_hex")]' out.json)" = '[false,false]' ]
	[ "$(jq -c '[.filesystem.accesses[] | .path_hex]' out.json)" = '["2f6f6b2fff",null]' ]
}

# ---- receipts of real traced commands -------------------------------------

# Trace, as root, a shell that reads a key under a fake home's .ssh (by
# absolute and by relative path), passes a password on a command line and a
# token in the environment of env(1); aggregate the events into $T/receipt.json.
traced_receipt() {
	[ "$(id -u)" -eq 0 ] || skip "tracing needs root"
	mkdir -p "$T/home/u/.ssh"
	echo 'not a real key' > "$T/home/u/.ssh/id_rsa"
	gh-trace -o ev.ndjson -- sh -c '
		cat "$1/.ssh/id_rsa" > /dev/null
		/bin/echo --password=hunter2hunter > /dev/null
		env GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345 /bin/true
		cd "$1" && cat .ssh/id_rsa > /dev/null' sh "$T/home/u"
	if jq -e 'select(.type == "header") | .audit.active == false' ev.ndjson > /dev/null; then
		skip "eBPF unavailable: $(jq -r 'select(.type == "header") | .audit.reason' ev.ndjson)"
	fi
	gh-aggregate ev.ndjson > receipt.json
}

@test "a traced command: the key's path, the password and the token are gone" {
	traced_receipt
	# The receipt really holds them.
	grep -qF "$T/home/u/.ssh/id_rsa" receipt.json
	grep -qF hunter2hunter receipt.json
	grep -qF ghp_0123456789abcdefghijABCDEFGHIJ012345 receipt.json
	gh-redact -m "$T/home/*/.ssh/**" receipt.json > red.json
	local s
	# (The script itself says "$1/.ssh/id_rsa" and ".ssh/id_rsa": text,
	# not paths; what they name at run time is masked.)
	for s in "$T/home/u/.ssh" hunter2hunter ghp_0123456789abcdefghijABCDEFGHIJ012345; do
		if grep -qF -- "$s" red.json; then
			echo "left in the output: $s"
			return 1
		fi
	done
	jq -e '.filesystem.reads | index("[REDACTED]")' red.json
	[ "$(jq -r '.processes[] | select(.cmd | startswith("cat .ssh")) | .cmd' receipt.json)" = "cat .ssh/id_rsa" ]
	[ "$(jq -r '.processes[] | select(.cmd | startswith("cat [R")) | .cmd' red.json | sort -u)" = "cat [REDACTED]" ]
	jq -e '[.redactions[].rule] == ["-m '"$T"'/home/*/.ssh/**", "default:github-token", "default:secret-option"]' red.json
	# The relative path was resolved where cat ran.
	jq -e '[.process_tree[] | select(.argv == ["cat", "[REDACTED]"])] | length == 2' red.json
	# Lists stay sorted and unique.
	jq -e '.filesystem | (.reads == (.reads | unique)) and (.writes == (.writes | unique))' red.json
	jq -e '.filesystem.accesses == (.filesystem.accesses | sort_by(.path, .op, (.target // ""), .result))' red.json
}

@test "a traced command: the older v0 shape is redacted too" {
	traced_receipt
	gh-aggregate --v0 ev.ndjson > v0.json
	jq -e 'has("version") | not' v0.json
	gh-redact -m "$T/home/*/.ssh/**" v0.json > red.json
	refute grep -qF -e "$T/home/u/.ssh" -e hunter2hunter -e ghp_0123 red.json
	jq -e '.filesystem.read | index("[REDACTED]")' red.json
}

@test "the pipeline trace | aggregate | redact | sign verifies" {
	[ "$(id -u)" -eq 0 ] || skip "tracing needs root"
	mkdir -p "$T/home/u/.ssh"
	echo 'not a real key' > "$T/home/u/.ssh/id_rsa"
	gh-sign -G -s key.pem -p pub.pem
	gh-trace -o /dev/stdout -- sh -c 'cat "$1" > /dev/null; /bin/echo --token=abcd1234efgh > /dev/null' sh "$T/home/u/.ssh/id_rsa" |
		gh-aggregate | gh-redact -m "$T/home/*/.ssh/**" | gh-sign -S -s key.pem > signed.json
	gh-sign -V -p pub.pem signed.json
	refute grep -qF -e id_rsa -e abcd1234efgh signed.json
	# Redacting the signed receipt again changes it: the signature goes.
	run --separate-stderr gh-redact -m '/usr/**' signed.json
	[ "$status" -eq 0 ]
	[ "$stderr" = "gh-redact: signed.json:1: removed the signature, which redaction invalidates (sign the redacted receipt again)" ]
	[ "$(jq 'has("signature")' <<<"$output")" = false ]
	# ... and redacting it with nothing to mask keeps it valid.
	gh-redact --no-default-secrets -m /nowhere signed.json > again.json
	gh-sign -V -p pub.pem again.json
}

@test "--sensitive masks the secret paths of lib/sensitive, the list gh-show reports" {
	F5="$GH_ROOT/tests/fixtures/show"
	run --separate-stderr gh-redact --sensitive "$F5/a.json"
	[ "$status" -eq 0 ]
	[ "$(jq -c '.redactions' <<<"$output")" = '[{"count":10,"rule":"--sensitive /etc/shadow"},{"count":9,"rule":"--sensitive /root/.ssh/**"}]' ]
	# nowhere but in the rules' names
	jq -e 'del(.redactions) | tostring | (contains("/etc/shadow") or contains("gh-show-fx-missing")) | not' <<<"$output"
	# gh-show then finds nothing on the list
	gh-redact --sensitive "$F5/a.json" | gh-show | grep -qx 'sensitive  no known secret path touched'
	# the twin: without --sensitive the paths stay
	run --separate-stderr gh-redact "$F5/a.json"
	[ "$status" -eq 0 ]
	[ "$(jq -c '.redactions' <<<"$output")" = '[]' ]
	grep -q '"/etc/shadow"' <<<"$output"
}
