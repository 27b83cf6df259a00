/* Feature rows computed from receipts: the columns, their extraction and
 * their CSV and NDJSON forms. man/man1/gh-train.1 defines every column.
 *
 * A feature is missing (CSV empty field, JSON null) when a receipt member
 * it is computed from is absent or null; a member of the wrong type is an
 * error. Strings in a row are borrowed from the receipt they came from and
 * live as long as it does.
 */
#ifndef GH_TRAIN_FEATURE_H
#define GH_TRAIN_FEATURE_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "gh.h"
#include "receipt.h"

enum ft_type { FT_STR, FT_INT, FT_BOOL };

/* Column indexes, in output order. */
enum {
	FT_EXECUTION_ID,
	FT_EXIT_CODE,
	FT_SYSCALLS_DISTINCT,
	FT_READS,
	FT_WRITES,
	FT_NETWORK_ATTEMPTS,
	FT_SIGNAL,
	FT_DURATION_MS,
	FT_CPU_TIME_MS,
	FT_MAX_RSS_KB,
	FT_PROCESSES,
	FT_EXECS,
	FT_SHELL_EXECS,
	FT_SYSCALLS_TOTAL,
	FT_SYSCALLS_DENIED,
	FT_DELETES,
	FT_FILES_READ,
	FT_FILES_WRITTEN,
	FT_FILES_DELETED,
	FT_FAILED_ACCESSES,
	FT_PEERS,
	FT_LOOPBACK_CONNECTIONS,
	FT_EXTERNAL_CONNECTIONS,
	FT_UNIX_CONNECTIONS,
	FT_INBOUND,
	FT_LOST_RECORDS,
	FT_AUDIT_COMPLETE,
	FT_WROTE_OUTSIDE_CWD,
	FT_TOUCHED_SENSITIVE,
	FT_SPAWNED_SHELL,
	FT_NETWORK_ATTEMPTED,
	FT_POLICY_VERDICT,
	FT_POLICY_VIOLATIONS,
	FT_NCOLS
};

struct ft_column {
	const char *name;
	enum ft_type type;
};
extern const struct ft_column ft_columns[FT_NCOLS];

struct ft_value {
	int set;		/* 0: missing */
	int64_t i;		/* FT_INT, FT_BOOL (0 or 1) */
	const char *s;		/* FT_STR, borrowed */
	size_t len;
};

struct ft_row {
	struct ft_value v[FT_NCOLS];
};

/* Compute the row of receipt r (lib/receipt). Returns 0, or -EINVAL with
 * a message such as "NAME: filesystem.reads: expected an array" in err
 * (NAME: the receipt's name, when it has one). */
int ft_extract(struct gh_receipt *r, struct ft_row *row, char *err,
	       size_t errlen);

/* Append the CSV header line, a CSV record, or one compact JSON object
 * line to b. Each returns 0 or a negative errno. */
int ft_csv_header(struct gh_buf *b);
int ft_csv_row(struct gh_buf *b, const struct ft_row *row);
int ft_json_row(struct gh_buf *b, const struct ft_row *row);

#endif
