/*
 * mmsg [-c IP:PORT] [-v VLEN] DEST...: one sendmmsg(2) on one UDP socket, one datagram
 * per DEST: "IP:PORT" names it in msg_name, "-" leaves msg_name NULL (connected socket).
 * Datagram i carries "mmsg-i". Prints `ok N` (datagrams sent) or the errno's name.
 *   -c IP:PORT  connect the socket first (the connect is checked too)
 *   -v VLEN     pass VLEN instead of the count of DESTs; the vector then ends at an
 *               unreadable page, so entries past the DESTs fault (EFAULT stops the kernel)
 *   -l          also print each entry's msg_len after the call: `ok N L0 L1 ...` (entries
 *               not sent keep the 999 they start with)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(void) {
  printf("%s\n", strerrorname_np(errno));
  return 0;
}

static int parse(const char *s, struct sockaddr_in *sin) {
  char ip[64];
  const char *colon = strrchr(s, ':');
  if (!colon || (size_t)(colon - s) >= sizeof ip) return -1;
  memcpy(ip, s, colon - s);
  ip[colon - s] = 0;
  *sin = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(atoi(colon + 1)) };
  return inet_pton(AF_INET, ip, &sin->sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv) {
  const char *conn = NULL;
  unsigned int vlen = 0;
  int opt, lens = 0;
  while ((opt = getopt(argc, argv, "c:v:l")) != -1) {
    if (opt == 'c') conn = optarg;
    else if (opt == 'l') lens = 1;
    else if (opt == 'v') vlen = strtoul(optarg, NULL, 0);
    else return 2;
  }
  int count = argc - optind;
  if (count < 1 || count > 64) return 2;

  /* The vector sits at the end of a page followed by an inaccessible one. */
  long page = sysconf(_SC_PAGESIZE);
  char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED || mprotect(map + page, page, PROT_NONE) != 0) return fail();
  struct mmsghdr *vec = (struct mmsghdr *)(map + page) - count;
  static struct sockaddr_in names[64];
  static struct iovec iovs[64];
  static char bufs[64][16];
  for (int i = 0; i < count; i++) {
    const char *dest = argv[optind + i];
    snprintf(bufs[i], sizeof bufs[i], "mmsg-%d", i);
    iovs[i] = (struct iovec){ bufs[i], strlen(bufs[i]) };
    memset(&vec[i], 0, sizeof vec[i]);
    vec[i].msg_len = 999;
    vec[i].msg_hdr.msg_iov = &iovs[i];
    vec[i].msg_hdr.msg_iovlen = 1;
    if (strcmp(dest, "-") == 0) continue;
    if (parse(dest, &names[i]) != 0) return 2;
    vec[i].msg_hdr.msg_name = &names[i];
    vec[i].msg_hdr.msg_namelen = sizeof names[i];
  }

  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail();
  if (conn) {
    struct sockaddr_in sin;
    if (parse(conn, &sin) != 0) return 2;
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) return fail();
  }
  int n = sendmmsg(fd, vec, vlen ? vlen : (unsigned int)count, 0);
  if (n < 0) return fail();
  printf("ok %d", n);
  for (int i = 0; lens && i < count; i++) printf(" %u", vec[i].msg_len);
  printf("\n");
  return 0;
}
