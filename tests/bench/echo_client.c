/* SPDX-License-Identifier: MIT */
/*
 * echo_client.c - the load generator of the echo workload (make bench),
 * and the byte-checked load of tests/check-servers.sh.
 *
 *   echo_client [-n MSGS] [-k] [-P PID [-S]] PORT CONNS SECONDS [MSG_BYTES]
 *
 * Opens CONNS TCP connections to 127.0.0.1:PORT and has one message
 * echoed on each before the clock starts (so the server has accepted them
 * all), then keeps one message of MSG_BYTES (default 4096) in flight on
 * every connection: write it, read all of it back, write the next.  For
 * SECONDS, or with -n until each connection has had MSGS messages echoed
 * (SECONDS is then a deadline: past it, exit 1); with -n nothing is in
 * flight when the clock starts or stops, so the server's CPU time and
 * system calls (-P, -S) are exactly those of the MSGS x CONNS messages.  -k
 * checks every byte that comes back: each connection and message has a
 * pattern of its own.  One thread drives every connection (epoll on
 * Linux, poll elsewhere), so on a 2-core machine the client takes one
 * core and the server under test the other, whatever the server is.
 * Prints `ops=<bytes echoed back> s=<seconds> msgs=<messages>`, and with
 * -P the CPU time process PID (the server) spent meanwhile, `cpu=<s>`
 * (Linux: /proc/PID/schedstat, in nanoseconds); with -S too the system
 * calls it made meanwhile, `sc_all=<n>` and `sc_<name>=<n>` for the common
 * ones (Linux perf events on the syscall tracepoints: root, or
 * perf_event_paranoid at most 1; nothing is printed otherwise).
 */
#if defined(__linux__)
#define _GNU_SOURCE /* syscall(), for perf_event_open */
#endif
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/perf_event.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#endif

struct conn {
    int fd;
    size_t to_send, to_recv;
    unsigned long seq;  /* the message in flight: its pattern under -k */
    unsigned long msgs; /* echoed in full since the clock started */
};

static struct conn *c;
static int nconns;
static size_t msg;
static unsigned long want_msgs; /* 0: run for the time */
static int warming = 1;         /* before the clock: one message each, then quiet */
static int check;
static char *out, *in, *made; /* made: the -k pattern, to write */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int connect_to(int port)
{
    struct sockaddr_in addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, tries;
    if (fd < 0)
        return -1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)port);
    for (tries = 0; connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0; tries++) {
        struct timespec ts = {0, 10 * 1000000L};
        if (tries == 200) {
            close(fd);
            return -1;
        }
        nanosleep(&ts, NULL);
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Byte `off` of message `m` on connection `i`, under -k. */
static char pattern(int i, unsigned long m, size_t off)
{
    return (char)((unsigned long)i * 131u + m * 7u + off * 13u);
}

/* Write what is left of connection i's message; 1 if some is still left. */
static int send_some(int i)
{
    size_t off = msg - c[i].to_send, k;
    ssize_t w;
    const char *from = out + off;
    if (check) {
        for (k = 0; k < c[i].to_send; k++)
            made[k] = pattern(i, c[i].seq, off + k);
        from = made;
    }
    w = write(c[i].fd, from, c[i].to_send);
    if (w > 0)
        c[i].to_send -= (size_t)w;
    else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        perror("echo_client: write");
        exit(1);
    }
    return c[i].to_send > 0;
}

/* Read what came back on connection i; returns the bytes, and starts the
 * next message once this one is whole (1 in *next then). */
static size_t recv_some(int i, int *next)
{
    size_t off = msg - c[i].to_recv, k;
    ssize_t r = read(c[i].fd, in, c[i].to_recv);
    *next = 0;
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        fprintf(stderr, "echo_client: connection %d: the server hung up after %lu messages\n",
                i, c[i].msgs);
        exit(1);
    }
    if (r < 0)
        return 0;
    if (check)
        for (k = 0; k < (size_t)r; k++)
            if (in[k] != pattern(i, c[i].seq, off + k)) {
                fprintf(stderr, "echo_client: connection %d, message %lu, byte %zu: wrong\n", i,
                        c[i].seq, off + k);
                exit(1);
            }
    c[i].to_recv -= (size_t)r;
    if (c[i].to_recv == 0 && c[i].to_send == 0) {
        c[i].msgs++;
        c[i].seq++;
        if (!warming && (want_msgs == 0 || c[i].msgs < want_msgs)) {
            c[i].to_send = c[i].to_recv = msg; /* the next message */
            *next = 1;
        }
    }
    return (size_t)r;
}

/* One turn: wait up to 100 ms, serve what is ready.  Bytes echoed. */
#if defined(__linux__)
static int epfd;
static struct epoll_event *evs;

static void set_events(int i, int op)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | (c[i].to_send > 0 ? EPOLLOUT : 0);
    ev.data.u32 = (uint32_t)i;
    if (epoll_ctl(epfd, op, c[i].fd, &ev) != 0) {
        perror("echo_client: epoll_ctl");
        exit(1);
    }
}

static unsigned long long turn(void)
{
    unsigned long long bytes = 0;
    int n = epoll_wait(epfd, evs, nconns, 100), j, next;
    for (j = 0; j < n; j++) {
        int i = (int)evs[j].data.u32, had_out = c[i].to_send > 0;
        if ((evs[j].events & EPOLLOUT) && c[i].to_send > 0)
            send_some(i);
        if (evs[j].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
            bytes += recv_some(i, &next);
            if (next)
                send_some(i);
        }
        if (had_out != (c[i].to_send > 0))
            set_events(i, EPOLL_CTL_MOD);
    }
    return bytes;
}

static void start(void)
{
    int i;
    epfd = epoll_create1(0);
    evs = calloc((size_t)nconns, sizeof *evs);
    if (epfd < 0 || evs == NULL) {
        perror("echo_client: epoll");
        exit(1);
    }
    for (i = 0; i < nconns; i++) {
        send_some(i);
        set_events(i, EPOLL_CTL_ADD);
    }
}

/* The clock starts: the next message on every (quiet) connection. */
static void restart(void)
{
    int i;
    for (i = 0; i < nconns; i++) {
        c[i].to_send = c[i].to_recv = msg;
        if (send_some(i))
            set_events(i, EPOLL_CTL_MOD);
    }
}
#else
static struct pollfd *pfd;

static unsigned long long turn(void)
{
    unsigned long long bytes = 0;
    int n, i, next;
    for (i = 0; i < nconns; i++) {
        pfd[i].fd = c[i].fd;
        pfd[i].events = (short)(POLLIN | (c[i].to_send > 0 ? POLLOUT : 0));
        pfd[i].revents = 0;
    }
    n = poll(pfd, (nfds_t)nconns, 100);
    for (i = 0; i < nconns && n > 0; i++) {
        if (pfd[i].revents == 0)
            continue;
        n--;
        if ((pfd[i].revents & POLLOUT) && c[i].to_send > 0)
            send_some(i);
        if (pfd[i].revents & (POLLIN | POLLERR | POLLHUP)) {
            bytes += recv_some(i, &next);
            if (next)
                send_some(i);
        }
    }
    return bytes;
}

static void start(void)
{
    int i;
    pfd = calloc((size_t)nconns, sizeof *pfd);
    if (pfd == NULL)
        exit(1);
    for (i = 0; i < nconns; i++)
        send_some(i);
}

static void restart(void)
{
    int i;
    for (i = 0; i < nconns; i++) {
        c[i].to_send = c[i].to_recv = msg;
        send_some(i);
    }
}
#endif

/* Seconds process `pid` has been on a CPU; -1 if it cannot be told. */
static double cpu_of(long pid)
{
    char path[64];
    unsigned long long ns;
    FILE *f;
    snprintf(path, sizeof path, "/proc/%ld/schedstat", pid);
    if ((f = fopen(path, "r")) == NULL)
        return -1;
    if (fscanf(f, "%llu", &ns) != 1)
        ns = 0;
    fclose(f);
    return (double)ns * 1e-9;
}

/* ---- the server's system calls (-S) ------------------------------------ */

static const char *const sc_names[] = {
    "raw_syscalls/sys_enter", "read", "write", "readv", "writev", "ioctl", "recvfrom",
    "sendto", "epoll_wait", "epoll_pwait", "epoll_ctl", "poll", "ppoll", "pselect6",
    "accept4", "setsockopt", "fcntl", "close", "clock_gettime"};
#define N_SC (sizeof sc_names / sizeof sc_names[0])
static int sc_fd[N_SC];
static unsigned long long sc_at_start[N_SC], sc_at_end[N_SC];

static void sc_read(unsigned long long *v)
{
    size_t i;
    for (i = 0; i < N_SC; i++)
        if (sc_fd[i] < 0 || read(sc_fd[i], &v[i], sizeof v[i]) != (ssize_t)sizeof v[i])
            v[i] = 0;
}

#if defined(__linux__)
/* A counter of tracepoint `name` (syscalls/sys_enter_NAME, or a full
 * category/event) in process pid; -1 if the kernel will not. */
static int sc_open_one(const char *name, long pid)
{
    static const char *const roots[] = {"/sys/kernel/tracing/events",
                                        "/sys/kernel/debug/tracing/events"};
    struct perf_event_attr attr;
    char path[160];
    unsigned long long id = 0;
    size_t r;
    for (r = 0; r < 2 && id == 0; r++) {
        FILE *f;
        if (strchr(name, '/') != NULL)
            snprintf(path, sizeof path, "%s/%s/id", roots[r], name);
        else
            snprintf(path, sizeof path, "%s/syscalls/sys_enter_%s/id", roots[r], name);
        if ((f = fopen(path, "r")) != NULL) {
            if (fscanf(f, "%llu", &id) != 1)
                id = 0;
            fclose(f);
        }
    }
    if (id == 0)
        return -1;
    memset(&attr, 0, sizeof attr);
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.size = sizeof attr;
    attr.config = id;
    return (int)syscall(SYS_perf_event_open, &attr, (pid_t)pid, -1, -1, 0UL);
}
#endif

/* 1 if the count of all system calls could be opened. */
static int sc_open(long pid)
{
    size_t i;
    for (i = 0; i < N_SC; i++) {
#if defined(__linux__)
        sc_fd[i] = sc_open_one(sc_names[i], pid);
#else
        (void)pid;
        sc_fd[i] = -1;
#endif
    }
    return sc_fd[0] >= 0;
}

static void sc_print(const unsigned long long *end)
{
    size_t i;
    for (i = 0; i < N_SC; i++)
        if (sc_fd[i] >= 0 && (i == 0 || end[i] > sc_at_start[i]))
            printf(" sc_%s=%llu", i == 0 ? "all" : sc_names[i], end[i] - sc_at_start[i]);
}

static int all_done(unsigned long n)
{
    int i;
    for (i = 0; i < nconns; i++)
        if (c[i].msgs < n)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    int port, i, opt, count_sc = 0;
    long server_pid = 0;
    double seconds, t0, t_end, t, cpu0 = 0;
    unsigned long long bytes = 0, msgs = 0;
    struct rlimit rl;

    while ((opt = getopt(argc, argv, "n:kP:S")) != -1) {
        if (opt == 'n')
            want_msgs = strtoul(optarg, NULL, 10);
        else if (opt == 'k')
            check = 1;
        else if (opt == 'P')
            server_pid = atol(optarg);
        else if (opt == 'S')
            count_sc = 1;
        else
            return 2;
    }
    argc -= optind - 1;
    argv += optind - 1;
    if (argc < 4) {
        fprintf(stderr, "usage: echo_client [-n MSGS] [-k] PORT CONNS SECONDS [MSG_BYTES]\n");
        return 2;
    }
    port = atoi(argv[1]);
    nconns = atoi(argv[2]);
    seconds = atof(argv[3]);
    msg = argc > 4 ? (size_t)atol(argv[4]) : 4096;
    if (port <= 0 || nconns <= 0 || seconds <= 0 || msg == 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max; /* room for CONNS sockets */
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    out = malloc(msg);
    in = malloc(msg);
    made = malloc(msg);
    c = calloc((size_t)nconns, sizeof *c);
    if (out == NULL || in == NULL || made == NULL || c == NULL)
        return 1;
    for (i = 0; i < (int)msg; i++)
        out[i] = (char)('a' + i % 26);
    for (i = 0; i < nconns; i++) {
        c[i].fd = connect_to(port);
        if (c[i].fd < 0) {
            fprintf(stderr, "echo_client: connect %d: %s\n", i, strerror(errno));
            return 1;
        }
        c[i].to_send = c[i].to_recv = msg;
    }

    /* The warm-up: one message echoed on every connection, which then
     * waits, so that nothing is in flight when the clock starts. */
    t_end = now_s() + 60;
    start();
    while (!all_done(1)) {
        if (now_s() > t_end) {
            fprintf(stderr, "echo_client: the first messages were not all echoed in 60 s\n");
            return 1;
        }
        (void)turn();
    }
    for (i = 0; i < nconns; i++)
        c[i].msgs = 0; /* the clock starts */
    warming = 0;
    if (count_sc && server_pid != 0 && !sc_open(server_pid))
        count_sc = 0; /* no perf events here: say nothing */
    if (count_sc)
        sc_read(sc_at_start);
    if (server_pid != 0)
        cpu0 = cpu_of(server_pid);
    t0 = now_s();
    t_end = t0 + seconds;
    restart();
    for (t = t0; t < t_end; t = now_s()) {
        bytes += turn();
        if (want_msgs != 0 && all_done(want_msgs))
            break;
    }
    t = now_s();
    if (server_pid != 0)
        cpu0 = cpu_of(server_pid) - cpu0;
    if (count_sc)
        sc_read(sc_at_end); /* before the closes below */
    for (i = 0; i < nconns; i++) {
        msgs += c[i].msgs;
        close(c[i].fd);
    }
    if (want_msgs != 0 && !all_done(want_msgs)) {
        fprintf(stderr, "echo_client: %llu of %lu messages echoed in %.1f s\n", msgs,
                want_msgs * (unsigned long)nconns, seconds);
        return 1;
    }
    printf("ops=%llu s=%.6f msgs=%llu", bytes, t - t0, msgs);
    if (server_pid != 0)
        printf(" cpu=%.6f", cpu0);
    if (count_sc)
        sc_print(sc_at_end);
    printf("\n");
    return 0;
}
