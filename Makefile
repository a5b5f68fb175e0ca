# fabsim / fabbench build. Debian packages: tests/packages.txt (one list,
# by group); installing needs root or sudo. See README.md.
#
#   make               build/fabsim and build/fabbench (fabbench needs the
#                      "fabbench" packages: make deps; names them if missing)
#   make fabsim        build/fabsim alone (needs only the "sim" packages)
#   make demo          install the "sim" packages, build fabsim, run the demo
#   make check         install the sim, fabbench, vm and fuzz packages, build
#                      with -Werror and run every suite: layers, unit, asan,
#                      cli, man, golden, exports, report, files, fabbench-tcp,
#                      fabbench-launch,
#                      fabbench-rdma (Soft-RoCE VM), fuzz-regress. Last line: "N passed, M failed,
#                      K skipped"; fails if anything failed or was skipped.
#   make check SKIP_VM=1   the same, but the VM suite may be skipped
#   make check T=PATTERN   only the tests matching PATTERN: a test binary
#                      (T=test_topo), a cmocka case (T=test_pfc_*), a shell
#                      suite's case (T='cli: --lb'); see tests/check.sh
#   make deps          install the packages make check needs
#   make fuzz FUZZ_S=600   run every libFuzzer harness FUZZ_S seconds
#   make bench         simulator speed
#   make bench-mpi     one run in 1 and in 2 processes (mpirun): speedup
#   make install       PREFIX=/usr/local DESTDIR=: the programs, man pages
#                      (built by make man) and the presets (fabsim -t NAME)
#   make clean         remove build/
#   make vm-smoke      boot the Soft-RoCE VM, run perftest, rping, MPI in it
#   make help          this text
# Suites alone: check-layers check-unit check-asan check-cli check-golden
# check-exports check-report check-files check-man check-fabbench check-launch check-rdma
# fuzz-regress.
# Options: BUILD=dir (default build), WERROR=1 (-Werror, as make check
# does), JOBS=n (parallel jobs of make demo/check unless -j is given;
# default: cores), CC, CFLAGS, OPT, T=PATTERN (check: tests to run).

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
BUILD := build
VERSION := 0.1.0
WERROR ?= 0
SKIP_VM ?= 0

# -Werror only where the project controls the compiler (make check, CI):
# a user's newer or other compiler may warn where ours does not.
WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN += -Werror
endif
CSTD := -std=c11 -D_GNU_SOURCE
OPT ?= -O3 -g
CPPFLAGS += -I. -DFAB_VERSION=\"$(VERSION)\"
PKGS := libconfig jansson
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lconfig -ljansson)
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm $(LDLIBS)

# One static library per layer of sim/ (docs/ARCHITECTURE.md), each using
# only the layers below it; collectives/ is the base both programs share.
# Linked top layer first so each archive resolves against those after it.
SIM_LAYERS := cli report results traffic fabric topo engine
# main.c and mpi.c are the fabsim binary's own (mpi.c alone needs MPI's headers and library)
layer_src = $(filter-out sim/cli/main.c sim/cli/mpi.c,$(shell find sim/$(1) -name '*.c' 2>/dev/null | LC_ALL=C sort))
COLL_SRC := $(sort $(wildcard collectives/*.c))
SIM_SRC := $(foreach l,$(SIM_LAYERS),$(call layer_src,$(l)))
LIB_SRC := $(SIM_SRC) $(COLL_SRC)
TEST_SRC := $(wildcard tests/test_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=$(BUILD)/asan/%.o)
# $(BUILD)/lib/libsim-LAYER.a ... libcoll.a, and their -asan twins.
SIM_LIBS := $(SIM_LAYERS:%=$(BUILD)/lib/libsim-%.a) $(BUILD)/lib/libcoll.a
SIM_ASAN_LIBS := $(SIM_LAYERS:%=$(BUILD)/lib/libsim-%-asan.a) $(BUILD)/lib/libcoll-asan.a
COLL_LIB := $(BUILD)/lib/libcoll.a
COLL_ASAN_LIB := $(BUILD)/lib/libcoll-asan.a
TESTS := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
ASAN_TESTS := $(TEST_SRC:tests/%.c=$(BUILD)/asan-tests/%)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# make demo and make check build in parallel (one job per core) unless
# the user chose with -j.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PAR = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))

# Package groups (tests/packages.txt) that make deps / make check install
# (check without the VM's packages when told to skip it).
DEPS_GROUPS := sim fabbench vm fuzz
CHECK_GROUPS = sim fabbench fuzz $(if $(filter 1,$(SKIP_VM)),,vm)
pkgs = $(shell bash tests/install-deps.sh --list $(1))

# Everything compiled depends on this file, rewritten only when the
# compiler or its flags change (WERROR=1, OPT, CFLAGS...): switching
# between `make` and `make check` rebuilds instead of mixing objects.
FLAGS_STAMP := $(BUILD)/flags.stamp
# := so that target-specific flags (fabbench's MPI ones), which a
# prerequisite inherits, cannot make the signature flip between builds.
FLAGS_SIG := $(CC) $(CFLAGS_ALL) $(SAN) $(LDLIBS_ALL)

# $(call need_headers,WHO,HEADER:PACKAGE ...,CFLAGS): before compiling,
# name the Debian packages whose headers are missing instead of leaving
# the user a compiler error.
need_headers = @command -v $(firstword $(CC)) >/dev/null 2>&1 || { \
	echo "$(1): no C compiler '$(firstword $(CC))': install build-essential (make deps)" >&2; \
	exit 1; }; \
	missing=; for hp in $(2); do \
		printf '\043include <%s>\n' "$${hp%%:*}" | \
			$(CC) $(3) -E -x c - >/dev/null 2>&1 || missing="$$missing $${hp\#*:}"; \
	done; \
	[ -z "$$missing" ] || { \
		echo "$(1): missing headers: install the Debian package(s)$$missing" >&2; \
		echo "$(1): as root or with sudo: make deps (tests/packages.txt), or apt-get install$$missing" >&2; \
		exit 1; }

.PHONY: all fabsim deps deps-sim check test asan-test check-unit check-asan \
	check-cli check-man check-readme man check-dist check-report check-files check-layers check-golden check-exports demo bench bench-mpi install clean help \
	sim-headers fabsim-headers test-headers FORCE

all: $(BUILD)/fabsim
fabsim: $(BUILD)/fabsim

help:
	@sed -n '4,/^$$/s/^# \{0,1\}//p' Makefile

deps:
	@bash tests/install-deps.sh $(DEPS_GROUPS)

deps-sim:
	@bash tests/install-deps.sh sim

$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@sig='$(subst ','\'',$(FLAGS_SIG))'; \
	[ "$$(cat $@ 2>/dev/null)" = "$$sig" ] || printf '%s\n' "$$sig" >$@

sim-headers:
	$(call need_headers,fabsim,libconfig.h:libconfig-dev jansson.h:libjansson-dev,$(CFLAGS_ALL))

test-headers:
	$(call need_headers,tests,cmocka.h:libcmocka-dev,$(CFLAGS_ALL))

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP) | sim-headers
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/asan/%.o: %.c $(FLAGS_STAMP) | sim-headers
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O1 $(SAN) -MMD -MP -c $< -o $@

# Where make install puts the presets, compiled into load.c alone (fabsim
# -t NAME looks there): a change of PREFIX rebuilds that one object.
DATADIR_STAMP := $(BUILD)/datadir.stamp
$(DATADIR_STAMP): FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = '$(PREFIX)' ] || printf '%s\n' '$(PREFIX)' >$@
$(BUILD)/obj/sim/cli/load.o $(BUILD)/asan/sim/cli/load.o: $(DATADIR_STAMP)
$(BUILD)/obj/sim/cli/load.o $(BUILD)/asan/sim/cli/load.o: CPPFLAGS += -DFAB_DATADIR=\"$(PREFIX)/share/fabsim\"

define layer_lib
$(BUILD)/lib/libsim-$(1).a: $(patsubst %.c,$(BUILD)/obj/%.o,$(call layer_src,$(1)))
	@mkdir -p $$(@D)
	@rm -f $$@
	ar rcs $$@ $$^

$(BUILD)/lib/libsim-$(1)-asan.a: $(patsubst %.c,$(BUILD)/asan/%.o,$(call layer_src,$(1)))
	@mkdir -p $$(@D)
	@rm -f $$@
	ar rcs $$@ $$^
endef
$(foreach l,$(SIM_LAYERS),$(eval $(call layer_lib,$(l))))

$(COLL_LIB): $(COLL_SRC:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(@D)
	@rm -f $@
	ar rcs $@ $^

$(COLL_ASAN_LIB): $(COLL_SRC:%.c=$(BUILD)/asan/%.o)
	@mkdir -p $(@D)
	@rm -f $@
	ar rcs $@ $^

# A run split over processes (mpirun -np N fabsim run) talks MPI: Open MPI's flags.
SIM_MPI_CFLAGS = $(shell pkg-config --cflags ompi-c 2>/dev/null || mpicc --showme:compile 2>/dev/null)
SIM_MPI_LIBS = $(shell pkg-config --libs ompi-c 2>/dev/null || mpicc --showme:link 2>/dev/null || echo -lmpi)
$(BUILD)/obj/sim/cli/mpi.o: CFLAGS += $(SIM_MPI_CFLAGS)
$(BUILD)/obj/sim/cli/mpi.o: | fabsim-headers
fabsim-headers:
	$(call need_headers,fabsim,mpi.h:libopenmpi-dev,$(CFLAGS_ALL) $(SIM_MPI_CFLAGS))

$(BUILD)/fabsim: $(BUILD)/obj/sim/cli/main.o $(BUILD)/obj/sim/cli/mpi.o $(SIM_LIBS) $(FLAGS_STAMP)
	$(CC) $(CFLAGS_ALL) -o $@ $(filter-out $(FLAGS_STAMP),$^) $(LDLIBS_ALL) $(SIM_MPI_LIBS)

# Every cmocka binary links tests/filter.c, which makes it honour
# FAB_TEST_FILTER (make check T=PATTERN).
TEST_FILTER_OBJ := $(BUILD)/obj/tests/filter.o
TEST_FILTER_ASAN_OBJ := $(BUILD)/asan/tests/filter.o
TEST_WRAP := -Wl,--wrap=_cmocka_run_group_tests

$(TEST_FILTER_OBJ) $(TEST_FILTER_ASAN_OBJ): | test-headers

$(BUILD)/tests/%: tests/%.c $(TEST_FILTER_OBJ) $(SIM_LIBS) $(FLAGS_STAMP) | test-headers
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -o $@ $< $(TEST_FILTER_OBJ) $(TEST_WRAP) $(SIM_LIBS) \
		$(LDLIBS_ALL) -lcmocka

$(BUILD)/asan-tests/%: tests/%.c $(TEST_FILTER_ASAN_OBJ) $(SIM_ASAN_LIBS) $(FLAGS_STAMP) | test-headers
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O1 $(SAN) -MMD -MP -o $@ $< $(TEST_FILTER_ASAN_OBJ) $(TEST_WRAP) \
		$(SIM_ASAN_LIBS) $(LDLIBS_ALL) -lcmocka

# The suites; each prints its own tally line, "LABEL: N passed, M failed".
check-unit: $(TESTS)
	@bash tests/run-tests.sh unit $(TESTS)

check-asan: $(ASAN_TESTS)
	@bash tests/run-tests.sh asan $(ASAN_TESTS)

check-cli: $(BUILD)/fabsim
	@bash tests/cli.sh $(BUILD)/fabsim

check-dist: $(BUILD)/fabsim
	@bash tests/dist.sh $(BUILD)/fabsim

check-report: $(BUILD)/fabsim
	@bash tests/report.sh $(BUILD)/fabsim

check-files: $(BUILD)/fabsim
	@bash tests/files.sh $(BUILD)/fabsim

# No #include from a layer to one above it (docs/ARCHITECTURE.md).
check-layers:
	@bash tests/layers.sh

# Every subcommand's outputs, byte for byte, against tests/golden/.
check-golden: $(BUILD)/fabsim
	@bash tests/golden.sh $(BUILD)/fabsim

# README.md's shown outputs are what the programs print (tests/readme.sh).
check-readme: $(BUILD)/fabsim $(BUILD)/fabbench
	@bash tests/readme.sh $(BUILD)

# No exported function that nothing calls (tests/exports.sh).
check-exports: $(BUILD)/fabsim $(BUILD)/fabbench
	@bash tests/exports.sh $(BUILD)

# make check T=PATTERN: only the tests matching PATTERN (tests/check.sh);
# the scripts read it as TEST_FILTER (T is a common name in scripts).
ifdef T
export TEST_FILTER := $(T)
endif

# Older names: the simulator's suites, the sanitizer suite.
test: check-unit check-cli check-report
asan-test: check-asan

# SUITE:TARGET pairs for tests/check.sh; suites still being written are
# added when their script exists.
CHECK_SUITES = layers:check-layers unit:check-unit asan:check-asan cli:check-cli \
	golden:check-golden exports:check-exports report:check-report dist:check-dist \
	$(if $(wildcard tests/man.sh),man:check-man) readme:check-readme \
	$(if $(wildcard tests/files.sh),files:check-files) \
	fabbench-tcp:check-fabbench fabbench-launch:check-launch fabbench-rdma:check-rdma \
	$(if $(wildcard tests/fuzz/fuzz.mk),fuzz-regress:fuzz-regress)

# Every suite runs (a failure does not hide the others); the driver adds
# up their tallies. Sub-makes build with -Werror.
check:
	@bash tests/install-deps.sh $(CHECK_GROUPS)
	@CHECK_MAKE='$(MAKE) $(PAR) --no-print-directory WERROR=1' SKIP_VM='$(SKIP_VM)' \
		bash tests/check.sh $(CHECK_SUITES)

demo: deps-sim
	@$(MAKE) $(PAR) --no-print-directory fabsim
	@bash tests/demo.sh $(BUILD)/fabsim

bench: deps-sim
	@$(MAKE) $(PAR) --no-print-directory fabsim
	@bash tests/bench.sh $(BUILD)/fabsim

# The same run in one process and split over two (mpirun): speedup, windows, exchange.
bench-mpi: deps-sim
	@$(MAKE) $(PAR) --no-print-directory fabsim
	@bash tests/bench-mpi.sh $(BUILD)/fabsim

# The manual pages, printed by the programs from the tables behind --help
# (fabsim man, fabbench --man): they cannot say other than --help.
MAN_PAGES := $(BUILD)/man/fabsim.1 $(BUILD)/man/fabbench.1 $(BUILD)/man/fabbench-run.1
man: $(MAN_PAGES)
$(BUILD)/man/fabsim.1: $(BUILD)/fabsim
	@mkdir -p $(@D)
	$(BUILD)/fabsim man >$@.tmp && mv $@.tmp $@
$(BUILD)/man/fabbench.1: $(BUILD)/fabbench
	@mkdir -p $(@D)
	$(BUILD)/fabbench --man >$@.tmp && mv $@.tmp $@

# The man pages and installing them (tests/man.sh, which runs make install).
check-man: $(BUILD)/fabsim $(BUILD)/fabbench $(BUILD)/fabbench-run
	@bash tests/man.sh $(BUILD)

install: all $(MAN_PAGES)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/fabsim/topologies \
		$(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/fabsim $(DESTDIR)$(PREFIX)/bin/fabsim
	install -m 755 $(BUILD)/fabbench $(DESTDIR)$(PREFIX)/bin/fabbench
	install -m 755 $(BUILD)/fabbench-run $(DESTDIR)$(PREFIX)/bin/fabbench-run
	install -m 644 topologies/*.topo topologies/FORMAT.md $(DESTDIR)$(PREFIX)/share/fabsim/topologies/
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf $(BUILD)

FORCE:

# fabbench (verbs/), the Soft-RoCE VM harness (tests/vm/) and the fuzzing
# harnesses (tests/fuzz/) keep their rules beside their code.
-include verbs/fabbench.mk
-include tests/vm/vm.mk
-include tests/fuzz/fuzz.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
