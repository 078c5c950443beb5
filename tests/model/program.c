/* SPDX-License-Identifier: MIT */
/*
 * program.c - random scenarios: a seed (or a fuzzer's bytes) in, the tasks'
 * programs and the way the clock moves out.
 *
 * Programs are random but shaped so that they do something: the tasks form
 * a spawn tree (each task but the root has one parent that spawns it, and
 * often joins it), locks are taken in critical sections that release them,
 * and finally sections release locks and wake others.  Everything else is
 * picked by the weights of ops.c, on random objects, so that tasks also
 * join, cancel and wait on each other in ways no one planned.
 */
#include <string.h>

#include "model.h"

void rng_seed(rng *r, uint64_t seed)
{
    r->state = seed;
    r->data = NULL;
    r->len = r->pos = 0;
}

void rng_bytes(rng *r, const uint8_t *data, size_t len)
{
    r->state = 0;
    r->data = data;
    r->len = len;
    r->pos = 0;
}

/* splitmix64, or the next four input bytes (zeros once they run out, so
 * that a short input makes a small scenario). */
static uint32_t rng_next(rng *r)
{
    uint64_t z;
    if (r->data != NULL) {
        uint32_t v = 0;
        unsigned i;
        for (i = 0; i < 4; i++)
            v = v << 8 | (r->pos < r->len ? r->data[r->pos++] : 0u);
        return v;
    }
    z = (r->state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

unsigned rng_below(rng *r, unsigned n)
{
    return n == 0 ? 0 : rng_next(r) % n;
}

int rng_pct(rng *r, unsigned pct)
{
    return rng_below(r, 100) < pct;
}

/* ---- One program --------------------------------------------------------- */

typedef struct builder {
    scenario *sc;
    rng *r;
    unsigned self;
    op *ops;
    uint8_t *n;
    unsigned max;
    uint8_t posted_only[POOL_MAX]; /* tasks only ever posted (see model.h) */
} builder;

static int room(const builder *b, unsigned need)
{
    return *b->n + need <= b->max;
}

static void push(builder *b, unsigned kind, unsigned obj, int32_t arg)
{
    op *o = &b->ops[(*b->n)++];
    memset(o, 0, sizeof *o);
    o->kind = (uint8_t)kind;
    o->obj = (uint16_t)obj;
    o->arg = arg;
    o->prop = (uint8_t)rng_pct(b->r, 50);
    /* A deadline before a wait, mostly; now and then before something that
     * does not wait, which leaves it for the next wait. */
    if ((op_defs[kind].flags & OPF_WAIT) ? rng_pct(b->r, 25)
        : !(op_defs[kind].flags & (OPF_FLOW | OPF_ENDS)) && rng_pct(b->r, 4))
        o->timeout = 1 + rng_below(b->r, 40);
}

static unsigned pick_kind(builder *b, int in_finally)
{
    unsigned total = 0, k, at;
    for (k = 0; k < OP_COUNT; k++)
        if (!(op_defs[k].flags & OPF_POLL) || b->sc->mode == DRIVE_POLL)
            total += in_finally ? op_defs[k].weight_finally : op_defs[k].weight_body;
    at = rng_below(b->r, total);
    for (k = 0; k < OP_COUNT; k++) {
        unsigned w;
        if ((op_defs[k].flags & OPF_POLL) && b->sc->mode != DRIVE_POLL)
            continue;
        w = in_finally ? op_defs[k].weight_finally : op_defs[k].weight_body;
        if (at < w)
            return k;
        at -= w;
    }
    return OP_YIELD;
}

static int32_t pick_arg(builder *b, unsigned kind)
{
    switch (kind) {
    case OP_SLEEP:
        return rng_pct(b->r, 15) ? 0 : (int32_t)(1 + rng_below(b->r, 30));
    case OP_NOTIFY:
    case OP_NOTIFY_ASIDE:
        return (int32_t)rng_below(b->r, 3);
    case OP_LATCH_DOWN:
    case OP_LATCH_DOWN_ASIDE:
        return rng_pct(b->r, 50); /* error_if_zero */
    default:
        return 0;
    }
}

static void push_random(builder *b, int in_finally)
{
    unsigned kind = pick_kind(b, in_finally), obj = 0;
    switch (op_defs[kind].arg) {
    case ARG_TASK: obj = rng_below(b->r, b->sc->ntasks); break;
    case ARG_QUEUE: obj = rng_below(b->r, NQUEUE); break;
    case ARG_LOCK: obj = rng_below(b->r, NLOCK); break;
    case ARG_COND: obj = rng_below(b->r, NLOCK); break;
    case ARG_EVENT: obj = rng_below(b->r, NEVENT); break;
    case ARG_LATCH: obj = rng_below(b->r, NLATCH); break;
    default: break;
    }
    /* A critical section: lock, a little work (perhaps a condition wait),
     * unlock. */
    if (kind == OP_LOCK && !in_finally && room(b, 4)) {
        push(b, OP_LOCK, obj, 0);
        if (rng_pct(b->r, 50))
            push(b, OP_COND_WAIT, obj, 0);
        if (rng_pct(b->r, 50))
            push_random(b, 0);
        if (room(b, 1))
            push(b, rng_pct(b->r, 50) ? OP_UNLOCK : OP_UNLOCK_ASIDE, obj, 0);
        return;
    }
    push(b, kind, obj, pick_arg(b, kind));
}

/* The end of a body or a finally: now and then FL_RETURN, FL_FAIL or FL_EXIT. */
static void push_ending(builder *b)
{
    unsigned pick = rng_below(b->r, 1000);
    if (!room(b, 1))
        return;
    if (pick < 80)
        push(b, OP_RETURN, 0, (int32_t)(1000 + b->self));
    else if (pick < 130)
        push(b, OP_FAIL, 0, rng_pct(b->r, 10) ? 7 : -(int32_t)(1000 + rng_below(b->r, 50)));
    else if (pick < 134)
        push(b, OP_EXIT, 0, (int32_t)(500 + b->self));
    else if (pick < 137)
        push(b, OP_EXIT_ERROR, 0, rng_pct(b->r, 10) ? 0 : -(int32_t)(2000 + b->self));
}

static void gen_program(builder *b, const uint16_t *kids, unsigned nkids, int small)
{
    program *p = &b->sc->prog[b->self];
    unsigned extra = rng_below(b->r, small ? 3 : 11), k = 0, j;
    uint16_t to_join[BODY_MAX];
    unsigned njoin = 0;

    b->ops = p->body;
    b->n = &p->nbody;
    b->max = BODY_MAX - 1; /* room for the ending */
    /* A task of a flood spawns its children at once, then stays alive a
     * while, so that the table fills. */
    for (; small && k < nkids && room(b, 2); k++)
        push(b, b->posted_only[kids[k]] ? OP_POST : OP_SPAWN, kids[k], 0);
    if (small)
        push(b, OP_SLEEP, 0, (int32_t)(50 + rng_below(b->r, 50)));
    while ((k < nkids || extra > 0 || njoin > 0) && room(b, 1)) {
        unsigned pick = rng_below(b->r, 3);
        if (pick == 1 && njoin > 0) {
            j = rng_below(b->r, njoin);
            push(b, rng_pct(b->r, 85) ? OP_JOIN : OP_CANCEL, to_join[j], 0);
            to_join[j] = to_join[--njoin];
        } else if ((pick == 2 || (k == nkids && njoin == 0)) && extra > 0) {
            push_random(b, 0);
            extra--;
        } else if (k < nkids && b->posted_only[kids[k]]) {
            push(b, OP_POST, kids[k], 0);
            k++;
        } else if (k < nkids) {
            push(b, rng_pct(b->r, 90) ? OP_SPAWN : OP_SPAWN_C, kids[k], 0);
            if (rng_pct(b->r, 60))
                to_join[njoin++] = kids[k];
            k++;
        } else if (njoin > 0) {
            push(b, OP_JOIN, to_join[--njoin], 0);
        } else {
            push_random(b, 0);
            extra--;
        }
    }
    b->max = BODY_MAX;
    push_ending(b);

    p->has_finally = (uint8_t)rng_pct(b->r, 50);
    if (!p->has_finally)
        return;
    b->ops = p->fin;
    b->n = &p->nfin;
    b->max = FIN_MAX - 1;
    if (rng_pct(b->r, 60))
        push(b, OP_UNLOCK, rng_below(b->r, NLOCK), 0);
    extra = rng_below(b->r, 4);
    while (extra-- > 0 && room(b, 1))
        push_random(b, 1);
    b->max = FIN_MAX;
    if (rng_pct(b->r, 40))
        push_ending(b);
}

/* ---- The scenario ------------------------------------------------------- */

static fl_time pick_start(rng *r)
{
    switch (rng_below(r, 3)) {
    case 0: return 0;
    case 1: return (fl_time)rng_next(r) << (FL_TIME_BITS - 32);
    default: return (fl_time)0 - (fl_time)rng_below(r, 300); /* about to wrap */
    }
}

void scenario_generate(scenario *sc, rng *r)
{
    static builder b;
    static uint16_t kids[POOL_MAX][16];
    static unsigned nkids[POOL_MAX];
    int flood = rng_pct(r, 8);
    unsigned i;

    memset(sc, 0, sizeof *sc);
    memset(&b, 0, sizeof b);
    memset(nkids, 0, sizeof nkids);
    sc->mode = rng_pct(r, 40) ? DRIVE_POLL : DRIVE_RUN;
    sc->start = pick_start(r);
    if (flood)
        sc->ntasks = FL_MAX_TASKS + 1 + rng_below(r, 8) > POOL_MAX ? POOL_MAX
                                                                  : FL_MAX_TASKS + 1 + rng_below(r, 8);
    else
        sc->ntasks = 1 + rng_below(r, rng_pct(r, 50) ? 16 : 64);
    for (i = 0; i < NQUEUE; i++)
        sc->qcap[i] = 1 + rng_below(r, QCAP_MAX);
    for (i = 0; i < NLATCH; i++)
        sc->latch_count[i] = 1 + rng_below(r, 4);
    sc->run_flags = (rng_pct(r, 50) ? FL_RUN_JOIN : 0u) | (rng_pct(r, 20) ? FL_RUN_NO_WAIT : 0u);
    sc->max_wait = rng_pct(r, 80) ? 0 : 1 + rng_below(r, 10);
    sc->npre = rng_below(r, 4);
    if (sc->npre >= sc->ntasks)
        sc->npre = sc->ntasks - 1;
    sc->early_pct = rng_below(r, 20);
    sc->late_pct = rng_below(r, 30);
    sc->busy_pct = rng_below(r, 15);

    b.sc = sc;
    b.r = r;
    /* The spawn tree: the driver spawns 1..npre, every later task has an
     * earlier parent (with room for one more child), which spawns it, or in
     * a poll scenario now and then posts it. */
    for (i = sc->npre + 1; i < sc->ntasks; i++) {
        unsigned parent = rng_below(r, i), tries = 0;
        if (sc->mode == DRIVE_POLL && rng_pct(r, flood ? 30 : 10))
            b.posted_only[i] = 1; /* its parent posts it */
        while (nkids[parent] >= 16 && tries++ < 16)
            parent = rng_below(r, i);
        if (nkids[parent] < 16)
            kids[parent][nkids[parent]++] = (uint16_t)i;
    }
    for (i = 0; i < sc->ntasks; i++) {
        b.self = i;
        gen_program(&b, kids[i], nkids[i], flood && i > 0);
    }
}
