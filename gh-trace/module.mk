# libbpf, what it needs and json-c linked in statically: a traced short command
# pays for every shared library gh-trace loads.
gh-trace_LIBS := -Wl,-Bstatic -lbpf -lelf -lz -ljson-c -Wl,-Bdynamic -Wl,--as-needed
gh-trace_DEPS := $(OUT)/trace.skel.h $(OUT)/trace.hash.h

# The name of kept programs: a hash of the BPF object (a pattern rule, so
# that it never becomes the default goal); and the SHA-256 of the object
# the skeleton embeds, which the header of every stream records.
$(OUT)/%.hash.h: $(OUT)/%.skel.h gh-trace/module.mk
	$(call msg,GEN,$@)
	$(Q)sha256sum $< | sed 's/^\(.\{16\}\).*/#define GH_BPF_HASH "\1"/' > $@
	$(Q)sha256sum $(OUT)/$*.bpf.o | sed 's/^\([0-9a-f]\{64\}\).*/#define GH_BPF_SHA256 "\1"/' >> $@
.SECONDARY: $(OUT)/trace.skel.h $(OUT)/trace.hash.h
