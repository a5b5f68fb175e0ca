# fabbench (verbs/): all-reduce benchmark over RDMA verbs or TCP that runs
# the collectives/ schedules. Included by the main Makefile; uses its
# BUILD, CC, CFLAGS_ALL, LDLIBS_ALL, SAN and libcoll(-asan).a: fabbench links
# collectives/ and verbs/ only, never the simulator.
#
#   make fabbench        build/fabbench and build/fabbench-run, its ssh
#                        launcher (a script; also part of `make all`)
#   make check-fabbench  multi-process TCP tests on localhost
#   make check-launch    fabbench-run over a local stand-in for ssh
#   make check-rdma      verbs tests in the Soft-RoCE VM (tests/vm); fails if
#                        the VM cannot run, unless SKIP_VM=1 (then: 1 skipped)
#   make deps-fabbench   install the "fabbench" group of tests/packages.txt
# (the project's one package list; the main Makefile's `deps` installs it).

FABBENCH_PKGS = $(call pkgs,fabbench)

# Transport-independent parts: unit tested, also under ASan/UBSan.
VB_LIB_SRC := verbs/opts.c verbs/plan.c verbs/exec.c verbs/check.c \
	verbs/report.c verbs/start.c verbs/netif.c
# The binary: CLI, bootstrap (MPI), transports.
VB_BIN_SRC := verbs/main.c verbs/man.c verbs/bench.c verbs/boot.c verbs/tcp.c verbs/ib.c \
	verbs/ib_dev.c verbs/ib_conn.c

VB_LIB_OBJ := $(VB_LIB_SRC:%.c=$(BUILD)/obj/%.o)
VB_ASAN_OBJ := $(VB_LIB_SRC:%.c=$(BUILD)/asan/%.o)
VB_BIN_OBJ := $(VB_BIN_SRC:%.c=$(BUILD)/obj/%.o)

VB_MPI_CFLAGS = $(shell pkg-config --cflags ompi-c 2>/dev/null || mpicc --showme:compile 2>/dev/null)
VB_MPI_LIBS = $(shell pkg-config --libs ompi-c 2>/dev/null || mpicc --showme:link 2>/dev/null || echo -lmpi)
VB_LIBS = $(VB_MPI_LIBS) -lrdmacm -libverbs -lpthread

.PHONY: fabbench check-fabbench check-launch check-rdma deps-fabbench fabbench-headers

all: $(BUILD)/fabbench $(BUILD)/fabbench-run
fabbench: $(BUILD)/fabbench $(BUILD)/fabbench-run

# The launcher and its hand-written page, with the version filled in; in
# build/ beside fabbench, which it runs by default.
$(BUILD)/fabbench-run: verbs/fabbench-run Makefile
	@mkdir -p $(@D)
	sed 's/@VERSION@/$(VERSION)/g' $< >$@.tmp && chmod 755 $@.tmp && mv $@.tmp $@
$(BUILD)/man/fabbench-run.1: verbs/fabbench-run.1.in Makefile
	@mkdir -p $(@D)
	sed 's/@VERSION@/$(VERSION)/g' $< >$@.tmp && mv $@.tmp $@

deps-fabbench:
	@bash tests/install-deps.sh fabbench

$(VB_BIN_OBJ): CFLAGS += $(VB_MPI_CFLAGS)
# Only the binary needs MPI and verbs: libvb and its tests do not.
$(VB_BIN_OBJ): | fabbench-headers
fabbench-headers:
	$(call need_headers,fabbench,mpi.h:libopenmpi-dev infiniband/verbs.h:libibverbs-dev \
		rdma/rdma_cma.h:librdmacm-dev,$(CFLAGS_ALL) $(VB_MPI_CFLAGS))

$(BUILD)/libvb.a: $(VB_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libvb-asan.a: $(VB_ASAN_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fabbench: $(VB_BIN_OBJ) $(BUILD)/libvb.a $(COLL_LIB) $(FLAGS_STAMP)
	$(CC) $(CFLAGS_ALL) -o $@ $(VB_BIN_OBJ) $(BUILD)/libvb.a \
		$(COLL_LIB) $(VB_LIBS) $(LDLIBS_ALL)

# More specific than the main Makefile's tests/% rules: link libvb too.
$(BUILD)/tests/test_vb%: tests/test_vb%.c $(TEST_FILTER_OBJ) $(BUILD)/libvb.a $(COLL_LIB) \
		$(FLAGS_STAMP) | test-headers
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -o $@ $< $(TEST_FILTER_OBJ) $(TEST_WRAP) $(BUILD)/libvb.a \
		$(COLL_LIB) $(LDLIBS_ALL) -lcmocka

$(BUILD)/asan-tests/test_vb%: tests/test_vb%.c $(TEST_FILTER_ASAN_OBJ) $(BUILD)/libvb-asan.a \
		$(COLL_ASAN_LIB) $(FLAGS_STAMP) | test-headers
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O1 $(SAN) -MMD -MP -o $@ $< $(TEST_FILTER_ASAN_OBJ) $(TEST_WRAP) \
		$(BUILD)/libvb-asan.a \
		$(COLL_ASAN_LIB) $(LDLIBS_ALL) -lcmocka

check-fabbench: $(BUILD)/fabbench
	@bash tests/fabbench/tcp.sh $(BUILD)/fabbench

check-launch: $(BUILD)/fabbench $(BUILD)/fabbench-run
	@bash tests/fabbench/launch.sh $(BUILD)/fabbench-run

# Never a silent skip: without the VM this suite fails and says why and
# what to install, unless the user asked for SKIP_VM=1. Its tally line
# counts the skip for make check's total either way.
check-rdma: $(BUILD)/fabbench
	@if [ "$(SKIP_VM)" = 1 ]; then \
		echo "fabbench-rdma: skipped: SKIP_VM=1"; \
		echo "fabbench-rdma: 0 passed, 0 failed, 1 skipped"; \
	elif why=$$(bash tests/vm/can-run.sh 2>&1); then \
		bash tests/vm/run.sh tests/fabbench/rdma-vm.sh $(BUILD)/fabbench; \
	else \
		echo "fabbench-rdma: the Soft-RoCE VM cannot run here: $${why#vm-can-run: no: }"; \
		echo "fabbench-rdma: it needs groups vm and fabbench of tests/packages.txt"; \
		echo "fabbench-rdma: ($(VM_PKGS) $(FABBENCH_PKGS); make deps installs them)"; \
		echo "fabbench-rdma: to skip these tests knowingly: make check SKIP_VM=1"; \
		echo "fabbench-rdma: 0 passed, 0 failed, 1 skipped"; \
		exit 1; \
	fi
