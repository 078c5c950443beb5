/* SPDX-License-Identifier: MIT */
/*
 * set_queue.c - a queue that holds an item at most once (Flowno's
 * AsyncSetQueue), and the lookup that set and map queues share.
 *
 * A set queue is an fl_queue in another mode: before a put takes a place,
 * queue.c asks fl_queue_merge_, and a put whose item equals one queued is
 * dropped (a map queue adds the values to the entry found instead).  An
 * item counts as queued from its put until a getter takes it, also while
 * it is promised to a woken getter that has not run yet: that getter will
 * have it, so an equal item put meanwhile would be a second copy.  This is
 * Flowno's rule too: its item stays in the deque until the getter runs.
 */
#include "../flowno_internal.h"

#if FL_HAS_KEYED_QUEUE_

unsigned char *fl_queue_find_(const fl_queue *q, const void *key)
{
    size_t size = q->item_size; /* a set queue's item is its own key */
    unsigned i;

#if FL_ENABLE_MAP_QUEUE
    if (q->mode == FL_QUEUE_MAP_) /* an entry's key comes first */
        size = ((const fl_map_queue *)(const void *)q)->key_size;
#endif
    for (i = 0; i < q->count; i++) {
        unsigned char *item = fl_queue_slot_(q, i);
        if (q->same != NULL ? q->same(item, key) : fl_same_bytes_(item, key, size))
            return item;
    }
    return NULL;
}

int fl_queue_merge_(fl_queue *q, const void *item)
{
    unsigned char *twin = fl_queue_find_(q, item);
#if FL_ENABLE_MAP_QUEUE
    if (q->mode == FL_QUEUE_MAP_)
        return fl_map_merge_(q, twin, item);
#endif
    return twin != NULL ? FL_QUEUE_PRESENT : FL_EAGAIN; /* a set queue drops it */
}

bool fl_queue_contains(const fl_queue *q, const void *key)
{
    /* An all-zero struct holds nothing: no test of it needed here. */
    return q != NULL && key != NULL && fl_queue_find_(q, key) != NULL;
}

#endif /* FL_HAS_KEYED_QUEUE_ */

#if FL_ENABLE_SET_QUEUE
int fl_set_queue_init(fl_queue *q, fl_loop *loop, void *storage, size_t item_size,
                      unsigned capacity, fl_same_fn same)
{
    int rc = fl_queue_init(q, loop, storage, item_size, capacity);
    if (rc == 0) {
        q->mode = FL_QUEUE_SET_;
        q->same = same;
    }
    return rc;
}
#endif
