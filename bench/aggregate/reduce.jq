# The reduction gh-aggregate does, done by jq, for comparison:
#   jq -n -f reduce.jq < stream.ndjson
# Processes with their last exec and exit, file accesses grouped by
# (path, op, target, result) with counts and pids, the reads, writes and
# deletes lists, network attempts grouped by (dst, protocol, op, result)
# with connections, and counts per record type.
#
# jq 1.6 copies an object each time a reduce updates it, so folding into
# keyed objects is quadratic in the number of distinct keys; collecting
# the records and grouping them (sort) is the fast way in jq, and is what
# this does (its memory grows with the number of records).
def bit($n; $b): (($n / $b) | floor) % 2 == 1;
def op:
  if .type == "open" then
    if bit(.flags; 64) then "create"
    elif (.flags % 4) != 0 or bit(.flags; 512) then "write"
    else "read" end
  elif .type == "unlink" then "delete"
  else .type end;
def result: if .ret >= 0 then "ok" else .err end;
def dst:
  if .addr == null then "unknown"
  elif .family == "unix" then "unix:" + .addr
  elif .family == "inet6" then "[" + .addr + "]:" + (.port | tostring)
  else .addr + ":" + (.port | tostring) end;
def entries: group_by(.[0:4]) | map({key: .[0][0:4], count: length,
                                     pids: (map(.[4]) | unique)});

[inputs] as $all
| ($all | map(select(.type != "header" and .type != "end"))) as $recs
| ($recs | map(
    if .type == "exec" then
      (if .ret == 0 then [.exe, "exec", null, "ok", .pid] else [.path // .raw, "exec", null, result, .pid] end)
    elif (.type | IN("open", "unlink", "rmdir", "mkdir", "rename", "link",
                     "symlink", "chmod", "chown", "truncate", "chdir"))
         and (.path != null or .raw != null) then
      [.path // .raw, op, (.new_path // .new_raw // .target), result, .pid]
    else empty end) | entries) as $acc
| ($recs | map(select(.type | IN("connect", "send"))
               | [dst, .proto, .type, (.result // result), .pid]) | entries) as $att
| ($recs | map(select(.type | IN("bind", "listen", "accept"))
               | [dst, .proto, .type, result, .pid]) | entries) as $inb
| ($acc | map(select(.key[3] == "ok"))) as $ok
| {
    execution_id: ($all[0].execution_id),
    exit_code: ($all[-1].status),
    counts: ($recs | group_by(.type) | map({key: .[0].type, value: length}) | from_entries),
    process_tree: ($recs | map(select(.type | IN("fork", "exec", "exit")))
                   | group_by(.pid) | map({pid: .[0].pid,
                       ppid: (map(.ppid // empty) | first),
                       start: .[0].t,
                       exe: (map(select(.type == "exec" and .ret == 0) | .exe) | last),
                       argv: (map(select(.type == "exec" and .ret == 0) | .argv) | last),
                       exit: (map(select(.type == "exit") | [.code, .signal]) | last)})
                   | sort_by(.start, .pid)),
    filesystem: {
      accesses: $acc,
      reads: [$ok[] | select(.key[1] == "read") | .key[0]] | unique,
      writes: [$ok[] | if (.key[1] | IN("write", "create", "mkdir", "chmod",
                                         "chown", "truncate", "symlink")) then .key[0]
                       elif (.key[1] | IN("rename", "link")) then .key[2]
                       else empty end] | unique,
      deletes: [$ok[] | select(.key[1] | IN("delete", "rmdir", "rename")) | .key[0]] | unique,
      failed: ([$acc[] | select(.key[3] != "ok") | .count] | add)
    },
    network: {
      attempts: $att,
      connections: [$att[] | select(.key[0] != "unknown")
                    | {dst: .key[0], protocol: .key[1], attempted: true}] | unique,
      inbound: $inb
    }
  }
