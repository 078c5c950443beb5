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
    if (FL_BAD_ARG_(q == NULL || loop == NULL || storage == NULL || item_size == 0 ||
                    capacity == 0))
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

/* Copy an item.  Where speed counts more than size, the common sizes get
 * a copy of their own instead of a call of memcpy for a size it learns at
 * run time. */
static inline void copy_item(const fl_queue *q, void *dst, const void *src)
{
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
    if (q->item_size == 8) {
        __builtin_memcpy(dst, src, 8);
        return;
    }
    if (q->item_size == 4) {
        __builtin_memcpy(dst, src, 4);
        return;
    }
#endif
    fl_copy_(dst, src, q->item_size);
}

/* Wake the oldest task on `list`, its item or place set aside for it
 * (counted in `*reserved`).  Where speed counts, the list is looked at
 * before the call: it is usually empty. */
static inline void wake_reserved(fl_queue *q, fl_waitq *list, unsigned *reserved)
{
#if !defined(__OPTIMIZE_SIZE__)
    if (list->head == FL_SLOT_NONE)
        return;
#endif
    *reserved += fl_wake_first_(q->loop, &list->head, FL_QUEUE_RETRY_);
}

/* Peekers are told to look again, and keep their deadlines: unlike a
 * getter, a peeker has no item set aside, and may find it taken and wait
 * once more. */
static inline void wake_peekers(fl_queue *q)
{
    while (q->peekers.head != FL_SLOT_NONE) {
        fl_task *t = fl_at_(q->loop, q->peekers.head);
        fl_list_remove_(q->loop, &q->peekers.head, t);
        t->wait.value = FL_QUEUE_RETRY_;
        fl_ready_push_(q->loop, t);
        FL_READY_HOOK_(q->loop, t, FL_READY_WOKEN, &q->peekers);
    }
}

#if FL_HAS_KEYED_QUEUE_
/* A set or map queue: a put whose item (key) is queued already merges
 * into that item instead of taking a place: a set queue drops it, a map
 * queue adds its values (map_queue.c).  FL_EAGAIN when it is not there.
 * Putters wait only while no place is free, so one that is free after a
 * merge was set aside for a woken putter: it is the next putter's. */
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
__attribute__((noinline)) /* at -O2 it would keep the plain put out of line */
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
        wake_reserved(q, &q->putters, &q->put_reserved);
    return rc;
}
#endif

/* A put, get or peek (`op`, a queue command) without waiting: 0,
 * FL_ECLOSED, FL_EAGAIN when it would wait (every place taken or promised
 * to a woken putter; no item but those promised to woken getters), or a
 * set or map queue's answer.  The _RESERVED forms are a woken waiter's,
 * whose place or item was set aside for it.  A put appends and wakes the
 * oldest getter, a get takes the oldest item and wakes the oldest putter;
 * a peek changes nothing, and sees every item. */
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
__attribute__((always_inline)) /* the command's answer at once: the speed path */
#endif
static inline int queue_now(fl_queue *q, void *item, int op)
{
    if (FL_BAD_ARG_(q == NULL || q->loop == NULL || item == NULL))
        return FL_EINVAL;
    if (op == FL_OP_QUEUE_PUT || op == FL_OP_QUEUE_PUT_RESERVED) {
        q->put_reserved -= op == FL_OP_QUEUE_PUT_RESERVED;
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
        copy_item(q, fl_queue_slot_(q, q->count), item);
        q->count++;
        FL_HOOK_(q->loop, queue_put, q, item);
        wake_reserved(q, &q->getters, &q->get_reserved);
        wake_peekers(q);
        return 0;
    }
    q->get_reserved -= op == FL_OP_QUEUE_GET_RESERVED;
    if (q->count <= (op == FL_OP_QUEUE_PEEK ? 0 : q->get_reserved))
        return q->closed ? FL_ECLOSED : FL_EAGAIN;
    copy_item(q, item, fl_queue_slot_(q, 0));
    if (op != FL_OP_QUEUE_PEEK) {
        FL_HOOK_(q->loop, queue_get, q, item);
        if (++q->head == q->capacity)
            q->head = 0;
        q->count--;
        wake_reserved(q, &q->putters, &q->put_reserved);
    }
    return 0;
}

/* The public forms pass the item as the commands do, through a plain
 * pointer: a put only reads it, a peek changes nothing. */
#define FL_ANY_PTR_(p) ((void *)(uintptr_t)(p))

int fl_queue_try_put(fl_queue *q, const void *item)
{
    return queue_now(q, FL_ANY_PTR_(item), FL_OP_QUEUE_PUT);
}

int fl_queue_try_get(fl_queue *q, void *item)
{
    return queue_now(q, item, FL_OP_QUEUE_GET);
}

int fl_queue_peek(const fl_queue *q, void *item)
{
    return queue_now((fl_queue *)FL_ANY_PTR_(q), item, FL_OP_QUEUE_PEEK);
}

int fl_queue_close(fl_queue *q)
{
    if (FL_BAD_ARG_(q == NULL || q->loop == NULL))
        return FL_EINVAL;
    q->closed = 1;
    fl_wake_all_(q->loop, &q->getters.head, FL_ECLOSED);
    fl_wake_all_(q->loop, &q->peekers.head, FL_ECLOSED);
    fl_wake_all_(q->loop, &q->putters.head, FL_ECLOSED);
    return 0;
}

/* The command handler: every queue command.  A woken waiter's place or
 * item is already set aside for it, so its retry never waits. */
FL_INTERNAL_ int fl_queue_op_(fl_loop *loop, fl_task *t, fl_queue *q, int op)
{
    int rc;
    if (FL_BAD_ARG_(q != NULL && q->loop != loop))
        return FL_EINVAL; /* another loop's, or never initialised */
    rc = queue_now(q, t->wait.obj, op);
    if (rc != FL_EAGAIN)
        return rc;
    fl_wait_on_(loop,
                op == FL_OP_QUEUE_PUT   ? &q->putters.head
                : op == FL_OP_QUEUE_GET ? &q->getters.head
                                        : &q->peekers.head,
                t, FL_TASK_WAITING);
    return 1;
}

#endif /* FL_ENABLE_QUEUE */
