/* gh-sign: the in-toto Statement of a receipt. */
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "dsse.h"
#include "json.h"
#include "jv.h"
#include "receipt.h"

static struct json_object *str(const char *s)
{
	return json_object_new_string(s);
}

/* A json-c copy of member key of o, or NULL (JSON null) when absent. */
static struct json_object *copy_of(const struct gh_jv *o, const char *key)
{
	struct json_object *c = NULL;

	gh_jv_to_json(gh_jv_get(o, key), &c);
	return c;
}

/* The string member key of o, or NULL. */
static const char *str_of(const struct gh_jv *o, const char *key)
{
	return gh_jv_str(gh_jv_get(o, key), NULL);
}

static struct json_object *digest(const char *hex)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "sha256", str(hex));
	return d;
}

static struct json_object *subjects(const struct subject *s, size_t n)
{
	struct json_object *a = json_object_new_array(), *e;
	size_t i;

	for (i = 0; i < n; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "name", str(s[i].name));
		json_object_object_add(e, "digest", digest(s[i].hex));
		json_object_array_add(a, e);
	}
	return a;
}

/* A peer "a.b.c.d:port" or "[v6]:port" as the predicate's ip and port;
 * unix sockets and unknown peers have neither. */
static void add_ip_port(struct json_object *e, const char *dst)
{
	const char *colon = strrchr(dst, ':'), *ip = dst;
	size_t iplen;
	char *end, buf[64];
	long port;

	if (!colon || strncmp(dst, "unix:", 5) == 0)
		return;
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return;
	iplen = (size_t)(colon - dst);
	if (dst[0] == '[' && iplen >= 2 && dst[iplen - 1] == ']') {
		ip++;
		iplen -= 2;
	}
	if (iplen == 0 || iplen >= sizeof(buf))
		return;
	memcpy(buf, ip, iplen);
	buf[iplen] = '\0';
	json_object_object_add(e, "ip", str(buf));
	if (port > 0)
		json_object_object_add(e, "port", json_object_new_int(port));
}

/* network.attempts as monitorLog.network: ip, port, protocol and, where
 * the receipt knows it, hostname; the receipt's own members beside them;
 * the processes as invokingProcess. */
static struct json_object *network(struct gh_receipt *r)
{
	struct json_object *a = json_object_new_array(), *e, *p;
	const struct gh_jv *att, *in;
	size_t i, n;
	const char *dst;

	if (gh_receipt_arr(r, "network.attempts", &att) <= 0)
		return a;
	n = gh_receipt_len(att);
	for (i = 0; i < n; i++) {
		in = gh_jv_idx(att, i);
		e = NULL;
		if (!gh_jv_is(in, GH_JV_OBJECT) || gh_jv_to_json(in, &e) < 0)
			continue;
		if ((dst = str_of(in, "dst")))
			add_ip_port(e, dst);
		p = json_object_new_object();
		json_object_object_add(p, "pids", copy_of(in, "pids"));
		json_object_object_del(e, "pids");
		json_object_object_add(e, "invokingProcess", p);
		json_object_array_add(a, e);
	}
	return a;
}

/* filesystem.accesses as ResourceDescriptors: the path as name, the
 * access (op, result, count, pids, ...) as annotations, a digest where
 * the file is one that was hashed for the statement. */
static struct json_object *file_access(struct gh_receipt *r,
				       const struct subject *s, size_t ns)
{
	struct json_object *a = json_object_new_array(), *e, *ann;
	const struct gh_jv *acc, *in;
	const char *path;
	size_t i, j, n;

	if (gh_receipt_arr(r, "filesystem.accesses", &acc) <= 0)
		return a;
	n = gh_receipt_len(acc);
	for (i = 0; i < n; i++) {
		in = gh_jv_idx(acc, i);
		ann = NULL;
		if (!(path = str_of(in, "path")) || gh_jv_to_json(in, &ann) < 0)
			continue;
		json_object_object_del(ann, "path");
		e = json_object_new_object();
		json_object_object_add(e, "name", str(path));
		for (j = 0; j < ns; j++) {
			if (s[j].abs && strcmp(s[j].abs, path) == 0) {
				json_object_object_add(e, "digest", digest(s[j].hex));
				break;
			}
		}
		json_object_object_add(e, "annotations", ann);
		json_object_array_add(a, e);
	}
	return a;
}

/* What observed the run, from the receipt's provenance: the monitor type;
 * the BPF object gh-trace loaded as configSource; the tracer's version,
 * the kernel and whether the programs were kept in glasshouseMonitor. */
static struct json_object *monitor(struct gh_receipt *r)
{
	static const char *const keys[] = { "tool_version", "kernel",
					    "bpf_object_sha256", "bpf_programs" };
	struct json_object *m = json_object_new_object(), *id, *cs;
	const struct gh_jv *prov = gh_jv_get(r->root, "provenance");
	const char *bpf;
	size_t i;

	json_object_object_add(m, "type", str(ATTEST_MONITOR_TYPE));
	/* (0.3.0's provenance may be a string) */
	if (!gh_jv_is(prov, GH_JV_OBJECT))
		return m;
	if ((bpf = str_of(prov, "bpf_object_sha256"))) {
		cs = json_object_new_object();
		json_object_object_add(cs, "name", str("gh-trace BPF object"));
		json_object_object_add(cs, "digest", digest(bpf));
		json_object_object_add(m, "configSource", cs);
	}
	id = json_object_new_object();
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_object_add(id, keys[i], copy_of(prov, keys[i]));
	json_object_object_add(m, "glasshouseMonitor", id);
	return m;
}

static struct json_object *monitored(struct gh_receipt *r)
{
	struct json_object *p = json_object_new_object();
	const char *host = str_of(gh_jv_get(r->root, "provenance"), "host"), *id;
	struct gh_buf b = GH_BUF_INIT;

	if (!host)
		host = "unknown";
	if (gh_receipt_str(r, "execution_id", &id, NULL) <= 0)
		id = "";
	gh_buf_printf(&b, "urn:glasshouse:host:%s", host);
	json_object_object_add(p, "hostID", str(b.p ? b.p : ""));
	json_object_object_add(p, "type", str("urn:glasshouse:command"));
	json_object_object_add(p, "event", str(id));
	gh_buf_release(&b);
	return p;
}

static struct json_object *metadata(struct gh_receipt *r)
{
	struct json_object *m = json_object_new_object();
	const char *t;

	if (gh_receipt_str(r, "start_time", &t, NULL) > 0)
		json_object_object_add(m, "buildStartedOn", str(t));
	if (gh_receipt_str(r, "end_time", &t, NULL) > 0)
		json_object_object_add(m, "buildFinishedOn", str(t));
	return m;
}

struct json_object *attest_statement(struct json_object *r, struct gh_receipt *rr,
				     const struct subject *s, size_t n)
{
	struct json_object *st = json_object_new_object();
	struct json_object *pred = json_object_new_object();
	struct json_object *log = json_object_new_object(), *copy = NULL;

	if (!st || !pred || !log || json_object_deep_copy(r, &copy, NULL) < 0) {
		json_object_put(st);
		json_object_put(pred);
		json_object_put(log);
		return NULL;
	}
	json_object_object_del(copy, "signature");
	json_object_object_add(log, "process", copy_of(rr->root, "process_tree"));
	json_object_object_add(log, "network", network(rr));
	json_object_object_add(log, "fileAccess", file_access(rr, s, n));
	json_object_object_add(pred, "monitor", monitor(rr));
	json_object_object_add(pred, "monitoredProcess", monitored(rr));
	json_object_object_add(pred, "monitorLog", log);
	json_object_object_add(pred, "metadata", metadata(rr));
	json_object_object_add(pred, ATTEST_RECEIPT_MEMBER, copy);
	json_object_object_add(st, "_type", str(GH_INTOTO_STATEMENT));
	json_object_object_add(st, "subject", subjects(s, n));
	json_object_object_add(st, "predicateType", str(GH_RUNTIME_TRACE));
	json_object_object_add(st, "predicate", pred);
	return st;
}
