#!/usr/bin/env bats
# gh-train: feature rows from receipts (man/man1/gh-train.1).

load filter

setup() {
	filter_setup
	F=$GH_ROOT/tests/fixtures/train
	T=$BATS_TEST_TMPDIR
	ALL=("$F/quiet.json" "$F/agent.json" "$F/killed.json" "$F/v0.3.0.json"
	     "$F/hostile.json")
}

# feat FILTER EXPR: the jq EXPR (e.g. ".reads" or "[.reads,.writes]") of
# the NDJSON row of quiet.json changed by the jq FILTER.
feat() {
	jq -c "$1" "$F/quiet.json" > "$T/r.json" || return 99
	gh-train "$T/r.json" > "$T/row" || return $?
	jq -c "$2" "$T/row"
}

# each FILTER EXPR ARG...: like feat, one row per ARG, which FILTER sees as
# $a; a single gh-train run reads them all as one stream.
each() {
	local filter=$1 expr=$2
	shift 2
	jq -c "\$ARGS.positional[] as \$a | $filter" "$F/quiet.json" --args "$@" |
		gh-train | jq -c "$expr"
}

# all_are VALUE ARG...: $output has one line per ARG, each VALUE.
all_are() {
	local v=$1 i=0 a
	shift
	[ "${#lines[@]}" -eq $# ] || { echo "${#lines[@]} rows for $# args"; return 1; }
	for a; do
		[ "${lines[i]}" = "$v" ] || { echo "$a: ${lines[i]}"; return 1; }
		i=$((i + 1))
	done
}

# bad FILTER: gh-train's exit status and stderr for quiet.json changed by
# FILTER, checking that stdout stays empty.
bad() {
	bad_input gh-train "$F/quiet.json" "$1"
}

# --- options ---------------------------------------------------------------

@test "--help prints the usage on stdout and exits 0" {
	run gh-train --help
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$F/expected/help.txt")" ]
	run gh-train -h
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$F/expected/help.txt")" ]
}

@test "--version prints name and version" {
	run gh-train --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^gh-train\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "an unknown option is a usage error with exit 2 and nothing on stdout" {
	gh-train --bogus < "$F/quiet.json" > "$T/out" 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ ! -s "$T/out" ]
	[ "$(cat "$T/err")" = "gh-train: unknown option '--bogus'
usage: gh-train [--csv] [RECEIPT...]" ]
	# by its path, inside a group: the program's name, the option typed
	run --separate-stderr "$GH_BIN/gh-train" -cx
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "gh-train: unknown option '-x'" ]
	# the twin: -c alone is taken
	run --separate-stderr gh-train -c "$F/quiet.json"
	[ "$status" -eq 0 ]
}

# --- whole rows --------------------------------------------------------------

@test "NDJSON rows of the fixture receipts match the expected file" {
	gh-train "${ALL[@]}" > "$T/out"
	cmp "$T/out" "$F/expected/all.ndjson"
}

@test "CSV rows of the fixture receipts match the expected file" {
	gh-train --csv "${ALL[@]}" > "$T/out"
	cmp "$T/out" "$F/expected/all.csv"
	gh-train -c "${ALL[@]}" > "$T/out"
	cmp "$T/out" "$F/expected/all.csv"
}

@test "concatenated receipts on stdin give the same rows as separate files" {
	cat "${ALL[@]}" | gh-train > "$T/out"
	cmp "$T/out" "$F/expected/all.ndjson"
	cat "${ALL[@]}" | gh-train --csv - > "$T/out"
	cmp "$T/out" "$F/expected/all.csv"
}

@test "compact receipts one per line and pretty ones mixed in one stream" {
	{ jq -c . "$F/quiet.json" "$F/agent.json"; cat "$F/killed.json";
	  jq -c . "$F/v0.3.0.json"; printf '\n\n  '; cat "$F/hostile.json"; } |
		gh-train > "$T/out"
	cmp "$T/out" "$F/expected/all.ndjson"
}

@test "an input without any receipt is an error" {
	printf ' \n\n' > "$T/empty.json"
	gh-train --csv "$F/quiet.json" "$T/empty.json" > "$T/out" 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ ! -s "$T/out" ]
	[ "$(cat "$T/err")" = "gh-train: $T/empty.json: no receipt in input" ]
	run gh-train < /dev/null
	[ "$status" -eq 2 ]
	[ "$output" = "gh-train: <stdin>: no receipt in input" ]
}

@test "the CSV header never depends on the input" {
	gh-train --csv "$F/v0.3.0.json" | head -n 1 > "$T/h1"
	printf '{"execution_id":"x"}' | gh-train --csv | head -n 1 > "$T/h2"
	head -n 1 "$F/expected/all.csv" > "$T/h3"
	cmp "$T/h1" "$T/h3"
	cmp "$T/h2" "$T/h3"
}

@test "python3's csv module reads the CSV back: header, keys, types, quoting" {
	gh-train --csv "${ALL[@]}" > "$T/out.csv"
	python3 - "$T/out.csv" <<'EOF'
import csv, sys
BOOLS = {"audit_complete", "wrote_outside_cwd", "touched_sensitive",
         "spawned_shell", "network_attempted"}
STRS = {"execution_id", "policy_verdict"}
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
assert len(rows) == 5, len(rows)
keys = [r["execution_id"] for r in rows]
assert keys == ["0b7d1c52-8e3a-4f6d-b2c9-5a1e7f3d9b20",
                "3f6c2a9e-1d4b-4c8e-9a51-7b0e2d6f8c11",
                "c41e9d07-2b6a-4d35-8f1c-e90a3b7d5f62",
                "legacy-0001",
                'id, "quoted"\nsecond line \u00e9'], keys
for r in rows:
    assert len(r) == 33 and None not in r, r
    for k, v in r.items():
        if k in BOOLS:
            assert v in ("0", "1", ""), (k, v)
        elif k not in STRS and v != "":
            int(v)
agent = rows[1]
assert agent["spawned_shell"] == "1" and agent["wrote_outside_cwd"] == "1"
assert agent["touched_sensitive"] == "1" and agent["network_attempted"] == "1"
assert agent["reads"] == "9" and agent["writes"] == "5"
assert agent["policy_verdict"] == "fail" and agent["policy_violations"] == "2"
quiet = rows[0]
assert quiet["spawned_shell"] == "0" and quiet["wrote_outside_cwd"] == "0"
assert quiet["policy_verdict"] == "" and quiet["signal"] == ""
assert rows[3]["reads"] == "" and rows[3]["execs"] == "1"
EOF
}

@test "NDJSON rows are objects with every column; missing values are null" {
	gh-train "$F/v0.3.0.json" > "$T/out"
	[ "$(jq -c 'keys | length' "$T/out")" = 33 ]
	[ "$(jq -c '[.reads, .lost_records, .touched_sensitive, .policy_verdict]' "$T/out")" = \
	  '[null,null,null,null]' ]
	[ "$(jq -c '[.files_read, .wrote_outside_cwd, .network_attempted]' "$T/out")" = \
	  '[1,false,true]' ]
}

# --- features, one at a time -----------------------------------------------

@test "exit_code and signal" {
	run feat '.exit_code = 130 | .outcome.signal = 2' '[.exit_code,.signal]'
	[ "$output" = '[130,2]' ]
	run feat '.exit_code = null | .outcome.exit_code = null' '.exit_code'
	[ "$output" = null ]
}

@test "exit_code, duration_ms, cpu_time_ms: the receipt's own member first, else the 0.3.0 one" {
	run feat '.exit_code = 3 | .outcome.exit_code = 5 | .duration_ms = 7 | .timing.duration_ms = 9 |
		.resources.cpu_time_ms = 2 | .timing.cpu_time_ms = 4' '[.exit_code,.duration_ms,.cpu_time_ms]'
	[ "$output" = '[3,7,2]' ]
	run feat 'del(.exit_code, .duration_ms, .resources.cpu_time_ms) | .outcome.exit_code = 5 |
		.timing.duration_ms = 9 | .timing.cpu_time_ms = 4' '[.exit_code,.duration_ms,.cpu_time_ms]'
	[ "$output" = '[5,9,4]' ]
	run bad 'del(.duration_ms) | .timing.duration_ms = -9'
	[ "$output" = "gh-train: $T/bad.json:1: duration_ms: expected a non-negative integer" ]
}

@test "v0 receipts: path lists read and written, the flat process list, no execs known" {
	jq -c '{execution_id, command: (.provenance.command | join(" ")), exit_code, duration_ms,
		processes: [.process_tree[] | {pid, ppid, cmd: (.argv | join(" "))}],
		filesystem: {read: ["/a", "/b"], written: ["/w"]},
		network: {connections: []}}' "$F/quiet.json" > "$T/v0.json"
	gh-train "$T/v0.json" > "$T/row"
	[ "$(jq -c '[.files_read,.files_written,.files_deleted,.processes,.execs,.spawned_shell]' "$T/row")" = \
	  '[2,1,null,1,null,null]' ]
	# twin: the current shape's lists by their own names, and no list at all
	jq -c '.filesystem = {reads: ["/a"], writes: []}' "$T/v0.json" > "$T/v1.json"
	jq -c 'del(.processes, .filesystem)' "$T/v0.json" > "$T/v2.json"
	gh-train "$T/v1.json" "$T/v2.json" > "$T/row"
	[ "$(jq -sc 'map([.files_read,.files_written,.processes])' "$T/row")" = '[[1,0,1],[null,null,null]]' ]
}

@test "policy_verdict: the 0.3.0 boolean pass when there is no verdict" {
	run feat '.policy = {"pass": false, "violations": [{"rule": "r"}]}' '[.policy_verdict,.policy_violations]'
	[ "$output" = '["fail",1]' ]
	run feat '.policy = {"verdict": "pass", "pass": false}' '[.policy_verdict,.policy_violations]'
	[ "$output" = '["pass",null]' ]
}

@test "syscalls_distinct, syscalls_total, syscalls_denied" {
	run feat '.syscalls = {"counts":{"open":5,"exec":2},"denied":{"open":3}}' \
		'[.syscalls_distinct,.syscalls_total,.syscalls_denied]'
	[ "$output" = '[2,7,3]' ]
	run feat '.syscalls = {"counts":{},"denied":{}}' \
		'[.syscalls_distinct,.syscalls_total,.syscalls_denied]'
	[ "$output" = '[0,0,0]' ]
}

@test "reads, writes and deletes count successful records by op" {
	run feat '.filesystem.accesses = [
		{"path":"/a","op":"read","result":"ok","count":4,"pids":[1]},
		{"path":"/b","op":"read","result":"ENOENT","count":9,"pids":[1]},
		{"path":"/c","op":"write","result":"ok","count":1,"pids":[1]},
		{"path":"/c","op":"truncate","result":"ok","count":1,"pids":[1]},
		{"path":"/d","op":"mkdir","mode":493,"result":"ok","count":2,"pids":[1]},
		{"path":"/e","op":"symlink","target":"x","result":"ok","count":1,"pids":[1]},
		{"path":"/f","op":"write","result":"EACCES","count":5,"pids":[1]},
		{"path":"/g","op":"delete","result":"ok","count":1,"pids":[1]},
		{"path":"/h","op":"rmdir","result":"ok","count":1,"pids":[1]},
		{"path":"/i","op":"exec","result":"ok","count":1,"pids":[1]},
		{"path":"/j","op":"chdir","result":"ok","count":1,"pids":[1]}]' \
		'[.reads,.writes,.deletes]'
	[ "$output" = '[4,5,2]' ]
}

@test "files_read, files_written, files_deleted, failed_accesses, processes" {
	run feat '.filesystem.reads = ["/a","/b","/c"] | .filesystem.writes = ["/w"] |
		.filesystem.deletes = ["/x","/y"] | .filesystem.failed = 6 |
		.process_tree += [.process_tree[0] | .pid = 201]' \
		'[.files_read,.files_written,.files_deleted,.failed_accesses,.processes]'
	[ "$output" = '[3,1,2,6,2]' ]
}

@test "execs count every exec of every process" {
	run feat '.process_tree[0].execs += [{"exe":"/usr/bin/env","argv":["env"],"argv_truncated":false,"cwd":"/"}] |
		.process_tree += [.process_tree[0] | .pid = 201]' '.execs'
	[ "$output" = 4 ]
}

@test "duration_ms, cpu_time_ms, max_rss_kb, lost_records, inbound" {
	run feat '.duration_ms = 9 | .resources = {"cpu_time_ms":8,"max_rss_kb":7} |
		.loss = {"ringbuf":1,"fault":2,"truncated":3} |
		.network.inbound = [{"op":"accept","addr":"10.0.0.2:5","protocol":"tcp","result":"ok","count":3,"pids":[1]}]' \
		'[.duration_ms,.cpu_time_ms,.max_rss_kb,.lost_records,.inbound]'
	[ "$output" = '[9,8,7,6,3]' ]
}

@test "audit_complete follows completeness" {
	run feat '.' '.audit_complete'
	[ "$output" = true ]
	run feat '.completeness = "partial"' '.audit_complete'
	[ "$output" = false ]
	run feat 'del(.completeness)' '.audit_complete'
	[ "$output" = null ]
}

@test "wrote_outside_cwd: a write or delete outside provenance.cwd" {
	run feat '.filesystem.writes = ["/tmp/y"]' '.wrote_outside_cwd'
	[ "$output" = true ]
	run feat '.filesystem.deletes = ["/etc/motd"]' '.wrote_outside_cwd'
	[ "$output" = true ]
	run feat '.filesystem.writes = ["/workshop/x"]' '.wrote_outside_cwd'
	[ "$output" = true ]
	run feat '.filesystem.writes = ["/work", "/work/a/b"]' '.wrote_outside_cwd'
	[ "$output" = false ]
	run feat '.filesystem.writes = ["/tmp/y"] | .provenance.cwd = "/"' '.wrote_outside_cwd'
	[ "$output" = false ]
	run feat '.filesystem.reads = ["/etc/passwd"]' '.wrote_outside_cwd'
	[ "$output" = false ]
	run feat 'del(.provenance.cwd) | .filesystem.writes = ["/tmp/y"]' '.wrote_outside_cwd'
	[ "$output" = null ]
}

@test "wrote_outside_cwd ignores terminals, /dev/null, fd links and pipes" {
	run feat '.filesystem.writes = ["/dev/null", "/dev/tty", "/dev/pts/3",
		"/dev/stderr", "/dev/fd/1", "/proc/self/fd/2", "/proc/42/fd/1",
		"/proc/42/task/43/fd/1", "pipe:[1234]", "socket:[99]"]' '.wrote_outside_cwd'
	[ "$output" = false ]
	run feat '.filesystem.writes = ["/dev/sda"]' '.wrote_outside_cwd'
	[ "$output" = true ]
	run feat '.filesystem.writes = ["/proc/sys/kernel/x"]' '.wrote_outside_cwd'
	[ "$output" = true ]
}

sensitive() {
	feat ".filesystem.accesses = [{\"path\":\"$1\",\"op\":\"$2\",\"result\":\"$3\",\"count\":1,\"pids\":[1]}]" \
		.touched_sensitive
}

access() {
	echo ".filesystem.accesses = [{\"path\":\$a,\"op\":\"$1\",\"result\":\"$2\",\"count\":1,\"pids\":[1]}]"
}

@test "touched_sensitive: credentials, read or not, successfully or not" {
	local p=(/root/.ssh/id_rsa /home/u/.ssh /home/u/.aws/credentials
		/home/u/.config/gcloud/credentials.db /home/u/.kube/config
		/home/u/.azure/accessTokens.json /home/u/.docker/config.json
		/home/u/.netrc /home/u/.gnupg/private-keys-v1.d/k.key
		/home/u/.git-credentials /home/u/.pgpass /home/u/.npmrc
		/home/u/.pypirc /home/u/.vault-token
		/home/u/.mozilla/firefox/x.default/logins.json
		/home/u/.config/google-chrome/Default/Cookies
		/home/u/.config/chromium/Default
		/etc/shadow /etc/shadow- /etc/gshadow /etc/gshadow- /etc/sudoers
		/etc/sudoers.d/ci /etc/ssh/ssh_host_ed25519_key
		/etc/ssl/private/site.key /proc/1/environ /proc/self/mem
		/proc/1/task/1/mem)
	run each "$(access read ENOENT)" .touched_sensitive "${p[@]}"
	all_are true "${p[@]}"
	run each "$(access read ok)" .touched_sensitive "${p[@]}"
	all_are true "${p[@]}"
}

@test "touched_sensitive: ordinary paths and /etc/passwd reads do not count" {
	local p=(/etc/passwd /etc/group /etc/hosts /home/u/.sshd/x /home/u/my.ssh
		/home/u/.config/other /proc/self/status /proc/1/environment
		/etc/ssh/ssh_config /usr/share/doc/aws /home/u/.docker/other.json
		/etc/shadowed)
	run each "$(access read ok)" .touched_sensitive "${p[@]}"
	all_are false "${p[@]}"
}

@test "touched_sensitive: modifying anything under /etc counts" {
	run sensitive /etc/passwd write EACCES
	[ "$output" = true ]
	run sensitive /etc/cron.d/job create ok
	[ "$output" = true ]
	run sensitive /etc/hosts exec ok
	[ "$output" = false ]
	run sensitive /etcetera/x write ok
	[ "$output" = false ]
}

@test "touched_sensitive: connecting to an ssh-agent or gpg-agent socket" {
	run feat '.network.connections = [{"dst":"unix:/tmp/ssh-XXXXabc/agent.123","protocol":"unix","attempted":true}]' \
		.touched_sensitive
	[ "$output" = true ]
	run feat '.network.connections = [{"dst":"unix:/run/user/0/gnupg/S.gpg-agent","protocol":"unix","attempted":true}]' \
		.touched_sensitive
	[ "$output" = true ]
	run feat '.network.connections = [{"dst":"unix:/run/nscd/socket","protocol":"unix","attempted":true}]' \
		.touched_sensitive
	[ "$output" = false ]
	# known true even when the accesses are missing; unknown otherwise
	run feat 'del(.filesystem.accesses) | .network.connections = [{"dst":"unix:/tmp/ssh-a/agent.1","protocol":"unix","attempted":true}]' \
		.touched_sensitive
	[ "$output" = true ]
	run feat 'del(.filesystem.accesses)' .touched_sensitive
	[ "$output" = null ]
}

shell() {
	feat ".process_tree[0].execs = [{\"exe\":\"$1\",\"argv\":$2,\"argv_truncated\":false,\"cwd\":\"/\"}]" \
		'[.spawned_shell,.shell_execs]'
}

@test "spawned_shell: the resolved executable is a shell" {
	local yes=(/usr/bin/sh /bin/bash /usr/bin/rbash /usr/bin/dash /bin/ash
		/usr/bin/zsh /usr/bin/ksh /usr/bin/ksh93 /usr/bin/mksh /usr/bin/pdksh
		/usr/bin/oksh /usr/bin/loksh /usr/bin/yash /usr/bin/posh
		/usr/bin/fish /bin/csh /usr/bin/tcsh)
	local no=(/usr/bin/bashful /usr/bin/shasum /usr/bin/true /usr/bin/ssh
		/usr/bin/python3 /opt/sh/tool)
	local x='.process_tree[0].execs = [{"exe":$a,"argv":["sh"],"argv_truncated":false,"cwd":"/"}]'
	run each "$x" '[.spawned_shell,.shell_execs]' "${yes[@]}"
	all_are '[true,1]' "${yes[@]}"
	run each "$x" '[.spawned_shell,.shell_execs]' "${no[@]}"
	all_are '[false,0]' "${no[@]}"
}

@test "spawned_shell: busybox and toybox running a shell applet" {
	run shell /usr/bin/busybox '["sh","-c","x"]'
	[ "$output" = '[true,1]' ]
	run shell /bin/busybox '["/bin/busybox","ash"]'
	[ "$output" = '[true,1]' ]
	run shell /usr/bin/toybox '["toybox","sh"]'
	[ "$output" = '[true,1]' ]
	run shell /usr/bin/busybox '["ls","-l"]'
	[ "$output" = '[false,0]' ]
	run shell /usr/bin/busybox '[]'
	[ "$output" = '[false,0]' ]
}

@test "spawned_shell counts every shell exec in the tree" {
	run feat '.process_tree[0].execs = [{"exe":"/usr/bin/dash","argv":["sh"],"argv_truncated":false,"cwd":"/"},
		{"exe":"/usr/bin/bash","argv":["bash"],"argv_truncated":false,"cwd":"/"}] |
		.process_tree += [.process_tree[0] | .pid = 201]' '[.spawned_shell,.shell_execs,.execs]'
	[ "$output" = '[true,4,4]' ]
	run feat 'del(.process_tree[0].execs)' '[.spawned_shell,.shell_execs,.execs]'
	[ "$output" = '[false,0,1]' ]
	run feat 'del(.process_tree[0].execs) | .process_tree[0].exe = "/usr/bin/dash"' \
		'[.spawned_shell,.shell_execs,.execs]'
	[ "$output" = '[true,1,1]' ]
}

@test "execs of a 0.3.0 receipt: one per process_tree entry, as gh-policy's limit execs counts them" {
	# 0.3.0 process_tree entries have an exe and no execs list
	jq -c '.process_tree += [.process_tree[0] | .pid = 11 | .exe = "/bin/bash" | .argv = ["bash"]]' \
		"$F/v0.3.0.json" > "$T/r.json"
	[ "$(gh-train "$T/r.json" | jq -c '[.execs,.shell_execs,.spawned_shell]')" = '[2,1,true]' ]
	printf 'limit execs 2\n' > "$T/ok.rules"
	printf 'limit execs 1\n' > "$T/no.rules"
	gh-policy -q "$T/ok.rules" "$T/r.json"
	run gh-policy -q "$T/no.rules" "$T/r.json"
	[ "$status" -eq 1 ]
	# twin: the flat processes list of older receipts records no execs, for both
	jq -c 'del(.process_tree)' "$F/v0.3.0.json" > "$T/flat.json"
	[ "$(gh-train "$T/flat.json" | jq -c '[.processes,.execs,.shell_execs,.spawned_shell]')" = '[1,null,null,null]' ]
	run gh-policy "$T/ok.rules" "$T/flat.json"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$T/ok.rules:1: limit execs: not recorded" ]
}

@test "CSV: a text cell that would start a spreadsheet formula is written as text" {
	local id
	for id in '=HYPERLINK("http://x","y")' '+1+2' '-2+3' '@SUM(A1)' $'\tx' $'\rx'; do
		jq -c --arg id "$id" '.execution_id = $id' "$F/quiet.json"
	done > "$T/in.json"
	gh-train --csv "$T/in.json" | cut -d, -f1 > "$T/out"
	{ printf '%s\n' execution_id "\"'=HYPERLINK(\"\"http://x\"\"" "\"'+1+2\"" "\"'-2+3\"" \
		"\"'@SUM(A1)\""; printf '"\x27\tx"\n"\x27\rx"\n'; } > "$T/want"
	diff "$T/want" "$T/out"
	# NDJSON keeps the value as is
	[ "$(gh-train "$T/in.json" | jq -r '.execution_id' | head -n 4 | tail -n 1)" = '@SUM(A1)' ]
	# twin: the same characters later in the cell, and negative integers, unchanged
	jq -c '.execution_id = "a=1+2@-" | .exit_code = -1' "$F/quiet.json" > "$T/plain.json"
	[ "$(gh-train --csv "$T/plain.json" | sed -n 2p | cut -d, -f1,2)" = 'a=1+2@-,-1' ]
}

conn() {
	feat ".network.connections = [$(printf '{"dst":"%s","protocol":"tcp","attempted":true},' "$@" | sed 's/,$//')]" \
		'[.peers,.loopback_connections,.external_connections,.unix_connections,.network_attempted]'
}

@test "connections: loopback, external and unix peers" {
	run conn 127.0.0.1:80 127.9.9.9:1 '[::1]:22' 0.0.0.0:8 '[::ffff:127.0.0.1]:3'
	[ "$output" = '[4,5,0,0,true]' ]
	run conn 1.1.1.1:443 '[2606:4700::1111]:443' '[::ffff:8.8.8.8]:53' 128.0.0.1:1
	[ "$output" = '[4,0,4,0,true]' ]
	run conn unix:/run/nscd/socket unix:@abstract
	[ "$output" = '[0,0,0,2,false]' ]
	run conn
	[ "$output" = '[0,0,0,0,false]' ]
}

@test "peers are distinct addresses, ports ignored, IPv4-mapped folded" {
	run conn 10.0.0.1:22 10.0.0.1:80 '[::ffff:10.0.0.1]:443' 10.0.0.2:22
	[ "$output" = '[2,0,4,0,true]' ]
}

@test "a dst of another form is counted in no connection column" {
	run conn 'netlink:0' '.garbage' '[::1'
	[ "$output" = '[0,0,0,0,false]' ]
}

@test "network_attempts sums IP attempts, not unix ones" {
	run feat '.network.attempts = [
		{"dst":"1.1.1.1:443","protocol":"tcp","op":"connect","family":"inet","result":"refused","count":3,"pids":[1]},
		{"dst":"[::1]:53","protocol":"udp","op":"send","family":"inet6","result":"ok","count":2,"pids":[1]},
		{"dst":"unix:/run/x","protocol":"unix","op":"connect","family":"unix","result":"ok","count":7,"pids":[1]}]' \
		.network_attempts
	[ "$output" = 5 ]
}

@test "policy_verdict and policy_violations from an annotated receipt" {
	run feat '.policy = {"verdict":"fail","violations":[{},{},{}]}' '[.policy_verdict,.policy_violations]'
	[ "$output" = '["fail",3]' ]
	run feat '.policy = {"verdict":"pass","violations":[]}' '[.policy_verdict,.policy_violations]'
	[ "$output" = '["pass",0]' ]
	run feat '.policy = null' '[.policy_verdict,.policy_violations]'
	[ "$output" = '[null,null]' ]
	run feat 'del(.policy)' '[.policy_verdict,.policy_violations]'
	[ "$output" = '[null,null]' ]
}

@test "gh-policy --annotate output feeds gh-train" {
	[ -x "$GH_BIN/gh-policy" ] || skip "bin/gh-policy not built"
	gh-policy --annotate "$F/agent.rules" "$F/agent.json" > "$T/a.json" && false || rc=$?
	[ "$rc" -eq 1 ]
	gh-policy --annotate "$F/agent.rules" "$F/quiet.json" > "$T/q.json"
	cat "$T/a.json" "$T/q.json" | gh-train --csv > "$T/out"
	[ "$(cut -d, -f1,32,33 "$T/out")" = "execution_id,policy_verdict,policy_violations
3f6c2a9e-1d4b-4c8e-9a51-7b0e2d6f8c11,fail,2
0b7d1c52-8e3a-4f6d-b2c9-5a1e7f3d9b20,pass,0" ]
}

# --- bad input -----------------------------------------------------------------

@test "a receipt that is not an object is an error with file:line" {
	printf '\n\n[1,2]\n' > "$T/x.json"
	run gh-train "$T/x.json"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-train: $T/x.json:3: not a receipt: expected a JSON object, not an array" ]
}

@test "a receipt without execution_id is an error" {
	run bad 'del(.execution_id)'
	[ "$status" -eq 2 ]
	[ "$output" = "gh-train: $T/bad.json:1: execution_id: missing" ]
	run bad '.execution_id = 5'
	[ "$status" -eq 2 ]
	[ "$output" = "gh-train: $T/bad.json:1: execution_id: expected a string" ]
}

@test "members of the wrong type are errors naming the member" {
	run bad '.filesystem.reads = "x"'
	[ "$output" = "gh-train: $T/bad.json:1: filesystem.reads: expected an array of strings" ]
	[ "$status" -eq 2 ]
	run bad '.filesystem = []'
	[ "$output" = "gh-train: $T/bad.json:1: filesystem: expected an object" ]
	run bad '.duration_ms = 1.5'
	[ "$output" = "gh-train: $T/bad.json:1: duration_ms: expected an integer" ]
	run bad '.resources.max_rss_kb = -1'
	[ "$output" = "gh-train: $T/bad.json:1: resources.max_rss_kb: expected a non-negative integer" ]
	run bad '.syscalls.counts.open = "2"'
	[ "$output" = "gh-train: $T/bad.json:1: syscalls.counts.open: expected an integer" ]
	run bad '.syscalls.counts.open = -2'
	[ "$output" = "gh-train: $T/bad.json:1: syscalls.counts.open: expected a non-negative integer" ]
	run bad '.filesystem.accesses[1].count = -3'
	[ "$output" = "gh-train: $T/bad.json:1: filesystem.accesses[1].count: expected a non-negative integer" ]
	run bad '.filesystem.accesses[2] = 7'
	[ "$output" = "gh-train: $T/bad.json:1: filesystem.accesses[2]: expected an object" ]
	run bad '.process_tree[0].execs[0].exe = false'
	[ "$output" = "gh-train: $T/bad.json:1: process_tree[0].execs[0].exe: expected a string" ]
	run bad '.network.connections = [{"dst":1}]'
	[ "$output" = "gh-train: $T/bad.json:1: network.connections[0].dst: expected a string" ]
	run bad '.filesystem.writes = [null]'
	[ "$output" = "gh-train: $T/bad.json:1: filesystem.writes[0]: expected a string" ]
	run bad '.policy = "pass"'
	[ "$output" = "gh-train: $T/bad.json:1: policy: expected an object" ]
	run bad '.policy.verdict = true'
	[ "$output" = "gh-train: $T/bad.json:1: policy.verdict: expected a string" ]
}

@test "a count sum that overflows is an error" {
	# jq 1.6 rounds big integers through doubles: put the number in with sed
	jq '.syscalls.counts = {"a":"MAX","b":1}' "$F/quiet.json" |
		sed 's/"MAX"/9223372036854775807/' > "$T/big.json"
	gh-train "$T/big.json" > "$T/out" 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ ! -s "$T/out" ]
	[ "$(cat "$T/err")" = "gh-train: $T/big.json:1: syscalls.counts: sum out of range" ]
}

@test "a bad receipt after good ones: its line, exit 2, nothing on stdout" {
	{ cat "$F/quiet.json"; echo '{"execution_id":"x","exit_code":"0"}'; } > "$T/s.json"
	line=$(($(wc -l < "$F/quiet.json") + 1))
	gh-train "$F/agent.json" "$T/s.json" > "$T/out" 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ ! -s "$T/out" ]
	[ "$(cat "$T/err")" = "gh-train: $T/s.json:$line: exit_code: expected an integer" ]
	gh-train --csv "$T/s.json" > "$T/out" 2> /dev/null && false || rc=$?
	[ "$rc" -eq 2 ]
	[ ! -s "$T/out" ]
}

@test "invalid JSON is an error with file:line and nothing on stdout" {
	{ cat "$F/quiet.json"; printf '{"execution_id": "x",\n  "exit_code": 01}\n'; } > "$T/j.json"
	line=$(($(wc -l < "$F/quiet.json") + 2))
	gh-train "$T/j.json" > "$T/out" 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ ! -s "$T/out" ]
	grep -q "^gh-train: $T/j.json:$line: " "$T/err"
	[ "$(wc -l < "$T/err")" -eq 1 ]
}

@test "stdin is named <stdin> in messages" {
	run gh-train < <(echo '"x"')
	[ "$status" -eq 2 ]
	[ "$output" = "gh-train: <stdin>:1: not a receipt: expected a JSON object, not a string" ]
}

@test "a missing file is an error naming it" {
	run gh-train "$F/quiet.json" "$T/nope.json"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-train: $T/nope.json: No such file or directory" ]
}

@test "a directory is an error naming it" {
	run gh-train "$T"
	[ "$status" -eq 2 ]
	[ "$output" = "gh-train: $T: Is a directory" ]
}

# Every JSONTestSuite n_ file: see tests/hard.bats, which feeds them to every filter.

@test "writing to a full disk is exit 2 with a message" {
	[ -w /dev/full ] || skip "no /dev/full"
	gh-train "$F/agent.json" > /dev/full 2> "$T/err" && false || rc=$?
	[ "$rc" -eq 2 ]
	[ "$(cat "$T/err")" = "gh-train: write error: No space left on device" ]
}

# --- end to end: real traces ---------------------------------------------------

# trace DIR CMD...: run CMD under gh-trace in DIR (eBPF required), its
# receipt in $T/receipt.json
trace() {
	local dir=$1
	shift
	[ -x "$GH_BIN/gh-trace" ] || skip "bin/gh-trace not built"
	[ -x "$GH_BIN/gh-aggregate" ] || skip "bin/gh-aggregate not built"
	local rc=0
	(cd "$dir" && exec gh-trace --require-audit -o "$T/events.ndjson" -- "$@" \
		> "$T/cmd.out" 2> "$T/cmd.err") || rc=$?
	[ "$rc" -ne 125 ] || { cat "$T/cmd.err"; return 1; }
	gh-aggregate < "$T/events.ndjson" > "$T/receipt.json"
}

@test "e2e: a command that does nothing" {
	mkdir -p "$T/cwd"
	trace "$T/cwd" true
	gh-train "$T/receipt.json" > "$T/row"
	[ "$(jq -c '[.exit_code,.processes,.execs,.spawned_shell,.wrote_outside_cwd,
		.network_attempted,.touched_sensitive,.audit_complete,.writes,.deletes]' "$T/row")" = \
	  '[0,1,1,false,false,false,false,true,0,0]' ]
	[ "$(jq -r .execution_id "$T/row")" = "$(jq -r .execution_id "$T/receipt.json")" ]
}

@test "e2e: a shell that writes outside its working directory" {
	mkdir -p "$T/cwd" "$T/elsewhere"
	trace "$T/cwd" sh -c "echo hi > '$T/elsewhere/f'; echo ok > here; exit 3"
	gh-train "$T/receipt.json" > "$T/row"
	[ "$(jq -c '[.exit_code,.spawned_shell,.wrote_outside_cwd,.touched_sensitive,.audit_complete]' "$T/row")" = \
	  '[3,true,true,false,true]' ]
	[ "$(jq '.writes >= 2 and .files_written >= 2 and .shell_execs >= 1' "$T/row")" = true ]
}

@test "e2e: writing only inside the working directory" {
	mkdir -p "$T/cwd"
	trace "$T/cwd" sh -c 'echo a > one; mkdir sub; echo b > sub/two; rm one'
	gh-train "$T/receipt.json" > "$T/row"
	[ "$(jq -c '[.exit_code,.wrote_outside_cwd,.files_deleted,.deletes]' "$T/row")" = \
	  '[0,false,1,1]' ]
}

@test "e2e: reading a key under .ssh touches something sensitive" {
	mkdir -p "$T/cwd" "$T/home/.ssh"
	echo secret > "$T/home/.ssh/id_ed25519"
	trace "$T/cwd" cat "$T/home/.ssh/id_ed25519" "$T/home/.ssh/missing"
	gh-train "$T/receipt.json" > "$T/row"
	[ "$(jq -c '[.exit_code,.touched_sensitive,.spawned_shell,.failed_accesses >= 1]' "$T/row")" = \
	  '[1,true,false,true]' ]
}

@test "e2e: a refused loopback connection is a network attempt" {
	mkdir -p "$T/cwd"
	trace "$T/cwd" bash -c 'exec 3<>/dev/tcp/127.0.0.1/1'
	gh-train "$T/receipt.json" > "$T/row"
	[ "$(jq -c '[.network_attempted,.loopback_connections,.external_connections,.peers,.network_attempts]' "$T/row")" = \
	  '[true,1,0,1,1]' ]
}

@test "e2e: CSV of several real receipts loads in python3's csv module" {
	mkdir -p "$T/cwd"
	trace "$T/cwd" true
	mv "$T/receipt.json" "$T/r1.json"
	trace "$T/cwd" sh -c 'echo x > /dev/null'
	cat "$T/r1.json" "$T/receipt.json" | gh-train --csv > "$T/out.csv"
	python3 - "$T/out.csv" <<'EOF'
import csv, sys
with open(sys.argv[1], newline="") as f:
    rows = list(csv.DictReader(f))
assert len(rows) == 2, rows
assert rows[0]["spawned_shell"] == "0" and rows[1]["spawned_shell"] == "1", rows
assert rows[1]["wrote_outside_cwd"] == "0", rows
assert all(r["execution_id"] for r in rows)
EOF
}
