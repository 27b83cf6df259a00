#!/usr/bin/env bats
# gh-show --html: one self-contained page, checked in headless Chromium
# (Debian's chromium package, installed by scripts/deps.sh).

load filter

setup() {
	filter_setup
	F=$GH_ROOT/tests/fixtures/show
	T=$BATS_TEST_TMPDIR
}

# chrome ARGS... URL: headless Chromium that reaches nothing outside
chrome() {
	mkdir -p "$T/profile"
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$T/profile" "$@" 2> "$T/chrome.err"
}

# dom FILE: the page's DOM after its scripts ran
dom() {
	chrome --dump-dom "file://$1"
}

@test "the page is self-contained: no fetch of anything, a policy that allows none" {
	gh-show --html "$F/a.json" > "$T/a.html"
	head -1 "$T/a.html" | grep -qx '<!DOCTYPE html>'
	! grep -Eiq '(src|href|action|poster)=|url\(|@import|https?:|//[a-z]' "$T/a.html" || false
	grep -q "content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/]*='\"" "$T/a.html"
	# the policy names the page's own script by its hash
	script=$(sed -n 's/.*<script>\(.*\)<\/script>.*/\1/p' "$T/a.html")
	want=$(printf '%s' "$script" | openssl dgst -sha256 -binary | base64)
	grep -qF "script-src 'sha256-$want'" "$T/a.html"
}

@test "in Chromium: the summary, the folded tree and the tables are there" {
	gh-show --html "$F/a.json" > "$T/a.html"
	dom "$T/a.html" > "$T/dom.html"
	# the page's script ran (it marks the body)
	grep -q '<body data-ready="1">' "$T/dom.html"
	grep -q '<td id="completeness"><span class="good">complete</span></td>' "$T/dom.html"
	grep -q '<tr><th>exit</th><td><span class="bad">3</span></td></tr>' "$T/dom.html"
	grep -q '<div class="leaf"><span class="count">40x</span> /bin/true</div>' "$T/dom.html"
	# collapsible: the shell's children are inside its details element
	grep -q '^<details open=""><summary>sh -c ' "$T/dom.html"
	# one row per file access and per peer, each with its process
	n=$(jq '.filesystem.accesses | length' "$F/a.json")
	[ "$(sed -n '/<table class="sortable" id="files">/,/<\/table>/p' "$T/dom.html" | grep -c '^<tr><td>')" -eq "$n" ]
	! grep -q '<tr><td>127.0.0.1:2</td>' "$T/dom.html" || false
	grep -q '<tr><td>127.0.0.1:47123</td><td></td><td>tcp</td><td>connect</td><td>ok</td><td data-v="1">1</td><td class="who"><span title="perl net.pl">perl\[[0-9]*\]</span></td></tr>' "$T/dom.html"
	grep -q '<tr><td>renamed</td><td>elsewhere</td><td>/var/cache/gh-show-fx/a</td><td>/var/cache/gh-show-fx/b</td><td class="who"><span title="mv /var/cache/gh-show-fx/a /var/cache/gh-show-fx/b">mv\[[0-9]*\]</span></td></tr>' "$T/dom.html"
	grep -q '<li><code class="bad">read /etc/shadow</code> (/etc/shadow)</li>' "$T/dom.html"
	grep -q '<li><code>EACCES read /var/cache/gh-show-fx/secret</code></li>' "$T/dom.html"
	grep -q '<input type="search" data-filter="peers" placeholder="filter">' "$T/dom.html"
}

@test "in Chromium: peers with their names, bytes and process; names looked up; paths marked with their view" {
	gh-show --html "$F/net.json" > "$T/net.html"
	dom "$T/net.html" > "$T/dom.html"
	grep -q '<body data-ready="1">' "$T/dom.html"
	port=$(jq -r '.network.attempts[] | select(.dst | startswith("127.0.0.7:")) | .dst | sub(".*:"; "")' "$F/net.json")
	pid=$(jq '.process_tree[] | select(.argv[1] == "conn.py" and .argv[2] == "127.0.0.7") | .pid' "$F/net.json")
	grep -qF "<tr><td>127.0.0.7:$port</td><td>gh-test.example, www.gh-test.example</td><td>tcp</td><td>connect</td><td>ok</td><td data-v=\"1\">1</td><td data-v=\"1234\">1234</td><td data-v=\"300\">300</td><td class=\"who\"><span title=\"/usr/bin/python3 conn.py 127.0.0.7 $port 5 1234\">python3.11[$pid]</span></td></tr>" "$T/dom.html"
	grep -q '<tr><td>127.0.0.1:1</td><td></td><td>tcp</td><td>connect</td><td class="warn">refused</td><td data-v="1">1</td><td data-v="0">0</td><td data-v="0">0</td><td class="who">' "$T/dom.html"
	grep -qx '<p id="bytes">1300 bytes sent, 476 bytes received in all.</p>' "$T/dom.html"
	grep -q '<tr><td>gh-test.example</td><td>A</td><td>127.0.0.7</td><td data-v="1">1</td><td class="who"><span title="/usr/bin/python3 dnsclient.py 127.0.0.1 53 udp gh-test.example">python3.11\[[0-9]*\]</span></td></tr>' "$T/dom.html"
	grep -q '<tr><td>gh-test.example</td><td>AAAA</td><td>::1</td>' "$T/dom.html"
	# the effect and the access of a rename through a symbolic link
	grep -q '<tr><td>written</td><td>workspace</td><td>/srv/gh-show-fx/ws-net/out/final.txt <span class="warn">(lexical)</span><br><span class="seen">seen as /srv/gh-show-fx/ws-net/via/final.txt</span></td>' "$T/dom.html"
	grep -q '<tr><td>/srv/gh-show-fx/ws-net/out/result.txt <span class="warn">(lexical)</span><br><span class="seen">seen as /srv/gh-show-fx/ws-net/via/result.txt</span></td><td>rename</td>' "$T/dom.html"
	grep -q '<tr><td>/srv/gh-show-fx/ws-net/out/result.txt</td><td>create</td>' "$T/dom.html"
	! grep -q 'not measured' "$T/dom.html" || false
	# the twin: an older receipt has no byte columns, no names, and says
	# what was not measured
	gh-show --html "$F/a.json" > "$T/a.html"
	grep -q '<p>5 bytes sent by sends with an address; bytes on connected sockets are not measured.</p>' "$T/a.html"
	! grep -q 'bytes out\|id="dns"\|seen as\|(lexical)' "$T/a.html" || false
}

@test "in Chromium: tables sort on a click (numbers as numbers) and filter as one types" {
	# a count of 9 beside one of 60: as strings "9" would sort above "60"
	jq '.filesystem.accesses[0].count = 9' \
		"$F/a.json" > "$T/a9.json"
	jq -e '[.filesystem.accesses[].count] | index(9) != null and max == 60' "$T/a9.json"
	gh-show --html "$T/a9.json" > "$T/a.html"
	# the page without its policy, with a script that plays the user after
	# the page's own
	tail -2 "$T/a.html" | tr -d '\n' | grep -qx '</body></html>'
	{
		grep -v 'Content-Security-Policy' "$T/a.html" | head -n -2
		cat <<'JS'
<script>
var p = document.getElementById("peers"), f = document.getElementById("files");
var c = f.tHead.rows[0].cells[3]; c.click(); c.click();
var best = f.tBodies[0].rows[0].cells[0].textContent + "=" + f.tBodies[0].rows[0].cells[3].textContent;
p.tHead.rows[0].cells[0].click();
var first = p.tBodies[0].rows[0].cells[0].textContent;
var inp = document.querySelector("input[data-filter=peers]");
inp.value = "UDP"; inp.dispatchEvent(new Event("input"));
var shown = [].filter.call(p.tBodies[0].rows, function (r) { return !r.hidden; })
	.map(function (r) { return r.cells[0].textContent; });
inp.value = ""; inp.dispatchEvent(new Event("input"));
var all = [].filter.call(p.tBodies[0].rows, function (r) { return !r.hidden; }).length;
document.body.setAttribute("data-test", [best, first, shown.join(","), all].join("|"));
</script>
</body>
</html>
JS
	} > "$T/play.html"
	dom "$T/play.html" > "$T/dom.html"
	top=$(jq -r '.filesystem.accesses | max_by(.count) | "\(.path)=\(.count)"' "$T/a9.json")
	# the largest count first (60 before 9: numbers, not strings), the
	# lowest address first, only the UDP peer while "UDP" is typed, all
	# eight again when the box is emptied
	grep -qF "data-test=\"$top|127.0.0.1:1|127.0.0.53:53|8\"" "$T/dom.html"
}

@test "a partial receipt is said in red" {
	gh-show --html "$GH_ROOT/tests/fixtures/aggregate/lost.json" > "$T/lost.html"
	dom "$T/lost.html" > "$T/dom.html"
	grep -q '<td id="completeness"><span class="bad">PARTIAL: lost 1 records: user memory fault; lost 3 records: ring buffer full</span></td>' "$T/dom.html"
}

@test "arguments are shell words: [\"a b\"] and [\"a\", \"b\"] read apart, in the command and the process cells" {
	jq '.process_tree[1].argv = ["echo", "a b"] | .provenance.command = ["sh", "-c", "x y"]' \
		"$F/hostile.json" > "$T/one.json"
	gh-show --html "$T/one.json" > "$T/one.html"
	grep -qF '<tr><th>command</th><td><code>sh -c &#39;x y&#39;</code>' "$T/one.html"
	grep -qF '<span title="echo &#39;a b&#39;">mkdir[3557]</span>' "$T/one.html"
	# the twin: separate words are not quoted
	jq '.process_tree[1].argv = ["echo", "a", "b"] | .provenance.command = ["sh", "-c", "x", "y"]' \
		"$F/hostile.json" > "$T/two.json"
	gh-show --html "$T/two.json" > "$T/two.html"
	grep -qF '<tr><th>command</th><td><code>sh -c x y</code>' "$T/two.html"
	grep -qF '<span title="echo a b">mkdir[3557]</span>' "$T/two.html"
	! grep -qF '&#39;a b&#39;' "$T/two.html" || false
}

@test "hostile strings are text: a <script> in a path is shown, not run" {
	# a path that would mark the page if it ran, beside the real hostile run
	jq '.filesystem.accesses += [{"path": "/tmp/<script>document.body.setAttribute(\"data-pwned\",\"1\")</script>",
	     "op": "create", "result": "ok", "count": 1, "pids": [.process_tree[0].pid]},
	    {"path": "/tmp/\"><img src=x onerror=\"document.body.setAttribute(&quot;data-pwned&quot;,2)\">",
	     "op": "read", "result": "ok", "count": 1, "pids": [.process_tree[0].pid]}]' \
		"$F/hostile.json" > "$T/h.json"
	gh-show --html "$T/h.json" > "$T/h.html"
	dom "$T/h.html" > "$T/dom.html"
	grep -q '<body data-ready="1">' "$T/dom.html"
	! grep -q 'data-pwned=' "$T/dom.html" || false
	! grep -qi '<img' "$T/dom.html" || false
	[ "$(grep -c '<script>' "$T/dom.html")" -eq 1 ]
	grep -qF '/tmp/&lt;script&gt;document.body.setAttribute("data-pwned","1")&lt;/script&gt;' "$T/dom.html"
	grep -qF "<div class=\"leaf\">touch '&lt;script&gt;alert(1)&lt;/script&gt;'</div>" "$T/dom.html"
	# control characters made visible, and a byte that was not UTF-8 (\xff)
	grep -qF "touch 'q\"uote&amp;amp;\\x1b[31mred\\nnew\\xffline'" "$T/dom.html"
	# escaping alone keeps it text: the same page without its policy
	grep -v 'Content-Security-Policy' "$T/h.html" > "$T/nocsp.html"
	dom "$T/nocsp.html" > "$T/dom2.html"
	grep -q '<body data-ready="1">' "$T/dom2.html"
	! grep -q 'data-pwned=' "$T/dom2.html" || false
	# the twin: had the path been written raw, the check would see it run
	sed 's|/tmp/&lt;script&gt;document.body.setAttribute(&quot;data-pwned&quot;,&quot;1&quot;)&lt;/script&gt;|<script>document.body.setAttribute("data-pwned","1")</script>|' \
		"$T/nocsp.html" > "$T/raw.html"
	! cmp -s "$T/nocsp.html" "$T/raw.html" || false
	dom "$T/raw.html" > "$T/dom3.html"
	grep -q 'data-pwned="1"' "$T/dom3.html"
}

@test "a screenshot of the page is a non-blank image" {
	gh-show --html "$F/a.json" > "$T/a.html"
	chrome --window-size=1200,1400 --screenshot="$T/a.png" "file://$T/a.html" > /dev/null
	# a PNG 1200 pixels wide, with many colours on it
	python3 - "$T/a.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w, h = 8, b'', 0, 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h = struct.unpack('>II', body[:8])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
assert (w, h) == (1200, 1400), (w, h)
raw = zlib.decompress(idat)
values = set(raw[i] for i in range(0, len(raw), 7))
assert len(values) > 16, 'blank: %d values' % len(values)
# most of the page is background, but not all of it
assert raw.count(b'\xff') < 0.98 * len(raw), 'nearly all white'
PY
	# the twin: an empty page gives a blank screenshot, which the check refuses
	printf '<!DOCTYPE html><title>x</title>' > "$T/empty.html"
	chrome --window-size=1200,1400 --screenshot="$T/empty.png" "file://$T/empty.html" > /dev/null
	! python3 - "$T/empty.png" <<'PY' || false
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    if kind == b'IDAT':
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
assert len(set(raw[i] for i in range(0, len(raw), 7))) > 16
PY
}
