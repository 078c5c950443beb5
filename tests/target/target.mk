# Cross builds: the QEMU self-test (make qemu-test) and the size report
# (make size).  Included by the top-level Makefile.

TARGET_DIR  = build/target
TARGET_CC   = arm-none-eabi-gcc
TARGET_ARCH = -mcpu=cortex-m3 -mthumb
TARGET_CFLAGS = $(TARGET_ARCH) -Os -g -std=c99 -Wall -Wextra -Wpedantic -Werror \
                -ffreestanding -ffunction-sections -fdata-sections -I. \
                -DFL_ENABLE_IO=0 -DFL_ENABLE_DUMP=0
# The library as a bare-metal target has it: no POSIX port, no sockets.
TARGET_LIB_SRC = $(filter-out flowno/port/posix.c flowno/port/manual.c flowno/net/net.c,$(LIB_SRC)) \
                 flowno/port/cortex_m.c
TARGET_SRC  = $(TARGET_LIB_SRC) tests/target/startup.c tests/target/selftest.c
FIRMWARE    = $(TARGET_DIR)/selftest.elf
QEMU        = qemu-system-arm -M mps2-an385 -nographic -monitor none -serial none \
              -semihosting-config enable=on,target=native

.PHONY: qemu-test size size-guard target-deps

target-deps:
	@sh tests/target/deps.sh

$(FIRMWARE): $(TARGET_SRC) $(HEADERS) tests/target/target.h tests/target/an385.ld
	@mkdir -p $(TARGET_DIR)
	$(TARGET_CC) $(TARGET_CFLAGS) $(TARGET_SRC) -nostartfiles --specs=nano.specs \
	    -Wl,--gc-sections -T tests/target/an385.ld -o $@

qemu-test: target-deps
	@$(MAKE) --no-print-directory $(FIRMWARE)
	@if arm-none-eabi-nm $(FIRMWARE) | grep -Eq ' (malloc|calloc|realloc|free|_malloc_r)$$'; then \
	    echo "qemu-test: an allocator is linked into the firmware"; exit 1; fi
	@echo "== qemu mps2-an385 (Cortex-M3)"
	@timeout 60 $(QEMU) -kernel $(FIRMWARE) || { echo "qemu-test: FAILED"; exit 1; }

size: target-deps
	@sh tests/target/size.sh

# make test: the same report, failing on the budgets already met (minimal,
# fl_task) but not yet on the full profile's.
size-guard: target-deps
	@sh tests/target/size.sh --guard-met
