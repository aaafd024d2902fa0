/*
 * A minimal battery controller (EMS) in C on plain POSIX sockets, for `hil` benches: socketcand's ASCII protocol
 * over TCP for the BMS, Modbus TCP for a SunSpec hybrid inverter. See docs/your-controller.md.
 *
 *   cc -O2 -Wall -o controller examples/c/controller.c
 *   ./controller --can HOST:PORT/BUS --modbus HOST:PORT [--unit 1]
 *   # in a bench: command: [stdbuf, -oL, ./controller, --can, "${can.pack1.socketcand}", --modbus, "${modbus.site.tcp}"]
 *
 * The same policy as examples/python/controller.py, every 250 ms: reads 0x351 (charge current limit, bytes 2-3,
 * signed 0.1 A LE), 0x356 (pack voltage, bytes 0-1, signed 0.01 V LE), 0x359 (bytes 0-1: any bit is a protection
 * alarm) - layouts in docs/protocols/battery-can.md with their sources; sends the 0x305 heartbeat once a second;
 * writes SunSpec model 124 StorCtl_Mod = 3, OutWRte = 0, InWRte = charge limit as % of WChaMax (0 on a protection
 * alarm or after 3 s without 0x351). socketcand messages (`< open BUS >`, `< rawmode >`, `< send ID LEN B.. >`,
 * `< frame ID SEC.USEC HEX >`): the socketcand protocol document (linux-can/socketcand, doc/protocol.md).
 * It waits only in poll(), so it runs under `hil run --speed k` (docs/speed.md). Prints "controller ready".
 * Through lockstep.h (the clock, poll, and the bytes on its sockets) it also runs in lock step, in virtual time, when
 * the harness starts it so (`hil run --time-mode lockstep`, docs/lockstep.md); otherwise lockstep.h is transparent.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lockstep.h"

#define PERIOD_MS 250
#define HEARTBEAT_MS 1000
#define COMMS_TIMEOUT_MS 3000
#define SUNSPEC_BASE 40000
/* Generous: under --speed k every real latency (a loaded CI machine included) is k times longer on this clock. */
#define MODBUS_TIMEOUT_MS 10000

static void die(const char *what) {
  fprintf(stderr, "controller: %s: %s\n", what, errno ? strerror(errno) : "failed");
  exit(1);
}

/* The lock-step session; outside lock step its calls are the plain clock, poll, read and write. */
static ls_t ls;

static double now_ms(void) { return ls_now(&ls); }

/* poll() on the run's clock; the end of a lock-step session ends the controller. */
static int wait_for(struct pollfd *fds, nfds_t n, int timeout_ms) {
  int r = ls_poll(&ls, fds, n, timeout_ms);
  if (r < 0 && ls.ended) exit(0);
  return r;
}

static int tcp_connect(const char *host, const char *port) {
  struct addrinfo hints = {0}, *res;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, port, &hints, &res) != 0) die("getaddrinfo");
  int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) die("connect");
  ls_connected(&ls);
  freeaddrinfo(res);
  return fd;
}

/* Read exactly n bytes, waiting at most timeout_ms in total (poll: sped up under libfaketime). */
static void read_full(int fd, uint8_t *buf, size_t n, int timeout_ms) {
  size_t got = 0;
  double deadline = now_ms() + timeout_ms;
  while (got < n) {
    struct pollfd p = {fd, POLLIN, 0};
    int left = (int)(deadline - now_ms());
    if (left <= 0 || wait_for(&p, 1, left) <= 0) die("read timeout");
    ssize_t r = ls_read(&ls, fd, buf + got, n - got);
    if (r <= 0) die("connection closed");
    got += (size_t)r;
  }
}

static void write_all(int fd, const void *buf, size_t n) {
  const uint8_t *b = buf;
  while (n > 0) {
    ssize_t w = ls_write(&ls, fd, b, n);
    if (w <= 0) die("write");
    b += w;
    n -= (size_t)w;
  }
}

/* ---- Modbus TCP: FC 3 and FC 16 ---- */
static int mb_fd;
static uint8_t mb_unit = 1;
static uint16_t mb_tid;

static void mb_call(const uint8_t *pdu, size_t len, uint8_t *resp, size_t resp_len) {
  uint8_t adu[260];
  mb_tid++;
  adu[0] = mb_tid >> 8; adu[1] = mb_tid & 0xff; adu[2] = 0; adu[3] = 0;
  adu[4] = (uint8_t)((len + 1) >> 8); adu[5] = (uint8_t)((len + 1) & 0xff); adu[6] = mb_unit;
  memcpy(adu + 7, pdu, len);
  write_all(mb_fd, adu, len + 7);
  uint8_t head[7];
  read_full(mb_fd, head, 7, MODBUS_TIMEOUT_MS);
  size_t body = (size_t)((head[4] << 8) | head[5]) - 1;
  uint8_t buf[260];
  if (body > sizeof buf) die("Modbus frame too long");
  read_full(mb_fd, buf, body, MODBUS_TIMEOUT_MS);
  if (buf[0] & 0x80) { fprintf(stderr, "controller: Modbus exception %d\n", buf[1]); exit(1); }
  if (resp) memcpy(resp, buf, body < resp_len ? body : resp_len);
}

static void mb_read(uint16_t addr, uint16_t count, uint16_t *out) {
  uint8_t pdu[5] = {3, addr >> 8, addr & 0xff, count >> 8, count & 0xff}, resp[256];
  mb_call(pdu, 5, resp, sizeof resp);
  for (int i = 0; i < count; i++) out[i] = (uint16_t)((resp[2 + 2 * i] << 8) | resp[3 + 2 * i]);
}

static void mb_write(uint16_t addr, uint16_t count, const uint16_t *regs) {
  uint8_t pdu[256] = {16, addr >> 8, addr & 0xff, count >> 8, count & 0xff, (uint8_t)(2 * count)};
  for (int i = 0; i < count; i++) { pdu[6 + 2 * i] = regs[i] >> 8; pdu[7 + 2 * i] = regs[i] & 0xff; }
  mb_call(pdu, 6 + 2 * (size_t)count, NULL, 0);
}

/* ---- socketcand ---- */
static int can_fd;
static char can_buf[8192];
static size_t can_len;

/* Next complete `< ... >` message (without the brackets) into msg; 0 if none is buffered. */
static int can_next(char *msg, size_t size) {
  char *open = memchr(can_buf, '<', can_len);
  if (!open) { can_len = 0; return 0; }
  char *close = memchr(open, '>', can_len - (size_t)(open - can_buf));
  if (!close) return 0;
  size_t n = (size_t)(close - open - 1);
  if (n >= size) n = size - 1;
  memcpy(msg, open + 1, n);
  msg[n] = 0;
  size_t used = (size_t)(close + 1 - can_buf);
  memmove(can_buf, close + 1, can_len - used);
  can_len -= used;
  return 1;
}

/* Read what is there (waiting up to timeout_ms for something). */
static void can_fill(int timeout_ms) {
  struct pollfd p = {can_fd, POLLIN, 0};
  if (wait_for(&p, 1, timeout_ms) <= 0) return;
  ssize_t r = ls_read(&ls, can_fd, can_buf + can_len, sizeof can_buf - can_len - 1);
  if (r <= 0) die("socketcand connection closed");
  can_len += (size_t)r;
}

static void can_expect(const char *want) {
  char msg[256];
  double deadline = now_ms() + 5000;
  while (now_ms() < deadline) {
    while (can_next(msg, sizeof msg)) {
      if (strstr(msg, want)) return;
      if (strstr(msg, "error")) { fprintf(stderr, "controller: socketcand: <%s>\n", msg); exit(1); }
    }
    can_fill(100);
  }
  fprintf(stderr, "controller: socketcand: no '%s'\n", want);
  exit(1);
}

static void can_cmd(const char *text) { write_all(can_fd, text, strlen(text)); }

static int hexbyte(const char *s) {
  unsigned v;
  return sscanf(s, "%2x", &v) == 1 ? (int)v : -1;
}

int main(int argc, char **argv) {
  const char *can_arg = NULL, *mb_arg = NULL;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--can")) can_arg = argv[i + 1];
    else if (!strcmp(argv[i], "--modbus")) mb_arg = argv[i + 1];
    else if (!strcmp(argv[i], "--unit")) mb_unit = (uint8_t)atoi(argv[i + 1]);
  }
  if (!can_arg || !mb_arg) { fprintf(stderr, "usage: controller --can HOST:PORT/BUS --modbus HOST:PORT [--unit 1]\n"); return 2; }
  char can_host[256], can_port[16], bus[64], mb_host[256], mb_port[16];
  if (sscanf(can_arg, "%255[^:]:%15[^/]/%63s", can_host, can_port, bus) != 3) { fprintf(stderr, "controller: --can HOST:PORT/BUS\n"); return 2; }
  if (sscanf(mb_arg, "%255[^:]:%15s", mb_host, mb_port) != 2) { fprintf(stderr, "controller: --modbus HOST:PORT\n"); return 2; }

  if (ls_open(&ls) < 0) die("lock-step channel");
  /* SunSpec: 'SunS' at 40000, walk the model chain to 124. */
  mb_fd = tcp_connect(mb_host, mb_port);
  uint16_t r[28];
  mb_read(SUNSPEC_BASE, 2, r);
  if (r[0] != 0x5375 || r[1] != 0x6E53) { fprintf(stderr, "controller: no SunSpec marker\n"); return 1; }
  uint16_t addr = SUNSPEC_BASE + 2, m124 = 0;
  for (;;) {
    mb_read(addr, 2, r);
    if (r[0] == 0xFFFF) { fprintf(stderr, "controller: no SunSpec model 124\n"); return 1; }
    if (r[0] == 124) { m124 = addr; break; }
    addr = (uint16_t)(addr + 2 + r[1]);
  }
  mb_read(m124 + 2, 26, r); /* WChaMax .. InOutWRte_SF */
  double w_cha_max = r[0] * pow(10, (int16_t)r[16]);
  int rte_sf = (int16_t)r[23];

  can_fd = tcp_connect(can_host, can_port);
  can_expect("hi");
  char cmd[128];
  snprintf(cmd, sizeof cmd, "< open %s >", bus);
  can_cmd(cmd);
  can_expect("ok");
  can_cmd("< rawmode >");
  can_expect("ok");
  printf("controller ready: model 124 at %u, WChaMax %.0f W, BMS on %s\n", m124, w_cha_max, can_arg);
  fflush(stdout);
  ls_ready(&ls);

  double ccl_a = 0, volts = 0, last_bms = now_ms(), next_beat = 0, next_cycle = now_ms();
  int protection = 0, last_raw = -100000, last_flags = -1;
  for (;;) {
    double t = now_ms();
    int wait = (int)(next_cycle - t);
    can_fill(wait > 0 ? wait : 0);
    char msg[256];
    while (can_next(msg, sizeof msg)) {
      char id_text[16], data[64] = "";
      double secs;
      if (sscanf(msg, " frame %15s %lf %63s", id_text, &secs, data) < 2) continue;
      unsigned long id = strtoul(id_text, NULL, 16);
      size_t n = strlen(data) / 2;
      uint8_t d[8] = {0};
      for (size_t i = 0; i < n && i < 8; i++) d[i] = (uint8_t)hexbyte(data + 2 * i);
      if (id == 0x351 && n >= 4) { ccl_a = (int16_t)(d[2] | d[3] << 8) / 10.0; last_bms = now_ms(); }
      else if (id == 0x356 && n >= 2) volts = (int16_t)(d[0] | d[1] << 8) / 100.0;
      else if (id == 0x359 && n >= 2) protection = (d[0] | d[1]) != 0;
    }
    t = now_ms();
    if (t < next_cycle) continue;
    next_cycle += PERIOD_MS;
    if (next_cycle < t) next_cycle = t + PERIOD_MS;
    if (t >= next_beat) {
      can_cmd("< send 305 8 0 0 0 0 0 0 0 0 >");
      next_beat = t + HEARTBEAT_MS;
    }
    int lost = t - last_bms > COMMS_TIMEOUT_MS;
    double pct = 0;
    if (!protection && !lost && w_cha_max > 0) pct = fmin(100, fmax(0, ccl_a * volts / w_cha_max * 100));
    int raw = (int)lround(pct / pow(10, rte_sf));
    int flags = protection | lost << 1;
    if (raw != last_raw || flags != last_flags) {
      uint16_t mode = 3, rates[2] = {0, (uint16_t)raw};
      mb_write(m124 + 5, 1, &mode);  /* StorCtl_Mod: charge and discharge limits in force */
      mb_write(m124 + 12, 2, rates); /* OutWRte 0, InWRte */
      printf("InWRte %.1f %% (CCL %.1f A, %.2f V)%s%s\n", pct, ccl_a, volts, protection ? " PROTECTION" : "", lost ? " COMMS LOST" : "");
      fflush(stdout);
      last_raw = raw;
      last_flags = flags;
    }
  }
}
