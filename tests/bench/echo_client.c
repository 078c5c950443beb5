/* SPDX-License-Identifier: MIT */
/*
 * echo_client.c - the load generator of the echo workload (make bench).
 *
 *   echo_client PORT CONNS SECONDS [MSG_BYTES]
 *
 * Opens CONNS TCP connections to 127.0.0.1:PORT, then for SECONDS keeps one
 * message of MSG_BYTES (default 4096) in flight on every connection: write
 * it, read all of it back, write the next.  One thread drives every
 * connection with poll() and non-blocking sockets, so on a 2-core machine
 * the client takes one core and the server under test the other, whatever
 * the server is.  Prints `ops=<bytes echoed back> s=<seconds>`.
 */
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd;
    size_t to_send, to_recv;
};

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

int main(int argc, char **argv)
{
    int port, nconns, i;
    double seconds, t0, t_end, t;
    size_t msg;
    char *out, *in;
    struct conn *c;
    struct pollfd *pfd;
    unsigned long long bytes = 0;

    if (argc < 4) {
        fprintf(stderr, "usage: echo_client PORT CONNS SECONDS [MSG_BYTES]\n");
        return 2;
    }
    port = atoi(argv[1]);
    nconns = atoi(argv[2]);
    seconds = atof(argv[3]);
    msg = argc > 4 ? (size_t)atol(argv[4]) : 4096;
    if (port <= 0 || nconns <= 0 || seconds <= 0 || msg == 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    out = malloc(msg);
    in = malloc(msg);
    c = calloc((size_t)nconns, sizeof *c);
    pfd = calloc((size_t)nconns, sizeof *pfd);
    if (out == NULL || in == NULL || c == NULL || pfd == NULL)
        return 1;
    for (i = 0; i < (int)msg; i++)
        out[i] = (char)('a' + i % 26);
    for (i = 0; i < nconns; i++) {
        c[i].fd = connect_to(port);
        if (c[i].fd < 0) {
            perror("echo_client: connect");
            return 1;
        }
        c[i].to_send = c[i].to_recv = msg;
    }

    t0 = now_s();
    t_end = t0 + seconds;
    for (t = t0; t < t_end; t = now_s()) {
        int n;
        for (i = 0; i < nconns; i++) {
            pfd[i].fd = c[i].fd;
            pfd[i].events = (short)(POLLIN | (c[i].to_send > 0 ? POLLOUT : 0));
            pfd[i].revents = 0;
        }
        n = poll(pfd, (nfds_t)nconns, 100);
        if (n < 0 && errno != EINTR) {
            perror("echo_client: poll");
            return 1;
        }
        for (i = 0; i < nconns && n > 0; i++) {
            ssize_t k;
            if (pfd[i].revents == 0)
                continue;
            n--;
            if ((pfd[i].revents & POLLOUT) && c[i].to_send > 0) {
                k = write(c[i].fd, out + (msg - c[i].to_send), c[i].to_send);
                if (k > 0)
                    c[i].to_send -= (size_t)k;
                else if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    perror("echo_client: write");
                    return 1;
                }
            }
            if (pfd[i].revents & (POLLIN | POLLERR | POLLHUP)) {
                k = read(c[i].fd, in, c[i].to_recv);
                if (k > 0) {
                    c[i].to_recv -= (size_t)k;
                    bytes += (unsigned long long)k;
                    if (c[i].to_recv == 0 && c[i].to_send == 0)
                        c[i].to_send = c[i].to_recv = msg; /* the next message */
                } else if (k == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                    fprintf(stderr, "echo_client: the server hung up\n");
                    return 1;
                }
            }
        }
    }
    for (i = 0; i < nconns; i++)
        close(c[i].fd);
    printf("ops=%llu s=%.6f\n", bytes, t - t0);
    free(out);
    free(in);
    free(c);
    free(pfd);
    return 0;
}
