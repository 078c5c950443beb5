# SPDX-License-Identifier: MIT
# stress.mk - stress runs bounded by time, not part of make test (slow
# under valgrind, and what they look for is a matter of chance):
#
#   make stress-signal SECONDS=N   raises from another thread, none lost
#                                  (tests/stress/signal_race.c)

STRESS_DIR = build/stress

.PHONY: stress-signal

$(STRESS_DIR)/signal_race: tests/stress/signal_race.c $(LIB_SRC) $(HEADERS) flowno/flowno_internal.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -I. -pthread tests/stress/signal_race.c $(LIB_SRC) -o $@

stress-signal: $(STRESS_DIR)/signal_race
	@nice ./$(STRESS_DIR)/signal_race $(SECONDS)
