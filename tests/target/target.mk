# SPDX-License-Identifier: MIT
# Cross builds: the QEMU self-test (make qemu-test) and the size report
# (make size).  Included by the top-level Makefile.

TARGET_DIR  = build/target
TARGET_CC   = arm-none-eabi-gcc
TARGET_CFLAGS = -Os -g $(WARN) \
                -ffreestanding -ffunction-sections -fdata-sections -I. \
                -DFL_ENABLE_IO=0 -DFL_ENABLE_DUMP=0
TARGET_LDFLAGS = -nostartfiles --specs=nano.specs -Wl,--gc-sections -Ltests/target
# The library as a bare-metal target has it: no POSIX port, no sockets.
TARGET_LIB_SRC = $(SRC_cortex_m)
TARGET_DEPS = $(TARGET_LIB_SRC) $(HEADERS) $(INTERNAL_HEADERS) tests/target/startup.c \
              tests/target/common.c tests/target/target.h tests/target/sections.ld \
              tests/target/an385.ld tests/target/microbit.ld
QEMU        = qemu-system-arm -nographic -monitor none -serial none \
              -semihosting-config enable=on,target=native

# Three images: the full self-test on a Cortex-M3 (mps2-an385) and on a
# Cortex-M0 (microbit, 16 KB of RAM), whose Thumb-1 code is what `make
# size` measures for the M0+; and the minimal profile on the M0, driven by
# fl_loop_poll as a super-loop would.
M3          = -mcpu=cortex-m3 -mthumb -T an385.ld
M0          = -mcpu=cortex-m0 -mthumb -T microbit.ld -DTARGET_MICROBIT
FIRMWARES   = $(TARGET_DIR)/full-m3.elf $(TARGET_DIR)/full-m0.elf $(TARGET_DIR)/minimal-m0.elf

# And both self-tests on a RISC-V microcontroller's core, RV32IMAC on
# QEMU's virt board, with a runtime and a port of its own (no C library:
# the runtime has the memcpy and memset GCC may call).
RISCV_CC      = riscv64-unknown-elf-gcc
RISCV_ARCH    = -march=rv32imac -mabi=ilp32 -mcmodel=medany
RISCV_LDFLAGS = -nostdlib -nostartfiles -Wl,--gc-sections -Ltests/target -T riscv_virt.ld -lgcc
RISCV_FIRMWARES = $(TARGET_DIR)/full-rv32.elf $(TARGET_DIR)/minimal-rv32.elf
QEMU_RISCV  = qemu-system-riscv32 -nographic -monitor none -serial none -bios none \
              -semihosting-config enable=on,target=native

.PHONY: qemu-test size size-of stack target-deps amalgamation test-amalgamation

target-deps:
	@sh tests/target/deps.sh

$(TARGET_DIR)/full-m3.elf: FW_ARCH = $(M3)
$(TARGET_DIR)/full-m0.elf: FW_ARCH = $(M0)
$(TARGET_DIR)/minimal-m0.elf: FW_ARCH = $(M0) -DFL_PROFILE_MINIMAL
$(TARGET_DIR)/full-m3.elf $(TARGET_DIR)/full-m0.elf: FW_TEST = tests/target/selftest.c
$(TARGET_DIR)/minimal-m0.elf: FW_TEST = tests/target/selftest_minimal.c
$(FIRMWARES): $(TARGET_DEPS) tests/target/selftest.c tests/target/selftest_minimal.c
	@mkdir -p $(TARGET_DIR)
	$(TARGET_CC) $(FW_ARCH) $(TARGET_CFLAGS) $(TARGET_LIB_SRC) tests/target/startup.c \
	    tests/target/common.c $(FW_TEST) \
	    $(TARGET_LDFLAGS) -o $@

$(TARGET_DIR)/minimal-rv32.elf: FW_PROFILE = -DFL_PROFILE_MINIMAL
$(TARGET_DIR)/full-rv32.elf: FW_TEST = tests/target/selftest.c
$(TARGET_DIR)/minimal-rv32.elf: FW_TEST = tests/target/selftest_minimal.c
$(RISCV_FIRMWARES): $(TARGET_DEPS) tests/target/startup_riscv.c tests/target/riscv_virt.ld \
                    tests/target/selftest.c tests/target/selftest_minimal.c
	@mkdir -p $(TARGET_DIR)
	$(RISCV_CC) $(RISCV_ARCH) $(FW_PROFILE) $(TARGET_CFLAGS) $(TARGET_LIB_SRC) \
	    tests/target/startup_riscv.c tests/target/common.c $(FW_TEST) $(RISCV_LDFLAGS) -o $@

# run-firmware QEMU BOARD IMAGE: the image under QEMU with a time limit.
define run-firmware
	@echo "== qemu $(2): $(notdir $(3))"
	@timeout 60 $(1) -M $(2) -kernel $(3) || { echo "qemu-test: $(notdir $(3)) FAILED"; exit 1; }
endef

qemu-test: target-deps
	@$(MAKE) --no-print-directory $(FIRMWARES) $(RISCV_FIRMWARES)
	@for f in $(FIRMWARES) $(RISCV_FIRMWARES); do \
	    if arm-none-eabi-nm $$f | grep -Eq ' (malloc|calloc|realloc|free|_malloc_r)$$'; then \
	        echo "qemu-test: an allocator is linked into $$f"; exit 1; fi; done
	$(call run-firmware,$(QEMU),mps2-an385,$(TARGET_DIR)/full-m3.elf)
	$(call run-firmware,$(QEMU),microbit,$(TARGET_DIR)/full-m0.elf)
	$(call run-firmware,$(QEMU),microbit,$(TARGET_DIR)/minimal-m0.elf)
	$(call run-firmware,$(QEMU_RISCV),virt,$(TARGET_DIR)/full-rv32.elf)
	$(call run-firmware,$(QEMU_RISCV),virt,$(TARGET_DIR)/minimal-rv32.elf)

# What make size measures: the portable library without its ports, less
# fl_version (14 bytes, linked only where called) and the trace recorder
# with its exporters, trace*.c (costed apart, with the hooks).
SIZE_SRC = $(filter-out flowno/port/% flowno/core/version.c flowno/debug/trace%.c,$(PORTABLE_SRC))
SIZE_ENV = WARN="$(WARN)" SIZE_SRC="$(SIZE_SRC)"

size: target-deps
	@$(SIZE_ENV) sh tests/target/size.sh

# What a mix of features costs: make size-of CONFIG="-DFL_PROFILE_MINIMAL ..."
size-of: target-deps
	@$(SIZE_ENV) sh tests/target/size.sh --config "$(CONFIG)"

# How much stack the loop needs on each CPU (see tests/target/stack.awk).
stack: target-deps
	@$(SIZE_ENV) sh tests/target/size.sh --stack


# The library as one translation unit, the smallest build of it:
# build/amalgamation/flowno.c, for PORT's files (make amalgamation PORT=...).
AMALGAMATION_SRC = $(filter-out flowno/core/version.c,$(LIB_SRC))
amalgamation:
	@sh tests/target/amalgamate.sh build/amalgamation/flowno.c $(AMALGAMATION_SRC)
	@echo "amalgamation: build/amalgamation/flowno.c"

# make test: the amalgamation of each port builds clean with gcc and clang
# (the files' static names must not clash, their feature-test macros must
# come first), and the POSIX one runs the demo.
AMALGAMATION_PORTS = posix manual
test-amalgamation:
	@$(foreach port,$(AMALGAMATION_PORTS), \
	    sh tests/target/amalgamate.sh build/amalgamation-$(port)/flowno.c \
	        $(filter-out flowno/core/version.c,$(SRC_$(port))) && \
	    for cc in gcc clang; do \
	        $$cc $(WARN) -O2 -I. -c build/amalgamation-$(port)/flowno.c \
	            -o build/amalgamation-$(port)/flowno-$$cc.o \
	            || { echo "amalgamation PORT=$(port) with $$cc: FAILED"; exit 1; }; \
	    done &&) true
	@gcc $(WARN) -O2 -I. docs/examples/demo.c build/amalgamation-posix/flowno-gcc.o -pthread \
	    -o build/amalgamation-posix/demo
	@build/amalgamation-posix/demo > build/amalgamation-posix/demo.out \
	    || { cat build/amalgamation-posix/demo.out; echo "amalgamation: the demo FAILED"; exit 1; }
	@echo "amalgamation: one unit for each of $(AMALGAMATION_PORTS) builds clean with gcc and clang; the demo runs on it"
