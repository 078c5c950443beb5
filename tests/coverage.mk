# SPDX-License-Identifier: MIT
# coverage.mk - make coverage: line and branch coverage (gcov) of flowno/
# and gen/, a file a line, from every suite and from the model tester in
# each of its configurations.  Included at the end of the Makefile.
#
#   make coverage             the table (a suite that fails is reported, and
#                             its coverage counted all the same: the suites
#                             run in one process each, CK_FORK=no, as under
#                             valgrind, since a test that fails in a forked
#                             child leaves no counts)
#   make coverage MISSING=1   and every line and branch never taken

COV_DIR = build/coverage
COV_MODEL_SEEDS = 3000
# Atomic counters: the threaded suites would lose counts otherwise.
COV_FLAGS = --coverage -fprofile-update=atomic

.PHONY: coverage

coverage:
	@rm -rf $(COV_DIR)
	@echo "== coverage: the suites and the model tester, built with gcc --coverage"
	@-$(MAKE) -s --no-print-directory check CC=gcc BUILD=$(COV_DIR)/suites CFLAGS="-O0 -g" \
	    SAN="$(COV_FLAGS)" RUN_WITH="env CK_FORK=no" | grep -E '^suites:|FAILED|:F:|:E:'
	@-$(MAKE) -s --no-print-directory test-model MODEL_DIR=$(COV_DIR)/model MODEL_OPT=-O0 \
	    MODEL_SAN="$(COV_FLAGS)" MODEL_SEEDS=$(COV_MODEL_SEEDS)
	@python3 tests/coverage.py $(COV_DIR) $(if $(MISSING),--missing)
