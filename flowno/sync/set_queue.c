/* SPDX-License-Identifier: MIT */
/*
 * set_queue.c - a queue that holds an item at most once (Flowno's
 * AsyncSetQueue), and the lookup that set and map queues share.
 *
 * A set queue is an fl_queue in another mode: before a put takes a place,
 * queue.c looks for an equal item with fl_queue_find_, and a put that
 * finds one is dropped (a map queue adds the values to the entry found).  An
 * item counts as queued from its put until a getter takes it, also while
 * it is promised to a woken getter that has not run yet: that getter will
 * have it, so an equal item put meanwhile would be a second copy.  This is
 * Flowno's rule too: its item stays in the deque until the getter runs.
 */
#include "../flowno_internal.h"

#if FL_HAS_KEYED_QUEUE_

/* A plain loop, not memcmp: the library needs no more of libc than
 * memcpy, memset and strlen. */
static bool same_bytes(const unsigned char *a, const unsigned char *b, size_t n)
{
    size_t i = 0;
    while (i < n && a[i] == b[i])
        i++;
    return i == n;
}

/* The bytes of an item that make its key: all of a set queue's item. */
static size_t key_size(const fl_queue *q)
{
#if FL_ENABLE_MAP_QUEUE
    if (q->mode == FL_QUEUE_MAP_) /* an entry's key comes first */
        return ((const fl_map_queue *)(const void *)q)->key_size;
#endif
    return q->item_size;
}

unsigned char *fl_queue_find_(const fl_queue *q, const void *key)
{
    unsigned i;
    for (i = 0; i < q->count; i++) {
        unsigned char *item = fl_queue_slot_(q, i);
        bool same = q->same != NULL ? q->same(item, key)
                                    : same_bytes(item, (const unsigned char *)key, key_size(q));
        if (same)
            return item;
    }
    return NULL;
}

#endif /* FL_HAS_KEYED_QUEUE_ */
