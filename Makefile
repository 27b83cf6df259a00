# glasshouse: build, test, install.
#
#   make            build every program into bin/
#   make test       build, then run the whole suite (ends with "tests: N passed, N failed")
#   make check      the quick tier: the plain build's quick suites, a line per suite
#   make check-fresh  the README's quick start on a minimal Debian 12 root (debootstrap)
#   make demo       trace the demo workload: gh-show's summary, then the policy verdict
#   make install    PREFIX=/usr/local DESTDIR=   (make uninstall: the same, removed)
#   make clean
#   make V=1        show full commands

VERSION    := 0.1.0
OUT        := build
BIN        := bin
PREFIX     ?= /usr/local
DESTDIR    ?=
CC         ?= cc
CLANG      ?= clang
BPFTOOL    ?= bpftool
ARCH       := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
SANITIZE   ?=

CFLAGS     ?= -O2 -g
CFLAGS     += -Wall -Wextra -std=gnu11 -D_GNU_SOURCE -DGH_VERSION='"$(VERSION)"' \
	      -Ilib -I$(OUT) $(SANITIZE)
LDFLAGS    += $(SANITIZE)
# CI builds with -Werror (it sets CI=true); WERROR=1 does the same here.
ifeq ($(CI),true)
WERROR     := 1
endif
ifeq ($(WERROR),1)
CFLAGS     += -Werror
endif

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.PHONY: all test check check-fresh demo install uninstall clean deps bench vmlinux fuzz san check-sanitize check-valgrind
.PHONY: check-hard

PROGS      := $(patsubst %/,%,$(sort $(dir $(wildcard gh-*/*.c))))
LIB_SRC    := $(wildcard lib/*.c)
LIB_OBJ    := $(patsubst lib/%.c,$(OUT)/lib/%.o,$(LIB_SRC))
LIBGH      := $(OUT)/libgh.a
BPF_SRC    := $(wildcard bpf/*.bpf.c)
BPF_OBJ    := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRC))
BPF_SKEL   := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRC))
# kept after the build (make would delete them as intermediates)
.SECONDARY: $(BPF_OBJ) $(BPF_SKEL)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))
MAN_PAGES  := $(wildcard man/man1/*.1 man/man5/*.5 man/man7/*.7)

# Libraries every program may use; a program adds its own in gh-X/module.mk
# as gh-X_LIBS (and gh-X_DEPS for generated headers it includes).
COMMON_LIBS := -ljson-c -lcrypto -lm
-include $(wildcard gh-*/module.mk)

all: $(OUT)/.deps $(addprefix $(BIN)/,$(PROGS)) $(UNIT_BIN)

# Install missing system packages (libbpf-dev, bpftool, json-c, ...) once.
$(OUT)/.deps: scripts/deps.sh
	$(Q)mkdir -p $(OUT)
	$(Q)sh scripts/deps.sh
	$(Q)touch $@

deps:
	sh scripts/deps.sh

$(OUT)/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(OUT)/.deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIBGH): $(LIB_OBJ)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# BPF: bpf/x.bpf.c -> build/x.bpf.o -> build/x.skel.h
$(OUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) | $(OUT)/.deps
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ibpf -I$(OUT) \
		-Wall -Wno-unused-function -c $< -o $@
	$(Q)llvm-strip -g $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# Programs: every gh-X/*.c links into bin/gh-X.
define PROG_template
$(1)_OBJ := $$(patsubst %.c,$(OUT)/%.o,$$(wildcard $(1)/*.c))
$(OUT)/$(1)/%.o: $(1)/%.c $$(wildcard lib/*.h) $$(wildcard $(1)/*.h) $$($(1)_DEPS) | $(OUT)/.deps
	$$(call msg,CC,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(CC) $$(CFLAGS) -I$(1) -c $$< -o $$@
$(BIN)/$(1): $$($(1)_OBJ) $(LIBGH)
	$$(call msg,LINK,$$@)
	$$(Q)mkdir -p $(BIN)
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$($(1)_OBJ) $(LIBGH) $$($(1)_LIBS) $(COMMON_LIBS)
endef
$(foreach p,$(PROGS),$(eval $(call PROG_template,$(p))))

# C unit tests of lib/: tests/unit/test_x.c -> build/tests/test_x (TAP output)
$(OUT)/tests/%: tests/unit/%.c tests/unit/tap.h $(LIBGH)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(UNIT_OBJ) $(LIBGH) $(COMMON_LIBS)
# gh-trace's record writer has unit tests of its own
$(OUT)/tests/test_event: $(OUT)/gh-trace/event.o
$(OUT)/tests/test_event: UNIT_OBJ = $(OUT)/gh-trace/event.o
$(OUT)/tests/test_event: tests/unit/open_record.h

# The whole suite, twice: against the plain build and against an ASan+UBSan
# build of the same sources in build-san/, bin-san/ (tests/run runs suites
# side by side, one per CPU).
test: all san
	$(Q)GH_VARIANTS="san plain" bash tests/run

# The quick tier, for the edit-build-test loop: the plain build only, without
# the long suites (hard, faults, faults2, fuzz, valgrind; make test runs them), one
# line per suite as it ends (a failing suite's TAP whole).
QUICK_SUITES := $(filter-out tests/hard.bats tests/faults.bats tests/faults2.bats tests/fuzz.bats tests/valgrind.bats,\
	$(wildcard tests/*.bats)) $(UNIT_SRC)
check: all
	$(Q)GH_VARIANTS=plain bash tests/run -q $(QUICK_SUITES)

# The README's quick start in a minimal Debian 12 root built by debootstrap
# (FRESH_TIER=test runs the whole suite there instead of the quick tier).
check-fresh: $(OUT)/.deps
	$(Q)bash scripts/check-fresh

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
san: $(OUT)/.deps
	$(Q)$(MAKE) --no-print-directory OUT=build-san BIN=bin-san CC=$(CLANG) \
		SANITIZE="$(SAN_FLAGS)" all

# Only the sanitizer half of make test.
check-sanitize: san
	$(Q)GH_VARIANTS=san bash tests/run

# The whole mutation test of the receipt filters (tests/mutate: every
# member path of each receipt, every other JSON type and deleted), in both
# builds; make test runs a sample of it (tests/hostile.bats).
HARD_RECEIPTS := tests/fixtures/aggregate/net.json tests/fixtures/aggregate/files.json \
	tests/fixtures/aggregate/net.v0.json tests/fixtures/aggregate/hostile.json \
	tests/fixtures/archive/v0.3.0.json
check-hard: all san
	$(Q)python3 tests/mutate --bin bin $(HARD_RECEIPTS)
	$(Q)ASAN_OPTIONS=exitcode=99 UBSAN_OPTIONS=exitcode=99 python3 tests/mutate --bin bin-san $(HARD_RECEIPTS)

# Unit tests of lib/ under valgrind: no errors, no leaks.
check-valgrind: all
	$(Q)for t in $(UNIT_BIN); do \
		GH_SHARED=$${GH_SHARED:-$(CURDIR)/../shared} valgrind -q --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite,indirect $$t >/dev/null || \
		{ echo "check-valgrind: $$t failed"; exit 1; }; done; echo "check-valgrind: ok"

# libFuzzer targets: tests/fuzz/fuzz_x.c -> build/fuzz/fuzz_x, linked with
# libgh built with coverage instrumentation. make fuzz FUZZ_SECONDS=N runs
# each for N seconds over its seed corpus (tests/fuzz/run).
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   := $(patsubst tests/fuzz/%.c,$(OUT)/fuzz/%,$(FUZZ_SRC))
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_LIBOBJ := $(patsubst lib/%.c,$(OUT)/fuzz/lib/%.o,$(LIB_SRC))
$(OUT)/fuzz/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(OUT)/.deps
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -std=gnu11 -D_GNU_SOURCE -Ilib -c $< -o $@
$(OUT)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIBOBJ)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
		-Ilib -Igh-policy -o $@ $< $(FUZZ_LIBOBJ) $(COMMON_LIBS)
.SECONDARY: $(FUZZ_LIBOBJ)
# the rules parser of gh-policy, linked from its own sources
POLICY_FUZZ_OBJ := $(patsubst gh-policy/%.c,$(OUT)/fuzz/gh-policy/%.o,$(filter-out gh-policy/main.c,$(wildcard gh-policy/*.c)))
$(OUT)/fuzz/gh-policy/%.o: gh-policy/%.c $(wildcard gh-policy/*.h lib/*.h) | $(OUT)/.deps
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -std=gnu11 -D_GNU_SOURCE -Ilib -Igh-policy -c $< -o $@
$(OUT)/fuzz/fuzz_policy: tests/fuzz/fuzz_policy.c $(POLICY_FUZZ_OBJ) $(FUZZ_LIBOBJ)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
		-Ilib -Igh-policy -o $@ $< $(POLICY_FUZZ_OBJ) $(FUZZ_LIBOBJ) $(COMMON_LIBS)
.SECONDARY: $(POLICY_FUZZ_OBJ)
fuzz-build: $(FUZZ_BIN)
fuzz: $(FUZZ_BIN)
	$(Q)bash tests/fuzz/run $(FUZZ_SECONDS)

demo: all
	$(Q)bash demo/run

bench: all
	$(Q)bash bench/run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(addprefix $(BIN)/,$(PROGS)) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/share/glasshouse
	install -m 0644 policies/*.rules $(DESTDIR)$(PREFIX)/share/glasshouse/
	for p in $(MAN_PAGES); do \
		s=$${p##*.}; install -d $(DESTDIR)$(PREFIX)/share/man/man$$s; \
		install -m 0644 $$p $(DESTDIR)$(PREFIX)/share/man/man$$s/; \
	done

# What make install put in place, with the same PREFIX and DESTDIR.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(PROGS))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/glasshouse/,$(notdir $(wildcard policies/*.rules)))
	if [ -d $(DESTDIR)$(PREFIX)/share/glasshouse ]; then \
		rmdir --ignore-fail-on-non-empty $(DESTDIR)$(PREFIX)/share/glasshouse; fi
	for p in $(MAN_PAGES); do \
		rm -f $(DESTDIR)$(PREFIX)/share/man/man$${p##*.}/$${p##*/}; \
	done

clean:
	rm -rf $(OUT) $(BIN) build-san bin-san

# Maintainer target: regenerate the pinned vmlinux.h from the running kernel.
vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > bpf/vmlinux.h
