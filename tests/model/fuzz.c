/* SPDX-License-Identifier: MIT */
/*
 * fuzz.c - the libFuzzer entry point: the input's bytes make the choices
 * that a seed makes otherwise (the scenario, then how the clock moves),
 * over the same generator, driver and model.  A failure aborts, so that
 * libFuzzer keeps the input: run the fuzzer binary on that file to see it.
 */
#include <stdio.h>

#include "model.h"

extern int log_abort;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static scenario sc;
    rng r;
    log_abort = 1;
    log_set_repro("run the fuzzer binary on the crash file it saved");
    rng_bytes(&r, data, size);
    scenario_generate(&sc, &r);
    sc.seed = 0;
    log_reset(&sc);
    model_reset(&sc);
    driver_run(&sc, &r);
    return 0;
}
