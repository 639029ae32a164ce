// A TUN echo responder for tests and benchmarks, run inside a network namespace: it owns a TUN
// device routed to 198.18.0.0/16 (RFC 2544's benchmarking range) and 2001:2::/112 (RFC 5180's)
// and answers ICMP and ICMPv6 echo requests after a programmed per-host delay, or misbehaves on
// purpose (drops, forges, duplicates, replays). netem is not available in this kernel, so this is
// how the tests get known latency and loss.
//
//   tun-responder DEVICE TABLE_FILE
//
// TABLE_FILE lines: "ADDRESS DELAY_US BEHAVIOUR"; ADDRESS is in 198.18.0.0/16 or 2001:2::/112
// (host offset = the low 16 bits). BEHAVIOUR one of
//   reply             answer after DELAY_US
//   drop              never answer
//   forge             answer after DELAY_US with a corrupted cookie (the engine must reject it)
//   forge-seq         answer with the payload's probe number changed (its cookie kept)
//   forge-time        answer with the payload's send time 10 ms earlier (would inflate the RTT)
//   misdirect         answer from the next address (offset + 1): a valid reply for another target
//   replay            answer the first request; answer every later one with that first reply
//   duplicate         answer twice after DELAY_US (the engine must count the second)
//   forge-then-reply  a forged answer at once, the real one after DELAY_US
// The payload layout it edits is the engine's (native/src/icmp_packet.h): target index (u32),
// probe number (u32), send time (i64 ns), all little-endian. Checksums are always made valid, so
// only the engine's cookie can tell. Hosts not in the table are not answered. Prints "ready" once
// the device exists; on SIGTERM or SIGINT prints "requests=N replies=N dropped=N forged=N
// duplicates=N replayed=N unknown=N" and exits.
//
// Delays are kept precisely: replies wait in a min-heap keyed by their due time on
// CLOCK_MONOTONIC, and the loop sleeps with ppoll on a 1 ns timer slack until the next one is due.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define RANGE4_BASE 0xC6120000u /* 198.18.0.0 */
#define RANGE_SIZE 65536u
#define MAX_PACKET 2048
#define FORGED_TIME_SHIFT_NS 10000000LL

enum behaviour {
  UNKNOWN = 0,
  REPLY,
  DROP,
  FORGE,
  FORGE_SEQ,
  FORGE_TIME,
  MISDIRECT,
  REPLAY,
  DUPLICATE,
  FORGE_THEN_REPLY
};

static const char *behaviour_names[] = {"",           "reply",     "drop",   "forge",     "forge-seq",
                                        "forge-time", "misdirect", "replay", "duplicate", "forge-then-reply"};

struct host {
  uint32_t delay_us;
  uint8_t behaviour;
  uint16_t first_reply_len; /* replay: the first reply, kept to answer later requests with */
  uint8_t *first_reply;
};

struct pending {
  int64_t due_ns;
  uint32_t slot;
};

/* 2001:2::/112: the first 14 bytes; the host offset is the last two. */
static const uint8_t range6_prefix[14] = {0x20, 0x01, 0x00, 0x02};

static struct host hosts4[RANGE_SIZE];
static struct host hosts6[RANGE_SIZE];
static struct pending *heap;
static size_t heap_len, heap_cap;
static uint8_t (*slots)[MAX_PACKET];
static uint16_t *slot_len;
static uint32_t *free_slots;
static size_t free_len, slot_cap;
static volatile sig_atomic_t stopping;
static unsigned long long n_requests, n_replies, n_dropped, n_forged, n_duplicates, n_replayed, n_unknown;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static void die(const char *what) {
  fprintf(stderr, "tun-responder: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* One's-complement sum of big-endian 16-bit words, not yet folded or inverted. */
static uint32_t sum_words(const uint8_t *data, size_t len, uint32_t sum) {
  for (size_t i = 0; i + 1 < len; i += 2) sum += (uint32_t)(data[i] << 8 | data[i + 1]);
  if (len & 1) sum += (uint32_t)data[len - 1] << 8;
  return sum;
}

static uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static void put16(uint8_t *at, uint16_t value) {
  at[0] = (uint8_t)(value >> 8);
  at[1] = (uint8_t)value;
}

static uint32_t take_slot(void) {
  if (free_len == 0) {
    size_t grown = slot_cap ? slot_cap * 2 : 1024;
    slots = realloc(slots, grown * MAX_PACKET);
    slot_len = realloc(slot_len, grown * sizeof *slot_len);
    free_slots = realloc(free_slots, grown * sizeof *free_slots);
    if (!slots || !slot_len || !free_slots) die("out of memory");
    for (size_t i = slot_cap; i < grown; i++) free_slots[free_len++] = (uint32_t)i;
    slot_cap = grown;
  }
  return free_slots[--free_len];
}

static void heap_push(int64_t due_ns, uint32_t slot) {
  if (heap_len == heap_cap) {
    heap_cap = heap_cap ? heap_cap * 2 : 1024;
    heap = realloc(heap, heap_cap * sizeof *heap);
    if (!heap) die("out of memory");
  }
  size_t i = heap_len++;
  while (i > 0 && heap[(i - 1) / 2].due_ns > due_ns) {
    heap[i] = heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  heap[i].due_ns = due_ns;
  heap[i].slot = slot;
}

static struct pending heap_pop(void) {
  struct pending top = heap[0];
  struct pending last = heap[--heap_len];
  size_t i = 0;
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= heap_len) break;
    if (child + 1 < heap_len && heap[child + 1].due_ns < heap[child].due_ns) child++;
    if (heap[child].due_ns >= last.due_ns) break;
    heap[i] = heap[child];
    i = child;
  }
  if (heap_len > 0) heap[i] = last;
  return top;
}

static void schedule(const uint8_t *packet, size_t len, int64_t due_ns) {
  uint32_t slot = take_slot();
  memcpy(slots[slot], packet, len);
  slot_len[slot] = (uint16_t)len;
  heap_push(due_ns, slot);
}

static uint8_t parse_behaviour(const char *name) {
  for (uint8_t b = REPLY; b <= FORGE_THEN_REPLY; b++) {
    if (strcmp(name, behaviour_names[b]) == 0) return b;
  }
  return UNKNOWN;
}

static void load_table(const char *path) {
  FILE *file = fopen(path, "r");
  if (!file) die(path);
  char address[64], behaviour[32];
  unsigned long delay_us;
  int line = 0;
  while (fscanf(file, "%63s %lu %31s", address, &delay_us, behaviour) == 3) {
    line++;
    struct host *host = NULL;
    struct in_addr in;
    struct in6_addr in6;
    if (inet_pton(AF_INET, address, &in) == 1) {
      uint32_t offset = ntohl(in.s_addr) - RANGE4_BASE;
      if (offset < RANGE_SIZE) host = &hosts4[offset];
    } else if (inet_pton(AF_INET6, address, &in6) == 1) {
      if (memcmp(in6.s6_addr, range6_prefix, 14) == 0) host = &hosts6[in6.s6_addr[14] << 8 | in6.s6_addr[15]];
    } else {
      fprintf(stderr, "tun-responder: line %d: bad address %s\n", line, address);
      exit(2);
    }
    if (!host) {
      fprintf(stderr, "tun-responder: line %d: %s is outside 198.18.0.0/16 and 2001:2::/112\n", line, address);
      exit(2);
    }
    uint8_t b = parse_behaviour(behaviour);
    if (b == UNKNOWN) {
      fprintf(stderr, "tun-responder: line %d: unknown behaviour %s\n", line, behaviour);
      exit(2);
    }
    host->delay_us = (uint32_t)delay_us;
    host->behaviour = b;
  }
  fclose(file);
}

/* Where a packet's parts are, once it is known to be an echo request we answer. */
struct echo {
  int ipv6;
  size_t ip_len; /* IP header bytes before the ICMP header */
  size_t len;    /* whole packet */
  struct host *host;
};

/* Recomputes the ICMP (IPv4) or ICMPv6 checksum, and for IPv4 the header checksum. */
static void fix_checksums(uint8_t *packet, const struct echo *e) {
  uint8_t *icmp = packet + e->ip_len;
  const size_t icmp_len = e->len - e->ip_len;
  icmp[2] = icmp[3] = 0;
  if (e->ipv6) {
    /* Pseudo-header: source, destination, upper-layer length, next header 58. */
    uint32_t sum = sum_words(packet + 8, 32, 0);
    sum += (uint32_t)(icmp_len >> 16) + (uint32_t)(icmp_len & 0xffff) + 58;
    put16(icmp + 2, fold(sum_words(icmp, icmp_len, sum)));
  } else {
    packet[10] = packet[11] = 0;
    put16(packet + 10, fold(sum_words(packet, e->ip_len, 0)));
    put16(icmp + 2, fold(sum_words(icmp, icmp_len, 0)));
  }
}

/* Turns an echo request into its reply in place; returns 0 if it is not one we answer. */
static int make_reply(uint8_t *packet, size_t len, struct echo *e) {
  memset(e, 0, sizeof *e);
  e->len = len;
  if (len >= 48 && (packet[0] >> 4) == 6) {
    /* IPv6 without extension headers (what the engine sends). */
    if (packet[6] != 58 || packet[40] != 128) return 0;
    if (memcmp(packet + 24, range6_prefix, 14) != 0) return 0;
    e->ipv6 = 1;
    e->ip_len = 40;
    e->host = &hosts6[packet[38] << 8 | packet[39]];
  } else if (len >= 28 && (packet[0] >> 4) == 4 && packet[9] == 1) {
    e->ip_len = (size_t)(packet[0] & 0x0f) * 4;
    if (e->ip_len < 20 || len < e->ip_len + 8 || packet[e->ip_len] != 8) return 0;
    uint32_t dst;
    memcpy(&dst, packet + 16, 4);
    uint32_t offset = ntohl(dst) - RANGE4_BASE;
    if (offset >= RANGE_SIZE) {
      n_unknown++;
      return 0;
    }
    e->host = &hosts4[offset];
  } else {
    return 0;
  }
  if (e->host->behaviour == UNKNOWN) {
    n_unknown++;
    return 0;
  }
  if (e->ipv6) {
    uint8_t dst[16];
    memcpy(dst, packet + 24, 16);
    memcpy(packet + 24, packet + 8, 16);
    memcpy(packet + 8, dst, 16);
    packet[7] = 64;
    packet[40] = 129;
  } else {
    uint8_t dst[4];
    memcpy(dst, packet + 16, 4);
    memcpy(packet + 16, packet + 12, 4);
    memcpy(packet + 12, dst, 4);
    packet[8] = 64;
    packet[e->ip_len] = 0;
  }
  fix_checksums(packet, e);
  return 1;
}

/* The engine's payload starts after the 8-byte ICMP header; NULL when the packet is too short. */
static uint8_t *payload_of(uint8_t *packet, const struct echo *e) {
  return e->len >= e->ip_len + 8 + 24 ? packet + e->ip_len + 8 : NULL;
}

/* Flips one cookie byte (payload bytes 16-21 hold it): only the cookie is wrong. */
static void forge_cookie(uint8_t *packet, const struct echo *e) {
  uint8_t *payload = payload_of(packet, e);
  if (payload) payload[16] ^= 0x5a;
  fix_checksums(packet, e);
}

/* Claims the reply is for the next probe of its target, keeping the cookie. */
static void forge_seq(uint8_t *packet, const struct echo *e) {
  uint8_t *payload = payload_of(packet, e);
  if (!payload) return;
  uint32_t seq;
  memcpy(&seq, payload + 4, 4);
  seq += 1;
  memcpy(payload + 4, &seq, 4);
  fix_checksums(packet, e);
}

/* Moves the payload's send time 10 ms back, keeping the cookie: an RTT read from it would grow. */
static void forge_time(uint8_t *packet, const struct echo *e) {
  uint8_t *payload = payload_of(packet, e);
  if (!payload) return;
  int64_t send_ns;
  memcpy(&send_ns, payload + 8, 8);
  send_ns -= FORGED_TIME_SHIFT_NS;
  memcpy(payload + 8, &send_ns, 8);
  fix_checksums(packet, e);
}

/* Sends the reply from the next address up: a valid reply, but for another target. */
static void misdirect(uint8_t *packet, const struct echo *e) {
  uint8_t *last = e->ipv6 ? packet + 8 + 15 : packet + 12 + 3;
  *last += 1;
  fix_checksums(packet, e);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: tun-responder DEVICE TABLE_FILE\n");
    return 2;
  }
  load_table(argv[2]);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  // Real-time priority where allowed (root in the test namespace): on a busy 2-core machine the
  // responder should answer on time. Its lateness is not the engine's error either way: accuracy
  // is judged against a capture of the device (wire-capture.c).
  struct sched_param param = {.sched_priority = 10};
  sched_setscheduler(0, SCHED_FIFO, &param);
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) die("open /dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, argv[1], IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) die("TUNSETIFF");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  printf("ready\n");
  fflush(stdout);

  uint8_t packet[MAX_PACKET];
  while (!stopping) {
    int64_t now = now_ns();
    while (heap_len > 0 && heap[0].due_ns <= now) {
      struct pending due = heap_pop();
      if (write(fd, slots[due.slot], slot_len[due.slot]) < 0 && errno != EAGAIN) die("write");
      free_slots[free_len++] = due.slot;
      now = now_ns();
    }
    struct timespec wait = {0, 100000000};
    if (heap_len > 0) {
      int64_t left = heap[0].due_ns - now;
      wait.tv_sec = left / 1000000000LL;
      wait.tv_nsec = left % 1000000000LL;
    }
    struct pollfd pfd = {fd, POLLIN, 0};
    int ready = ppoll(&pfd, 1, &wait, NULL);
    if (ready < 0 && errno != EINTR) die("ppoll");
    if (ready <= 0) continue;
    for (;;) {
      ssize_t len = read(fd, packet, sizeof packet);
      if (len < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        die("read");
      }
      const int64_t arrived = now_ns();
      struct echo e;
      if (!make_reply(packet, (size_t)len, &e)) continue;
      struct host *host = e.host;
      n_requests++;
      const int64_t due = arrived + (int64_t)host->delay_us * 1000;
      switch (host->behaviour) {
        case DROP:
          n_dropped++;
          break;
        case FORGE:
          forge_cookie(packet, &e);
          schedule(packet, e.len, due);
          n_forged++;
          break;
        case FORGE_SEQ:
          forge_seq(packet, &e);
          schedule(packet, e.len, due);
          n_forged++;
          break;
        case FORGE_TIME:
          forge_time(packet, &e);
          schedule(packet, e.len, due);
          n_forged++;
          break;
        case MISDIRECT:
          misdirect(packet, &e);
          schedule(packet, e.len, due);
          n_forged++;
          break;
        case REPLAY:
          if (!host->first_reply) {
            host->first_reply = malloc(e.len);
            if (!host->first_reply) die("out of memory");
            memcpy(host->first_reply, packet, e.len);
            host->first_reply_len = (uint16_t)e.len;
            schedule(packet, e.len, due);
            n_replies++;
          } else {
            schedule(host->first_reply, host->first_reply_len, due);
            n_replayed++;
          }
          break;
        case DUPLICATE:
          schedule(packet, e.len, due);
          schedule(packet, e.len, due + 1000);
          n_replies++;
          n_duplicates++;
          break;
        case FORGE_THEN_REPLY: {
          uint8_t forged[MAX_PACKET];
          memcpy(forged, packet, e.len);
          forge_cookie(forged, &e);
          schedule(forged, e.len, arrived);
          schedule(packet, e.len, due);
          n_forged++;
          n_replies++;
          break;
        }
        default:
          schedule(packet, e.len, due);
          n_replies++;
      }
    }
  }
  printf("requests=%llu replies=%llu dropped=%llu forged=%llu duplicates=%llu replayed=%llu unknown=%llu\n", n_requests,
         n_replies, n_dropped, n_forged, n_duplicates, n_replayed, n_unknown);
  return 0;
}
