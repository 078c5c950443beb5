/* SPDX-License-Identifier: MIT */
/*
 * map_queue.c - values grouped under their key (Flowno's AsyncMapQueue).
 *
 * A map queue is an fl_queue of entries (a key, values, their count) in a
 * mode of its own.  A put is an entry too, with its key and usually one
 * value.  queue.c finds the entry queued with that key (fl_queue_find_,
 * set_queue.c), and here the values are added to it; a new key's entry
 * takes a place as any item, waiting while there is none.  Gets, peeks,
 * close and the waiters are the queue's, untouched.
 *
 * An entry's values are bounded by its array: more are refused with
 * FL_ENOSPC rather than waited for.  Flowno's lists have no bound, so no
 * Flowno program waits there; waiting would hold the putter until every
 * key queued before its own had been taken, and would need a wait list a
 * key.  The error leaves the values with the caller: nothing is lost.
 */
#include "../flowno_internal.h"

#if FL_ENABLE_MAP_QUEUE

int fl_map_queue_init_(fl_map_queue *mq, fl_loop *loop, void *storage, unsigned capacity,
                       fl_same_fn same, size_t entry_size, size_t key_size, size_t values_at,
                       size_t value_size, size_t max_values, size_t count_at)
{
    int rc;
    /* fl_map_queue_init passes a key size of 0 when the key is not first;
     * the count is a byte.  A NULL mq is fl_queue_init's to refuse (the
     * queue comes first). */
    if (FL_BAD_ARG_(key_size == 0 || max_values == 0 || max_values > 255))
        return FL_EINVAL;
    /* fl_queue_init refuses only bad arguments: without the checks it
     * cannot fail, and rc is 0 to the end. */
    rc = fl_queue_init((fl_queue *)(void *)mq, loop, storage, entry_size, capacity);
    if (FL_ENABLE_ARG_CHECKS && rc != 0)
        return rc;
    mq->queue.mode = FL_QUEUE_MAP_;
    mq->queue.same = same;
    mq->key_size = key_size;
    mq->values_at = values_at;
    mq->value_size = value_size;
    mq->count_at = count_at;
    mq->max_values = max_values;
    return rc;
}

FL_INTERNAL_ int fl_map_merge_(fl_queue *q, unsigned char *twin, const void *entry)
{
    const fl_map_queue *m = (const fl_map_queue *)(const void *)q; /* queue first */
    const unsigned char *in = (const unsigned char *)entry;
    unsigned n = in[m->count_at], had;

    if (n == 0 || n > m->max_values)
        return FL_EINVAL;
    if (twin == NULL)
        return FL_EAGAIN; /* a new key: its entry takes a place */
    had = twin[m->count_at];
    if (had + n > m->max_values)
        return FL_ENOSPC; /* all or nothing */
    twin[m->count_at] = (unsigned char)(had + n);
    fl_copy_(twin + m->values_at + had * m->value_size, in + m->values_at, n * m->value_size);
    FL_HOOK_(q->loop, queue_put, q, entry);
    return FL_QUEUE_PRESENT;
}

#endif /* FL_ENABLE_MAP_QUEUE */
