/* SPDX-License-Identifier: MIT */
/*
 * main.c - run scenarios from seeds.
 *
 *   model --seed N           one seed (what a failure says to run)
 *   model --first A --count N   seeds A..A+N-1 (make test's fixed batch)
 *   model --seconds S [--first A]   fresh seeds until S seconds have passed
 *   --log                    print every record as it comes
 *   --stats                  count what the runs went through
 *
 * A failure prints the seed, the configuration, the records that show it
 * and the line that reproduces it, and exits with status 1.
 */
#define _POSIX_C_SOURCE 200809L /* getpid */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model.h"

extern int log_verbose;

static unsigned long long total_ops;

static void run_seed(const char *argv0, uint64_t seed)
{
    static scenario sc;
    char repro[512];
    rng r;
    rng_seed(&r, seed);
    scenario_generate(&sc, &r);
    sc.seed = seed;
    snprintf(repro, sizeof repro, "%s --seed %llu", argv0, (unsigned long long)seed);
    log_set_repro(repro);
    log_reset(&sc);
    model_reset(&sc);
    driver_run(&sc, &r);
    total_ops += log_ops();
}

static uint64_t fresh_seed(void)
{
    uint64_t s = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid() << 20;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f != NULL) {
        if (fread(&s, sizeof s, 1, f) != 1)
            s ^= 0x5DEECE66Du;
        fclose(f);
    }
    return s >> 16; /* short enough to type */
}

int main(int argc, char **argv)
{
    uint64_t first = 1, count = 200, i;
    double seconds = 0;
    int one = 0, a, fresh = 1, stats = 0;
    time_t start = time(NULL);

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc)
            first = strtoull(argv[++a], NULL, 0), one = 1, fresh = 0;
        else if (strcmp(argv[a], "--first") == 0 && a + 1 < argc)
            first = strtoull(argv[++a], NULL, 0), fresh = 0;
        else if (strcmp(argv[a], "--count") == 0 && a + 1 < argc)
            count = strtoull(argv[++a], NULL, 0);
        else if (strcmp(argv[a], "--seconds") == 0 && a + 1 < argc)
            seconds = atof(argv[++a]);
        else if (strcmp(argv[a], "--log") == 0)
            log_verbose = 1;
        else if (strcmp(argv[a], "--stats") == 0)
            stats = 1;
        else {
            fprintf(stderr, "usage: %s [--seed N | --first A --count N | --seconds S [--first A]] [--log]\n",
                    argv[0]);
            return 2;
        }
    }
    if (one) {
        run_seed(argv[0], first);
        printf("model %s: seed %llu passed, %lu operations, %lu records\n", config_name(),
               (unsigned long long)first, log_ops(), log_count());
        return 0;
    }
    if (seconds > 0) {
        if (fresh)
            first = fresh_seed();
        for (i = first;; i++) {
            run_seed(argv[0], i);
            if (difftime(time(NULL), start) >= seconds)
                break;
        }
        count = i - first + 1;
    } else {
        for (i = first; i < first + count; i++)
            run_seed(argv[0], i);
    }
    if (stats)
        for (a = 0; a < N_NOTE_COUNT; a++)
            printf("  %-32s %lu\n", model_note_names[a], model_notes[a]);
    printf("model %s: %llu seeds (%llu..%llu) passed, %llu operations\n", config_name(),
           (unsigned long long)count, (unsigned long long)first,
           (unsigned long long)(first + count - 1), total_ops);
    return 0;
}
