# fabsim / fabbench build. `make demo` and `make check` install what is
# missing (apt-get, as root), build and run; see README.md.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
BUILD := build
VERSION := 0.1.0

WARN := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CSTD := -std=c11 -D_GNU_SOURCE
OPT ?= -O3 -g
CPPFLAGS += -I. -DFAB_VERSION=\"$(VERSION)\"
PKGS := libconfig jansson
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm $(LDLIBS)

SIM_SRC := $(filter-out sim/main.c,$(wildcard sim/*.c))
COLL_SRC := $(wildcard collectives/*.c)
LIB_SRC := $(SIM_SRC) $(COLL_SRC)
TEST_SRC := $(wildcard tests/test_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=$(BUILD)/asan/%.o)
TESTS := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
ASAN_TESTS := $(TEST_SRC:tests/%.c=$(BUILD)/asan-tests/%)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

DEPS_PKGS := build-essential pkg-config libconfig-dev libjansson-dev \
	libcmocka-dev gnuplot-nox jq bc time $(FABBENCH_PKGS) $(VM_PKGS)

.PHONY: all deps check test asan-test demo bench install clean

all: $(BUILD)/fabsim

deps:
	@bash tests/install-deps.sh $(DEPS_PKGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O1 $(SAN) -MMD -MP -c $< -o $@

$(BUILD)/libfab.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libfab-asan.a: $(ASAN_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fabsim: $(BUILD)/obj/sim/main.o $(BUILD)/libfab.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/%.c $(BUILD)/libfab.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -o $@ $< $(BUILD)/libfab.a $(LDLIBS_ALL) -lcmocka

$(BUILD)/asan-tests/%: tests/%.c $(BUILD)/libfab-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O1 $(SAN) -o $@ $< $(BUILD)/libfab-asan.a $(LDLIBS_ALL) -lcmocka

test: $(TESTS) $(BUILD)/fabsim
	@bash tests/run-tests.sh unit $(TESTS)
	@bash tests/cli.sh $(BUILD)/fabsim
	@bash tests/report.sh $(BUILD)/fabsim

asan-test: $(ASAN_TESTS)
	@bash tests/run-tests.sh asan $(ASAN_TESTS)

check: deps
	@$(MAKE) --no-print-directory all $(TESTS) $(ASAN_TESTS)
	@$(MAKE) --no-print-directory test asan-test check-fabbench check-rdma

demo: deps
	@$(MAKE) --no-print-directory all
	@bash tests/demo.sh $(BUILD)/fabsim

bench: deps
	@$(MAKE) --no-print-directory all
	@bash tests/bench.sh $(BUILD)/fabsim

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/fabsim/topologies
	install -m 755 $(BUILD)/fabsim $(DESTDIR)$(PREFIX)/bin/fabsim
	install -m 755 $(BUILD)/fabbench $(DESTDIR)$(PREFIX)/bin/fabbench
	install -m 644 topologies/*.topo $(DESTDIR)$(PREFIX)/share/fabsim/topologies/

clean:
	rm -rf $(BUILD)

# fabbench (verbs/) and the Soft-RoCE VM harness (tests/vm/) keep their
# rules beside their code.
-include verbs/fabbench.mk
-include tests/vm/vm.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
