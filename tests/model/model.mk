# SPDX-License-Identifier: MIT
# model.mk - the model-based random tester (tests/model/); included at the
# end of the Makefile.
#
#   make test-model      a fixed batch of seeds in every configuration,
#                        under ASan+UBSan (run by make test)
#   make fuzz SECONDS=N  fresh seeds for about N seconds, shared out over the
#                        configurations, and the libFuzzer entry point
#                        (clang) for a tenth of it; stops at the first
#                        failure with the line that reproduces it
#
# A configuration is one that takes the library down other code paths:
# the slot type widens at 255 tasks, the timers are a scan or a heap (a
# tiny heap fills), time is 32 or 64 bits, continuations are line numbers
# or labels, a batch is 64 steps or one, FL_DEBUG checks each task as it
# goes, the argument checks are compiled out, and the library is built for
# size (-Os: the code a firmware runs, which has its own forms of the
# step, the queue and the lists) as a Cortex-M0's, and with heap timers.
# Each is its own build of the library with the tester:
# build/model/<name>/model.  A clock about to wrap around is part of every
# configuration: a third of the seeds start there.

MODEL_SRC  = tests/model/main.c tests/model/ops.c tests/model/program.c tests/model/driver.c \
             tests/model/model.c tests/model/log.c
MODEL_DEPS = $(MODEL_SRC) tests/model/model.h $(LIB_SRC) $(HEADERS) flowno/flowno_internal.h \
             tests/model/model.mk
MODEL_DIR  = build/model
MODEL_CC   = gcc
MODEL_SAN  = $(ASAN)
MODEL_OPT  = -O1
MODEL_SEEDS = 10000
SECONDS    = 60

MODEL_CONFIGS = scan32 heap32 tasks254 tasks255 scan255 timers2 time64 heap64 labels poll1 \
                debug nochecks os-m0 os-heap
MODEL_CFG_scan32   = -DFL_MAX_TASKS=32 -DFL_TIMER_HEAP=0
MODEL_CFG_heap32   = -DFL_MAX_TASKS=32 -DFL_TIMER_HEAP=1
MODEL_CFG_tasks254 = -DFL_MAX_TASKS=254
MODEL_CFG_tasks255 = -DFL_MAX_TASKS=255
MODEL_CFG_scan255  = -DFL_MAX_TASKS=255 -DFL_TIMER_HEAP=0
MODEL_CFG_timers2  = -DFL_MAX_TASKS=32 -DFL_TIMER_HEAP=1 -DFL_MAX_TIMERS=2
MODEL_CFG_time64   = -DFL_TIME_BITS=64
MODEL_CFG_heap64   = -DFL_TIME_BITS=64 -DFL_MAX_TASKS=64
MODEL_CFG_labels   = -DGEN_USE_LABELS
MODEL_CFG_poll1    = -DFL_POLL_INTERVAL=1
MODEL_CFG_debug    = -DFL_DEBUG=1
MODEL_CFG_nochecks = -DFL_ENABLE_ARG_CHECKS=0
MODEL_CFG_os-m0    = -DFL_MAX_TASKS=32 -DFL_TIMER_HEAP=0
MODEL_CFG_os-heap  = -DFL_MAX_TASKS=64 -DFL_TIMER_HEAP=1 -DFL_MAX_TIMERS=8
# The optimisation of a configuration: MODEL_OPT unless it names its own.
MODEL_OPT_os-m0    = -Os
MODEL_OPT_os-heap  = -Os
MODEL_BINS = $(MODEL_CONFIGS:%=$(MODEL_DIR)/%/model)
MODEL_FUZZER = $(MODEL_DIR)/libfuzzer/model-fuzz

.PHONY: test-model fuzz

$(MODEL_DIR)/%/model: $(MODEL_DEPS)
	@mkdir -p $(dir $@)
	@echo "model: building $@"
	@$(MODEL_CC) $(WARN) $(or $(MODEL_OPT_$*),$(MODEL_OPT)) -g $(MODEL_SAN) -I. -DMODEL_CONFIG='"$*"' $(MODEL_CFG_$*) \
	    $(MODEL_SRC) $(LIB_SRC) -o $@

test-model: $(MODEL_BINS)
	@echo "== model-based random tester: $(MODEL_SEEDS) seeds in each configuration, ASan+UBSan"
	@for c in $(MODEL_CONFIGS); do $(MODEL_DIR)/$$c/model --first 1 --count $(MODEL_SEEDS) || exit 1; done

# The same driver under libFuzzer: the input's bytes make the choices.
$(MODEL_FUZZER): $(MODEL_DEPS) tests/model/fuzz.c
	@mkdir -p $(dir $@)
	@sh tests/model/need-fuzzer.sh
	@echo "model: building $@"
	@clang $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I. \
	    -DMODEL_CONFIG='"libfuzzer"' $(filter-out tests/model/main.c,$(MODEL_SRC)) tests/model/fuzz.c \
	    $(LIB_SRC) -o $@

fuzz: $(MODEL_BINS) $(MODEL_FUZZER)
	@nice sh tests/model/fuzz.sh $(SECONDS) $(MODEL_FUZZER) $(MODEL_BINS)
