/* Reading gh-events(5) streams: fast, strict, record by record.
 *
 * gh_evreader reads NDJSON event records and checks each one against
 * gh-events(5): valid JSON (exactly what gh_json_parse accepts), a known
 * "type", every required member present with its type, enumerated values
 * known, *_hex members well formed, the header first and the end record
 * last. Common records are decoded by a scanner that allocates nothing
 * per line; a line it does not handle (nested objects, escapes in keys,
 * non-integer numbers, anything invalid) goes to gh_json_parse, which has
 * the last word, so both paths accept and reject the same lines.
 *
 * Ownership: a record returned by gh_evreader_next and every pointer into
 * it (strings, elements, json-c objects) belong to the reader and stay
 * valid until the next call. Strings are not NUL terminated and may hold
 * NUL bytes: use their lengths.
 */
#ifndef GH_EVENTS_H
#define GH_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

/* The longest line read (16 MiB): a longer one is an error, not buffered. */
#define GH_EVENTS_MAX_LINE (16 << 20)

/* The "schema" numbers of the header this reader understands: 1, and 2,
 * which added the records of syscalls beyond files and sockets. */
#define GH_EVENTS_SCHEMA 2
#define GH_EVENTS_SCHEMA_MIN 1

/* Record types, in the order of gh_ev_type_name(). */
enum {
	GH_ET_HEADER, GH_ET_END, GH_ET_EXEC, GH_ET_FORK, GH_ET_EXIT,
	GH_ET_OPEN, GH_ET_UNLINK, GH_ET_RMDIR, GH_ET_MKDIR, GH_ET_RENAME,
	GH_ET_LINK, GH_ET_SYMLINK, GH_ET_CHMOD, GH_ET_CHOWN, GH_ET_TRUNCATE,
	GH_ET_CHDIR, GH_ET_CONNECT, GH_ET_BIND, GH_ET_LISTEN, GH_ET_ACCEPT,
	GH_ET_SEND,
	/* syscalls beyond files and sockets (gh-events(5)) */
	GH_ET_MKNOD, GH_ET_SETXATTR, GH_ET_REMOVEXATTR, GH_ET_UTIME,
	GH_ET_NAME_TO_HANDLE, GH_ET_MEMFD, GH_ET_CHROOT, GH_ET_PIVOT_ROOT,
	GH_ET_MOUNT, GH_ET_NAMESPACE, GH_ET_IDENTITY, GH_ET_PTRACE,
	GH_ET_PROCESS_VM, GH_ET_PIDFD, GH_ET_SIGNAL, GH_ET_SOCKET, GH_ET_BPF,
	GH_ET_SYSCALL,
	/* sockets: an end with its bytes and connect outcome; DNS messages */
	GH_ET_SOCK_END, GH_ET_DNS,
	/* more syscalls beyond files and sockets: input pushed into a
	 * terminal, descriptors received (SCM_RIGHTS) */
	GH_ET_TTY_INJECT, GH_ET_FD_RECEIVED,
	/* a file mapped executable (mmap, mprotect with PROT_EXEC) */
	GH_ET_MAP_EXEC,
	GH_ET_COUNT
};
#define GH_ET_IS_FILE(t) ((t) >= GH_ET_OPEN && (t) <= GH_ET_CHDIR)
#define GH_ET_IS_NET(t) ((t) >= GH_ET_CONNECT && (t) <= GH_ET_SEND)
#define GH_ET_IS_ACTION(t) (((t) >= GH_ET_MKNOD && (t) <= GH_ET_SYSCALL) || \
			    (t) == GH_ET_TTY_INJECT || (t) == GH_ET_FD_RECEIVED || \
			    (t) == GH_ET_MAP_EXEC)

/* Top-level members the reader knows; others are checked as JSON and
 * ignored. Each *_HEX key directly follows the key it belongs to. */
enum {
	GH_EK_TYPE, GH_EK_T, GH_EK_PID, GH_EK_TID, GH_EK_PPID,
	GH_EK_EXE, GH_EK_EXE_HEX, GH_EK_ARGV, GH_EK_ARGV_HEX, GH_EK_ARGC,
	GH_EK_ARGV_BYTES, GH_EK_ARGV_TRUNCATED, GH_EK_CWD, GH_EK_CWD_HEX,
	GH_EK_UID, GH_EK_GID, GH_EK_RET, GH_EK_ERR,
	GH_EK_PATH, GH_EK_PATH_HEX, GH_EK_RAW, GH_EK_RAW_HEX,
	GH_EK_PATH_INCOMPLETE, GH_EK_DIRFD, GH_EK_FLAGS, GH_EK_MODE,
	GH_EK_NEW_PATH, GH_EK_NEW_PATH_HEX, GH_EK_NEW_RAW, GH_EK_NEW_RAW_HEX,
	GH_EK_TARGET, GH_EK_TARGET_HEX, GH_EK_LENGTH, GH_EK_FD,
	GH_EK_CODE, GH_EK_SIGNAL, GH_EK_CORE,
	GH_EK_FAMILY, GH_EK_ADDR, GH_EK_ADDR_HEX, GH_EK_PORT, GH_EK_SOCK_TYPE,
	GH_EK_PROTO, GH_EK_RESULT, GH_EK_BACKLOG, GH_EK_BYTES,
	GH_EK_SCHEMA, GH_EK_TOOL, GH_EK_TOOL_VERSION, GH_EK_EXECUTION_ID,
	GH_EK_START, GH_EK_HOST, GH_EK_KERNEL, GH_EK_ARCH, GH_EK_RUN_UID,
	GH_EK_RUN_GID, GH_EK_AUDIT, GH_EK_LIMITS, GH_EK_STDOUT, GH_EK_STDERR,
	GH_EK_STATUS, GH_EK_DURATION_NS, GH_EK_RUSAGE, GH_EK_EVENTS, GH_EK_LOST,
	GH_EK_SYSCALL, GH_EK_ARGS, GH_EK_NAME, GH_EK_NAME_HEX, GH_EK_CAPABILITY,
	GH_EK_DEV, GH_EK_SOURCE, GH_EK_SOURCE_HEX, GH_EK_FSTYPE,
	GH_EK_FSTYPE_HEX, GH_EK_TARGET_PID, GH_EK_IN_TREE, GH_EK_REQUEST,
	GH_EK_CMD, GH_EK_VIA, GH_EK_EFFECTIVE, GH_EK_PERMITTED, GH_EK_PROTOCOL,
	GH_EK_OPCODE, GH_EK_PATH_CHANGED, GH_EK_UNDECODED,
	GH_EK_IO_URING_OPCODES, GH_EK_FDS, GH_EK_PIN_DIR,
	/* paths in two views and how they were found (gh-events(5)) */
	GH_EK_PATH_SEEN, GH_EK_PATH_SEEN_HEX, GH_EK_PATH_STATUS,
	GH_EK_NEW_PATH_SEEN, GH_EK_NEW_PATH_SEEN_HEX, GH_EK_NEW_PATH_STATUS,
	GH_EK_EXE_SEEN, GH_EK_EXE_SEEN_HEX, GH_EK_EXE_STATUS,
	GH_EK_SOURCE_PATH, GH_EK_SOURCE_PATH_HEX, GH_EK_SOURCE_PATH_SEEN,
	GH_EK_SOURCE_PATH_SEEN_HEX, GH_EK_SOURCE_PATH_STATUS,
	GH_EK_SOCK, GH_EK_CONNECT, GH_EK_BYTES_SENT, GH_EK_BYTES_RECEIVED,
	GH_EK_AT_END, GH_EK_DIRECTION, GH_EK_TRUNCATED, GH_EK_MALFORMED,
	GH_EK_ID, GH_EK_RESPONSE, GH_EK_RCODE, GH_EK_QUESTIONS, GH_EK_ANSWERS,
	GH_EK_ADDRESSES, GH_EK_NAMES, GH_EK_QTYPE, GH_EK_INHERITED,
	GH_EK_SOCK_FD, GH_EK_ADDR_RAW,
	GH_EK_OUTPUT,
	/* exec of a script: the script file, the interpreter being exe */
	GH_EK_SCRIPT, GH_EK_SCRIPT_HEX, GH_EK_SCRIPT_SEEN,
	GH_EK_SCRIPT_SEEN_HEX, GH_EK_SCRIPT_STATUS,
	/* exec of the dynamic loader as a program */
	GH_EK_LOADER,
	/* map_exec: the mapping's protection */
	GH_EK_PROT,
	GH_EK_COUNT
};

/* Kinds of values. */
enum {
	GH_EVK_ABSENT = 0, GH_EVK_NULL, GH_EVK_BOOL, GH_EVK_INT, GH_EVK_STR,
	GH_EVK_ARR, GH_EVK_OBJ,
	GH_EVK_OTHER	/* a non-integer number, or an array or object in an array */
};

struct gh_evval {
	int kind;
	int64_t i;			/* BOOL (0 or 1), INT */
	const char *s;			/* STR: the text as UTF-8 */
	size_t len;			/* STR: bytes of s; ARR: elements */
	const char *b;			/* STR: the raw bytes (see KEY_hex) */
	size_t blen;
	struct gh_evval *elems;		/* ARR */
	struct json_object *obj;	/* OBJ: borrowed */
};

struct gh_evrec {
	int type;		/* GH_ET_* */
	unsigned long line;	/* 1-based line number in the input */
	struct gh_evval v[GH_EK_COUNT];
};

struct gh_evreader;

/* name is used in messages ("<stdin>" for stdin); the reader does not own f.
 * Returns NULL when out of memory. */
struct gh_evreader *gh_evreader_new(FILE *f, const char *name);
void gh_evreader_free(struct gh_evreader *r);

/* 1: *out holds the next record; 0: end of input; -1: error, see
 * gh_evreader_error(): "NAME:LINE: reason" for an invalid line,
 * "NAME: read error: reason", or "out of memory". After an error, stop.
 * For string members and argv elements, b/blen hold the raw bytes: decoded
 * from the KEY_hex sibling (argv_hex[i]) when there is one, else the text. */
int gh_evreader_next(struct gh_evreader *r, const struct gh_evrec **out);
const char *gh_evreader_error(const struct gh_evreader *r);

/* After 0 from gh_evreader_next: the number of the last line when it had
 * no newline and was not valid JSON (the stream was cut off inside a
 * record; not an error), else 0. */
unsigned long gh_evreader_cut_line(const struct gh_evreader *r);
/* Records read so far, header and end excluded. */
uint64_t gh_evreader_records(const struct gh_evreader *r);

/* Name of a record type ("open") and of a member key ("path"). */
const char *gh_ev_type_name(int type);
const char *gh_ev_key_name(int key);

/* The raw bytes of string member key of a json-c object (the header's and
 * end record's "stdout": {"path", "path_hex"}, ...), decoded into buf
 * from KEY_hex when present. buf must hold strlen(KEY_hex)/2 bytes; the
 * reader has checked the hex of every record it returned. Returns 0,
 * -ENOENT (absent or null), -EINVAL (not a string, bad hex) or -ENOSPC. */
int gh_ev_obj_bytes(struct json_object *o, const char *key, char *buf,
		    size_t bufsize, const char **p, size_t *len);

#endif
