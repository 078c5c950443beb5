/*
 * event.c - a one-shot event: once set, it stays set.
 */
#include "../flowno_internal.h"

#if FL_ENABLE_EVENT

int fl_event_init(fl_event *ev, fl_loop *loop)
{
    if (ev == NULL || loop == NULL)
        return FL_EINVAL;
    ev->loop = loop;
    ev->set = 0;
    fl_waitq_init(&ev->waiters, FL_WAIT_EVENT);
    return 0;
}

int fl_event_set(fl_event *ev)
{
    if (ev == NULL)
        return FL_EINVAL;
    ev->set = 1;
    fl_wake_all_(ev->loop, &ev->waiters.head, 0);
    return 0;
}

bool fl_event_is_set(const fl_event *ev)
{
    return ev != NULL && ev->set;
}

int fl_event_wait_(fl_loop *loop, fl_task *t, fl_event *ev)
{
    if (ev == NULL || ev->loop != loop)
        return FL_EINVAL;
    if (ev->set)
        return 0;
    fl_wait_on_(loop, &ev->waiters.head, t, FL_TASK_WAITING);
    return 1;
}

#endif /* FL_ENABLE_EVENT */
