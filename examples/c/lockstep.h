/*
 * lockstep.h - the lock-step clock protocol of `hil run --time-mode lockstep` for controllers in C (docs/lockstep.md).
 * One header, POSIX only. Outside lock step (no HIL_LOCKSTEP_FD in the environment) every call falls through to the
 * real thing, so one binary runs in real time, under `--speed k` and in lock step.
 *
 * Use it in place of three things:
 *   ls_now(&ls)                       instead of clock_gettime(CLOCK_MONOTONIC)   (milliseconds)
 *   ls_poll(&ls, fds, n, timeout_ms)  instead of poll(fds, n, timeout_ms)         (the only place time passes)
 *   ls_read / ls_write                instead of read / write on the bench's sockets (they count the bytes)
 * and call ls_connected(&ls) after each connect() to the bench, ls_ready(&ls) once started.
 *
 *   static ls_t ls;
 *   if (ls_open(&ls) < 0) { perror("lock step"); exit(1); }
 *   ...
 *   int r = ls_poll(&ls, fds, 2, next_ms - ls_now(&ls));
 *   if (r < 0 && ls.ended) exit(0);       // the harness ended the session
 *
 * In lock step ls_poll returns at once what is readable; when nothing is, and the timeout has not passed on the
 * harness's clock, it reports to the harness (its next wake-up, the bytes counted, the connections made) and waits
 * for the next grant: while it waits no simulated time passes for anyone. Wait nowhere else (no sleep, no blocking
 * read without ls_poll first, no timeout of your own).
 */
#ifndef HIL_LOCKSTEP_H
#define HIL_LOCKSTEP_H

/* POSIX (clock_gettime, poll, ssize_t): include this header first, or define _POSIX_C_SOURCE yourself. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;                     /* the channel (HIL_LOCKSTEP_FD), -1 outside lock step */
  int ended;                  /* the harness ended the session (ls_poll then returns -1) */
  int is_ready;
  double now;                 /* the harness's time of the last grant, ms */
  unsigned long long rx, tx;  /* bytes read from / written to the bench */
  unsigned long conns;        /* connections made to the bench */
  char buf[4096];
  size_t len;
} ls_t;

static inline int ls_write_line_(ls_t *ls, const char *line) {
  size_t n = strlen(line);
  while (n > 0) {
    ssize_t w = write(ls->fd, line, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    line += w;
    n -= (size_t)w;
  }
  return 0;
}

/* The number after "key": in a JSON line, or `dflt`. */
static inline double ls_field_(const char *line, const char *key, double dflt) {
  char pat[32];
  snprintf(pat, sizeof pat, "\"%s\"", key);
  const char *p = strstr(line, pat);
  if (!p) return dflt;
  p += strlen(pat);
  while (*p == ' ' || *p == ':') p++;
  char *end;
  double v = strtod(p, &end);
  return end == p ? dflt : v;
}

/* Wait for the next line from the harness: a grant (returns 0) or the end (returns -1, ls->ended set). */
static inline int ls_next_grant_(ls_t *ls) {
  for (;;) {
    char *nl = memchr(ls->buf, '\n', ls->len);
    if (nl) {
      *nl = 0;
      int grant = strstr(ls->buf, "\"grant\"") != NULL;
      int end = strstr(ls->buf, "\"end\"") != NULL;
      if (grant) ls->now = ls_field_(ls->buf, "now", ls->now);
      size_t used = (size_t)(nl + 1 - ls->buf);
      memmove(ls->buf, nl + 1, ls->len - used);
      ls->len -= used;
      if (grant) return 0;
      if (end) break;
      continue; /* a message this version does not know */
    }
    if (ls->len == sizeof ls->buf) break;
    ssize_t r = read(ls->fd, ls->buf + ls->len, sizeof ls->buf - ls->len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    ls->len += (size_t)r;
  }
  ls->ended = 1;
  errno = ECANCELED;
  return -1;
}

/* 0: in lock step (after the first grant); 1: not started in lock step; -1: error (errno). */
static inline int ls_open(ls_t *ls) {
  memset(ls, 0, sizeof *ls);
  ls->fd = -1;
  const char *fd = getenv("HIL_LOCKSTEP_FD");
  if (!fd || !*fd) return 1;
  ls->fd = atoi(fd);
  if (ls_write_line_(ls, "{\"type\":\"hello\",\"protocol\":1}\n") < 0) return -1;
  return ls_next_grant_(ls);
}

static inline double ls_now(ls_t *ls) {
  if (ls->fd < 0) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
  }
  return ls->now;
}

static inline void ls_connected(ls_t *ls) { ls->conns++; }
static inline void ls_ready(ls_t *ls) { ls->is_ready = 1; }

static inline ssize_t ls_read(ls_t *ls, int fd, void *buf, size_t n) {
  ssize_t r = read(fd, buf, n);
  if (r > 0) ls->rx += (unsigned long long)r;
  return r;
}

static inline ssize_t ls_write(ls_t *ls, int fd, const void *buf, size_t n) {
  ssize_t w = write(fd, buf, n);
  if (w > 0) ls->tx += (unsigned long long)w;
  return w;
}

/* poll(2) on the harness's clock: timeout_ms < 0 waits for bytes only. -1 with ls->ended when the session ended. */
static inline int ls_poll(ls_t *ls, struct pollfd *fds, nfds_t n, int timeout_ms) {
  if (ls->fd < 0) return poll(fds, n, timeout_ms);
  if (ls->ended) { errno = ECANCELED; return -1; }
  double wake = timeout_ms < 0 ? -1 : ls->now + timeout_ms;
  for (;;) {
    int r = poll(fds, n, 0);
    if (r != 0) return r;
    if (wake >= 0 && ls->now >= wake) return 0;
    char line[256];
    if (wake >= 0)
      snprintf(line, sizeof line, "{\"type\":\"done\",\"wake\":%.3f,\"rx\":%llu,\"tx\":%llu,\"conns\":%lu,\"ready\":%s}\n", wake, ls->rx, ls->tx, ls->conns, ls->is_ready ? "true" : "false");
    else
      snprintf(line, sizeof line, "{\"type\":\"done\",\"wake\":null,\"rx\":%llu,\"tx\":%llu,\"conns\":%lu,\"ready\":%s}\n", ls->rx, ls->tx, ls->conns, ls->is_ready ? "true" : "false");
    if (ls_write_line_(ls, line) < 0 || ls_next_grant_(ls) < 0) { ls->ended = 1; errno = ECANCELED; return -1; }
  }
}

#endif
