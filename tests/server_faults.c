/* SPDX-License-Identifier: MIT */
/*
 * server_faults.c - the clients that misbehave, for tests/check-servers.sh:
 * each mode does one thing a real server meets, against an echo or HTTP
 * server on 127.0.0.1:PORT, checks what came back, prints one line and
 * exits 0, or says what went wrong and exits 1.  Plain blocking sockets,
 * every read bounded by a timeout, so nothing here can hang.
 *
 *   idle PORT N SECONDS   N clients say nothing; a fresh client must get
 *                         its echo within SECONDS (the server closes idle
 *                         ones), and every idle one must have been closed
 *   halfclose PORT BYTES  send BYTES, shut the write side: every byte comes
 *                         back, then the end
 *   reset PORT            send 1 MB without reading, then reset the
 *                         connection; a fresh client is then echoed
 *   slow PORT BYTES       send BYTES while reading 4 KB a millisecond:
 *                         every byte comes back, in order
 *   cycles PORT N         N times: connect, 64 bytes there and back, close
 *   flood PORT N          N clients at once, each: one message there and
 *                         back, then close; more than the server has fds
 *   hold PORT N           N clients at once, one message each, all kept
 *                         open: how many were echoed, how many refused
 *   http PORT CASE STATUS one request (CASE: ok nocrlf longline header64k
 *                         garbage onebyte half method), whose answer must
 *                         start "HTTP/1.0 STATUS"
 *   httpload PORT N       N GET / at once, every one answered 200
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
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

static int port;

/* What failed, with errno's word when a call failed. */
static void die(const char *what)
{
    if (errno != 0)
        fprintf(stderr, "server_faults: %s: %s\n", what, strerror(errno));
    else
        fprintf(stderr, "server_faults: %s\n", what);
    exit(1);
}

/* What went wrong, when no call failed. */
static void fail_with(const char *what)
{
    errno = 0;
    die(what);
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A connected socket whose reads give up after `timeout_s`. */
static int dial(int timeout_s)
{
    struct sockaddr_in addr;
    struct timeval tv;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0)
        die("socket");
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)port);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        die("connect");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    tv.tv_sec = timeout_s;
    tv.tv_usec = 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

static void send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n <= 0)
            die("send");
        buf += n;
        len -= (size_t)n;
    }
}

/* Read exactly len bytes: 1; the end or a reset first: 0; a timeout: die. */
static int recv_all(int fd, char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 0;
        if (n < 0)
            die("recv");
        buf += n;
        len -= (size_t)n;
    }
    return 1;
}

/* The end of the connection: 1 if it closed (or was reset) in time. */
static int closed_by_peer(int fd)
{
    char b[256];
    for (;;) {
        ssize_t n = recv(fd, b, sizeof b, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 1;
        if (n < 0)
            return 0;
    }
}

static void fill(char *buf, size_t len, unsigned seed)
{
    size_t i;
    for (i = 0; i < len; i++)
        buf[i] = (char)(seed * 31u + i * 7u + i / 251u);
}

/* One message there and back on a fresh connection: 1 if echoed. */
static int one_echo(int timeout_s)
{
    char out[64], in[64];
    int fd = dial(timeout_s), ok;
    fill(out, sizeof out, 99);
    send_all(fd, out, sizeof out);
    ok = recv_all(fd, in, sizeof in) && memcmp(in, out, sizeof out) == 0;
    close(fd);
    return ok;
}

static int mode_idle(int n, int seconds)
{
    int *fds = calloc((size_t)n, sizeof *fds), i, served = 0;
    double deadline = now_s() + seconds;
    if (fds == NULL)
        die("calloc");
    for (i = 0; i < n; i++)
        fds[i] = dial(seconds);
    /* A fresh client: refused while the idle ones hold every place,
     * echoed once the server has closed them. */
    while (!served && now_s() < deadline) {
        sleep_ms(100);
        served = one_echo(seconds);
    }
    if (!served)
        fail_with("no fresh client was echoed while idle ones were connected");
    for (i = 0; i < n; i++)
        if (!closed_by_peer(fds[i]))
            fail_with("an idle client was not closed");
    for (i = 0; i < n; i++)
        close(fds[i]);
    printf("idle: %d quiet clients closed by the server, a fresh one echoed\n", n);
    free(fds);
    return 0;
}

static int mode_halfclose(size_t bytes)
{
    char *out = malloc(bytes), *in = malloc(bytes);
    int fd = dial(10);
    if (out == NULL || in == NULL)
        die("malloc");
    fill(out, bytes, 1);
    send_all(fd, out, bytes); /* the echo flows back meanwhile: the kernel buffers it */
    shutdown(fd, SHUT_WR);
    if (!recv_all(fd, in, bytes) || memcmp(in, out, bytes) != 0)
        fail_with("half-close: the echo was not whole");
    if (!closed_by_peer(fd))
        fail_with("half-close: the server did not end the connection");
    close(fd);
    printf("halfclose: %zu bytes echoed after the write side was shut, then the end\n", bytes);
    free(out);
    free(in);
    return 0;
}

static int mode_reset(void)
{
    static char chunk[65536];
    struct linger lg;
    int fd = dial(10);
    size_t sent = 0;
    fill(chunk, sizeof chunk, 2);
    /* Send until the buffers both ways are full (the server's echo waits
     * for us to read), without reading, then reset. */
    {
        struct timeval tv = {0, 200000};
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    while (sent < (1u << 20)) {
        ssize_t n = send(fd, chunk, sizeof chunk, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
    lg.l_onoff = 1;
    lg.l_linger = 0;
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd); /* a reset, mid-transfer */
    sleep_ms(50);
    if (!one_echo(10))
        fail_with("reset: a fresh client was not echoed after the reset");
    printf("reset: %zu bytes sent, the connection reset, a fresh client echoed\n", sent);
    return 0;
}

static int mode_slow(size_t bytes)
{
    char *out = malloc(bytes), in[4096];
    size_t sent = 0, got = 0;
    int fd = dial(10);
    if (out == NULL)
        die("malloc");
    fill(out, bytes, 3);
    while (got < bytes) {
        struct pollfd p = {fd, POLLIN, 0};
        if (sent < bytes)
            p.events |= POLLOUT;
        if (poll(&p, 1, 10000) <= 0)
            fail_with("slow: nothing moved for 10 s");
        if ((p.revents & POLLOUT) && sent < bytes) {
            size_t k = bytes - sent < 65536 ? bytes - sent : 65536;
            ssize_t n = send(fd, out + sent, k, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0)
                sent += (size_t)n;
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            size_t k = bytes - got < sizeof in ? bytes - got : sizeof in;
            ssize_t n = recv(fd, in, k, MSG_DONTWAIT);
            if (n == 0)
                fail_with("slow: the server hung up");
            if (n > 0) {
                if (memcmp(in, out + got, (size_t)n) != 0)
                    fail_with("slow: a byte came back wrong");
                got += (size_t)n;
                sleep_ms(1); /* a slow reader */
            }
        }
    }
    close(fd);
    printf("slow: %zu bytes echoed to a reader taking 4 KB a millisecond\n", bytes);
    free(out);
    return 0;
}

static int mode_cycles(int n)
{
    int i;
    for (i = 0; i < n; i++)
        if (!one_echo(10))
            fail_with("cycles: a connection was not echoed");
    printf("cycles: %d connections, one after the other, each echoed\n", n);
    return 0;
}

/* Every client connected and its message sent before any answer is read:
 * n at once.  *echoed and *refused count how it went; with `close_each`
 * each is closed once it is done (which frees the server's fd). */
static void many(int n, int close_each, int *echoed, int *refused)
{
    int *fds = calloc((size_t)n, sizeof *fds), i;
    char out[64], in[64];
    if (fds == NULL)
        die("calloc");
    *echoed = *refused = 0;
    for (i = 0; i < n; i++) {
        fds[i] = dial(30);
        fill(out, sizeof out, (unsigned)i);
        if (send(fds[i], out, sizeof out, MSG_NOSIGNAL) != (ssize_t)sizeof out)
            die("send");
    }
    for (i = 0; i < n; i++) {
        fill(out, sizeof out, (unsigned)i);
        if (recv_all(fds[i], in, sizeof in)) {
            if (memcmp(in, out, sizeof out) != 0)
                fail_with("a byte came back wrong");
            ++*echoed;
        } else {
            ++*refused;
        }
        if (close_each)
            close(fds[i]);
    }
    if (!close_each)
        for (i = 0; i < n; i++)
            close(fds[i]);
    free(fds);
}

static int mode_flood(int n)
{
    int echoed, refused;
    many(n, 1, &echoed, &refused);
    if (refused != 0)
        fail_with("flood: some clients were turned away");
    printf("flood: %d clients at once, each echoed\n", echoed);
    return 0;
}

static int mode_hold(int n)
{
    int echoed, refused;
    many(n, 0, &echoed, &refused);
    printf("hold: %d clients at once: %d echoed, %d refused\n", n, echoed, refused);
    return 0;
}

/* ---- HTTP ------------------------------------------------------------------ */

static char *http_input(const char *name, size_t *len)
{
    static char buf[80000];
    size_t i;
    if (strcmp(name, "ok") == 0 || strcmp(name, "onebyte") == 0)
        strcpy(buf, "GET / HTTP/1.0\r\n\r\n");
    else if (strcmp(name, "nocrlf") == 0)
        strcpy(buf, "GET / HTTP/1.0");
    else if (strcmp(name, "half") == 0)
        strcpy(buf, "GET / HT");
    else if (strcmp(name, "method") == 0)
        strcpy(buf, "BREW /pot HTTP/1.0\r\n\r\n");
    else if (strcmp(name, "longline") == 0 || strcmp(name, "header64k") == 0) {
        int header = strcmp(name, "header64k") == 0;
        strcpy(buf, header ? "GET / HTTP/1.0\r\nX-Long: " : "GET /");
        i = strlen(buf);
        memset(buf + i, 'a', 65536);
        strcpy(buf + i + 65536, header ? "\r\n\r\n" : " HTTP/1.0\r\n\r\n");
    } else if (strcmp(name, "garbage") == 0) {
        for (i = 0; i < 4096; i++)
            buf[i] = (char)(i * 2654435761u >> 13);
        *len = 4096;
        return buf;
    } else {
        return NULL;
    }
    *len = strlen(buf);
    return buf;
}

/* The answer's status line, read to the end of the connection. */
static int http_status(int fd, char *line, size_t cap)
{
    static char reply[65536];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof reply - 1 && (n = recv(fd, reply + got, sizeof reply - 1 - got, 0)) > 0)
        got += (size_t)n;
    reply[got] = '\0';
    snprintf(line, cap, "%.*s", (int)strcspn(reply, "\r\n"), reply);
    return got > 0;
}

static int mode_http(const char *name, const char *status)
{
    size_t len, i;
    char *in = http_input(name, &len), line[128], expect[32];
    int fd;
    if (in == NULL)
        fail_with("http: no such case");
    fd = dial(20);
    if (strcmp(name, "onebyte") == 0) {
        for (i = 0; i < len; i++) {
            send_all(fd, in + i, 1);
            sleep_ms(2);
        }
    } else {
        send_all(fd, in, len);
    }
    if (!http_status(fd, line, sizeof line))
        fail_with("http: no answer");
    close(fd);
    snprintf(expect, sizeof expect, "HTTP/1.0 %s", status);
    if (strncmp(line, expect, strlen(expect)) != 0) {
        fprintf(stderr, "server_faults: http %s: answered \"%s\", not %s\n", name, line, status);
        return 1;
    }
    printf("http %s: %s\n", name, line);
    return 0;
}

static int mode_httpload(int n)
{
    int *fds = calloc((size_t)n, sizeof *fds), i;
    static const char get[] = "GET / HTTP/1.0\r\n\r\n";
    char line[128];
    if (fds == NULL)
        die("calloc");
    for (i = 0; i < n; i++) {
        fds[i] = dial(30);
        send_all(fds[i], get, sizeof get - 1);
    }
    for (i = 0; i < n; i++) {
        if (!http_status(fds[i], line, sizeof line) || strncmp(line, "HTTP/1.0 200", 12) != 0) {
            fprintf(stderr, "server_faults: httpload: request %d answered \"%s\"\n", i, line);
            return 1;
        }
        close(fds[i]);
    }
    printf("httpload: %d requests at once, each answered 200\n", n);
    free(fds);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 2 ? argv[1] : "";
    long a = argc > 3 ? atol(argv[3]) : 0;
    struct rlimit rl;

    signal(SIGPIPE, SIG_IGN);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max; /* room for many clients */
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    port = argc > 2 ? atoi(argv[2]) : 0;
    errno = 0;
    if (strcmp(mode, "idle") == 0 && argc > 4)
        return mode_idle((int)a, atoi(argv[4]));
    if (strcmp(mode, "halfclose") == 0 && a > 0)
        return mode_halfclose((size_t)a);
    if (strcmp(mode, "reset") == 0)
        return mode_reset();
    if (strcmp(mode, "slow") == 0 && a > 0)
        return mode_slow((size_t)a);
    if (strcmp(mode, "cycles") == 0 && a > 0)
        return mode_cycles((int)a);
    if (strcmp(mode, "flood") == 0 && a > 0)
        return mode_flood((int)a);
    if (strcmp(mode, "hold") == 0 && a > 0)
        return mode_hold((int)a);
    if (strcmp(mode, "http") == 0 && argc > 4)
        return mode_http(argv[3], argv[4]);
    if (strcmp(mode, "httpload") == 0 && a > 0)
        return mode_httpload((int)a);
    fprintf(stderr, "usage: server_faults MODE PORT ... (see the file's head)\n");
    return 2;
}
