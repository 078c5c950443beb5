# SPDX-License-Identifier: MIT
# arm-none-eabi.cmake - a CMake toolchain file for bare-metal Arm with the
# GNU Arm toolchain (arm-none-eabi-gcc and newlib-nano):
#
#   cmake -S . -B build/m0plus -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake \
#         -DFLOWNO_ARM_CPU=cortex-m0plus
#
# FLOWNO_ARM_CPU is gcc's -mcpu (cortex-m0plus by default; cortex-m3,
# cortex-m4, ...); add a float ABI, if you want one, to CMAKE_C_FLAGS.
# flowno's port then defaults to cortex_m.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

if(NOT DEFINED FLOWNO_ARM_CPU)
    set(FLOWNO_ARM_CPU cortex-m0plus)
endif()
# try_compile projects read this file again: hand them the CPU.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES FLOWNO_ARM_CPU)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
# No operating system to run a test program on: probe with a library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_C_FLAGS_INIT "-mcpu=${FLOWNO_ARM_CPU} -mthumb -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "-mcpu=${FLOWNO_ARM_CPU} -mthumb")
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=nano.specs -Wl,--gc-sections")

# Programs (qemu, ...) are the host's.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
