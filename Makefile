# SPDX-License-Identifier: MIT
# flowno - build, test, demo, install.
#
#   make            the static library and the demo program
#   make demo       build and run the demo (make demo-trace: and draw its schedule)
#   make pictures   refresh the schedules drawn in docs/ (the demo, docs/teaching.md)
#   make test       install what the tests need (Check, valgrind, clang, ...)
#                   if missing, then run every suite: gcc, clang, ASan+UBSan,
#                   TSan (the threaded ones), valgrind; the model-based
#                   random tester (tests/model/); check the library links
#                   no allocator; check the CMake and PlatformIO builds, the
#                   version, the docs
#   make fuzz       SECONDS=N: the random tester on fresh seeds, and libFuzzer
#   make coverage   line and branch coverage of flowno/ and gen/, per file
#   make docs       the API reference (Doxygen, warnings are errors) in build/docs
#   make install    PREFIX=/usr/local DESTDIR= : library, headers, flowno.pc
#   make lib PORT=cortex_m CC=arm-none-eabi-gcc CFLAGS="-mcpu=... -mthumb -Os"
#                   the library for a firmware (PORT: posix, cortex_m, manual)
#   make clean

CC      ?= cc
CFLAGS  ?= -O2 -g
PORT    ?= posix
# One folder a compiler (and a port, other than posix's).
BUILD   ?= build/$(notdir $(CC))$(if $(filter-out posix,$(PORT)),-$(PORT))
PREFIX  ?= /usr/local
# flowno.h holds the version; this reads it (the lines that start "#define").
fl_version_part = $(shell sed -n 's/^.define FL_VERSION_$(1) *\([0-9]*\).*/\1/p' flowno/flowno.h)
VERSION := $(call fl_version_part,MAJOR).$(call fl_version_part,MINOR).$(call fl_version_part,PATCH)
# A cross compiler's own archiver: arm-none-eabi-gcc -> arm-none-eabi-ar.
ifeq ($(origin AR),default)
AR = $(if $(filter %-gcc,$(CC)),$(CC:%-gcc=%-ar),ar)
endif

# Beyond -Wall -Wextra, what firmware builds often turn on: the library, the
# examples and the tests build clean under all of it, with gcc and clang.
STRICT_WARN = -Wshadow -Wconversion -Wsign-conversion -Wcast-qual -Wcast-align \
              -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wswitch-default \
              -Wdouble-promotion
WARN     = -std=c99 -Wall -Wextra -Wpedantic $(STRICT_WARN) -Werror
# And what each compiler alone has: GCC's check that no jump skips an
# initialisation (C++ refuses one), Clang's of a variable read before any
# write on some path (a local that a wait's resume jumps over).
WARN_gcc   = -Wjump-misses-init
WARN_clang = -Wconditional-uninitialized
CC_KIND      = $(if $(findstring clang,$(notdir $(CC))),clang,gcc)
CPPFLAGS_ALL = -I. $(CPPFLAGS)
CFLAGS_ALL   = $(WARN) $(WARN_$(CC_KIND)) $(CFLAGS) $(SAN)
LDFLAGS_ALL  = $(SAN) $(LDFLAGS)

# The sources, found, not listed: every .c under flowno/ builds for every
# target (a platform's file compiles to nothing elsewhere).  Platform code
# is in port/ (one backend a file) and net/ (POSIX sockets); the rest, and
# the manual port, is portable.  CMakeLists.txt and library.json pick the
# same files by the same rules; tests/build/check-sources.sh compares them.
ALL_SRC      := $(sort $(shell find flowno -name '*.c'))
PORTABLE_SRC := $(filter-out flowno/port/% flowno/net/%,$(ALL_SRC)) flowno/port/manual.c
SRC_posix    := $(filter-out flowno/port/cortex_m.c,$(ALL_SRC))
SRC_cortex_m := $(PORTABLE_SRC) flowno/port/cortex_m.c
SRC_manual   := $(PORTABLE_SRC)
LIB_SRC = $(or $(SRC_$(PORT)),$(error PORT=$(PORT): choose posix, cortex_m or manual))
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB     = $(BUILD)/libflowno.a
HEADERS = flowno/flowno.h flowno/config.h gen/gen.h
INTERNAL_HEADERS = flowno/flowno_internal.h flowno/core/list.h flowno/core/task.h flowno/port/posix_internal.h \
                   flowno/debug/trace_internal.h

# One suite a module: tests/check_<name>.c.  gen_labels is check_gen.c
# again with the labels-as-values continuations.
SUITES      = gen gen_labels loop task cancel timer error queue set_queue map_queue event lock cond \
              latch signal timeout io hooks post net trace order
SUITE_BINS  = $(SUITES:%=$(BUILD)/tests/check_%)
SUPPORT_OBJ = $(BUILD)/obj/tests/support/support.o $(BUILD)/obj/tests/support/main.o
CHECK_FLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS  = $(shell pkg-config --libs check 2>/dev/null)

DEMO = $(BUILD)/demo
# Every program in docs/examples/ is built and run by make test.
EXAMPLES = $(patsubst docs/examples/%.c,$(BUILD)/examples/%,$(wildcard docs/examples/*.c))

.PHONY: all lib demo demo-trace test check suites deps clean install docs \
        test-gcc test-clang test-heap test-os test-asan test-tsan test-valgrind test-nomalloc \
        test-install test-http test-cmake test-sources test-version test-tree test-cxx \
        test-mistakes test-servers \
        examples test-examples test-profiles test-viewer pictures

# Keep objects between runs: they are chained, so make would delete them.
.SECONDARY:

all: lib $(DEMO)
lib: $(LIB)

$(BUILD)/obj/%.o: %.c $(HEADERS) $(INTERNAL_HEADERS)
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

# The demo's schedule as a picture, a web page that steps through it, JSON
# and VCD, all in build/trace.  `make docs/demo-trace.svg` refreshes the
# picture in the docs; `make pictures` it and those of docs/teaching.md.
demo-trace: $(DEMO)
	@mkdir -p build/trace
	./$(DEMO) --trace build/trace/demo

docs/demo-trace.svg: $(DEMO)
	@$(MAKE) --no-print-directory demo-trace
	cp build/trace/demo.svg $@

# Each lesson's trace into build/teaching (svg, html, json, vcd), and its
# picture into docs/teaching.  Not part of make test: the pictures are
# committed, and a run's timing differs a little from the last.
LESSONS = $(patsubst docs/examples/%.c,%,$(wildcard docs/examples/lesson*.c))
pictures: docs/demo-trace.svg
	@$(MAKE) --no-print-directory $(LESSONS:%=$(BUILD)/examples/%)
	@mkdir -p build/teaching docs/teaching
	@for l in $(LESSONS); do \
	    $(BUILD)/examples/$$l --trace build/teaching/$$l > build/teaching/$$l.out || exit 1; \
	    cp build/teaching/$$l.svg docs/teaching/$$l.svg; \
	done
	@echo "pictures: docs/demo-trace.svg, docs/teaching/*.svg; the pages: build/teaching/*.html"

$(BUILD)/examples/%: docs/examples/%.c $(wildcard docs/examples/*.h) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $< $(LIB) $(LDFLAGS_ALL) -o $@

# The example servers hold 10 000 connections, a task and a timer each:
# more than the default tables, so they get a library of their own built
# with theirs (fl_loop_init checks that a library and its program agree).
SERVER_CONFIG   = -DFL_MAX_TASKS=10240
SERVER_EXAMPLES = $(BUILD)/examples/echo $(BUILD)/examples/http_server
SERVER_LIB      = $(BUILD)/libflowno-servers.a

$(BUILD)/obj-servers/%.o: %.c $(HEADERS) $(INTERNAL_HEADERS)
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

$$(BUILD)/obj-$(1)/%.o: %.c $$(HEADERS) $$(INTERNAL_HEADERS) tests/support/support.h
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS_ALL) $(2) $$(CFLAGS_ALL) $$(CHECK_FLAGS) -c $$< -o $$@

$$(BUILD)/tests/check_$(1): $$($(1)_OBJ)
	@mkdir -p $$(dir $$@)
	$$(CC) $$^ $$(LDFLAGS_ALL) $$(CHECK_LIBS) -o $$@
endef
$(eval $(call config_suite,net,-DFL_MAX_TASKS=512 -DFL_MAX_TIMERS=512 -DFL_MAX_FDS=2048))
$(eval $(call config_suite,minimal,-DFL_PROFILE_MINIMAL))
$(eval $(call config_suite,debug,-DFL_DEBUG=1))

SUITE_BINS += $(BUILD)/tests/check_minimal $(BUILD)/tests/check_debug

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
# The suites that start threads (posts, raises, holds and I/O wake-ups
# from another thread), and the signal suite, under ThreadSanitizer.
TSAN_SUITES = post io signal
test-tsan:
	@echo "== clang, ThreadSanitizer: the suites that use threads"
	@$(MAKE) --no-print-directory check CC=clang BUILD=build/tsan CFLAGS="-O1 -g" \
	    SAN=-fsanitize=thread SUITE_BINS="$(TSAN_SUITES:%=build/tsan/tests/check_%)"
# Small tables scan for due timers; big ones keep a heap (config.h).  The
# default build tests the scan, this one the heap.
test-heap:
	@echo "== gcc, timer heap"
	@$(MAKE) --no-print-directory check CC=gcc BUILD=build/heap CPPFLAGS=-DFL_TIMER_HEAP=1
# Code compiled for size (-Os) takes other paths (the ready circle's other
# discipline, no fast yield, a few functions out of line): the suites run
# that build too.
test-os:
	@echo "== gcc -Os"
	@$(MAKE) --no-print-directory check CC=gcc BUILD=build/os CFLAGS="-Os -g"
test-valgrind:
	@echo "== valgrind"
	@$(MAKE) --no-print-directory check CC=gcc BUILD=build/gcc RUN_WITH="env CK_FORK=no $(VALGRIND)"
test-nomalloc:
	@$(MAKE) --no-print-directory lib CC=gcc BUILD=build/gcc
	@sh tests/check-nomalloc.sh build/gcc/libflowno.a
test-install:
	@sh tests/check-install.sh
# CMake: configure, build, install; find_package, add_subdirectory,
# FetchContent and pkg-config consumers; the M0+ cross build and its
# firmware in QEMU (tests/build/check-cmake.sh).
test-cmake: deps target-deps
	@WARN="$(WARN)" SRC_posix="$(SRC_posix)" SRC_cortex_m="$(SRC_cortex_m)" \
	    sh tests/build/check-cmake.sh
# The firmware's source lists (library.json, PORT=cortex_m) and a build of
# every file under flowno/, for the Cortex-M0+ (tests/build/check-sources.sh).
test-sources: target-deps
	@WARN="$(WARN)" SRC_cortex_m="$(SRC_cortex_m)" sh tests/build/check-sources.sh
# The version is flowno.h's everywhere it appears (tests/build/check-version.sh).
test-version: deps
	@VERSION="$(VERSION)" sh tests/build/check-version.sh
# The tree stands alone: no path outside it, links and quoted make commands
# that work, SPDX lines (tests/build/check-tree.sh).
test-tree:
	@sh tests/build/check-tree.sh
# The library must build warning-free in every profile, not just the
# default: compile it (no linking) with each set of feature switches.
PROFILES = "-DFL_PROFILE_MINIMAL" \
           "-DFL_ENABLE_HOOKS=0 -DFL_ENABLE_DUMP=0 -DFL_ENABLE_IO=0 -DFL_ENABLE_STRERROR=0" \
           "-DFL_ENABLE_JOIN=0 -DFL_ENABLE_CANCEL=0" \
           "-DFL_ENABLE_TIMEOUT=0 -DFL_ENABLE_SIGNAL=0 -DFL_ENABLE_POST=0" \
           "-DFL_PROFILE_MINIMAL -DFL_ENABLE_QUEUE=1 -DFL_ENABLE_SIGNAL=1 -DFL_ENABLE_TIMEOUT=1" \
           "-DFL_PROFILE_MINIMAL -DFL_ENABLE_RUN=1" "-DFL_PROFILE_MINIMAL -DFL_TIMER_HEAP=1" \
           "-DFL_MAX_TASKS=300 -DFL_TIME_BITS=64" "-DGEN_USE_LABELS" "-DFL_ENABLE_ARG_CHECKS=0" \
           "-DFL_DEBUG=1" "-DFL_DEBUG=1 -DFL_PROFILE_MINIMAL" \
           "-DFL_ENABLE_SET_QUEUE=0" "-DFL_ENABLE_MAP_QUEUE=0" "-DFL_ENABLE_QUEUE=0" \
           "-DFL_PROFILE_MINIMAL -DFL_ENABLE_QUEUE=1 -DFL_ENABLE_MAP_QUEUE=1" \
           "-DFL_TIMER_HEAP=1 -DFL_MAX_TIMERS=1" "-DFL_TIMER_HEAP=1 -DFL_MAX_TIMERS=2"
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

# The header as C++ sees it: every macro, g++ and clang++, C++11 to 20.
CXX_STDS = c++11 c++14 c++17 c++20
test-cxx:
	@$(MAKE) --no-print-directory lib CC=gcc BUILD=build/gcc
	@mkdir -p build/cxx
	@for cxx in g++ clang++; do for std in $(CXX_STDS); do \
	    $$cxx -std=$$std -I. -Wall -Wextra -Wpedantic -Wold-style-cast -Werror \
	        tests/cxx/check_cxx.cpp build/gcc/libflowno.a -pthread -o build/cxx/check_$$cxx-$$std \
	        && build/cxx/check_$$cxx-$$std || { echo "test-cxx: $$cxx -std=$$std FAILED"; exit 1; }; \
	done; done

# The classic mistakes, each reported as tests/mistakes/*.c says.
test-mistakes:
	@$(MAKE) --no-print-directory lib CC=gcc BUILD=build/gcc
	@WARN="$(WARN)" sh tests/check-mistakes.sh build/gcc/libflowno.a

# The HTTP example answers curl: tests/check-http.sh starts it, queries it
# and checks that it stops.
test-http:
	@$(MAKE) --no-print-directory build/gcc/examples/http_server CC=gcc BUILD=build/gcc
	@sh tests/check-http.sh build/gcc/examples/http_server

# The trace's web page in a real browser: headless Chromium loads the
# demo's page and tests/check-viewer.sh checks the DOM its script built;
# a screenshot goes to build/trace/demo-viewer.png.
test-viewer:
	@$(MAKE) --no-print-directory build/gcc/demo CC=gcc BUILD=build/gcc
	@sh tests/check-viewer.sh build/gcc/demo

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
	@$(MAKE) --no-print-directory test-os
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-tsan
	@$(MAKE) --no-print-directory test-model
	@$(MAKE) --no-print-directory test-valgrind
	@$(MAKE) --no-print-directory test-nomalloc
	@$(MAKE) --no-print-directory test-install
	@$(MAKE) --no-print-directory test-examples
	@$(MAKE) --no-print-directory test-http
	@$(MAKE) --no-print-directory test-viewer
	@$(MAKE) --no-print-directory test-cxx
	@$(MAKE) --no-print-directory test-mistakes
	@$(MAKE) --no-print-directory test-servers
	@$(MAKE) --no-print-directory test-profiles
	@$(MAKE) --no-print-directory bench-compile
	@$(MAKE) --no-print-directory docs
	@$(MAKE) --no-print-directory test-tree
	@$(MAKE) --no-print-directory test-version
	@$(MAKE) --no-print-directory test-sources
	@$(MAKE) --no-print-directory test-amalgamation
	@$(MAKE) --no-print-directory test-cmake
	@$(MAKE) --no-print-directory qemu-test
	@$(MAKE) --no-print-directory size
	@$(MAKE) --no-print-directory stack
	@echo "make test: all passed"

# ---- API reference -----------------------------------------------------

docs:
	@command -v doxygen >/dev/null 2>&1 || sh tests/apt-install.sh doxygen
	@rm -rf build/docs
	doxygen docs/Doxyfile
	@if grep -o '<name>[A-Za-z0-9_]*_</name>' build/docs/flowno.tag; then \
	    echo "docs: internal names (ending in _) in the index"; exit 1; fi
	@if grep -l '@ref ' build/docs/html/*.html; then \
	    echo "docs: a link Doxygen could not make (link text over two lines?)"; exit 1; fi
	@echo "docs: build/docs/html/index.html (no Doxygen warnings, public names only)"

# ---- install -------------------------------------------------------------

# The configuration the library was built with (-DFL_... in CPPFLAGS) goes
# into flowno.pc, so that the programs built against it agree; but for
# FL_CONFIG_FILE: a quoted path does not survive pkg-config's output.
FLOWNO_DEFINES = $(filter-out -DFL_CONFIG_FILE=%,$(filter -DFL_% -DGEN_%,$(CPPFLAGS)))
FLOWNO_LIBS    = $(if $(filter posix,$(PORT)),-pthread)
install: $(LIB)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/flowno \
	           $(DESTDIR)$(PREFIX)/include/gen
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libflowno.a
	install -m 644 flowno/flowno.h flowno/config.h $(DESTDIR)$(PREFIX)/include/flowno/
	install -m 644 gen/gen.h $(DESTDIR)$(PREFIX)/include/gen/
	sed -e 's|@FLOWNO_PREFIX@|$(PREFIX)|g' -e 's|@FLOWNO_LIBDIR@|lib|g' \
	    -e 's|@FLOWNO_INCLUDEDIR@|include|g' -e 's|@FLOWNO_VERSION@|$(VERSION)|g' \
	    -e 's|@FLOWNO_CFLAGS@|$(FLOWNO_DEFINES)|g' -e 's|@FLOWNO_LIBS@|$(FLOWNO_LIBS)|g' \
	    flowno/flowno.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/flowno.pc

clean:
	rm -rf build
include tests/target/target.mk
include tests/bench/bench.mk
include tests/model/model.mk
include tests/coverage.mk
include tests/stress/stress.mk
