#!/usr/bin/env bats
# Code run from a file that no exec names: a file mapped executable
# (mmap with PROT_EXEC, mprotect adding it) makes a "map_exec" record and
# a "map_exec" access in the receipt, judged by gh-policy's exec rules
# (gh-events(5), gh-receipt(5), gh-policy(5)). Each test traces a real
# workload (tests/mapexec/work.c, built here) and has a twin that must
# come out the other way. Needs root and BPF; run under flock
# /work/bpf.lock like the other tracer suites.

bats_require_minimum_version 1.5.0
load trace/lib
load workload

setup_file() {
	export LIB=$BATS_FILE_TMPDIR/lib.so READARG=$BATS_FILE_TMPDIR/readarg
	cc -shared -fPIC -o "$LIB" "$GH_ROOT/tests/mapexec/lib.c"
	cc -O1 -static-pie -o "$READARG" "$GH_ROOT/tests/mapexec/readarg.c"
	workload_kept mapexec/work.c -ldl
}

teardown_file() {
	kept_teardown
}

setup() {
	workload_root
	cp "$LIB" x.so
}

teardown() {
	# the noexec test's mount, when the test failed before its umount
	if mountpoint -q "$BATS_TEST_TMPDIR/nx" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/nx"
	fi
}

# trace ARG...: as workload.bash's, and the receipt closed.
trace() {
	run gh-trace -o "$EV" -- "$@"
	[ "$status" -eq 0 ]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -r '[.observation_mode, .completeness] | join(" ")' "$R")" = "ebpf closed" ]
}

# the operations the receipt lists on path $1, sorted
ops() {
	jq -c --arg p "$1" '[.filesystem.accesses[] | select(.path == $p) | .op]' "$R"
}

# [syscall, path, prot, flags, fd's type, ret] of the stream's map_exec
# records for path $1 (the descriptor's number is the loader's pick)
maps() {
	jq -c --arg p "$1" 'select(.type == "map_exec" and .path == $p) | [.syscall, .path, .prot, .flags, (.fd | type), .ret]' "$EV"
}

# a rule file denying code from the test's directory
deny_here() {
	printf 'deny exec %s/**\n' "$PWD" > r.rules
}

# denied FILE [RULE]: gh-policy with RULE (deny_here's when none) fails
# the receipt, its first violation the map_exec of FILE
denied() {
	if [ -n "${2:-}" ]; then
		printf '%s\n' "$2" > r.rules
	else
		deny_here
	fi
	run gh-policy r.rules "$R"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "r.rules:1: deny exec $1 [op=map_exec] by pid "* ]]
}

# passes: gh-policy with deny_here's rule passes the receipt
passes() {
	deny_here
	run gh-policy r.rules "$R"
	[ "$status" -eq 0 ]
}

@test "LD_PRELOAD: the preloaded library is mapped executable (map_exec), and a rule denying exec from the directory finds it" {
	trace env LD_PRELOAD="$PWD/x.so" true
	# true, which env runs with LD_PRELOAD set, maps it once
	# (PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE)
	[ "$(maps "$PWD/x.so")" = "[\"mmap\",\"$PWD/x.so\",5,2066,\"number\",0]" ]
	[ "$(ops "$PWD/x.so")" = '["map_exec","read"]' ]
	[ "$(jq -c --arg p "$PWD/x.so" '.filesystem.accesses[] | select(.op == "map_exec" and .path == $p) | [.count, (.pids | length), .result]' "$R")" = '[1,1,"ok"]' ]
	denied "$PWD/x.so"
}

@test "LD_PRELOAD twin: libraries found the normal way (libc from /usr/lib) are map_exec too, not exec; the rule passes" {
	trace env true
	[ "$(ops "$PWD/x.so")" = '[]' ]
	[ "$(ops /usr/lib/x86_64-linux-gnu/libc.so.6)" = '["map_exec","read"]' ]
	[ "$(maps /usr/lib/x86_64-linux-gnu/libc.so.6 | sort -u)" = '["mmap","/usr/lib/x86_64-linux-gnu/libc.so.6",5,2066,"number",0]' ]
	deny_here
	run gh-policy r.rules "$R"
	[ "$status" -eq 0 ]
	# a rule naming libc finds it, as an exec rule
	printf 'deny exec /usr/lib/x86_64-linux-gnu/libc.so.6\n' > libc.rules
	run gh-policy libc.rules "$R"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "libc.rules:1: deny exec /usr/lib/x86_64-linux-gnu/libc.so.6 [op=map_exec] by pid "* ]]
}

@test "dlopen of a library by path (a C program) is map_exec of that file" {
	trace "$WORK" dlopen ./x.so
	[ "$output" = loaded ]
	[ "$(maps "$PWD/x.so")" = "[\"mmap\",\"$PWD/x.so\",5,2066,\"number\",0]" ]
	[ "$(ops "$PWD/x.so")" = '["map_exec","read"]' ]
	deny_here
	run gh-policy r.rules "$R"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "r.rules:1: deny exec $PWD/x.so [op=map_exec] by pid $(jq -r 'select(.type == "exec") | .pid' "$EV") ($WORK dlopen ./x.so)" ]
}

@test "dlopen twin: the same file only read is a read, no map_exec, and the rule passes" {
	trace "$WORK" read ./x.so
	[ "$output" = read ]
	[ "$(maps "$PWD/x.so")" = "" ]
	[ "$(ops "$PWD/x.so")" = '["read"]' ]
	passes
}

@test "python ctypes loading a library (dlopen) is map_exec" {
	trace python3 -c 'import ctypes, sys; print(ctypes.CDLL(sys.argv[1]).gh_mapexec_lib())' "$PWD/x.so"
	[ "$output" = 42 ]
	[ "$(ops "$PWD/x.so")" = '["map_exec","read"]' ]
}

@test "a library written during the run, then loaded: written (create) and map_exec" {
	trace "$WORK" copyload ./x.so ./new.so
	[ "$output" = loaded ]
	[ "$(ops "$PWD/new.so")" = '["create","map_exec","read"]' ]
	deny_here
	run gh-policy r.rules "$R"
	[ "$status" -eq 1 ]
	[ "$(grep -c 'op=map_exec' <<<"$output")" = 1 ]
	[[ "$output" == *"deny exec $PWD/new.so [op=map_exec] by pid "* ]]
}

@test "mprotect adding PROT_EXEC to a file mapping is map_exec (syscall mprotect)" {
	trace "$WORK" mprotect ./x.so
	[ "$output" = protected ]
	[ "$(maps "$PWD/x.so")" = "[\"mprotect\",\"$PWD/x.so\",5,null,\"null\",0]" ]
	[ "$(ops "$PWD/x.so")" = '["map_exec","read"]' ]
}

@test "mprotect twins: the file mapped readable only, and anonymous memory made executable (a JIT), make no map_exec" {
	trace "$WORK" mmapread ./x.so
	[ "$output" = mapped ]
	[ "$(ops "$PWD/x.so")" = '["read"]' ]
	[ "$(jq -c 'select(.type == "map_exec") | .path' "$EV")" = '"/usr/lib/x86_64-linux-gnu/libc.so.6"' ]
	trace "$WORK" anon ./x.so
	[ "$output" = jit ]
	[ "$(ops "$PWD/x.so")" = '["read"]' ]
	[ "$(jq -c 'select(.type == "map_exec") | .path' "$EV")" = '"/usr/lib/x86_64-linux-gnu/libc.so.6"' ]
}

@test "code mapped from a memfd is named memfd:NAME" {
	trace "$WORK" memfd ./x.so
	[ "$output" = memfd ]
	[ "$(jq -c 'select(.type == "map_exec" and .syscall == "mmap" and (.path | startswith("memfd:"))) | [.path, .path_status, .prot, .flags]' "$EV")" = '["memfd:gh-code","unresolved",5,2]' ]
	[ "$(ops memfd:gh-code)" = '["map_exec"]' ]
	printf 'deny exec memfd:*\n' > m.rules
	run gh-policy m.rules "$R"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "m.rules:1: deny exec memfd:gh-code [op=map_exec] by pid "* ]]
}

@test "a static-pie program is flagged loader, but the file its argv names and it only reads is read, not executed" {
	cp "$READARG" readarg
	trace ./readarg ./x.so
	[ "$output" = "$(stat -c %s x.so)" ]
	[ "$(jq -c 'select(.type == "exec") | [.exe, .loader]' "$EV")" = "[\"$PWD/readarg\",true]" ]
	[ "$(ops "$PWD/x.so")" = '["read"]' ]
	printf 'deny exec %s/x.so\n' "$PWD" > r.rules
	run gh-policy r.rules "$R"
	[ "$status" -eq 0 ]
}

@test "static-pie twin: the dynamic loader running a program it maps executable: the program is executed" {
	cp /usr/bin/id prog
	trace /lib64/ld-linux-x86-64.so.2 ./prog -u
	[ "$output" = 0 ]
	[ "$(ops "$PWD/prog")" = '["exec","read"]' ]
	[ "$(maps "$PWD/prog" | jq -c '.[0]')" = '"mmap"' ]
	printf 'deny exec %s/prog\n' "$PWD" > r.rules
	run gh-policy r.rules "$R"
	[ "$status" -eq 1 ]
}

@test "gh-policy --learn allows the files mapped executable: the learned rules pass the run they came from, and fail a run loading another library" {
	trace "$WORK" dlopen ./x.so
	gh-policy --learn "$R" > job.rules
	grep -qx 'allow exec $CWD/x.so' <(sed 's/ *#.*//' job.rules)
	run gh-policy job.rules "$R"
	[ "$status" -eq 0 ]
	cp x.so other.so
	trace "$WORK" dlopen ./other.so
	run gh-policy job.rules "$R"
	[ "$status" -eq 1 ]
	[[ "$output" == *"default deny exec"*"$PWD/other.so [op=map_exec]"* ]]
}

@test "gh-show: a code line names the library loaded from outside /usr and /lib, with its process" {
	trace "$WORK" dlopen ./x.so
	run gh-show "$R"
	[ "$status" -eq 0 ]
	pid=$(jq -r 'select(.type == "exec") | .pid' "$EV")
	[ "$(grep -A1 '^code ' <<<"$output")" = "code       1 file mapped executable from outside /usr and /lib (2 mapped in all)
  map_exec       $PWD/x.so  work[$pid]" ]
}

@test "gh-show twin: a run that maps only system libraries has no code line" {
	trace "$WORK" read ./x.so
	run gh-show "$R"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sensitive  "* ]]
	[[ "$output" != *"code "* ]]
}

@test "a library on a noexec mount: the kernel refuses the mapping, map_exec with result EPERM, and dlopen fails" {
	mkdir nx
	mount -t tmpfs -o noexec,size=1m tmpfs nx
	cp x.so nx/
	run gh-trace -o "$EV" -- "$WORK" dlopen ./nx/x.so
	umount nx
	[ "$status" -eq 1 ]
	[[ "$output" == *"failed to map segment from shared object"* ]]
	gh-aggregate "$EV" > "$R"
	[ "$(jq -c --arg p "$PWD/nx/x.so" 'select(.type == "map_exec" and .path == $p) | [.syscall, .ret, .err]' "$EV")" = '["mmap",-1,"EPERM"]' ]
	[ "$(jq -c --arg p "$PWD/nx/x.so" '[.filesystem.accesses[] | select(.path == $p) | [.op, .result]]' "$R")" = '[["map_exec","EPERM"],["read","ok"]]' ]
	# the twin, the same file mapped from the test's directory, is ok
	trace "$WORK" dlopen ./x.so
	[ "$(jq -c --arg p "$PWD/x.so" '[.filesystem.accesses[] | select(.path == $p) | [.op, .result]]' "$R")" = '[["map_exec","ok"],["read","ok"]]' ]
}

@test "mprotect of a range that starts in anonymous memory and goes on over a file's page is map_exec of that file" {
	trace "$WORK" span ./x.so
	[ "$output" = protected ]
	[ "$(maps "$PWD/x.so")" = "[\"mprotect\",\"$PWD/x.so\",5,null,\"null\",0]" ]
	[ "$(ops "$PWD/x.so")" = '["map_exec","read"]' ]
	denied "$PWD/x.so"
}

@test "mprotect range twin: the same mappings, only the anonymous page made executable, make no map_exec and the rule passes" {
	trace "$WORK" spananon ./x.so
	[ "$output" = protected ]
	[ "$(maps "$PWD/x.so")" = "" ]
	[ "$(ops "$PWD/x.so")" = '["read"]' ]
	passes
}

@test "mprotect over two files' pages, the first executable already: the record names the second, which gains PROT_EXEC" {
	cp x.so y.so
	trace "$WORK" span2 ./x.so ./y.so
	[ "$output" = protected ]
	[ "$(maps "$PWD/x.so")" = "[\"mmap\",\"$PWD/x.so\",5,18,\"number\",0]" ]
	[ "$(maps "$PWD/y.so")" = "[\"mprotect\",\"$PWD/y.so\",5,null,\"null\",0]" ]
	[ "$(ops "$PWD/y.so")" = '["map_exec","read"]' ]
	denied "$PWD/y.so" "deny exec $PWD/y.so"
}

@test "personality READ_IMPLIES_EXEC: a file mapped with PROT_READ only is executable, map_exec with prot 5" {
	trace "$WORK" rie ./x.so
	[ "$output" = mapped ]
	[ "$(maps "$PWD/x.so")" = "[\"mmap\",\"$PWD/x.so\",5,2,\"number\",0]" ]
	[ "$(ops "$PWD/x.so")" = '["map_exec","read"]' ]
	denied "$PWD/x.so"
}

@test "mprotect over 40 anonymous mappings and then a file's page is map_exec of that file" {
	trace "$WORK" spanmany ./x.so
	[ "$output" = protected ]
	[ "$(maps "$PWD/x.so")" = "[\"mprotect\",\"$PWD/x.so\",5,null,\"null\",0]" ]
	[ "$(ops "$PWD/x.so")" = '["map_exec","read"]' ]
	denied "$PWD/x.so"
}

@test "40 mappings twin: the anonymous ones only made executable, no map_exec, and the rule passes" {
	trace "$WORK" spanmanyanon ./x.so
	[ "$output" = protected ]
	[ "$(maps "$PWD/x.so")" = "" ]
	[ "$(ops "$PWD/x.so")" = '["read"]' ]
	passes
}

# [map_exec records of mprotect on x.so, records lost, completeness]
race_tally() {
	gh-aggregate "$EV" > "$R" || true
	echo "$(jq -c --arg p "$PWD/x.so" 'select(.type == "map_exec" and .syscall == "mprotect" and .path == $p)' "$EV" | wc -l) $(jq -r 'select(.type == "end") | .lost.ringbuf' "$EV") $(jq -r .completeness "$R")"
}

@test "mprotect adding PROT_EXEC while other threads map and unmap memory: each one recorded, or counted lost and the receipt not closed" {
	run gh-trace -o "$EV" -- "$WORK" race ./x.so
	[ "$status" -eq 0 ]
	[ "$output" = 5000 ]
	read -r n lost comp <<<"$(race_tally)"
	[ "$n" -gt 0 ]
	[ $((n + lost)) -eq 5000 ]
	if [ "$lost" -gt 0 ]; then
		[ "$comp" != closed ]
	else
		[ "$comp" = closed ]
	fi
}

@test "mprotect race twin: without the threads, all 5000 recorded, none lost, closed" {
	run gh-trace -o "$EV" -- "$WORK" norace ./x.so
	[ "$status" -eq 0 ]
	[ "$output" = 5000 ]
	[ "$(race_tally)" = "5000 0 closed" ]
}

# "X Y": map_exec records of mmap naming x.so and y.txt
fd_tally() {
	echo "$(maps "$PWD/x.so" | grep -c '^\["mmap"') $(maps "$PWD/y.txt" | grep -c '^\["mmap"')"
}

@test "mmap of a descriptor another thread makes another file (dup2) meanwhile: the record names the file mapped, not the descriptor's at exit" {
	printf 'not an ELF\n' > y.txt
	run gh-trace -o "$EV" -- "$WORK" fdrace ./x.so ./y.txt
	[ "$status" -eq 0 ]
	# how many mappings were of each, as the workload saw them
	[[ "$output" =~ ^[0-9]+\ [0-9]+$ ]]
	[ "$(jq -r 'select(.type == "end") | .lost.ringbuf' "$EV")" = 0 ]
	[ "$(fd_tally)" = "$output" ]
}

@test "dup2 twin: both descriptors of the same file, all 2000 mappings and records name it" {
	run gh-trace -o "$EV" -- "$WORK" fdrace ./x.so ./x.so
	[ "$status" -eq 0 ]
	[ "$output" = "2000 0" ]
	[ "$(fd_tally)" = "2000 0" ]
}
