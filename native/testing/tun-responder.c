// A TUN echo responder for tests and benchmarks, run inside a network namespace: it owns a TUN
// device routed to 198.18.0.0/16 (RFC 2544's benchmarking range) and answers ICMP echo requests
// after a programmed per-host delay, or misbehaves on purpose (drop, forged cookie, duplicate).
// netem is not available in this kernel, so this is how the tests get known latency and loss.
//
//   tun-responder DEVICE TABLE_FILE
//
// TABLE_FILE lines: "ADDRESS DELAY_US BEHAVIOUR", BEHAVIOUR one of
//   reply             answer after DELAY_US
//   drop              never answer
//   forge             answer after DELAY_US with a corrupted cookie (the engine must reject it)
//   duplicate         answer twice after DELAY_US (the engine must count the second)
//   forge-then-reply  a forged answer at once, the real one after DELAY_US
// Hosts not in the table are not answered. Prints "ready" once the device exists; on SIGTERM or
// SIGINT prints "requests=N replies=N dropped=N forged=N duplicates=N unknown=N" and exits.
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

#define RANGE_BASE 0xC6120000u /* 198.18.0.0 */
#define RANGE_SIZE 65536u
#define MAX_PACKET 2048

enum behaviour { UNKNOWN = 0, REPLY, DROP, FORGE, DUPLICATE, FORGE_THEN_REPLY };

struct host {
  uint32_t delay_us;
  uint8_t behaviour;
};

struct pending {
  int64_t due_ns;
  uint32_t slot;
};

static struct host hosts[RANGE_SIZE];
static struct pending *heap;
static size_t heap_len, heap_cap;
static uint8_t (*slots)[MAX_PACKET];
static uint16_t *slot_len;
static uint32_t *free_slots;
static size_t free_len, slot_cap;
static volatile sig_atomic_t stopping;
static unsigned long long n_requests, n_replies, n_dropped, n_forged, n_duplicates, n_unknown;

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

static uint16_t checksum(const uint8_t *data, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += (uint32_t)(data[i] << 8 | data[i + 1]);
  if (len & 1) sum += (uint32_t)data[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
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

static void load_table(const char *path) {
  FILE *file = fopen(path, "r");
  if (!file) die(path);
  char address[64], behaviour[32];
  unsigned long delay_us;
  int line = 0;
  while (fscanf(file, "%63s %lu %31s", address, &delay_us, behaviour) == 3) {
    line++;
    struct in_addr in;
    if (inet_pton(AF_INET, address, &in) != 1) {
      fprintf(stderr, "tun-responder: line %d: bad address %s\n", line, address);
      exit(2);
    }
    uint32_t offset = ntohl(in.s_addr) - RANGE_BASE;
    if (offset >= RANGE_SIZE) {
      fprintf(stderr, "tun-responder: line %d: %s is outside 198.18.0.0/16\n", line, address);
      exit(2);
    }
    uint8_t b = strcmp(behaviour, "reply") == 0              ? REPLY
                : strcmp(behaviour, "drop") == 0             ? DROP
                : strcmp(behaviour, "forge") == 0            ? FORGE
                : strcmp(behaviour, "duplicate") == 0        ? DUPLICATE
                : strcmp(behaviour, "forge-then-reply") == 0 ? FORGE_THEN_REPLY
                                                             : UNKNOWN;
    if (b == UNKNOWN) {
      fprintf(stderr, "tun-responder: line %d: unknown behaviour %s\n", line, behaviour);
      exit(2);
    }
    hosts[offset].delay_us = (uint32_t)delay_us;
    hosts[offset].behaviour = b;
  }
  fclose(file);
}

// Turns an IPv4 echo request into its reply in place; returns 0 if it is not one we answer.
static int make_reply(uint8_t *packet, size_t len, struct host **host_out) {
  if (len < 28 || (packet[0] >> 4) != 4 || packet[9] != 1) return 0;
  size_t ihl = (size_t)(packet[0] & 0x0f) * 4;
  if (ihl < 20 || len < ihl + 8 || packet[ihl] != 8) return 0;
  uint32_t dst;
  memcpy(&dst, packet + 16, 4);
  uint32_t offset = ntohl(dst) - RANGE_BASE;
  if (offset >= RANGE_SIZE || hosts[offset].behaviour == UNKNOWN) {
    n_unknown++;
    return 0;
  }
  *host_out = &hosts[offset];
  memcpy(packet + 16, packet + 12, 4);
  memcpy(packet + 12, &dst, 4);
  packet[8] = 64;
  packet[10] = packet[11] = 0;
  uint16_t ip_sum = checksum(packet, ihl);
  packet[10] = (uint8_t)(ip_sum >> 8);
  packet[11] = (uint8_t)ip_sum;
  uint8_t *icmp = packet + ihl;
  icmp[0] = 0;
  icmp[2] = icmp[3] = 0;
  uint16_t icmp_sum = checksum(icmp, len - ihl);
  icmp[2] = (uint8_t)(icmp_sum >> 8);
  icmp[3] = (uint8_t)icmp_sum;
  return 1;
}

// Flips one cookie byte (payload bytes 16-23 hold it) and fixes the checksum, so only the cookie is wrong.
static void forge(uint8_t *packet, size_t len) {
  size_t ihl = (size_t)(packet[0] & 0x0f) * 4;
  uint8_t *icmp = packet + ihl;
  if (len < ihl + 8 + 24) return;
  icmp[8 + 16] ^= 0x5a;
  icmp[2] = icmp[3] = 0;
  uint16_t sum = checksum(icmp, len - ihl);
  icmp[2] = (uint8_t)(sum >> 8);
  icmp[3] = (uint8_t)sum;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: tun-responder DEVICE TABLE_FILE\n");
    return 2;
  }
  load_table(argv[2]);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  // Real-time priority where allowed (root in the test namespace): on a busy 2-core machine the
  // responder must answer on time, so the benchmark measures the engine, not the responder.
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
      struct host *host;
      if (!make_reply(packet, (size_t)len, &host)) continue;
      n_requests++;
      const int64_t due = arrived + (int64_t)host->delay_us * 1000;
      switch (host->behaviour) {
        case DROP:
          n_dropped++;
          break;
        case FORGE:
          forge(packet, (size_t)len);
          schedule(packet, (size_t)len, due);
          n_forged++;
          break;
        case DUPLICATE:
          schedule(packet, (size_t)len, due);
          schedule(packet, (size_t)len, due + 1000);
          n_replies++;
          n_duplicates++;
          break;
        case FORGE_THEN_REPLY: {
          uint8_t forged[MAX_PACKET];
          memcpy(forged, packet, (size_t)len);
          forge(forged, (size_t)len);
          schedule(forged, (size_t)len, arrived);
          schedule(packet, (size_t)len, due);
          n_forged++;
          n_replies++;
          break;
        }
        default:
          schedule(packet, (size_t)len, due);
          n_replies++;
      }
    }
  }
  printf("requests=%llu replies=%llu dropped=%llu forged=%llu duplicates=%llu unknown=%llu\n", n_requests, n_replies,
         n_dropped, n_forged, n_duplicates, n_unknown);
  return 0;
}
