# libFuzzer harnesses for every input parser (tests/fuzz/README.md).
# Included by the main Makefile; uses its BUILD, LIB_SRC and flags.
#
#   make fuzz-regress        every seed (corpus/) and every input that ever
#                            crashed (regress/) once through its harness
#   make fuzz [FUZZ_S=60] [FUZZ_ONLY="topo bench"]
#                            fuzz each harness FUZZ_S seconds, one after
#                            another; crashes go to $(BUILD)/fuzz/crashes/
#
# clang builds its own copy of the library here, instrumented for coverage
# and with ASan and UBSan: Debian packages clang and libclang-rt-dev
# (tests/packages.txt, group "fuzz").

FUZZ_CC ?= clang
FUZZ_S ?= 60
FUZZ_ONLY ?=
FUZZ := $(BUILD)/fuzz
FUZZ_NAMES := units topo flows jobs map bench report
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ)/fuzz_%)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = $(CSTD) $(WARN) -g -O1 $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ)/obj/%.o)
FUZZ_OBJ := $(FUZZ_NAMES:%=$(FUZZ)/obj/tests/fuzz/fuzz_%.o) $(FUZZ)/obj/tests/fuzz/fuzz_util.o

.PHONY: fuzz fuzz-regress fuzz-build fuzz-toolchain
.SECONDARY: $(FUZZ_OBJ)

fuzz-build: $(FUZZ_BINS)

fuzz-regress: $(FUZZ_BINS)
	@bash tests/fuzz/run.sh regress $(FUZZ) $(FUZZ_NAMES)

fuzz: $(FUZZ_BINS)
	@bash tests/fuzz/run.sh fuzz $(FUZZ) $(FUZZ_S) $(or $(FUZZ_ONLY),$(FUZZ_NAMES))

# Says which package is missing instead of a linker error.
fuzz-toolchain:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { \
		echo "fuzz: no $(FUZZ_CC): install the Debian packages clang libclang-rt-dev (make deps)" >&2; \
		exit 1; }
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
		$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -x c - -o /dev/null 2>/dev/null || { \
		echo "fuzz: $(FUZZ_CC) cannot link libFuzzer: install the Debian package libclang-rt-dev (make deps)" >&2; \
		exit 1; }

$(FUZZ)/obj/%.o: %.c $(FLAGS_STAMP) | fuzz-toolchain
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ)/libfab-fuzz.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# --wrap: the memory guard sees 1 GiB available (fuzz_util.c), on any machine.
# A harness that compiles a static parser's file itself (#include "sim/x.c")
# defines that file's symbols, so the archive's copy is never pulled in.
$(FUZZ)/fuzz_%: $(FUZZ)/obj/tests/fuzz/fuzz_%.o $(FUZZ)/obj/tests/fuzz/fuzz_util.o $(FUZZ)/libfab-fuzz.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -Wl,--wrap=coll_mem_guard -o $@ $^ $(PKG_LIBS) -lm
