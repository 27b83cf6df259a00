gh-trace_LIBS := -lbpf -lelf -lz
gh-trace_DEPS := $(OUT)/trace.skel.h
