# SPDX-License-Identifier: MIT
# bench.mk - the benchmark suite; included at the end of the Makefile.
#
#   make bench        flowno against asyncio, libuv and libevent on every
#                     workload: one line per workload and system, ratios,
#                     the echo servers (make bench-echo), then make
#                     bench-instr's rows; fails when one of them is above
#                     its budget
#   make bench-instr  the instruction rows alone (callgrind), each against
#                     its budget, and the bytes per sleeping task; fails
#                     when one is above its budget (no libuv, libevent or
#                     asyncio needed; about 15 s)
#   make bench-echo   the echo servers alone: docs/examples/echo.c on each
#                     port beside libuv's and libevent's
#   make bench-annotate  where each instruction row's instructions go, by
#                     source function (ROWS="yield queue" for some, LINES=1
#                     for the lines too); see tests/bench/annotate.py
#   make bench-plots  growth curves of the timer heap and the scheduler at
#                     1k..1M tasks, memory per task: docs/bench-*.png
#
# The budgets are in tests/bench/run.py (INSTR_ROWS, BYTES_ROW).  make test
# compiles bench_flowno.c (make bench-compile) but runs none of this.
# Installs libuv, libevent, valgrind and gnuplot with apt-get when missing.
# The programs are built with gcc -O2 -g and the library's sources compiled
# in, each with the FL_MAX_TASKS it needs.  See docs/performance.md.

BENCH_DIR   = build/bench
BENCH_CC    = gcc
# -g changes no instruction; callgrind_annotate can then name the lines.
BENCH_FLAGS = -O2 -g $(WARN) -I.
BENCH_SRC   = tests/bench/bench_flowno.c
BENCH_DEPS  = $(BENCH_SRC) $(LIB_SRC) $(HEADERS) $(INTERNAL_HEADERS) tests/bench/bench.mk
BENCH_GROWTH = 1000 10000 100000 1000000
# flowno_g262143 is there for its sizes: its table against flowno_big's is
# what one more task adds to the loop.
BENCH_INSTR_BINS = $(BENCH_DIR)/flowno $(BENCH_DIR)/flowno_big $(BENCH_DIR)/flowno_g262143
BENCH_BINS  = $(BENCH_INSTR_BINS) $(BENCH_DIR)/echo $(BENCH_DIR)/uv $(BENCH_DIR)/event \
              $(BENCH_DIR)/echo_client
BENCH_GROWTH_BINS = $(BENCH_GROWTH:%=$(BENCH_DIR)/flowno_g%) $(BENCH_DIR)/flowno $(BENCH_DIR)/flowno_big

.PHONY: bench bench-instr bench-echo bench-annotate bench-plots bench-bins bench-growth-bins \
        bench-compile

# The ping-pong workloads (and bench_flowno's own echo server, which
# the echo figures no longer use: they run the example);
# below 255 tasks a slot is one byte.
$(BENCH_DIR)/flowno: $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	@$(BENCH_CC) $(BENCH_FLAGS) -DFL_MAX_TASKS=254 $(BENCH_SRC) $(LIB_SRC) -pthread -o $@

# The timers workload (50000 sleepers at once), the round robin over 10 000
# tasks, the 100 000 timers and the spawns among 1000 sleepers.
$(BENCH_DIR)/flowno_big: $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	@$(BENCH_CC) $(BENCH_FLAGS) -DFL_MAX_TASKS=131072 $(BENCH_SRC) $(LIB_SRC) -pthread -o $@

# The growth curves: room for exactly n tasks and the root.
$(BENCH_DIR)/flowno_g%: $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	@$(BENCH_CC) $(BENCH_FLAGS) -DFL_MAX_TASKS=$$(($* + 1)) $(BENCH_SRC) $(LIB_SRC) -pthread -o $@

# The echo servers: the example itself, with its 10 000-connection tables.
$(BENCH_DIR)/echo: docs/examples/echo.c docs/examples/server.h $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	@$(BENCH_CC) $(BENCH_FLAGS) $(SERVER_CONFIG) $< $(LIB_SRC) -pthread -o $@

$(BENCH_DIR)/uv: tests/bench/bench_uv.c tests/bench/bench.mk
	@mkdir -p $(dir $@)
	@$(BENCH_CC) $(BENCH_FLAGS) $$(pkg-config --cflags libuv) $< $$(pkg-config --libs libuv) -o $@

$(BENCH_DIR)/event: tests/bench/bench_event.c tests/bench/bench.mk
	@mkdir -p $(dir $@)
	@$(BENCH_CC) $(BENCH_FLAGS) $$(pkg-config --cflags libevent_core) $< $$(pkg-config --libs libevent_core) -o $@

$(BENCH_DIR)/echo_client: tests/bench/echo_client.c tests/bench/bench.mk
	@mkdir -p $(dir $@)
	@$(BENCH_CC) $(BENCH_FLAGS) $< -o $@

bench-bins: $(BENCH_BINS)
bench-growth-bins: $(BENCH_GROWTH_BINS)

bench:
	@sh tests/bench/deps.sh bench
	@$(MAKE) --no-print-directory bench-bins >&2
	@python3 tests/bench/run.py bench $(BENCH_DIR)

bench-instr:
	@sh tests/bench/deps.sh instr
	@$(MAKE) --no-print-directory $(BENCH_INSTR_BINS) >&2
	@python3 tests/bench/run.py instr $(BENCH_DIR)

# The echo servers alone (about 9 minutes): see docs/performance.md.
bench-echo:
	@sh tests/bench/deps.sh bench
	@$(MAKE) --no-print-directory bench-bins >&2
	@python3 tests/bench/run.py echo $(BENCH_DIR)

bench-annotate:
	@sh tests/bench/deps.sh instr
	@$(MAKE) --no-print-directory $(BENCH_INSTR_BINS) >&2
	@python3 tests/bench/annotate.py $(BENCH_DIR) $(if $(LINES),--lines) $(ROWS)

# For make test: flowno's benchmark program compiles clean, with gcc and
# clang, in both its sizes (it is not linked and not run).
bench-compile:
	@set -e; for n in 254 131072; do \
	    gcc $(WARN) $(WARN_gcc) -O2 -I. -DFL_MAX_TASKS=$$n -c $(BENCH_SRC) -o /dev/null; \
	    clang $(WARN) $(WARN_clang) -O2 -I. -DFL_MAX_TASKS=$$n -c $(BENCH_SRC) -o /dev/null; \
	done; echo "bench-compile: $(BENCH_SRC) compiles clean with gcc and clang"

bench-plots:
	@sh tests/bench/deps.sh plots
	@$(MAKE) --no-print-directory bench-growth-bins >&2
	@python3 tests/bench/run.py growth $(BENCH_DIR) $(BENCH_DIR)/data
	@gnuplot -e "datadir='$(BENCH_DIR)/data'; outdir='docs'" tests/bench/plots.gp
	@echo "bench-plots: wrote docs/bench-timers.png and docs/bench-scheduler.png"
