/* SPDX-License-Identifier: MIT */
/*
 * posix_internal.h - what the POSIX ports (select in posix.c, poll.c,
 * epoll.c) share: the clock, the self-pipe that ends a wait early, the
 * lock of fl_post_spawn, the dump on a signal, and the table of per-fd
 * wait lists.  The code is in posix_common.c.  Not installed.
 *
 * Tasks waiting on an fd sit on that fd's wait list (one for readers, one
 * for writers), like waiters on a queue, so a task cancelled or timed out
 * while waiting leaves the list through the loop's ordinary path.  The
 * port keeps the fds that may have waiters in a dense array, `watched`,
 * so that nothing it does grows with the highest fd: an fd whose lists
 * have emptied (woken, cancelled, timed out) leaves it lazily, when the
 * port next looks at it.
 */
#ifndef FLOWNO_PORT_POSIX_INTERNAL_H
#define FLOWNO_PORT_POSIX_INTERNAL_H

#include <pthread.h>
#include <signal.h>

#include "../flowno_internal.h"

/* One fd.  Zeroed storage is a valid "not watched" entry, so a table of
 * FL_MAX_FDS costs memory only for the fds a program really uses. */
typedef struct fl_posix_fd {
    fl_waitq readers, writers; /* set up when the fd enters `watched` */
    unsigned pos;      /* 1 + its index in `watched`; 0: not there */
    uint32_t gen;      /* epoll: which registration of the number is ours */
    uint8_t kernel;    /* epoll: the FL_IO_ events the kernel watches for it */
    uint8_t known;     /* epoll: the socket layer opened this file itself */
    uint8_t layer_wait; /* epoll: the next watch is the socket layer's */
    uint8_t idle;      /* epoll: reported with nobody waiting (on `idle`) */
} fl_posix_fd;

typedef struct fl_posix fl_posix;
struct fl_posix {
    fl_port port; /* first: the loop calls it */
    int pipe_rd, pipe_wr; /* the self-pipe, -1 if it could not be made */
    pthread_mutex_t post_lock;
    volatile sig_atomic_t dump_requested;
    fl_posix *next; /* every POSIX port, for the dump signal and fl_sock_close */
#if FL_ENABLE_IO
    fl_loop *loop;      /* whose tasks are on the lists */
    fl_posix_fd *fds;   /* [capacity] */
    int *watched;       /* the fds that may have waiters: [count] */
    int count, capacity;
    /* epoll: fd is closing (opened false), or is a file the socket layer
     * just opened (true).  NULL for the others. */
    void (*fd_news)(fl_posix *p, int fd, bool opened);
#endif
};

/* Set up `p` (clock, wake, lock, the pipe, the list of ports) with its
 * `wait`, and with FL_ENABLE_IO the table of wait lists: fds
 * 0..capacity-1 (pass them with FL_POSIX_TABLE_) and fl_posix_watch_,
 * which a backend may replace after. */
void fl_posix_init_(fl_posix *p, void (*wait)(fl_port *, fl_loop *, fl_time, bool),
                    fl_posix_fd *fds, int *watched, int capacity);
#if FL_ENABLE_IO
#define FL_POSIX_TABLE_(fds, watched, capacity) (fds), (watched), (capacity)
#else
#define FL_POSIX_TABLE_(fds, watched, capacity) NULL, NULL, 0
#endif
/* The pipe said a wake-up came: empty it. */
void fl_posix_drain_(fl_posix *p);
/* poll() and epoll_wait()'s timeout for a wait of `ticks`: ms, rounded up. */
int fl_posix_timeout_ms_(fl_time ticks, bool forever);
/* After each wait: print the dump if a signal asked for it. */
void fl_posix_take_dump_(fl_posix *p, fl_loop *loop);

#if FL_ENABLE_IO
/* The entry of `fd`, entered into `watched` (lists set up) if it was not:
 * NULL for an fd out of the table's range. */
fl_posix_fd *fl_posix_entry_(fl_posix *p, fl_loop *loop, int fd);
/* Put `t` on e's list for `events`: the end of every watch(). */
int fl_posix_wait_on_(fl_posix *p, fl_task *t, fl_posix_fd *e, unsigned events);
/* watch() for a port that looks at its lists before each wait (select,
 * poll): range checks, then the list. */
int fl_posix_watch_(fl_port *port, fl_loop *loop, fl_task *t, int fd, unsigned events);
/* Drop watched[i] (its lists are empty): the last fd takes its place. */
void fl_posix_unwatch_(fl_posix *p, int i);
/* fd is ready for `events` (FL_IO_READ|FL_IO_WRITE): wake those lists
 * with `outcome` (0: through the hooks' io_ready; else the error). */
void fl_posix_ready_(fl_posix *p, int fd, unsigned events, int outcome);
/* Whether e's readers and writers lists have anyone: FL_IO_ bits. */
static inline unsigned fl_posix_waiting_(const fl_posix_fd *e)
{
    return (e->readers.last != FL_SLOT_NONE ? FL_IO_READ : 0u) |
           (e->writers.last != FL_SLOT_NONE ? FL_IO_WRITE : 0u);
}
/* The watching() and fd_of() of every POSIX port. */
bool fl_posix_watching_(fl_port *port);
int fl_posix_fd_of_(fl_port *port, const fl_waitq *list);
/* For the socket layer: tell every POSIX port that `fd` is a file it has
 * just opened (opened true), or is about to be closed (false); and that
 * the wait about to come on fd is its own. */
void fl_posix_fd_news_(int fd, bool opened);
void fl_posix_layer_waits_(int fd);
#endif

#endif /* FLOWNO_PORT_POSIX_INTERNAL_H */
