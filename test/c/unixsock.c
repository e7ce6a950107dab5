/*
 * unixsock connect|bind PATH: one connect(2) or bind(2) of a unix stream socket
 * to PATH, printing `ok` or the errno's name, then exits 0 (2 on a usage error).
 * The Paludis tests use it to see allow_net/disallow_net take effect.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *name(int e) {
  switch (e) {
  case EPERM: return "EPERM";
  case EACCES: return "EACCES";
  case ENOENT: return "ENOENT";
  case EADDRINUSE: return "EADDRINUSE";
  case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
  case ECONNREFUSED: return "ECONNREFUSED";
  case EAFNOSUPPORT: return "EAFNOSUPPORT";
  default: return strerrorname_np(e) ? strerrorname_np(e) : "E?";
  }
}

int main(int argc, char **argv) {
  if (argc != 3 || strlen(argv[2]) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
    fprintf(stderr, "usage: unixsock connect|bind PATH\n");
    return 2;
  }
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  strcpy(sa.sun_path, argv[2]);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) { printf("%s\n", name(errno)); return 0; }
  int r;
  if (strcmp(argv[1], "connect") == 0) r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
  else if (strcmp(argv[1], "bind") == 0) r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
  else { fprintf(stderr, "usage: unixsock connect|bind PATH\n"); return 2; }
  printf("%s\n", r == 0 ? "ok" : name(errno));
  return 0;
}
