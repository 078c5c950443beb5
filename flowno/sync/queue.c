/* SPDX-License-Identifier: MIT */
/*
 * queue.c - a bounded FIFO of fixed-size items over caller storage.
 *
 * A put that finds getters waiting wakes the oldest and reserves an item
 * for it; the getter takes it when it runs (FL_OP_QUEUE_GET_RESERVED, which
 * is answered at once and so cannot be cancelled half-way).  Newcomers see
 * only unreserved items, so waiters are served in order and an item is
 * never lost: a getter cancelled while it still waits holds no reservation.
 * Gets wake putters the same way.  Hence getters wait only while no item is
 * available, which is why closing can answer them all with FL_ECLOSED.
 *
 * Set and map queues (set_queue.c, map_queue.c) are this queue in another
 * mode: a put first looks for its item (its key) among those queued, and
 * merges into it instead of taking a place.  A woken putter that merges
 * after all leaves the place set aside for it to the next putter.
 */

#include "../flowno_internal.h"

#if FL_ENABLE_QUEUE

int fl_queue_init(fl_queue *q, fl_loop *loop, void *storage, size_t item_size,
                  unsigned capacity)
{
    if (q == NULL || loop == NULL || storage == NULL || item_size == 0 || capacity == 0)
        return FL_EINVAL;
    q->loop = loop;
    q->items = (unsigned char *)storage;
    q->item_size = item_size;
    q->capacity = capacity;
    q->head = q->count = 0;
    q->get_reserved = q->put_reserved = 0;
    q->closed = 0;
    q->mode = 0;
#if FL_HAS_KEYED_QUEUE_
    q->same = NULL;
#endif
    fl_waitq_init(&q->getters, FL_WAIT_QUEUE_GET);
    fl_waitq_init(&q->putters, FL_WAIT_QUEUE_PUT);
    fl_waitq_init(&q->peekers, FL_WAIT_QUEUE_PEEK);
    return 0;
}

/* Peekers are told to look again, and keep their deadlines: unlike a
 * getter, a peeker has no item set aside, and may find it taken and wait
 * once more. */
static void wake_peekers(fl_queue *q)
{
    while (q->peekers.head != FL_SLOT_NONE) {
        fl_task *t = fl_at_(q->loop, q->peekers.head);
        fl_list_remove_(q->loop, &q->peekers.head, t);
        t->wait.value = FL_QUEUE_RETRY_;
        fl_ready_push_(q->loop, t);
        FL_READY_HOOK_(q->loop, t, FL_READY_WOKEN, &q->peekers);
    }
}

/* Append one item; the oldest waiting getter gets it reserved.  Inline
 * for the reason try_store is: GCC -O2 stopped inlining it by itself. */
static inline void store(fl_queue *q, const void *item)
{
    fl_copy_(fl_queue_slot_(q, q->count), item, q->item_size);
    q->count++;
    FL_HOOK_(q->loop, queue_put, q, item);
    if (fl_wake_first_(q->loop, &q->getters.head, FL_QUEUE_RETRY_))
        q->get_reserved++;
    wake_peekers(q);
}

/* Copy out the oldest item that is not among the `promised` first ones
 * (those set aside for woken getters): 0, FL_ECLOSED once closed and
 * drained, or FL_EAGAIN.  A peek promises nothing away, so it sees every
 * item; it changes nothing, so the queue may be const. */
static int copy_oldest(const fl_queue *q, void *item, unsigned promised)
{
    if (q->count <= promised)
        return q->closed ? FL_ECLOSED : FL_EAGAIN;
    fl_copy_(item, fl_queue_slot_(q, 0), q->item_size);
    return 0;
}

/* A place is free: the oldest waiting putter gets it reserved. */
static void free_place(fl_queue *q)
{
    if (fl_wake_first_(q->loop, &q->putters.head, FL_QUEUE_RETRY_))
        q->put_reserved++;
}

#if FL_HAS_KEYED_QUEUE_
/* A set or map queue: a put whose item (key) is queued already merges
 * into that item instead of taking a place: a set queue drops it, a map
 * queue adds its values (map_queue.c).  FL_EAGAIN when it is not there.
 * Putters wait only while no place is free, so one that is free after a
 * merge was set aside for a woken putter: it is the next putter's. */
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
__attribute__((noinline)) /* at -O2 it would keep try_store out of line */
#endif
static int merge(fl_queue *q, const void *item)
{
    unsigned char *twin = fl_queue_find_(q, item);
    int rc = twin != NULL ? FL_QUEUE_PRESENT : FL_EAGAIN;
#if FL_ENABLE_MAP_QUEUE
    if (q->mode == FL_QUEUE_MAP_)
        rc = fl_map_merge_(q, twin, item);
#endif
    if (rc != FL_EAGAIN && q->count + q->put_reserved < q->capacity)
        free_place(q);
    return rc;
}
#endif

/* Put without waiting: 0, FL_ECLOSED, or FL_EAGAIN when every place is
 * taken or promised to a woken putter; a set or map queue's answer when
 * the item merged into one queued.  Inline: at -O2 a call here costs
 * the queue benchmark 5% more instructions; at -Os it changes nothing. */
static inline int try_store(fl_queue *q, const void *item)
{
    if (q->closed)
        return FL_ECLOSED;
#if FL_HAS_KEYED_QUEUE_
    if (q->mode != 0) {
        int rc = merge(q, item);
        if (rc != FL_EAGAIN)
            return rc;
    }
#endif
    if (q->count + q->put_reserved >= q->capacity)
        return FL_EAGAIN;
    store(q, item);
    return 0;
}

/* Get without waiting: copy_oldest, then the item leaves the queue and
 * the oldest waiting putter gets its place. */
static inline int try_take(fl_queue *q, void *item)
{
    int rc = copy_oldest(q, item, q->get_reserved);
    if (rc != 0)
        return rc;
    FL_HOOK_(q->loop, queue_get, q, item);
    if (++q->head == q->capacity)
        q->head = 0;
    q->count--;
    free_place(q);
    return 0;
}

int fl_queue_try_put(fl_queue *q, const void *item)
{
    if (q == NULL || q->loop == NULL || item == NULL)
        return FL_EINVAL;
    return try_store(q, item);
}

int fl_queue_try_get(fl_queue *q, void *item)
{
    if (q == NULL || q->loop == NULL || item == NULL)
        return FL_EINVAL;
    return try_take(q, item);
}

int fl_queue_peek(const fl_queue *q, void *item)
{
    if (q == NULL || q->loop == NULL || item == NULL)
        return FL_EINVAL;
    return copy_oldest(q, item, 0);
}

int fl_queue_close(fl_queue *q)
{
    if (q == NULL || q->loop == NULL)
        return FL_EINVAL;
    q->closed = 1;
    fl_wake_all_(q->loop, &q->getters.head, FL_ECLOSED);
    fl_wake_all_(q->loop, &q->peekers.head, FL_ECLOSED);
    fl_wake_all_(q->loop, &q->putters.head, FL_ECLOSED);
    return 0;
}

unsigned fl_queue_len(const fl_queue *q)
{
    return q == NULL ? 0 : q->count;
}

bool fl_queue_closed(const fl_queue *q)
{
    return q != NULL && q->closed;
}

/* The command handlers.  A woken waiter's place or item is already set
 * aside for it (the counts of reservations), so its retry cannot fail
 * with FL_EAGAIN. */
FL_INTERNAL_ int fl_queue_put_(fl_loop *loop, fl_task *t, fl_queue *q, bool reserved)
{
    int rc;
    if (q == NULL || q->loop != loop || t->wait.item == NULL)
        return FL_EINVAL;
    q->put_reserved -= reserved; /* branch-free: 6 bytes less on Thumb */
    rc = try_store(q, t->wait.item);
    if (rc != FL_EAGAIN)
        return rc;
    fl_wait_on_(loop, &q->putters.head, t, FL_TASK_WAITING);
    return 1;
}

FL_INTERNAL_ int fl_queue_get_(fl_loop *loop, fl_task *t, fl_queue *q, int op)
{
    int rc;
    if (q == NULL || q->loop != loop || t->wait.obj == NULL)
        return FL_EINVAL;
    if (op == FL_OP_QUEUE_GET_RESERVED)
        q->get_reserved--;
    rc = op == FL_OP_QUEUE_PEEK ? copy_oldest(q, t->wait.obj, 0) : try_take(q, t->wait.obj);
    if (rc != FL_EAGAIN)
        return rc;
    fl_wait_on_(loop, op == FL_OP_QUEUE_PEEK ? &q->peekers.head : &q->getters.head, t,
                FL_TASK_WAITING);
    return 1;
}

#endif /* FL_ENABLE_QUEUE */
