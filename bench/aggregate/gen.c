/* Generate a realistic gh-events(5) stream for benchmarking gh-aggregate.
 *
 *   gen [-n EVENTS] [-p PATHS] [-P PROCESSES] [-s SEED]
 *
 * Writes a header, EVENTS records and an end record to stdout, shaped like
 * what gh-trace records for a build or an agent run: a process tree of
 * PROCESSES processes (fork, exec, exit) that run in bursts, file opens
 * over PATHS distinct paths (each process mostly in its own part of the
 * tree, one in five opens of files every process reads, like libc; mostly
 * successful reads, writes, creates, some ENOENT and EACCES), a few
 * mutations (unlink, rename, mkdir, chmod), connects and DNS sends.
 * The same arguments always give the same bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(next() % n);
}

static const char *const dirs[] = {
	"/usr/lib/x86_64-linux-gnu", "/usr/include", "/home/dev/work/app/src",
	"/home/dev/work/app/build", "/tmp", "/etc", "/usr/share/locale",
	"/home/dev/.cache/pip", "/home/dev/work/app/tests", "/proc/self",
};
static const char *const exts[] = { "c", "h", "o", "so.6", "py", "json",
				    "txt", "d", "conf", "mo" };
static const char *const progs[][2] = {
	{ "/usr/bin/cc", "cc" }, { "/usr/bin/python3.11", "python3" },
	{ "/usr/bin/dash", "sh" }, { "/usr/bin/git", "git" },
	{ "/usr/bin/ld", "ld" }, { "/usr/bin/curl", "curl" },
};

static void path(unsigned i, char *buf, size_t n)
{
	unsigned d = i % (sizeof(dirs) / sizeof(dirs[0]));
	unsigned e = (i / 10) % (sizeof(exts) / sizeof(exts[0]));

	snprintf(buf, n, "%s/mod%03u/file_%u.%s", dirs[d], (i / 100) % 1000, i,
		 exts[e]);
}

/* A path for the process in slot k: its own corner of the tree, or one
 * of the files everybody opens. */
static unsigned some_path(unsigned k, unsigned npaths, unsigned nprocs)
{
	unsigned common = npaths < 100 ? npaths : 100;
	unsigned span = npaths - common, share;

	if (pick(5) == 0 || span == 0)
		return pick(common);
	share = span / nprocs * 4 + 1;
	return common + (k * (span / nprocs) + pick(share)) % span;
}

int main(int argc, char **argv)
{
	uint64_t events = 1000000, written = 0, t = 1000000;
	unsigned npaths = 10000, nprocs = 500, live = 1, root = 40000, i, cur = 0;
	unsigned *pids;
	char p[256], p2[256];
	int c;

	while ((c = getopt(argc, argv, "n:p:P:s:")) != -1) {
		switch (c) {
		case 'n': events = strtoull(optarg, NULL, 10); break;
		case 'p': npaths = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'P': nprocs = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': rng += strtoull(optarg, NULL, 10) * 0x9e3779b97f4a7c15ull; break;
		default:
			fprintf(stderr, "usage: gen [-n EVENTS] [-p PATHS] [-P PROCESSES] [-s SEED]\n");
			return 2;
		}
	}
	if (!npaths || !nprocs)
		return 2;
	pids = calloc(nprocs, sizeof(*pids));
	if (!pids)
		return 2;
	pids[0] = root;
	printf("{\"type\":\"header\",\"t\":0,\"schema\":1,\"tool\":\"gh-trace\","
	       "\"tool_version\":\"0.1.0\",\"execution_id\":\"0b8e5c7a-3f4d-4a2b-9c1e-6d7f8a9b0c1d\","
	       "\"start\":\"2026-11-22T19:40:56.123456Z\",\"host\":\"bench\","
	       "\"kernel\":\"6.18.44\",\"arch\":\"x86_64\",\"argv\":[\"make\",\"-j8\"],"
	       "\"cwd\":\"/home/dev/work/app\",\"uid\":1000,\"gid\":1000,\"run_uid\":1000,"
	       "\"run_gid\":1000,\"pid\":%u,\"audit\":{\"active\":true},"
	       "\"limits\":{\"argv_bytes\":32768,\"path_bytes\":4096,\"ringbuf_bytes\":16777216},"
	       "\"stdout\":null,\"stderr\":null}\n", root);
	printf("{\"type\":\"exec\",\"t\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,\"ppid\":1,"
	       "\"exe\":\"/usr/bin/make\",\"argv\":[\"make\",\"-j8\"],\"argc\":2,"
	       "\"argv_bytes\":9,\"argv_truncated\":false,\"cwd\":\"/home/dev/work/app\","
	       "\"uid\":1000,\"gid\":1000,\"ret\":0}\n", t, root, root);
	written++;
	while (written < events) {
		unsigned r = pick(1000), pid;

		if (pick(10) == 0)
			cur = pick(live);	/* another process gets the CPU */
		pid = pids[cur];

		t += 1 + pick(20000);
		if (r < 4 && live < nprocs && written + 2 < events) {
			/* a new process: fork, then exec */
			unsigned child = root + live, prog = pick(6);

			pids[live++] = child;
			printf("{\"type\":\"fork\",\"t\":%" PRIu64 ",\"pid\":%u,\"ppid\":%u,\"tid\":%u}\n",
			       t, child, pid, pid);
			t += 1000;
			printf("{\"type\":\"exec\",\"t\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,\"ppid\":%u,"
			       "\"exe\":\"%s\",\"argv\":[\"%s\",\"-c\",\"src/mod%03u.c\",\"-o\",\"build/mod%03u.o\"],"
			       "\"argc\":5,\"argv_bytes\":48,\"argv_truncated\":false,"
			       "\"cwd\":\"/home/dev/work/app\",\"uid\":1000,\"gid\":1000,\"ret\":0}\n",
			       t, child, child, pid, progs[prog][0], progs[prog][1],
			       child % 1000, child % 1000);
			written += 2;
		} else if (r < 700) {
			unsigned i = some_path(cur, npaths, nprocs), f = pick(100);
			int flags = f < 75 ? 524288 : f < 90 ? 577 : 524865;

			path(i, p, sizeof(p));
			if (f >= 97)
				printf("{\"type\":\"open\",\"t\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
				       "\"path\":\"%s\",\"raw\":\"%s\",\"dirfd\":-100,\"flags\":%d,"
				       "\"mode\":0,\"ret\":-2,\"err\":\"ENOENT\"}\n",
				       t, pid, pid, p, p, flags);
			else if (f == 96)
				printf("{\"type\":\"open\",\"t\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
				       "\"path\":\"%s\",\"raw\":\"%s\",\"dirfd\":-100,\"flags\":%d,"
				       "\"mode\":420,\"ret\":-13,\"err\":\"EACCES\"}\n",
				       t, pid, pid, p, p, flags);
			else
				printf("{\"type\":\"open\",\"t\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
				       "\"path\":\"%s\",\"raw\":\"%s\",\"dirfd\":-100,\"flags\":%d,"
				       "\"mode\":%d,\"ret\":%u}\n",
				       t, pid, pid, p, p, flags, flags == 524288 ? 0 : 420,
				       3 + pick(20));
			written++;
		} else if (r < 760) {
			path(some_path(cur, npaths, nprocs), p, sizeof(p));
			printf("{\"type\":\"unlink\",\"t\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			       "\"path\":\"%s\",\"raw\":\"%s\",\"ret\":0}\n", t, pid, pid, p, p);
			written++;
		} else if (r < 800) {
			i = some_path(cur, npaths, nprocs);
			path(i, p, sizeof(p));
			path((i + 1) % npaths, p2, sizeof(p2));
			printf("{\"type\":\"rename\",\"t\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			       "\"path\":\"%s\",\"raw\":\"%s\",\"new_path\":\"%s\",\"new_raw\":\"%s\","
			       "\"flags\":0,\"ret\":0}\n", t, pid, pid, p, p, p2, p2);
			written++;
		} else if (r < 840) {
			path(some_path(cur, npaths, nprocs), p, sizeof(p));
			printf("{\"type\":\"chmod\",\"t\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			       "\"path\":\"%s\",\"raw\":\"%s\",\"mode\":493,\"ret\":0}\n",
			       t, pid, pid, p, p);
			written++;
		} else if (r < 870) {
			printf("{\"type\":\"mkdir\",\"t\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			       "\"path\":\"/home/dev/work/app/build/d%u\",\"raw\":\"build/d%u\","
			       "\"mode\":511,\"ret\":-17,\"err\":\"EEXIST\"}\n",
			       t, pid, pid, pick(100), pick(100));
			written++;
		} else if (r < 935) {
			unsigned h = pick(50);

			printf("{\"type\":\"connect\",\"t\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			       "\"fd\":5,\"family\":\"inet\",\"addr\":\"10.0.%u.%u\",\"port\":443,"
			       "\"sock_type\":\"stream\",\"proto\":\"tcp\",\"result\":\"%s\",\"ret\":%s}\n",
			       t, pid, pid, h / 10, h, h % 7 ? "in_progress" : "refused",
			       h % 7 ? "-115,\"err\":\"EINPROGRESS\"" : "-111,\"err\":\"ECONNREFUSED\"");
			written++;
		} else {
			printf("{\"type\":\"send\",\"t\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			       "\"fd\":6,\"family\":\"inet\",\"addr\":\"127.0.0.53\",\"port\":53,"
			       "\"sock_type\":\"dgram\",\"proto\":\"udp\",\"bytes\":%u,\"ret\":%u}\n",
			       t, pid, pid, 40 + (unsigned)(t % 20), 40 + (unsigned)(t % 20));
			written++;
		}
	}
	/* every process but the root exits, then the end line */
	for (i = live; i-- > 1;)
		printf("{\"type\":\"exit\",\"t\":%" PRIu64 ",\"pid\":%u,\"ppid\":%u,"
		       "\"code\":0,\"signal\":null,\"core\":false}\n", t += 100, pids[i], root);
	printf("{\"type\":\"exit\",\"t\":%" PRIu64 ",\"pid\":%u,\"ppid\":1,\"code\":0,"
	       "\"signal\":null,\"core\":false}\n", t += 100, root);
	written += live;
	printf("{\"type\":\"end\",\"t\":%" PRIu64 ",\"pid\":%u,\"status\":0,\"code\":0,"
	       "\"signal\":null,\"duration_ns\":%" PRIu64 ",\"rusage\":{\"utime_us\":%" PRIu64
	       ",\"stime_us\":%" PRIu64 ",\"maxrss_kb\":120000,\"minflt\":1,\"majflt\":0,"
	       "\"inblock\":0,\"oublock\":0,\"nvcsw\":1,\"nivcsw\":1},\"events\":%" PRIu64 ","
	       "\"lost\":{\"ringbuf\":0,\"fault\":0,\"truncated\":0},\"stdout\":null,"
	       "\"stderr\":null}\n", t + 1000, root, t + 1000, t / 3000, t / 9000, written);
	free(pids);
	return fflush(stdout) == 0 ? 0 : 1;
}
