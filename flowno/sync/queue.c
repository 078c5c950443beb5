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
 *
 * The commands are answered twice over, with the same rules: where speed
 * counts a put and a get of their own, each inlined where it is asked;
 * where size counts (-Os) one function for every command.
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
    fl_waitq_init(&q->peekers, FL_WAIT_QUEUE_PEEK);
    fl_waitq_init(&q->putters, FL_WAIT_QUEUE_PUT);
    return 0;
}

/* The wait lists follow each other in the order of the commands that
 * wait on them, FL_OP_QUEUE_GET, _PEEK and _PUT, which is also the order
 * closing wakes them in: list `k` is found by its offset, with no test. */
FL_BUILD_CHECK_(fl_queue_lists_in_order_,
                offsetof(fl_queue, peekers) == offsetof(fl_queue, getters) + sizeof(fl_waitq) &&
                    offsetof(fl_queue, putters) == offsetof(fl_queue, peekers) + sizeof(fl_waitq) &&
                    FL_OP_QUEUE_PEEK == FL_OP_QUEUE_GET + 1 &&
                    FL_OP_QUEUE_PUT == FL_OP_QUEUE_GET + 2);

static fl_waitq *queue_list(fl_queue *q, unsigned k)
{
    return (fl_waitq *)(void *)((unsigned char *)q + offsetof(fl_queue, getters) +
                                k * sizeof(fl_waitq));
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
 * (counted in `*reserved`). */
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
__attribute__((noinline)) /* out of the way of the puts and gets that wake nobody */
#endif
static void wake_oldest(fl_queue *q, fl_waitq *list, unsigned *reserved)
{
    *reserved += fl_wake_first_(q->loop, &list->last, FL_QUEUE_RETRY_) != NULL;
}

/* Peekers are told to look again, and keep their deadlines (which
 * fl_wake_ would drop): unlike a getter, a peeker has no item set aside,
 * and may find it taken and wait once more.  Every one leaves, oldest
 * first. */
static void wake_peekers(fl_queue *q)
{
    while (q->peekers.last != FL_SLOT_NONE) {
        fl_task *t = fl_list_pop_(q->loop, &q->peekers.last);
        t->wait.value = FL_QUEUE_RETRY_;
        fl_ready_push_(q->loop, t);
        FL_READY_HOOK_(q->loop, t, FL_READY_WOKEN, &q->peekers);
    }
}

#if FL_HAS_KEYED_QUEUE_
/* A set or map queue: a put whose item (key) is queued already merges
 * into that item instead of taking a place: a set queue drops it, a map
 * queue adds its values (map_queue.c).  FL_EAGAIN when it is not there. */
static int merge(fl_queue *q, const void *item)
{
    unsigned char *twin = fl_queue_find_(q, item);
#if FL_ENABLE_MAP_QUEUE
    if (q->mode == FL_QUEUE_MAP_)
        return fl_map_merge_(q, twin, item);
#endif
    return twin != NULL ? FL_QUEUE_PRESENT : FL_EAGAIN;
}
#endif

/* The oldest item leaves the ring. */
static inline void leave(fl_queue *q)
{
    if (++q->head == q->capacity)
        q->head = 0;
    q->count--;
}

/* The public forms pass the item as the commands do, through a plain
 * pointer: a put only reads it, a peek changes nothing. */
#define FL_ANY_PTR_(p) ((void *)(uintptr_t)(p))

#if !defined(__OPTIMIZE_SIZE__)

/* The command's answer at once: the speed path (not at -O0, where
 * debuggers and gcov see each function once). */
#if defined(__GNUC__) && defined(__OPTIMIZE__)
#define FL_QUEUE_HOT_ __attribute__((always_inline))
#else
#define FL_QUEUE_HOT_
#endif

/* Wake the oldest on `list`, looking at the list first: it is usually
 * empty. */
static inline void wake_reserved(fl_queue *q, fl_waitq *list, unsigned *reserved)
{
    if (list->last != FL_SLOT_NONE)
        wake_oldest(q, list, reserved);
}

/* A woken waiter (`woken`) uses up its reservation; a retry command sent
 * by hand, with none set aside, is refused (FL_EINVAL), so that it can
 * neither take another's item or place nor wait (a retry has no list). */
#define USE_RESERVATION(count, woken)                     \
    do {                                                  \
        if (woken) {                                      \
            if (FL_BAD_((count) == 0, FL_EINVAL))         \
                return FL_EINVAL;                         \
            (count)--;                                    \
        }                                                 \
    } while (0)

/* A put's append: FL_EAGAIN when every place is taken or promised to a
 * woken putter, else 0, and the oldest getter gets the item reserved.
 * `hooked`: the hooks may be attached (the in-task path knows they are
 * not).  Nothing is called when nobody waits and the size is a common
 * one: no registers to save. */
FL_QUEUE_HOT_ static inline int store(fl_queue *q, const void *item, bool hooked)
{
    (void)hooked;
    if (q->count + q->put_reserved >= q->capacity)
        return FL_EAGAIN;
    copy_item(q, fl_queue_slot_(q, q->count), item);
    q->count++;
    if (hooked)
        FL_HOOK_(q->loop, queue_put, q, item);
    if (q->getters.last == FL_SLOT_NONE && q->peekers.last == FL_SLOT_NONE)
        return 0;
    wake_reserved(q, &q->getters, &q->get_reserved);
    wake_peekers(q);
    return 0;
}

#if FL_HAS_KEYED_QUEUE_
/* A put into a set or map queue that merges (merge) takes no place: the
 * place set aside for a woken putter is then the next putter's. */
static int put_merged(fl_queue *q, const void *item, bool reserved)
{
    int rc = merge(q, item);
    if (rc != FL_EAGAIN && reserved)
        wake_reserved(q, &q->putters, &q->put_reserved);
    return rc;
}

#if defined(__GNUC__)
/* The plain put only jumps here, so that it saves no registers. */
__attribute__((noinline)) static int put_keyed(fl_queue *q, const void *item, bool reserved,
                                               bool hooked)
{
    int rc = put_merged(q, item, reserved);
    return rc != FL_EAGAIN ? rc : store(q, item, hooked);
}
#endif
#endif

/* A put without waiting: 0, FL_ECLOSED, FL_EAGAIN (store), or a set or
 * map queue's answer.  `reserved`: a woken putter's, whose place was set
 * aside for it. */
FL_QUEUE_HOT_ static inline int put_now(fl_queue *q, const void *item, bool reserved,
                                        bool hooked)
{
    USE_RESERVATION(q->put_reserved, reserved);
    if (q->closed)
        return FL_ECLOSED;
#if FL_HAS_KEYED_QUEUE_ && defined(__GNUC__)
    if (q->mode != 0)
        return put_keyed(q, item, reserved, hooked);
#elif FL_HAS_KEYED_QUEUE_
    if (q->mode != 0) {
        int rc = put_merged(q, item, reserved);
        if (rc != FL_EAGAIN)
            return rc;
    }
#endif
    return store(q, item, hooked);
}

/* A get or peek (`op`, the command) without waiting: 0, FL_ECLOSED once
 * closed and drained, or FL_EAGAIN when no item is there but those
 * promised to woken getters (FL_OP_QUEUE_GET_RESERVED: a woken getter's,
 * one of them).  A get takes the oldest item and wakes the oldest putter;
 * a peek changes nothing, and sees every item. */
FL_QUEUE_HOT_ static inline int get_now(fl_queue *q, void *item, int op, bool hooked)
{
    unsigned char *oldest;
    (void)hooked;
    USE_RESERVATION(q->get_reserved, op == FL_OP_QUEUE_GET_RESERVED);
    if (q->count <= (op == FL_OP_QUEUE_PEEK ? 0 : q->get_reserved))
        return q->closed ? FL_ECLOSED : FL_EAGAIN;
    oldest = fl_queue_slot_(q, 0);
    /* Measured: the ring moves on first (4 instructions less an item).
     * Nothing is put meanwhile. */
    if (op != FL_OP_QUEUE_PEEK)
        leave(q);
    copy_item(q, item, oldest);
    if (op == FL_OP_QUEUE_PEEK)
        return 0;
    if (hooked)
        FL_HOOK_(q->loop, queue_get, q, item);
    wake_reserved(q, &q->putters, &q->put_reserved);
    return 0;
}

/* Any queue command without waiting, its arguments checked. */
FL_QUEUE_HOT_ static inline int queue_now(fl_queue *q, const void *item, int op)
{
    if (FL_BAD_ARG_(q == NULL || q->loop == NULL || item == NULL))
        return FL_EINVAL;
    if (op == FL_OP_QUEUE_PUT || op == FL_OP_QUEUE_PUT_RESERVED)
        return put_now(q, item, op == FL_OP_QUEUE_PUT_RESERVED, true);
    return get_now(q, FL_ANY_PTR_(item), op, true);
}

#else /* __OPTIMIZE_SIZE__ */

/* The retries come before the commands that may wait (enum fl_op). */
FL_BUILD_CHECK_(fl_queue_retries_first_,
                FL_OP_QUEUE_PUT_RESERVED < FL_OP_YIELD && FL_OP_QUEUE_GET_RESERVED < FL_OP_YIELD &&
                    FL_OP_QUEUE_GET >= FL_OP_YIELD);

/* Any queue command without waiting, its arguments checked: the rules of
 * put_now and get_now above in one function, where size counts.  A put
 * and a get each check their room, copy (the other way round) and wake
 * the oldest on the other side's list; a put wakes the peekers too, and
 * a woken putter whose put merges passes its place on as a get does. */
static int queue_now(fl_queue *q, const void *item, int op)
{
    bool put, woken;
    unsigned char *slot;
    int rc = 0;
    if (FL_BAD_ARG_(q == NULL || item == NULL || q->loop == NULL))
        return FL_EINVAL;
    put = op == FL_OP_QUEUE_PUT || op == FL_OP_QUEUE_PUT_RESERVED;
    woken = op < FL_OP_YIELD; /* a retry: FL_OP_QUEUE_PUT_RESERVED or _GET_RESERVED */
    if (woken) { /* a woken waiter uses up the place or item set aside for it */
        unsigned *reserved = put ? &q->put_reserved : &q->get_reserved;
        if (FL_BAD_(*reserved == 0, FL_EINVAL))
            return FL_EINVAL; /* sent by hand: none was set aside */
        --*reserved;
    }
    if (put) {
        if (q->closed)
            return FL_ECLOSED;
#if FL_HAS_KEYED_QUEUE_
        if (q->mode != 0) {
            rc = merge(q, item);
            if (rc != FL_EAGAIN) {
                if (!woken)
                    return rc;
                goto pass_place;
            }
            rc = 0;
        }
#endif
    }
    if (put ? q->capacity <= q->count + q->put_reserved
            : q->count <= (op == FL_OP_QUEUE_PEEK ? 0 : q->get_reserved))
        return q->closed ? FL_ECLOSED : FL_EAGAIN;
    slot = fl_queue_slot_(q, put ? q->count : 0);
    copy_item(q, put ? slot : (unsigned char *)FL_ANY_PTR_(item), put ? item : slot);
    if (op == FL_OP_QUEUE_PEEK)
        return 0;
    if (put) {
        q->count++;
        FL_HOOK_(q->loop, queue_put, q, item);
        wake_oldest(q, &q->getters, &q->get_reserved);
        wake_peekers(q);
    } else {
        leave(q);
        FL_HOOK_(q->loop, queue_get, q, item);
#if FL_HAS_KEYED_QUEUE_
    pass_place:
#endif
        wake_oldest(q, &q->putters, &q->put_reserved);
    }
    return rc;
}

#endif /* __OPTIMIZE_SIZE__ */

int fl_queue_try_put(fl_queue *q, const void *item)
{
    return queue_now(q, item, FL_OP_QUEUE_PUT);
}

int fl_queue_try_get(fl_queue *q, void *item)
{
    return queue_now(q, item, FL_OP_QUEUE_GET);
}

int fl_queue_peek(const fl_queue *q, void *item)
{
    return queue_now((fl_queue *)FL_ANY_PTR_(q), item, FL_OP_QUEUE_PEEK);
}

/* The queue macros' in-task path (fl_queue_in_task_, flowno.h, which has
 * made every check): with no hooks attached, the same as the commands'.
 * A function for puts and one for gets, each jumped to from the task and
 * saving no registers on its way.  Where size counts more the macros have
 * no such path; a program built for speed still finds both, as the one
 * function that answers the commands (where the linker takes an alias). */
#if !defined(__OPTIMIZE_SIZE__)
int fl_queue_put_now_(fl_queue *q, const void *item, int op)
{
    return put_now(q, item, op == FL_OP_QUEUE_PUT_RESERVED, false);
}

int fl_queue_get_now_(fl_queue *q, const void *item, int op)
{
    return get_now(q, FL_ANY_PTR_(item), op, false);
}
#elif defined(__GNUC__) && defined(__ELF__)
int fl_queue_put_now_(fl_queue *q, const void *item, int op) __attribute__((alias("queue_now")));
int fl_queue_get_now_(fl_queue *q, const void *item, int op) __attribute__((alias("queue_now")));
#else
int fl_queue_put_now_(fl_queue *q, const void *item, int op)
{
    return queue_now(q, item, op);
}

int fl_queue_get_now_(fl_queue *q, const void *item, int op)
{
    return queue_now(q, item, op);
}
#endif

int fl_queue_close(fl_queue *q)
{
    unsigned k;
    if (FL_BAD_ARG_(q == NULL || q->loop == NULL))
        return FL_EINVAL;
    q->closed = 1;
    for (k = 0; k < 3;) /* getters, peekers, putters; one loop, one call */
        if (!fl_wake_first_(q->loop, &queue_list(q, k)->last, FL_ECLOSED))
            k++; /* that list is empty */
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
    fl_wait_on_(loop, &queue_list(q, (unsigned)(op - FL_OP_QUEUE_GET))->last, t, FL_TASK_WAITING);
    return 1;
}

#endif /* FL_ENABLE_QUEUE */
