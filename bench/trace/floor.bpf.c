// SPDX-License-Identifier: GPL-2.0
/* bench/trace/floor: programs that return at once, to measure what a
 * program on each kind of syscall hook costs every syscall of every
 * process, whatever the program does. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(btf_enter, struct pt_regs *regs, long nr)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

/* attached by name to syscalls/sys_enter_* and syscalls/sys_exit_* */
SEC("tracepoint")
int tp_enter(void *ctx)
{
	return 0;
}

SEC("tracepoint")
int tp_exit(void *ctx)
{
	return 0;
}
