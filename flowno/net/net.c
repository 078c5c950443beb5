/* SPDX-License-Identifier: MIT */
/*
 * net.c - non-blocking BSD sockets inside tasks.
 *
 * Every operation first asks the kernel; only when it answers EAGAIN does
 * the task suspend (FL_IO_WAIT) until the fd is ready, then ask again.  So
 * a quiet socket costs no CPU.  Each data operation yields once before it
 * starts, so a socket that is always ready cannot starve the others.
 * The data operations share one awaitable, sock_io; connect has its own.
 */
#if defined(__linux__)
#define _GNU_SOURCE /* accept4 */
#endif
#define _POSIX_C_SOURCE 200809L

#include "../flowno_internal.h"

#if FL_ENABLE_NET

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../port/posix_internal.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* then fl_sock_nonblock sets SO_NOSIGPIPE */
#endif

/* ---- Plain C ------------------------------------------------------------- */

/* Every fd the layer opens or prepares is news to the ports: the number
 * may have named another file until a moment ago (epoll.c). */
static int fresh_fd(int fd)
{
    fl_posix_fd_news_(fd, true);
    return fd;
}

/* FL_IO_WAIT on an fd the layer uses: the ports hear that the wait is the
 * layer's own, so epoll may keep the registration it made last time. */
#define LAYER_IO_WAIT(self, fd, events) \
    do {                                 \
        fl_posix_layer_waits_(fd);       \
        FL_IO_WAIT(self, fd, events);    \
    } while (0)

int fl_sock_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return -errno;
#ifdef SO_NOSIGPIPE
    {
        int one = 1; /* a send to a closed peer fails with EPIPE, no signal */
        (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
    }
#endif
    (void)fresh_fd(fd);
    return 0;
}

int fl_sock_nodelay(int fd, bool on)
{
    int v = on ? 1 : 0;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) == 0 ? 0 : -errno;
}

int fl_sock_close(int fd)
{
    if (fd < 0)
        return -EBADF;
    fl_posix_fd_news_(fd, false);
    return close(fd) == 0 ? 0 : -errno;
}

/* A socket ready for the tasks: one system call where the kernel takes
 * the flags with it (Linux), four otherwise. */
static int open_socket(int family, int type)
{
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
    int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    return fd < 0 ? -errno : fresh_fd(fd);
#else
    int fd = socket(family, type, 0), rc;
    if (fd < 0)
        return -errno;
    if ((rc = fl_sock_nonblock(fd)) < 0) {
        close(fd);
        return rc;
    }
    return fd;
#endif
}

int fl_sock_addr(const char *addr, unsigned port, void *ss, unsigned *len)
{
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;

    if (addr == NULL || ss == NULL || len == NULL || port > 0xFFFF)
        return FL_EINVAL;
    memset(&v4, 0, sizeof v4);
    memset(&v6, 0, sizeof v6);
    if (inet_pton(AF_INET, addr, &v4.sin_addr) == 1 && *len >= sizeof v4) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons((uint16_t)port);
        memcpy(ss, &v4, sizeof v4);
        *len = sizeof v4;
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &v6.sin6_addr) == 1 && *len >= sizeof v6) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons((uint16_t)port);
        memcpy(ss, &v6, sizeof v6);
        *len = sizeof v6;
        return 0;
    }
    return FL_EINVAL;
}

/* A non-blocking socket of `type` bound to addr:port. */
static int bound_socket(int type, const char *addr, unsigned port)
{
    struct sockaddr_storage ss;
    unsigned len = sizeof ss;
    int fd, one = 1, rc = fl_sock_addr(addr, port, &ss, &len);

    if (rc < 0)
        return rc;
    fd = open_socket(ss.ss_family, type);
    if (fd < 0)
        return fd;
    if (type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        goto fail_errno;
    if (bind(fd, (struct sockaddr *)&ss, (socklen_t)len) < 0)
        goto fail_errno;
    return fd;
fail_errno:
    rc = -errno;
    close(fd);
    return rc;
}

int fl_tcp_listen(const char *addr, unsigned port, int backlog)
{
    int fd = bound_socket(SOCK_STREAM, addr, port);
    if (fd >= 0 && listen(fd, backlog > 0 ? backlog : SOMAXCONN) < 0) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

int fl_udp_bind(const char *addr, unsigned port)
{
    return bound_socket(SOCK_DGRAM, addr, port);
}

int fl_sock_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -errno;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return FL_EINVAL;
}

/* ---- The data operations -------------------------------------------------- */

enum sock_kind { SOCK_RECV, SOCK_SEND, SOCK_RECVFROM, SOCK_SENDTO, SOCK_ACCEPT };

/* How far up a port can watch is its own business (watch() says
 * FL_ERANGE); a negative fd is nobody's. */
static int check_fd(int fd)
{
    return fd < 0 ? -EBADF : 0;
}

/* accept: the new fd non-blocking and close-on-exec, or -errno. */
static long accept_fd(int fd, struct sockaddr *addr, socklen_t *alen)
{
#if defined(__linux__)
    int n = accept4(fd, addr, alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    return n < 0 ? -errno : fresh_fd(n);
#else
    int n = accept(fd, addr, alen), rc;
    if (n < 0)
        return -errno;
    if ((rc = fl_sock_nonblock(n)) < 0) {
        close(n);
        return rc;
    }
    return n;
#endif
}

/* One system call: bytes moved, or a new fd, or -errno. */
static long attempt(int kind, int fd, char *buf, size_t len, struct sockaddr *addr,
                    unsigned *addrlen)
{
    socklen_t alen = addrlen != NULL ? (socklen_t)*addrlen : 0;
    long n;

    switch (kind) {
    case SOCK_RECV:
        n = (long)recv(fd, buf, len, 0);
        break;
    case SOCK_SEND:
        n = (long)send(fd, buf, len, MSG_NOSIGNAL);
        break;
    case SOCK_RECVFROM:
        n = (long)recvfrom(fd, buf, len, 0, addr, addr != NULL ? &alen : NULL);
        break;
    case SOCK_SENDTO:
        n = (long)sendto(fd, buf, len, MSG_NOSIGNAL, addr, alen);
        break;
    default:
        n = accept_fd(fd, addr, addr != NULL ? &alen : NULL);
        if (n < 0)
            return n;
        break;
    }
    if (n < 0)
        return -errno;
    if (addrlen != NULL && kind != SOCK_SENDTO)
        *addrlen = (unsigned)alen;
    return n;
}

static bool would_block(long n)
{
    /* ECONNABORTED: a client that left before accept; wait for the next. */
    return n == -EAGAIN || n == -EWOULDBLOCK || n == -EINTR || n == -ECONNABORTED;
}

/* Try; wait while the kernel would block; with `all`, go on until `len`
 * bytes have moved.  The result is the last call's (bytes or fd).
 *
 * A stream call that moved less than it asked for has emptied the
 * kernel's buffer (or filled it, for a send), so the next try waits for
 * the fd first, as libuv does, instead of a system call that says EAGAIN.
 * Within the call that is `short_io`, a local (it is needed before the
 * next suspension only); from one recv to the next, op->drained. */
static fl_cmd sock_io(fl_task *self, fl_sock_op *op, int kind, int fd, void *buf, size_t len,
                      struct sockaddr *addr, unsigned *addrlen, bool all)
{
    long n;
    bool short_io = false;
    FL_BEGIN_HELPER(self, &op->frame);
    op->done = 0;
    FL_CHECK(self, check_fd(fd));
    if (buf == NULL && kind != SOCK_ACCEPT)
        FL_FAIL(self, FL_EINVAL);
    /* Give the others a turn first: a socket that is always ready would
     * otherwise keep its task running forever.  Before the call, so that a
     * cancel arriving here loses no data.  A drained socket's wait gives
     * them the turn instead.  Accept takes what is waiting without a turn,
     * as libuv does: the backlog bounds it, and a listener that gave a
     * turn for each connection would take one a pass of the loop, which
     * at thousands of busy connections is too slow to ever catch up. */
    short_io = kind == SOCK_RECV && op->drained == fd;
    if (!short_io && kind != SOCK_ACCEPT)
        FL_YIELD(self);
    while (!all || op->done < len) {
        n = short_io ? -EAGAIN
                     : attempt(kind, fd, (char *)buf + op->done, len - op->done, addr, addrlen);
        if (would_block(n)) {
#if FL_ENABLE_TIMEOUT
            if (op->timeout != 0)
                FL_TIMEOUT(self, op->timeout);
#endif
            LAYER_IO_WAIT(self, fd, (kind == SOCK_SEND || kind == SOCK_SENDTO) ? FL_IO_WRITE
                                                                           : FL_IO_READ);
            continue;
        }
        FL_CHECK(self, (int)n);
        short_io = (kind == SOCK_RECV || kind == SOCK_SEND) && n > 0 &&
                   (size_t)n < len - op->done;
        if (kind == SOCK_RECV)
            op->drained = short_io ? fd : -1;
        if (!all)
            FL_RETURN(self, n);
        if (n == 0)
            FL_FAIL(self, FL_ECLOSED); /* the peer closed before len bytes */
        op->done += (size_t)n;
    }
    FL_RETURN(self, len);
    FL_END(self);
}

fl_cmd fl_sock_recv(fl_task *self, fl_sock_op *op, int fd, void *buf, size_t len)
{
    return sock_io(self, op, SOCK_RECV, fd, buf, len, NULL, NULL, false);
}

fl_cmd fl_sock_recv_exact(fl_task *self, fl_sock_op *op, int fd, void *buf, size_t len)
{
    return sock_io(self, op, SOCK_RECV, fd, buf, len, NULL, NULL, true);
}

fl_cmd fl_sock_send(fl_task *self, fl_sock_op *op, int fd, const void *buf, size_t len)
{
    return sock_io(self, op, SOCK_SEND, fd, (void *)(uintptr_t)buf, len, NULL, NULL, false);
}

fl_cmd fl_sock_send_all(fl_task *self, fl_sock_op *op, int fd, const void *buf, size_t len)
{
    return sock_io(self, op, SOCK_SEND, fd, (void *)(uintptr_t)buf, len, NULL, NULL, true);
}

fl_cmd fl_sock_recvfrom(fl_task *self, fl_sock_op *op, int fd, void *buf, size_t len,
                        struct sockaddr *from, unsigned *fromlen)
{
    if (from != NULL && fromlen == NULL)
        from = NULL;
    return sock_io(self, op, SOCK_RECVFROM, fd, buf, len, from, fromlen, false);
}

fl_cmd fl_sock_sendto(fl_task *self, fl_sock_op *op, int fd, const void *buf, size_t len,
                      const struct sockaddr *to, unsigned tolen)
{
    return sock_io(self, op, SOCK_SENDTO, fd, (void *)(uintptr_t)buf, len,
                   (struct sockaddr *)(uintptr_t)to, &tolen, false);
}

fl_cmd fl_sock_accept(fl_task *self, fl_sock_op *op, int fd, struct sockaddr *addr,
                      unsigned *addrlen)
{
    if (addrlen == NULL)
        addr = NULL;
    return sock_io(self, op, SOCK_ACCEPT, fd, NULL, 0, addr, addrlen, false);
}

/* ---- Connecting ------------------------------------------------------------ */

/* 0: connected at once; 1: in progress, wait until writable; or -errno. */
static int connect_start(int fd, const struct sockaddr *addr, unsigned len)
{
    if (connect(fd, addr, (socklen_t)len) == 0)
        return 0;
    return (errno == EINPROGRESS || errno == EINTR) ? 1 : -errno;
}

/* Writable after a connect in progress: did it succeed? */
static int connect_result(int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -errno;
    return -err;
}

fl_cmd fl_sock_connect(fl_task *self, fl_sock_op *op, int fd, const struct sockaddr *addr,
                       unsigned addrlen)
{
    int rc;
    FL_BEGIN_HELPER(self, &op->frame);
    FL_CHECK(self, check_fd(fd));
    if (addr == NULL)
        FL_FAIL(self, FL_EINVAL);
    rc = connect_start(fd, addr, addrlen);
    FL_CHECK(self, rc);
    if (rc == 1) {
#if FL_ENABLE_TIMEOUT
        if (op->timeout != 0)
            FL_TIMEOUT(self, op->timeout);
#endif
        LAYER_IO_WAIT(self, fd, FL_IO_WRITE);
        FL_CHECK(self, connect_result(fd));
    }
    FL_RETURN(self, 0);
    FL_END(self);
}

fl_cmd fl_tcp_connect(fl_task *self, fl_sock_op *op, const char *addr, unsigned port)
{
    struct sockaddr_storage ss;
    unsigned len = sizeof ss;
    int rc;
    FL_BEGIN_HELPER(self, &op->frame);
    op->fd = -1;
    FL_CHECK(self, fl_sock_addr(addr, port, &ss, &len));
    op->fd = open_socket(ss.ss_family, SOCK_STREAM);
    FL_CHECK(self, op->fd);
    rc = connect_start(op->fd, (struct sockaddr *)&ss, len);
    FL_CHECK(self, rc);
    if (rc == 1) {
#if FL_ENABLE_TIMEOUT
        if (op->timeout != 0)
            FL_TIMEOUT(self, op->timeout);
#endif
        LAYER_IO_WAIT(self, op->fd, FL_IO_WRITE);
        FL_CHECK(self, connect_result(op->fd));
    }
    FL_RETURN(self, op->fd);
    FL_FINALLY(self);
    /* Failed or cancelled: the socket is ours to close. */
    if (fl_pending_error(self) != 0 && op->fd >= 0) {
        (void)fl_sock_close(op->fd); /* it may have been watched */
        op->fd = -1;
    }
    FL_END(self);
}

#endif /* FL_ENABLE_NET */
