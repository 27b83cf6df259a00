gh-trace_LIBS := -lbpf -lelf -lz
gh-trace_DEPS := build/trace.skel.h
