# SPDX-License-Identifier: MIT
# flowno - build, test, demo, install.
#
#   make            the static library and the demo program
#   make demo       build and run the demo (make demo-trace: and draw its schedule)
#   make test       install what the tests need (Check, valgrind, clang) if
#                   missing, then run every suite: gcc, clang, ASan+UBSan,
#                   valgrind; check the library links no allocator
#   make docs       the API reference (Doxygen, warnings are errors) in build/docs
#   make install    PREFIX=/usr/local DESTDIR= : library, headers, flowno.pc
#   make clean

CC      ?= cc
CFLAGS  ?= -O2 -g
BUILD   ?= build/$(notdir $(CC))
PREFIX  ?= /usr/local
VERSION  = 0.1.0

# Beyond -Wall -Wextra, what firmware builds often turn on: the library, the
# examples and the tests build clean under all of it, with gcc and clang.
STRICT_WARN = -Wshadow -Wconversion -Wsign-conversion -Wcast-qual -Wcast-align \
              -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wswitch-default \
              -Wdouble-promotion
WARN     = -std=c99 -Wall -Wextra -Wpedantic $(STRICT_WARN) -Werror
CPPFLAGS_ALL = -I. $(CPPFLAGS)
CFLAGS_ALL   = $(WARN) $(CFLAGS) $(SAN)
LDFLAGS_ALL  = $(SAN) $(LDFLAGS)

# The scheduler (core/), the primitives (sync/), sockets (net/), diagnostics
# (debug/) and the platforms (port/): see README.md's layout.
LIB_SRC = flowno/core/loop.c flowno/core/task.c flowno/core/list.c flowno/core/timer.c \
          flowno/core/error.c flowno/core/post.c \
          flowno/sync/queue.c flowno/sync/event.c flowno/sync/lock.c flowno/sync/cond.c \
          flowno/sync/latch.c flowno/sync/signal.c \
          flowno/net/net.c flowno/debug/dump.c flowno/debug/trace.c \
          flowno/port/posix_common.c flowno/port/posix.c flowno/port/poll.c \
          flowno/port/epoll.c flowno/port/manual.c
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB     = $(BUILD)/libflowno.a
HEADERS = flowno/flowno.h flowno/config.h gen/gen.h

# One suite a module: tests/check_<name>.c.  gen_labels is check_gen.c
# again with the labels-as-values continuations.
SUITES      = gen gen_labels loop task cancel timer error queue event lock cond latch signal timeout io \
              hooks post net trace
SUITE_BINS  = $(SUITES:%=$(BUILD)/tests/check_%)
SUPPORT_OBJ = $(BUILD)/obj/tests/support/support.o $(BUILD)/obj/tests/support/main.o
CHECK_FLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS  = $(shell pkg-config --libs check 2>/dev/null)

DEMO = $(BUILD)/demo
# Every program in docs/examples/ is built and run by make test.
EXAMPLES = $(patsubst docs/examples/%.c,$(BUILD)/examples/%,$(wildcard docs/examples/*.c))

.PHONY: all lib demo demo-trace test check suites deps clean install docs \
        test-gcc test-clang test-heap test-asan test-valgrind test-nomalloc test-install test-http \
        test-servers \
        examples test-examples test-profiles

# Keep objects between runs: they are chained, so make would delete them.
.SECONDARY:

all: lib $(DEMO)
lib: $(LIB)

$(BUILD)/obj/%.o: %.c $(HEADERS) flowno/flowno_internal.h flowno/port/posix_internal.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# ---- demo ----------------------------------------------------------------

$(DEMO): docs/examples/demo.c $(LIB)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $< $(LIB) $(LDFLAGS_ALL) -o $@

demo: $(DEMO)
	./$(DEMO)

# The demo's schedule as a picture for the docs (and JSON and VCD beside
# it in build/trace): docs/demo-trace.svg.
demo-trace: $(DEMO)
	@mkdir -p build/trace
	./$(DEMO) --trace build/trace/demo
	cp build/trace/demo.svg docs/demo-trace.svg

$(BUILD)/examples/%: docs/examples/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $< $(LIB) $(LDFLAGS_ALL) -o $@

# The example servers hold 10 000 connections, a task and a timer each:
# more than the default tables, so they get a library of their own built
# with theirs (fl_loop_init checks that a library and its program agree).
SERVER_CONFIG   = -DFL_MAX_TASKS=10240
SERVER_EXAMPLES = $(BUILD)/examples/echo $(BUILD)/examples/http_server
SERVER_LIB      = $(BUILD)/libflowno-servers.a

$(BUILD)/obj-servers/%.o: %.c $(HEADERS) flowno/flowno_internal.h flowno/port/posix_internal.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(SERVER_CONFIG) $(CFLAGS_ALL) -c $< -o $@

$(SERVER_LIB): $(LIB_SRC:%.c=$(BUILD)/obj-servers/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(SERVER_EXAMPLES): $(BUILD)/examples/%: docs/examples/%.c docs/examples/server.h $(SERVER_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(SERVER_CONFIG) $(CFLAGS_ALL) $< $(SERVER_LIB) $(LDFLAGS_ALL) -o $@

examples: $(EXAMPLES)

# ---- tests ---------------------------------------------------------------

$(BUILD)/obj/tests/%.o: tests/%.c tests/support/support.h $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(CHECK_FLAGS) -c $< -o $@

$(BUILD)/obj/tests/check_gen_labels.o: tests/check_gen.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(CHECK_FLAGS) -DGEN_USE_LABELS -c $< -o $@

$(BUILD)/tests/check_%: $(BUILD)/obj/tests/check_%.o $(SUPPORT_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $^ $(LDFLAGS_ALL) $(CHECK_LIBS) -o $@

# Suites built, library and all, with a configuration of their own:
# check_net serves 200 connections at once, more than the default table
# holds, and reaches the poll and epoll ports' fd limit; check_minimal
# runs the minimal profile that make size measures.
define config_suite
$(1)_OBJ = $$(patsubst %.c,$$(BUILD)/obj-$(1)/%.o,$$(LIB_SRC) tests/check_$(1).c \
               tests/support/support.c tests/support/main.c)

$$(BUILD)/obj-$(1)/%.o: %.c $$(HEADERS) flowno/flowno_internal.h flowno/port/posix_internal.h \
                        tests/support/support.h
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS_ALL) $(2) $$(CFLAGS_ALL) $$(CHECK_FLAGS) -c $$< -o $$@

$$(BUILD)/tests/check_$(1): $$($(1)_OBJ)
	@mkdir -p $$(dir $$@)
	$$(CC) $$^ $$(LDFLAGS_ALL) $$(CHECK_LIBS) -o $$@
endef
$(eval $(call config_suite,net,-DFL_MAX_TASKS=512 -DFL_MAX_TIMERS=512 -DFL_MAX_FDS=2048))
$(eval $(call config_suite,minimal,-DFL_PROFILE_MINIMAL))

SUITE_BINS += $(BUILD)/tests/check_minimal

suites: $(SUITE_BINS)

# Run every suite; RUN_WITH prefixes each (valgrind).
check: $(SUITE_BINS)
	@sh tests/run-suites.sh "$(RUN_WITH)" $(SUITE_BINS)

deps:
	@sh tests/install-deps.sh

VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full \
           --show-leak-kinds=all --errors-for-leak-kinds=all
ASAN     = -fsanitize=address,undefined -fno-sanitize-recover=all \
           -fno-omit-frame-pointer

test-gcc:
	@echo "== gcc"
	@$(MAKE) --no-print-directory check CC=gcc BUILD=build/gcc
test-clang:
	@echo "== clang"
	@$(MAKE) --no-print-directory check CC=clang BUILD=build/clang
test-asan:
	@echo "== gcc, AddressSanitizer + UndefinedBehaviorSanitizer"
	@$(MAKE) --no-print-directory check CC=gcc BUILD=build/asan CFLAGS="-O1 -g" SAN="$(ASAN)"
# Small tables scan for due timers; big ones keep a heap (config.h).  The
# default build tests the scan, this one the heap.
test-heap:
	@echo "== gcc, timer heap"
	@$(MAKE) --no-print-directory check CC=gcc BUILD=build/heap CPPFLAGS=-DFL_TIMER_HEAP=1
test-valgrind:
	@echo "== valgrind"
	@$(MAKE) --no-print-directory check CC=gcc BUILD=build/gcc RUN_WITH="env CK_FORK=no $(VALGRIND)"
test-nomalloc:
	@$(MAKE) --no-print-directory lib CC=gcc BUILD=build/gcc
	@sh tests/check-nomalloc.sh build/gcc/libflowno.a
test-install:
	@$(MAKE) --no-print-directory lib CC=gcc BUILD=build/gcc
	@sh tests/check-install.sh
# The library must build warning-free in every profile, not just the
# default: compile it (no linking) with each set of feature switches.
PROFILES = "-DFL_PROFILE_MINIMAL" \
           "-DFL_ENABLE_HOOKS=0 -DFL_ENABLE_DUMP=0 -DFL_ENABLE_IO=0 -DFL_ENABLE_STRERROR=0" \
           "-DFL_ENABLE_JOIN=0 -DFL_ENABLE_CANCEL=0" \
           "-DFL_ENABLE_TIMEOUT=0 -DFL_ENABLE_SIGNAL=0 -DFL_ENABLE_POST=0" \
           "-DFL_PROFILE_MINIMAL -DFL_ENABLE_QUEUE=1 -DFL_ENABLE_SIGNAL=1 -DFL_ENABLE_TIMEOUT=1" \
           "-DFL_PROFILE_MINIMAL -DFL_ENABLE_RUN=1" "-DFL_PROFILE_MINIMAL -DFL_TIMER_HEAP=1" \
           "-DFL_MAX_TASKS=300 -DFL_TIME_BITS=64" "-DGEN_USE_LABELS"
test-profiles:
	@for cc in gcc clang; do for p in $(PROFILES); do \
	    for f in $(LIB_SRC); do \
	        $$cc $(WARN) -O2 -I. $$p -c $$f -o /dev/null || { echo "profile $$p with $$cc: FAILED"; exit 1; }; \
	    done; \
	done; done; echo "profiles: the library builds clean in every configuration listed in PROFILES, with gcc and clang"
test-examples:
	@$(MAKE) --no-print-directory examples CC=gcc BUILD=build/gcc
	@$(MAKE) --no-print-directory examples CC=clang BUILD=build/clang
	@for e in $(patsubst docs/examples/%.c,%,$(wildcard docs/examples/*.c)); do \
	    echo "== example $$e"; \
	    $(VALGRIND) build/gcc/examples/$$e > build/gcc/examples/$$e.out 2>&1 \
	        || { cat build/gcc/examples/$$e.out; echo "example $$e FAILED"; exit 1; }; \
	    tail -n 1 build/gcc/examples/$$e.out; \
	done

# The HTTP example answers curl: tests/check-http.sh starts it, queries it
# and checks that it stops.
test-http:
	@$(MAKE) --no-print-directory build/gcc/examples/http_server CC=gcc BUILD=build/gcc
	@sh tests/check-http.sh build/gcc/examples/http_server

# The example servers against loads and clients that misbehave, on each
# port (tests/check-servers.sh): the benchmarks' echo_client with its byte
# checks, and tests/server_faults.c.
$(BUILD)/tests/echo_client: tests/bench/echo_client.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $< $(LDFLAGS_ALL) -o $@

$(BUILD)/tests/server_faults: tests/server_faults.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $< $(LDFLAGS_ALL) -o $@

test-servers:
	@$(MAKE) --no-print-directory build/gcc/examples/echo build/gcc/examples/http_server \
	    build/gcc/tests/echo_client build/gcc/tests/server_faults CC=gcc BUILD=build/gcc
	@sh tests/check-servers.sh build/gcc

test: deps
	@$(MAKE) --no-print-directory test-gcc
	@$(MAKE) --no-print-directory test-clang
	@$(MAKE) --no-print-directory test-heap
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-valgrind
	@$(MAKE) --no-print-directory test-nomalloc
	@$(MAKE) --no-print-directory test-install
	@$(MAKE) --no-print-directory test-examples
	@$(MAKE) --no-print-directory test-http
	@$(MAKE) --no-print-directory test-servers
	@$(MAKE) --no-print-directory test-profiles
	@$(MAKE) --no-print-directory docs
	@$(MAKE) --no-print-directory qemu-test
	@$(MAKE) --no-print-directory size-guard
	@$(MAKE) --no-print-directory stack
	@echo "make test: all passed"

# ---- API reference -----------------------------------------------------

docs:
	@command -v doxygen >/dev/null 2>&1 || sh tests/apt-install.sh doxygen
	@rm -rf build/docs
	doxygen docs/Doxyfile
	@echo "docs: build/docs/html/index.html (no Doxygen warnings)"

# ---- install -------------------------------------------------------------

install: $(LIB)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/flowno \
	           $(DESTDIR)$(PREFIX)/include/gen
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libflowno.a
	install -m 644 flowno/flowno.h flowno/config.h $(DESTDIR)$(PREFIX)/include/flowno/
	install -m 644 gen/gen.h $(DESTDIR)$(PREFIX)/include/gen/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' flowno/flowno.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/flowno.pc

clean:
	rm -rf build
include tests/target/target.mk
include tests/bench/bench.mk
