# SPDX-License-Identifier: MIT
# bench.mk - the benchmark suite; included at the end of the Makefile.
#
#   make bench        flowno against asyncio and libuv on every workload:
#                     one line per workload and system, ratios, and
#                     instructions per operation (callgrind); the echo
#                     servers on each port beside libuv's
#   make bench-echo   the echo servers alone
#   make bench-plots  growth curves of the timer heap and the scheduler at
#                     1k..1M tasks, memory per task: docs/bench-*.png
#
# Installs libuv, valgrind and gnuplot with apt-get when missing.  The
# programs are built with gcc -O2 and the library's sources compiled in,
# each with the FL_MAX_TASKS it needs.  See docs/performance.md.

BENCH_DIR   = build/bench
BENCH_CC    = gcc
BENCH_FLAGS = -O2 $(WARN) -I.
BENCH_SRC   = tests/bench/bench_flowno.c
BENCH_DEPS  = $(BENCH_SRC) $(LIB_SRC) $(HEADERS) $(INTERNAL_HEADERS) tests/bench/bench.mk
BENCH_GROWTH = 1000 10000 100000 1000000
BENCH_BINS  = $(BENCH_DIR)/flowno $(BENCH_DIR)/flowno_big $(BENCH_DIR)/echo $(BENCH_DIR)/uv \
              $(BENCH_DIR)/echo_client
BENCH_GROWTH_BINS = $(BENCH_GROWTH:%=$(BENCH_DIR)/flowno_g%) $(BENCH_DIR)/flowno $(BENCH_DIR)/flowno_big

.PHONY: bench bench-echo bench-plots bench-bins bench-growth-bins

# The ping-pong workloads (and bench_flowno's own echo server, which
# the echo figures no longer use: they run the example);
# below 255 tasks a slot is one byte.
$(BENCH_DIR)/flowno: $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	@$(BENCH_CC) $(BENCH_FLAGS) -DFL_MAX_TASKS=254 $(BENCH_SRC) $(LIB_SRC) -pthread -o $@

# The timers workload: 50000 sleepers at once.
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

$(BENCH_DIR)/echo_client: tests/bench/echo_client.c tests/bench/bench.mk
	@mkdir -p $(dir $@)
	@$(BENCH_CC) $(BENCH_FLAGS) $< -o $@

bench-bins: $(BENCH_BINS)
bench-growth-bins: $(BENCH_GROWTH_BINS)

bench:
	@sh tests/bench/deps.sh bench
	@$(MAKE) --no-print-directory bench-bins >&2
	@python3 tests/bench/run.py bench $(BENCH_DIR)

# The echo servers alone (a few minutes): see docs/performance.md.
bench-echo:
	@sh tests/bench/deps.sh bench
	@$(MAKE) --no-print-directory bench-bins >&2
	@python3 tests/bench/run.py echo $(BENCH_DIR)

bench-plots:
	@sh tests/bench/deps.sh plots
	@$(MAKE) --no-print-directory bench-growth-bins >&2
	@python3 tests/bench/run.py growth $(BENCH_DIR) $(BENCH_DIR)/data
	@gnuplot -e "datadir='$(BENCH_DIR)/data'; outdir='docs'" tests/bench/plots.gp
	@echo "bench-plots: wrote docs/bench-timers.png and docs/bench-scheduler.png"
