#!/usr/bin/env bats
# gh-redact, second round: secrets that well-known tools take by position or
# by an option of their own (openssl, htpasswd, vault), the same and the
# earlier rules inside shell scripts (sh -c, bash -c, ssh host '...') and
# behind wrappers (sudo, env, timeout, nice, nohup, xargs), and the sweep of
# what they mask. Each test says what failed before, and has its twin that
# must stay unmasked.
#
# Command lines go into a minimal receipt (provenance.command) as in
# tests/gh-redact.bats; the sweep tests edit a real recording
# (tests/fixtures/policy/clean.json).

bats_require_minimum_version 1.5.0

setup() {
	GH_ROOT=${GH_ROOT:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
	GH_BIN=${GH_BIN:-$GH_ROOT/bin}
	PATH="$GH_BIN:$PATH"
	P=$GH_ROOT/tests/fixtures/policy
	T=$BATS_TEST_TMPDIR
}

# cmdline ARGV-JSON: the command line redacted, and the rules that fired,
# as compact JSON: [argv, redactions].
cmdline() {
	jq -n --argjson c "$1" \
		'{version: "0.4.0", provenance: {command: $c, cwd: "/w", run_uid: 4242}, redactions: []}' |
		gh-redact | jq -c '[.provenance.command, .redactions]'
}

# script SHELL-TEXT [SHELL]: the script of "bash -c SHELL-TEXT" redacted,
# printed raw.
script() {
	cmdline "$(jq -nc --arg s "$1" --arg sh "${2:-bash}" '[$sh, "-c", $s]')" |
		jq -r '.[0][2]'
}

# ---- openssl ----------------------------------------------------------------

# Before: openssl enc -k PASS kept PASS (-k is no option name that says
# secret), and -passin env:VAR or file:PATH, which only say where the
# password is, were masked whole like a password.
@test "openssl: the passphrase of -k, the key of -K, -hmac and -macopt key: are masked" {
	run cmdline '["openssl","enc","-aes-256-cbc","-k","S3cretPass","-in","f","-out","g"]'
	[ "$output" = '[["openssl","enc","-aes-256-cbc","-k","[REDACTED]","-in","f","-out","g"],[{"count":1,"rule":"default:openssl-key"}]]' ]
	run cmdline '["openssl","enc","-K","00112233445566778899aabbccddeeff","-iv","0102030405060708"]'
	[ "$output" = '[["openssl","enc","-K","[REDACTED]","-iv","0102030405060708"],[{"count":1,"rule":"default:openssl-key"}]]' ]
	run cmdline '["/usr/bin/openssl","dgst","-sha256","-hmac","S3cretKey","f"]'
	[ "$output" = '[["/usr/bin/openssl","dgst","-sha256","-hmac","[REDACTED]","f"],[{"count":1,"rule":"default:openssl-key"}]]' ]
	run cmdline '["openssl","dgst","-mac","HMAC","-macopt","hexkey:00112233","-macopt","digest:sha256"]'
	[ "$output" = '[["openssl","dgst","-mac","HMAC","-macopt","hexkey:[REDACTED]","-macopt","digest:sha256"],[{"count":1,"rule":"default:openssl-key"}]]' ]
}

@test "openssl: -kfile, -iv and -k of other programs stay" {
	run cmdline '["openssl","enc","-aes-256-cbc","-kfile","/run/keyfile","-in","f"]'
	[ "$output" = '[["openssl","enc","-aes-256-cbc","-kfile","/run/keyfile","-in","f"],[]]' ]
	run cmdline '["curl","-k","https://h/"]'
	[ "$output" = '[["curl","-k","https://h/"],[]]' ]
	run cmdline '["ls","-K","abcdefgh"]'
	[ "$output" = '[["ls","-K","abcdefgh"],[]]' ]
}

@test "openssl: pass:PASSWORD keeps pass:, masks the password" {
	run cmdline '["openssl","pkcs12","-export","-passin","pass:S3cret1","-passout","pass:S3cret2","-in","c.pem"]'
	[ "$output" = '[["openssl","pkcs12","-export","-passin","pass:[REDACTED]","-passout","pass:[REDACTED]","-in","c.pem"],[{"count":2,"rule":"default:secret-option"}]]' ]
	run cmdline '["openssl","rsa","-pass","pass:S3cret3","-passin=pass:S3cret4"]'
	[ "$output" = '[["openssl","rsa","-pass","pass:[REDACTED]","-passin=pass:[REDACTED]"],[{"count":2,"rule":"default:secret-option"}]]' ]
}

@test "openssl: env:, file:, fd: and stdin only say where the password is: they stay" {
	run cmdline '["openssl","pkcs12","-passin","env:P12_PASS","-passout","file:/run/p","-pass","fd:3","-passin","stdin"]'
	[ "$output" = '[["openssl","pkcs12","-passin","env:P12_PASS","-passout","file:/run/p","-pass","fd:3","-passin","stdin"],[]]' ]
	# a password that merely looks like one of them is still masked
	run cmdline '["openssl","rsa","-passin","stdinX"]'
	[ "$output" = '[["openssl","rsa","-passin","[REDACTED]"],[{"count":1,"rule":"default:secret-option"}]]' ]
}

# ---- htpasswd ---------------------------------------------------------------

# Before: htpasswd -b FILE USER PASS kept PASS (a name, not an option).
@test "htpasswd -b: the password, the last name after the options, is masked" {
	run cmdline '["htpasswd","-b","/etc/nginx/htpasswd","alice","S3cretPw"]'
	[ "$output" = '[["htpasswd","-b","/etc/nginx/htpasswd","alice","[REDACTED]"],[{"count":1,"rule":"default:htpasswd-password"}]]' ]
	run cmdline '["htpasswd","-bc","/etc/nginx/htpasswd","alice","S3cretPw"]'
	[ "$output" = '[["htpasswd","-bc","/etc/nginx/htpasswd","alice","[REDACTED]"],[{"count":1,"rule":"default:htpasswd-password"}]]' ]
	run cmdline '["htpasswd","-nbB","-C","12","alice","S3cretPw"]'
	[ "$output" = '[["htpasswd","-nbB","-C","12","alice","[REDACTED]"],[{"count":1,"rule":"default:htpasswd-password"}]]' ]
}

@test "htpasswd without -b, or with -D, has no password on its command line" {
	run cmdline '["htpasswd","-c","/etc/nginx/htpasswd","alice"]'
	[ "$output" = '[["htpasswd","-c","/etc/nginx/htpasswd","alice"],[]]' ]
	run cmdline '["htpasswd","-n","alice"]'
	[ "$output" = '[["htpasswd","-n","alice"],[]]' ]
	run cmdline '["htpasswd","-bD","/etc/nginx/htpasswd","alice"]'
	[ "$output" = '[["htpasswd","-bD","/etc/nginx/htpasswd","alice"],[]]' ]
}

# ---- vault ------------------------------------------------------------------

# Before: vault login TOKEN kept the token.
@test "vault login TOKEN: the token is masked, after options too" {
	run cmdline '["vault","login","hvs.CAESIJ0123456789"]'
	[ "$output" = '[["vault","login","[REDACTED]"],[{"count":1,"rule":"default:vault-token"}]]' ]
	run cmdline '["vault","login","-no-print","-address","https://v:8200","hvs.CAESIJ0123456789"]'
	[ "$output" = '[["vault","login","-no-print","-address","https://v:8200","[REDACTED]"],[{"count":1,"rule":"default:vault-token"}]]' ]
	run cmdline '["vault","login","-method=userpass","username=bob","password=S3cretPw"]'
	[ "$output" = '[["vault","login","-method=userpass","username=bob","password=[REDACTED]"],[{"count":1,"rule":"default:secret-env"}]]' ]
}

@test "vault: a method's name, - (stdin) and other commands stay" {
	run cmdline '["vault","login","-method","oidc","role=dev"]'
	[ "$output" = '[["vault","login","-method","oidc","role=dev"],[]]' ]
	run cmdline '["vault","login","-"]'
	[ "$output" = '[["vault","login","-"],[]]' ]
	run cmdline '["vault","read","secret/data/app"]'
	[ "$output" = '[["vault","read","secret/data/app"],[]]' ]
}

# ---- ldap, samba, mongo, keytool ---------------------------------------------

# Before: ldapsearch -w PW, smbclient -U user%PW, mongosh -p PW and keytool
# -storepass PW kept the password.
@test "ldap -w, samba's user%password, mongo -p, keytool -storepass and -keypass are masked" {
	run cmdline '["ldapsearch","-x","-D","cn=admin","-w","S3cretPw","-s","sub","-b","dc=x"]'
	[ "$output" = '[["ldapsearch","-x","-D","cn=admin","-w","[REDACTED]","-s","sub","-b","dc=x"],[{"count":1,"rule":"default:secret-option"}]]' ]
	run cmdline '["smbclient","//h/share","-Ualice%S3cretPw","--user=bob%Pw2xyz"]'
	[ "$output" = '[["smbclient","//h/share","-Ualice%[REDACTED]","--user=bob%[REDACTED]"],[{"count":2,"rule":"default:secret-option"}]]' ]
	run cmdline '["mongosh","-u","admin","-p","S3cretPw","mongodb://h"]'
	[ "$output" = '[["mongosh","-u","admin","-p","[REDACTED]","mongodb://h"],[{"count":1,"rule":"default:secret-option"}]]' ]
	run cmdline '["keytool","-list","-keystore","ks.jks","-storepass","S3cretPw","-keypass","K3ypass"]'
	[ "$output" = '[["keytool","-list","-keystore","ks.jks","-storepass","[REDACTED]","-keypass","[REDACTED]"],[{"count":2,"rule":"default:secret-option"}]]' ]
	run script 'timeout 5 ldapwhoami -x -w"S3 pw" && net ads join -U "admin%Pa ss"'
	[ "$output" = 'timeout 5 ldapwhoami -x -w"[REDACTED]" && net ads join -U "admin%[REDACTED]"' ]
}

@test "ldap -W (prompt) and -s (scope), samba without a password, mongo -p alone stay" {
	run cmdline '["ldapsearch","-x","-W","-s","base","-w"]'
	[ "$output" = '[["ldapsearch","-x","-W","-s","base","-w"],[]]' ]
	run cmdline '["smbclient","//h/share","-U","alice","--user=bob"]'
	[ "$output" = '[["smbclient","//h/share","-U","alice","--user=bob"],[]]' ]
	run cmdline '["mongosh","-u","admin","-p","--host","h"]'
	[ "$output" = '[["mongosh","-u","admin","-p","--host","h"],[]]' ]
	run cmdline '["tar","-w","-U","x%y","-p","perm"]'
	[ "$output" = '[["tar","-w","-U","x%y","-p","perm"],[]]' ]
}

# ---- wrappers ---------------------------------------------------------------

# Before: the rules above did not exist; and a short option of a program
# counted only as a flag of the whole command line, so a wrapper's own
# options could not be told from the program's.
@test "wrappers: sudo, env, timeout, nice, nohup, xargs run the program after their options" {
	run cmdline '["sudo","-u","www-data","htpasswd","-b","/x","u","S3cretPw"]'
	[ "$output" = '[["sudo","-u","www-data","htpasswd","-b","/x","u","[REDACTED]"],[{"count":1,"rule":"default:htpasswd-password"}]]' ]
	run cmdline '["env","-u","HOME","VAULT_ADDR=https://v","timeout","-s","KILL","30","nice","-n","5","nohup","vault","login","hvs.CAESIJ0123"]'
	[ "$output" = '[["env","-u","HOME","VAULT_ADDR=https://v","timeout","-s","KILL","30","nice","-n","5","nohup","vault","login","[REDACTED]"],[{"count":1,"rule":"default:vault-token"}]]' ]
	run cmdline '["xargs","-n","1","-P","4","openssl","enc","-k","S3cretPass"]'
	[ "$output" = '[["xargs","-n","1","-P","4","openssl","enc","-k","[REDACTED]"],[{"count":1,"rule":"default:openssl-key"}]]' ]
	# however many
	run cmdline "$(jq -nc '[range(40) | "sudo"] + ["vault", "login", "hvs.Deep0123"]')"
	[ "$output" = "$(jq -nc '[[range(40) | "sudo"] + ["vault", "login", "[REDACTED]"], [{count: 1, rule: "default:vault-token"}]]')" ]
}

@test "wrappers: a wrapper's option values are not the program" {
	# the user vault and the duration are no command
	run cmdline '["sudo","-u","vault","login","hvs.CAESIJ0123"]'
	[ "$output" = '[["sudo","-u","vault","login","hvs.CAESIJ0123"],[]]' ]
	run cmdline '["timeout","htpasswd","-b","f","u","p4ssword"]'
	[ "$output" = '[["timeout","htpasswd","-b","f","u","p4ssword"],[]]' ]
	run cmdline '["sudo","-u","root","ssh","-p","2222","host"]'
	[ "$output" = '[["sudo","-u","root","ssh","-p","2222","host"],[]]' ]
}

# ---- scripts ----------------------------------------------------------------

# Before: a script was split at blanks only, one quote level looked
# through: "x=$(mysql -pS3cret", "ok;sshpass" or "/srv&&PGPASSWORD=..." were
# no program and no NAME=VALUE, and a quoted value was masked with its
# quotes.
@test "scripts: commands after ; && || | newlines, in \$(...) and backticks are found, the rest kept byte for byte" {
	local s
	s=$(cat <<'EOF'
set -e
cd /srv&&PGPASSWORD='S3cret 1' psql -h db -c 'select 1' ;echo ok;sshpass -p "S3cret2" ssh h uptime
x=$(mysql -uroot -pS3cret3 -e 'show databases')|| echo "$(redis-cli -a S3cret4 ping)" `openssl enc -k S3cret5 -in f`
curl -sf -u 'alice:S3cret 6' -H "Authorization: Bearer S3cret7token" https://h/ | docker login -u me --password S3cret8 reg.io \
  && git -c "http.extraHeader=Authorization: Basic S3cret9b64" fetch
EOF
)
	run script "$s"
	[ "$output" = "$(cat <<'EOF'
set -e
cd /srv&&PGPASSWORD='[REDACTED]' psql -h db -c 'select 1' ;echo ok;sshpass -p "[REDACTED]" ssh h uptime
x=$(mysql -uroot -p[REDACTED] -e 'show databases')|| echo "$(redis-cli -a [REDACTED] ping)" `openssl enc -k [REDACTED] -in f`
curl -sf -u 'alice:[REDACTED]' -H "Authorization: Bearer [REDACTED]" https://h/ | docker login -u me --password [REDACTED] reg.io \
  && git -c "http.extraHeader=Authorization: Basic [REDACTED]" fetch
EOF
)" ]
}

@test "scripts: quotes and backslashes keep words together, the value is masked inside them" {
	run script 'htpasswd -b f u "my S3cret" && vault login '\''hvs.abc def'\'' ; mysql --password="p w d" db'
	[ "$output" = 'htpasswd -b f u "[REDACTED]" && vault login '\''[REDACTED]'\'' ; mysql --password="[REDACTED]" db' ]
	run script 'openssl enc -k my\ S3cret\ pw -in f 2>/dev/null >out'
	[ "$output" = 'openssl enc -k [REDACTED] -in f 2>/dev/null >out' ]
}

# Before: a header written as one word of a script (curl -H 'X-Api-Key:
# ...') was looked at only for Authorization, not as a header of its own.
@test "scripts: secret headers in one quoted word are masked, other headers stay" {
	run script "curl -H 'X-Api-Key: k-1234567' -H X-Auth-Token:\\ tok12345 -H \"Accept: text/plain\" -H key:\\ value https://h"
	[ "$output" = "curl -H 'X-Api-Key: [REDACTED]' -H X-Auth-Token:\\ [REDACTED] -H \"Accept: text/plain\" -H key:\\ value https://h" ]
}

@test "scripts: each command has its own program: -p after sshpass or docker login in another command stays" {
	# Before: sshpass (or docker login) anywhere in the script made every
	# later -p a password: ssh's port, docker run's port mapping
	run script 'sshpass -p S3cretPw ssh h true; ssh -p 2222 h'
	[ "$output" = 'sshpass -p [REDACTED] ssh h true; ssh -p 2222 h' ]
	run script 'docker login -p S3cretPw reg.io && docker run -p 8080:80 img'
	[ "$output" = 'docker login -p [REDACTED] reg.io && docker run -p 8080:80 img' ]
}

@test "scripts: -p alone, curl -u without a password, comments and redirections stay" {
	local s='mysql -p db; curl -u alice https://h/ | ssh -p 22 h # vault login not-a-token
htpasswd -b f u S3cretPw 2>/dev/null >log; htpasswd -c f u </dev/null'
	run script "$s"
	[ "$output" = 'mysql -p db; curl -u alice https://h/ | ssh -p 22 h # vault login not-a-token
htpasswd -b f u [REDACTED] 2>/dev/null >log; htpasswd -c f u </dev/null' ]
	# a URL's & is no shell operator: key=value after it stays
	run cmdline '["curl","https://h/?x=1&key=value&token=S3cretTok"]'
	[ "$output" = '[["curl","https://h/?x=1&key=value&token=[REDACTED]"],[{"count":1,"rule":"default:url-query"}]]' ]
}

@test "scripts inside scripts, behind wrappers, and held by ssh" {
	run script "sudo -E sh -c 'nohup vault login hvs.Inner0123 >/dev/null' && timeout 5 bash -lc \"env DB_PASSWORD='a b' xargs -n1 htpasswd -b f u S3cretPw\""
	[ "$output" = "sudo -E sh -c 'nohup vault login [REDACTED] >/dev/null' && timeout 5 bash -lc \"env DB_PASSWORD='[REDACTED]' xargs -n1 htpasswd -b f u [REDACTED]\"" ]
	run cmdline '["ssh","host","sudo htpasswd -b /etc/pw u S3cretPw; vault login hvs.Remote0123"]'
	[ "$output" = '[["ssh","host","sudo htpasswd -b /etc/pw u [REDACTED]; vault login [REDACTED]"],[{"count":1,"rule":"default:htpasswd-password"},{"count":1,"rule":"default:vault-token"}]]' ]
	# the twin: the same words as text, not as commands
	run cmdline '["ssh","host","echo htpasswd -b /etc/pw u S3cretPw; echo vault login hvs.Remote0123"]'
	[ "$output" = '[["ssh","host","echo htpasswd -b /etc/pw u S3cretPw; echo vault login hvs.Remote0123"],[]]' ]
}

@test "scripts: unbalanced quotes and substitutions, deep nesting: still a receipt, secrets still masked" {
	run script 'vault login hvs.Open0123 "unclosed $(htpasswd -b f u S3cretPw'
	[ "$output" = 'vault login [REDACTED] "unclosed $(htpasswd -b f u [REDACTED]' ]
	# a command of empty words only, then one with a token
	run script "'' \"\" ; vault login '' hvs.Empty0123 \\"
	[ "$output" = "'' \"\" ; vault login '' [REDACTED] \\" ]
	local deep
	deep=$(awk 'BEGIN { for (i = 0; i < 200; i++) printf "$(";
		printf "vault login hvs.Deep0123";
		for (i = 0; i < 200; i++) printf ")" }')
	run script "$deep"
	[ "$status" -eq 0 ]
	[ "$output" = "${deep/hvs.Deep0123/[REDACTED]}" ]
}

# ---- the sweep --------------------------------------------------------------

@test "a value masked by the new rules is masked wherever else it occurs" {
	jq '.process_tree[0].argv = ["sh", "-c", "vault login hvs.Sweep0123 && htpasswd -b f u pwsweep99"] |
	    .process_tree[0].execs[0].argv = .process_tree[0].argv |
	    .process_tree[1].argv = ["cat", "/tmp/hvs.Sweep0123.json"] |
	    .filesystem.writes += ["/home/u/pwsweep99.txt"] |
	    .network.connections[0].names = ["pwsweep99.example.com", "x.example.com"] |
	    .processes[1].cmd = "echo TOKEN=hvs.Sweep0123"' "$P/clean.json" > "$T/in.json"
	gh-redact "$T/in.json" > "$T/out.json"
	grep -q pwsweep99 "$T/in.json"
	run grep -c -e hvs.Sweep0123 -e pwsweep99 "$T/out.json"
	[ "$output" = 0 ]
	[ "$(jq -c '[.process_tree[0].argv[2], .process_tree[1].argv, (.filesystem.writes | index("/home/u/[REDACTED].txt") != null), .network.connections[0].names, .processes[1].cmd]' "$T/out.json")" = \
		'["vault login [REDACTED] && htpasswd -b f u [REDACTED]",["cat","/tmp/[REDACTED].json"],true,["[REDACTED].example.com","x.example.com"],"echo TOKEN=[REDACTED]"]' ]
	# the twin: a value under 6 bytes is masked where it stands only
	jq '.process_tree[0].argv = ["htpasswd", "-b", "f", "u", "Pw5"] |
	    .filesystem.writes += ["/home/u/Pw5.txt"]' "$P/clean.json" > "$T/short.json"
	gh-redact "$T/short.json" > "$T/out2.json"
	[ "$(jq -c '[.process_tree[0].argv, (.filesystem.writes | index("/home/u/Pw5.txt") != null)]' "$T/out2.json")" = \
		'[["htpasswd","-b","f","u","[REDACTED]"],true]' ]
}

@test "a 1 MiB script with a secret in every command: all masked, nothing else changed" {
	# 30,000 commands, each password of its own sharing its first bytes
	# with the others (the sweep finds each value among the others)
	awk 'BEGIN { for (i = 0; i < 30000; i++)
		printf "htpasswd -b f u '\''secretpass%08d'\'' && x=1\n", i }' > "$T/s.sh"
	[ "$(stat -c %s "$T/s.sh")" -gt 1000000 ]
	jq -n --rawfile s "$T/s.sh" \
		'{version: "0.4.0", provenance: {command: ["sh", "-c", $s], cwd: "/w", run_uid: 4242}, redactions: []}' > "$T/big.json"
	gh-redact "$T/big.json" > "$T/out.json"
	jq -j '.provenance.command[2]' "$T/out.json" > "$T/got.sh"
	sed "s/'secretpass[0-9]*'/'[REDACTED]'/" "$T/s.sh" > "$T/want.sh"
	cmp "$T/got.sh" "$T/want.sh"
	[ "$(jq -c .redactions "$T/out.json")" = '[{"count":30000,"rule":"default:htpasswd-password"}]' ]
	# the twin: the same script without -b has no password to mask
	sed 's/ -b / -c /' "$T/s.sh" > "$T/c.sh"
	jq -n --rawfile s "$T/c.sh" \
		'{version: "0.4.0", provenance: {command: ["sh", "-c", $s], cwd: "/w", run_uid: 4242}, redactions: []}' > "$T/big2.json"
	gh-redact "$T/big2.json" | jq -j '.provenance.command[2]' > "$T/got2.sh"
	cmp "$T/got2.sh" "$T/c.sh"
}

# ---- a traced run -----------------------------------------------------------

# Trace, as root, a script that runs stand-ins for vault and openssl
# (copies of true) and htpasswd (a #! script, which the kernel runs as
# "/bin/sh PATH ARGS...") behind timeout, env and xargs: the receipt holds
# each secret in the script's argv, in the execs of the programs and in
# processes' command lines; none is left after gh-redact.
@test "a traced script: the secrets of vault, htpasswd and openssl are gone everywhere" {
	[ "$(id -u)" -eq 0 ] || skip "tracing needs root"
	mkdir -p "$T/bin"
	cp /bin/true "$T/bin/vault"
	cp /bin/true "$T/bin/openssl"
	printf '#!/bin/sh\nexit 0\n' > "$T/bin/htpasswd"
	chmod +x "$T/bin/htpasswd"
	cd "$T"
	PATH="$T/bin:$PATH" gh-trace -o ev.ndjson -- sh -c '
		vault login hvs.Traced0123 && timeout 5 htpasswd -b f u "pw Traced99"
		echo f | env LANG=C xargs -n1 openssl enc -k KeyTraced77 -in'
	if jq -e 'select(.type == "header") | .audit.active == false' ev.ndjson > /dev/null; then
		skip "eBPF unavailable: $(jq -r 'select(.type == "header") | .audit.reason' ev.ndjson)"
	fi
	gh-aggregate ev.ndjson > receipt.json
	# The receipt really holds them, in the argv of the programs too.
	for s in hvs.Traced0123 "pw Traced99" KeyTraced77; do
		grep -qF "$s" receipt.json
	done
	[ "$(jq -c '[.process_tree[] | select(.argv[0] == "vault") | .argv]' receipt.json)" = '[["vault","login","hvs.Traced0123"]]' ]
	gh-redact receipt.json > red.json
	run grep -c -e hvs.Traced0123 -e "pw Traced99" -e Traced99 -e KeyTraced77 red.json
	[ "$output" = 0 ]
	[ "$(jq -c --arg b "$T/bin/" '[.process_tree[] | select(.argv[0] == "vault" or .argv[1] == $b + "htpasswd" or .argv[0] == "openssl") | .argv] | sort' red.json)" = \
		"$(jq -nc --arg b "$T/bin/" '[["/bin/sh",($b + "htpasswd"),"-b","f","u","[REDACTED]"],["openssl","enc","-k","[REDACTED]","-in","f"],["vault","login","[REDACTED]"]]')" ]
	jq -e '[.redactions[].rule] | index("default:htpasswd-password") and index("default:openssl-key") and index("default:vault-token")' red.json
	# the twin: with the default rules off, every one of them stays
	gh-redact --no-default-secrets receipt.json > kept.json
	for s in hvs.Traced0123 "pw Traced99" KeyTraced77; do
		grep -qF "$s" kept.json
	done
}

# ---- third round: spellings the rules above missed ---------------------------

# Before: openssl reads --k and -k=VALUE as -k (and --hmac, -hmac=, -macopt=)
# but only "-k VALUE" was masked.
@test "openssl: --NAME and -NAME=VALUE spellings of -k, -K, -hmac, -macopt are masked" {
	run cmdline '["openssl","enc","--k","S3cretPass","-K=00112233aabb"]'
	[ "$output" = '[["openssl","enc","--k","[REDACTED]","-K=[REDACTED]"],[{"count":2,"rule":"default:openssl-key"}]]' ]
	run cmdline '["openssl","dgst","--hmac=S3cretKey","-macopt=hexkey:0011aa","--macopt","key:S3cretK2"]'
	[ "$output" = '[["openssl","dgst","--hmac=[REDACTED]","-macopt=hexkey:[REDACTED]","--macopt","key:[REDACTED]"],[{"count":3,"rule":"default:openssl-key"}]]' ]
}

@test "openssl: --kfile, -kx=..., -macopt=digest: and a trailing -k stay" {
	run cmdline '["openssl","enc","--kfile","/run/keyfile","-kx=abcdefgh","-macopt=digest:sha256","-k"]'
	[ "$output" = '[["openssl","enc","--kfile","/run/keyfile","-kx=abcdefgh","-macopt=digest:sha256","-k"],[]]' ]
}

# Before: getopt reads -xw PW and -xwPW as -x -w PW, and -NU user%PW as -N
# -U user%PW; only -w and -U first in their word were masked.
@test "ldap -xw, -xwPW and samba -NU: the password after flags in one word is masked" {
	run cmdline '["ldapsearch","-xw","S3cretPw","-b","dc=x"]'
	[ "$output" = '[["ldapsearch","-xw","[REDACTED]","-b","dc=x"],[{"count":1,"rule":"default:secret-option"}]]' ]
	run script 'ldapwhoami -ZxwS3cretPw -H ldap://h'
	[ "$output" = 'ldapwhoami -Zxw[REDACTED] -H ldap://h' ]
	run cmdline '["smbclient","-NU","bob%S3cretPw","//h/s"]'
	[ "$output" = '[["smbclient","-NU","bob%[REDACTED]","//h/s"],[{"count":1,"rule":"default:secret-option"}]]' ]
}

@test "ldap -xb and -xW, samba -NL: an option with a value of its own, or none, stays" {
	run cmdline '["ldapsearch","-xb","dc=w","-xW","-bw"]'
	[ "$output" = '[["ldapsearch","-xb","dc=w","-xW","-bw"],[]]' ]
	run cmdline '["smbclient","-NL","host","-NU","bob"]'
	[ "$output" = '[["smbclient","-NL","host","-NU","bob"],[]]' ]
}

# Before: env --split-string=CMD and -SCMD were read as one word: the
# command in them was never looked at.
@test "env --split-string=COMMAND and -SCOMMAND: the command's secrets are masked" {
	run cmdline '["env","--split-string=vault login S3cretTok","x"]'
	[ "$output" = '[["env","--split-string=vault login [REDACTED]","x"],[{"count":1,"rule":"default:vault-token"}]]' ]
	run script 'env -S"htpasswd -b f u S3cretPw"'
	[ "$output" = 'env -S"htpasswd -b f u [REDACTED]"' ]
	# after env's flags in the same word (-i, -v, -0)
	run cmdline '["env","-ivSvault login S3cretTok"]'
	[ "$output" = '[["env","-ivSvault login [REDACTED]"],[{"count":1,"rule":"default:vault-token"}]]' ]
}

@test "env --split-string= and -S with no secret in their command stay" {
	run cmdline '["env","--split-string=vault status -address x","-Secho a b"]'
	[ "$output" = '[["env","--split-string=vault status -address x","-Secho a b"],[]]' ]
	# -x is no flag of env: no command follows it in the word
	run cmdline '["env","-xSvault login S3cretTok"]'
	[ "$output" = '[["env","-xSvault login S3cretTok"],[]]' ]
}

# Before: a word made by a substitution was empty to the rules: the token
# of vault login "$(echo TOKEN)" stayed.
@test "scripts: a secret given as \$(...) or backticks is masked with the substitution" {
	run script 'vault login "$(echo S3cretTok)" && htpasswd -b f u `cat pw`x'
	[ "$output" = 'vault login "[REDACTED]" && htpasswd -b f u [REDACTED]' ]
	run script 'openssl enc -k "a$(echo S3cret)b" -in f'
	[ "$output" = 'openssl enc -k "[REDACTED]" -in f' ]
}

@test "scripts: substitutions in words no rule masks stay, and are still read" {
	run script 'echo "$(date)" `id -u` && vault status "$(echo x)"'
	[ "$output" = 'echo "$(date)" `id -u` && vault status "$(echo x)"' ]
	run script 'echo "$(vault login S3cretTok)"'
	[ "$output" = 'echo "$(vault login [REDACTED])"' ]
}

# Before: past the depth scripts are read to (16), a quote or a
# substitution held the rest of the text as one word that was never read:
# echo "$(echo "$( ... vault login TOKEN ... )")" 16 deep kept the token.
@test "scripts: commands nested deeper than scripts are read still have their secrets masked" {
	local deep d
	for d in 16 20 300; do
		deep=$(awk -v d="$d" 'BEGIN { for (i = 0; i < d; i++) printf "echo \"$(";
			printf "vault login hvs.Deep0123";
			for (i = 0; i < d; i++) printf ")\"" }')
		run script "$deep"
		[ "$status" -eq 0 ]
		[ "$output" = "${deep/hvs.Deep0123/[REDACTED]}" ]
	done
	# a substitution next to the program's name still names it
	run script '$(true)vault login hvs.Sub0123; vault`true` login hvs.Sub4567'
	[ "$output" = '$(true)vault login [REDACTED]; vault`true` login [REDACTED]' ]
}

@test "scripts: deep nesting with no secret, and another program beside a substitution, stay" {
	local deep
	deep=$(awk 'BEGIN { for (i = 0; i < 20; i++) printf "echo \"$(";
		printf "vault status x";
		for (i = 0; i < 20; i++) printf ")\"" }')
	run script "$deep"
	[ "$output" = "$deep" ]
	run script '$(true)vaulty login hvs.Sub0123; vault`true`x login hvs.Sub4567'
	[ "$output" = '$(true)vaulty login hvs.Sub0123; vault`true`x login hvs.Sub4567' ]
}

# Before: builtin, eval, taskset, watch, flock, runuser, pkexec, nsenter,
# strace, fakeroot, chrt, sg and unshare were taken for the program: the
# vault token after them stayed.
@test "wrappers: builtin, eval, taskset, watch, flock, runuser, pkexec, nsenter, strace, fakeroot, chrt, sg, unshare" {
	local w
	for w in "builtin exec" eval "taskset -c 1" "watch --interval 5" "flock -w 3 /tmp/l" \
		"runuser -u bob --" "pkexec --user bob" "nsenter -t 1 -m --" \
		"strace -f -e trace=open -o /tmp/o" "fakeroot --" "chrt -f 10" "sg wheel" "unshare -r -n"; do
		run script "$w vault login hvs.Wrapped0"
		echo "$output"
	done > "$T/got"
	for w in "builtin exec" eval "taskset -c 1" "watch --interval 5" "flock -w 3 /tmp/l" \
		"runuser -u bob --" "pkexec --user bob" "nsenter -t 1 -m --" \
		"strace -f -e trace=open -o /tmp/o" "fakeroot --" "chrt -f 10" "sg wheel" "unshare -r -n"; do
		echo "$w vault login [REDACTED]"
	done | diff -u - "$T/got"
	run cmdline '["taskset","3","vault","login","hvs.Wrapped0"]'
	[ "$output" = '[["taskset","3","vault","login","[REDACTED]"],[{"count":1,"rule":"default:vault-token"}]]' ]
}

@test "wrappers: their option values and positionals are not the program" {
	run script 'taskset 3 vault; flock -c "vault status" /tmp/l; sg vault login hvs.Kept0; watch -n 5 date login x'
	[ "$output" = 'taskset 3 vault; flock -c "vault status" /tmp/l; sg vault login hvs.Kept0; watch -n 5 date login x' ]
	run cmdline '["chrt","-f","10","vault","status","x"]'
	[ "$output" = '[["chrt","-f","10","vault","status","x"],[]]' ]
}

# Before: curl --proxy-user=USER:PASSWORD in one word kept the password
# (--user=, -U and --proxy-user PASSWORD were masked).
@test "curl --proxy-user=user:password: the password is masked" {
	run cmdline '["curl","--proxy-user=bob:S3cretPw","-x","http://127.0.0.1:3128","http://h/"]'
	[ "$output" = '[["curl","--proxy-user=bob:[REDACTED]","-x","http://127.0.0.1:3128","http://h/"],[{"count":1,"rule":"default:secret-option"}]]' ]
}

@test "curl --proxy-user=user without a password, and --proxy-user= of another program, stay" {
	run cmdline '["curl","--proxy-user=bob","http://h/"]'
	[ "$output" = '[["curl","--proxy-user=bob","http://h/"],[]]' ]
	run cmdline '["myprog","--proxy-user=bob:notsecret"]'
	[ "$output" = '[["myprog","--proxy-user=bob:notsecret"],[]]' ]
}
