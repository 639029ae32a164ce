// wan-emulator: a userspace WAN for test beds and the demo. This kernel has no netem, so delay,
// jitter and loss come from this process: it owns one or more TUN devices in a router namespace
// (policy routing sends the traffic to be delayed into them), holds every packet it reads for its
// modelled delay and writes it back into the same device, where the kernel routes it on.
//
//   wan-emulator DEVICE [DEVICE...]
//
// The model is changed at run time through commands on stdin, one per line, each answered by one
// line on stdout ("ok …" or "error: …"):
//
//   site ID PREFIX/LEN      addresses in PREFIX belong to site ID (0-63); the longest prefix wins.
//   path FROM TO [there=US] [back=US] [jitter=US] [loss=P] [busy=US] [peak=F] [width=F]
//                           flows opened by a host of site FROM toward site TO: their packets
//                           FROM→TO are held `there` µs, TO→FROM `back` µs, each plus a uniform
//                           0…jitter µs and the busy-hour term; each is lost with probability P.
//   link DEVICE [delay=US] [jitter=US] [loss=P]
//                           added to every packet through DEVICE (a chain of routers gives each
//                           hop its own device and so its own delay).
//   clock period=MS epoch=MS
//                           the busy-hour clock: phase = ((wall clock - epoch) mod period) / period.
//                           A path's busy term is busy × raised cosine around `peak` (phase
//                           0…1), `width` (phase units) either side, 0 elsewhere.
//   seed N                  seeds the random numbers (jitter, loss) for a reproducible run.
//   stats                   counters and the emulator's own lateness (write time - due time).
//
// Why per flow: pings measure round trips, so a one-way delay that differs by direction would
// change A's pings to B and B's pings to A alike. Real meshes differ by direction because the
// path of a flow depends on who opened it (source-dependent routing, ECMP hashing). So the
// emulator tracks flows by their 5-tuple (ICMP echo: addresses and identifier), and the first
// packet of a flow (a TCP SYN, an echo request) fixes which site opened it, and so its path.
//
// Precise timing: held packets wait in a min-heap keyed by their due time on CLOCK_MONOTONIC; the
// loop sleeps in ppoll with 1 ns timer slack until the next one is due, under SCHED_FIFO where
// allowed. Packets of one flow and direction leave in order (no reordering by jitter). Exits on
// SIGTERM/SIGINT or when stdin closes (its owner died), printing the final stats line.
// IPv4 only: other packets pass with the device's link delay alone.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <math.h>
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

#define MAX_DEVICES 16
#define MAX_SITES 64
#define MAX_PREFIXES 256
#define SLOT_BYTES 2048
#define FLOW_CAPACITY (1u << 16)
#define FLOW_PROBES 64
#define FLOW_IDLE_NS (120LL * 1000000000LL)
#define LATENESS_SAMPLES 8192

struct path_model {
  int defined;
  double there_us, back_us, jitter_us, loss, busy_us, peak, width;
};

struct link_model {
  double delay_us, jitter_us, loss;
};

struct prefix {
  uint32_t network, mask;
  int len, site;
};

struct flow_key {
  uint32_t lo_addr, hi_addr;
  uint16_t lo_port, hi_port;
  uint8_t proto;
};

struct flow {
  struct flow_key key;
  int used;
  uint32_t initiator;  // source address of the packet that opened the flow
  uint16_t initiator_port;
  int8_t from_site, to_site;
  int64_t last_seen_ns;
  int64_t last_due_ns[2];  // [0] initiator → responder, [1] back
};

struct pending {
  int64_t due_ns;
  uint32_t slot;
};

static int devices[MAX_DEVICES];
static char device_names[MAX_DEVICES][IFNAMSIZ];
static struct link_model links[MAX_DEVICES];
static int n_devices;
static struct prefix prefixes[MAX_PREFIXES];
static int n_prefixes;
static struct path_model paths[MAX_SITES][MAX_SITES];
static struct flow *flows;
static double clock_period_ms, clock_epoch_ms;

static struct pending *heap;
static size_t heap_len, heap_cap;
static uint8_t (*slots)[SLOT_BYTES];
static uint16_t *slot_len;
static uint8_t *slot_device;
static uint32_t *free_slots;
static size_t free_len, slot_cap;

static int64_t lateness[LATENESS_SAMPLES];
static size_t lateness_count;
static int64_t lateness_max;
static unsigned long long n_packets, n_held, n_dropped, n_unclassified, n_oversize, n_write_errors, n_flows_untracked;
static unsigned long long n_flows_opened;
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static volatile sig_atomic_t stopping;

static int64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static void die(const char *what) {
  fprintf(stderr, "wan-emulator: %s: %s\n", what, strerror(errno));
  exit(1);
}

// xorshift64*: fast, good enough for jitter and loss, and reproducible with `seed`.
static double random_unit(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (double)((rng_state * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

// ---- held packets: a pool of slots and a min-heap of due times ----

static uint32_t take_slot(void) {
  if (free_len == 0) {
    size_t grown = slot_cap ? slot_cap * 2 : 1024;
    slots = realloc(slots, grown * SLOT_BYTES);
    slot_len = realloc(slot_len, grown * sizeof *slot_len);
    slot_device = realloc(slot_device, grown * sizeof *slot_device);
    free_slots = realloc(free_slots, grown * sizeof *free_slots);
    if (!slots || !slot_len || !slot_device || !free_slots) die("out of memory");
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

// ---- the model ----

static int site_of(uint32_t address) {
  int best = -1, best_len = -1;
  for (int i = 0; i < n_prefixes; i++) {
    if ((address & prefixes[i].mask) == prefixes[i].network && prefixes[i].len > best_len) {
      best = prefixes[i].site;
      best_len = prefixes[i].len;
    }
  }
  return best;
}

// The busy-hour term's shape at the current phase: 1 at `peak`, falling as a raised cosine to 0
// at `width` either side (the phase wraps round, so a peak near 0 or 1 works).
static double busy_shape(double peak, double width) {
  if (clock_period_ms <= 0 || width <= 0) return 0;
  double phase = fmod(wall_ms() - clock_epoch_ms, clock_period_ms) / clock_period_ms;
  if (phase < 0) phase += 1;
  double distance = fabs(phase - peak);
  if (distance > 0.5) distance = 1 - distance;
  if (distance >= width) return 0;
  return 0.5 * (1 + cos(M_PI * distance / width));
}

static uint32_t flow_hash(const struct flow_key *k) {
  uint64_t h = ((uint64_t)k->lo_addr << 32 | k->hi_addr) * 0x9E3779B97F4A7C15ULL;
  h ^= ((uint64_t)k->lo_port << 24 | (uint64_t)k->hi_port << 8 | k->proto) * 0xC2B2AE3D27D4EB4FULL;
  return (uint32_t)(h >> 40) & (FLOW_CAPACITY - 1);
}

static int same_key(const struct flow_key *a, const struct flow_key *b) {
  return a->lo_addr == b->lo_addr && a->hi_addr == b->hi_addr && a->lo_port == b->lo_port &&
         a->hi_port == b->hi_port && a->proto == b->proto;
}

// Finds the flow of this packet or opens it (the packet's source is then its initiator). An idle
// flow (FLOW_IDLE_NS) counts as gone; its slot is reused. Returns NULL when the table is too full.
static struct flow *find_flow(const struct flow_key *key, uint32_t src, uint16_t src_port, int opens, int64_t now) {
  uint32_t at = flow_hash(key);
  struct flow *reusable = NULL;
  for (int probe = 0; probe < FLOW_PROBES; probe++, at = (at + 1) & (FLOW_CAPACITY - 1)) {
    struct flow *f = &flows[at];
    int idle = f->used && now - f->last_seen_ns > FLOW_IDLE_NS;
    if (f->used && same_key(&f->key, key)) {
      if (!opens && !idle) return f;
      reusable = f;  // a new connection on the same ports, or a flow seen again after a long pause
      break;
    }
    if (!f->used) {
      if (!reusable) reusable = f;
      break;
    }
    if (idle && !reusable) reusable = f;
  }
  if (!reusable) return NULL;
  memset(reusable, 0, sizeof *reusable);
  reusable->key = *key;
  reusable->used = 1;
  reusable->initiator = src;
  reusable->initiator_port = src_port;
  reusable->from_site = (int8_t)site_of(src);
  reusable->to_site = (int8_t)site_of(key->lo_addr == src ? key->hi_addr : key->lo_addr);
  n_flows_opened++;
  return reusable;
}

// Decides when the packet leaves (or that it is lost). Returns 0 for a drop.
static int due_time(const uint8_t *packet, size_t len, int device, int64_t now, int64_t *due) {
  double delay_us = links[device].delay_us + random_unit() * links[device].jitter_us;
  double loss = links[device].loss;
  int64_t *last_due = NULL;
  if (len >= 20 && (packet[0] >> 4) == 4) {
    size_t ihl = (size_t)(packet[0] & 0x0f) * 4;
    uint8_t proto = packet[9];
    uint32_t src, dst;
    memcpy(&src, packet + 12, 4);
    memcpy(&dst, packet + 16, 4);
    src = ntohl(src);
    dst = ntohl(dst);
    uint16_t src_port = 0, dst_port = 0;
    int opens = 0;
    const uint8_t *l4 = packet + ihl;
    int first_fragment = (((packet[6] & 0x1f) << 8) | packet[7]) == 0;
    if (first_fragment && (proto == 6 || proto == 17) && len >= ihl + 4) {
      src_port = (uint16_t)(l4[0] << 8 | l4[1]);
      dst_port = (uint16_t)(l4[2] << 8 | l4[3]);
      if (proto == 6 && len >= ihl + 14) opens = (l4[13] & 0x12) == 0x02;  // SYN without ACK
    } else if (first_fragment && proto == 1 && len >= ihl + 8 && (l4[0] == 8 || l4[0] == 0)) {
      src_port = dst_port = (uint16_t)(l4[4] << 8 | l4[5]);  // echo identifier
      opens = l4[0] == 8;
    }
    struct flow_key key;
    memset(&key, 0, sizeof key);
    key.proto = proto;
    int src_is_lo = src < dst || (src == dst && src_port <= dst_port);
    key.lo_addr = src_is_lo ? src : dst;
    key.hi_addr = src_is_lo ? dst : src;
    key.lo_port = src_is_lo ? src_port : dst_port;
    key.hi_port = src_is_lo ? dst_port : src_port;
    // An echo request opens a flow only if none is live: repeated pings with one identifier are
    // one flow, like a pinger's socket; a TCP SYN always starts a new connection.
    struct flow *flow = find_flow(&key, src, src_port, opens && proto == 6, now);
    if (flow) {
      flow->last_seen_ns = now;
      int forward = flow->initiator == src && flow->initiator_port == src_port;
      last_due = &flow->last_due_ns[forward ? 0 : 1];
      if (flow->from_site >= 0 && flow->to_site >= 0 && paths[flow->from_site][flow->to_site].defined) {
        const struct path_model *p = &paths[flow->from_site][flow->to_site];
        delay_us += (forward ? p->there_us : p->back_us) + random_unit() * p->jitter_us +
                    p->busy_us * busy_shape(p->peak, p->width);
        loss = 1 - (1 - loss) * (1 - p->loss);
      } else {
        n_unclassified++;
      }
    } else {
      n_flows_untracked++;
    }
  } else {
    n_unclassified++;
  }
  if (loss > 0 && random_unit() < loss) return 0;
  *due = now + (int64_t)llround(delay_us * 1000.0);
  if (last_due) {
    // Keep the flow's packets in order; strictly later, as the heap does not order equal times.
    if (*due <= *last_due) *due = *last_due + 1;
    *last_due = *due;
  }
  return 1;
}

// ---- commands ----

static int parse_options(char *rest, const char *const *names, double *values, int n, char *error, size_t error_len) {
  for (char *token = strtok(rest, " \t\r"); token; token = strtok(NULL, " \t\r")) {
    char *eq = strchr(token, '=');
    int matched = 0;
    if (eq) {
      *eq = 0;
      for (int i = 0; i < n; i++) {
        if (strcmp(token, names[i]) == 0) {
          char *end;
          values[i] = strtod(eq + 1, &end);
          matched = *end == 0 && end != eq + 1;
        }
      }
    }
    if (!matched) {
      snprintf(error, error_len, "bad option \"%s%s%s\"", token, eq ? "=" : "", eq ? eq + 1 : "");
      return 0;
    }
  }
  return 1;
}

static int compare_int64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static void print_stats(const char *prefix) {
  size_t n = lateness_count < LATENESS_SAMPLES ? lateness_count : LATENESS_SAMPLES;
  static int64_t sorted[LATENESS_SAMPLES];
  memcpy(sorted, lateness, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, compare_int64);
  size_t flows_live = 0;
  int64_t now = monotonic_ns();
  for (size_t i = 0; i < FLOW_CAPACITY; i++) flows_live += flows[i].used && now - flows[i].last_seen_ns <= FLOW_IDLE_NS;
  printf(
      "%spackets=%llu held=%llu dropped=%llu in_flight=%zu unclassified=%llu oversize=%llu write_errors=%llu "
      "flows_opened=%llu flows_live=%zu flows_untracked=%llu late_p50_ns=%lld late_p99_ns=%lld late_max_ns=%lld\n",
      prefix, n_packets, n_held, n_dropped, heap_len, n_unclassified, n_oversize, n_write_errors, n_flows_opened,
      flows_live, n_flows_untracked, (long long)(n ? sorted[n / 2] : 0), (long long)(n ? sorted[n * 99 / 100] : 0),
      (long long)lateness_max);
}

static void run_command(char *line) {
  char error[256] = "";
  char *verb = line + strspn(line, " \t\r");
  if (*verb == 0) return;
  char *rest = verb + strcspn(verb, " \t\r");
  if (*rest) *rest++ = 0;
  rest += strspn(rest, " \t\r");
  if (*rest == 0) rest = NULL;
  if (strcmp(verb, "site") == 0) {
    int id;
    char cidr[64];
    unsigned a, b, c, d;
    int len;
    if (!rest || sscanf(rest, "%d %63s", &id, cidr) != 2 || sscanf(cidr, "%u.%u.%u.%u/%d", &a, &b, &c, &d, &len) != 5 ||
        id < 0 || id >= MAX_SITES || len < 0 || len > 32 || a > 255 || b > 255 || c > 255 || d > 255) {
      snprintf(error, sizeof error, "usage: site ID(0-%d) A.B.C.D/LEN", MAX_SITES - 1);
    } else if (n_prefixes == MAX_PREFIXES) {
      snprintf(error, sizeof error, "too many prefixes (%d)", MAX_PREFIXES);
    } else {
      uint32_t mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
      prefixes[n_prefixes++] = (struct prefix){(a << 24 | b << 16 | c << 8 | d) & mask, mask, len, id};
    }
  } else if (strcmp(verb, "path") == 0) {
    int from, to, consumed = 0;
    static const char *const names[] = {"there", "back", "jitter", "loss", "busy", "peak", "width"};
    double v[7] = {0, 0, 0, 0, 0, 0.5, 0.125};
    if (!rest || sscanf(rest, "%d %d %n", &from, &to, &consumed) < 2 || from < 0 || to < 0 || from >= MAX_SITES ||
        to >= MAX_SITES) {
      snprintf(error, sizeof error, "usage: path FROM TO [there=US] [back=US] [jitter=US] [loss=P] [busy=US] ...");
    } else if (parse_options(rest + consumed, names, v, 7, error, sizeof error)) {
      if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[4] < 0 || v[3] < 0 || v[3] > 1 || v[5] < 0 || v[5] > 1 || v[6] < 0 ||
          v[6] > 0.5) {
        snprintf(error, sizeof error, "delays must be >= 0, loss and peak in 0..1, width in 0..0.5");
      } else {
        paths[from][to] = (struct path_model){1, v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
      }
    }
  } else if (strcmp(verb, "link") == 0) {
    char name[IFNAMSIZ + 1];
    int consumed = 0, device = -1;
    static const char *const names[] = {"delay", "jitter", "loss"};
    double v[3] = {0, 0, 0};
    if (!rest || sscanf(rest, "%16s %n", name, &consumed) < 1) {
      snprintf(error, sizeof error, "usage: link DEVICE [delay=US] [jitter=US] [loss=P]");
    } else {
      for (int i = 0; i < n_devices; i++)
        if (strcmp(device_names[i], name) == 0) device = i;
      if (device < 0) snprintf(error, sizeof error, "no device %s", name);
      else if (parse_options(rest + consumed, names, v, 3, error, sizeof error)) {
        if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[2] > 1) snprintf(error, sizeof error, "delays >= 0, loss in 0..1");
        else links[device] = (struct link_model){v[0], v[1], v[2]};
      }
    }
  } else if (strcmp(verb, "clock") == 0) {
    static const char *const names[] = {"period", "epoch"};
    double v[2] = {0, 0};
    if (rest && parse_options(rest, names, v, 2, error, sizeof error)) {
      if (v[0] < 0) snprintf(error, sizeof error, "period must be >= 0 ms");
      else {
        clock_period_ms = v[0];
        clock_epoch_ms = v[1];
      }
    } else if (!rest) {
      snprintf(error, sizeof error, "usage: clock period=MS epoch=MS");
    }
  } else if (strcmp(verb, "seed") == 0) {
    unsigned long long seed;
    if (!rest || sscanf(rest, "%llu", &seed) != 1) snprintf(error, sizeof error, "usage: seed N");
    else rng_state = seed ? seed : 1;
  } else if (strcmp(verb, "stats") == 0) {
    print_stats("ok ");
    fflush(stdout);
    return;
  } else {
    snprintf(error, sizeof error, "unknown command \"%s\" (site, path, link, clock, seed, stats)", verb);
  }
  if (error[0]) printf("error: %s\n", error);
  else printf("ok\n");
  fflush(stdout);
}

// Reads whatever stdin has and runs each complete line; returns 0 once stdin is closed.
static int read_commands(void) {
  static char buffer[8192];
  static size_t used;
  ssize_t n = read(STDIN_FILENO, buffer + used, sizeof buffer - 1 - used);
  if (n == 0) return 0;
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  used += (size_t)n;
  char *start = buffer;
  for (char *nl; (nl = memchr(start, '\n', used - (size_t)(start - buffer))) != NULL; start = nl + 1) {
    *nl = 0;
    run_command(start);
  }
  used -= (size_t)(start - buffer);
  memmove(buffer, start, used);
  if (used == sizeof buffer - 1) {
    printf("error: command line too long\n");
    fflush(stdout);
    used = 0;
  }
  return 1;
}

static int open_tun(const char *name) {
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) die("open /dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) die(name);
  return fd;
}

static void send_due(void) {
  int64_t now = monotonic_ns();
  while (heap_len > 0 && heap[0].due_ns <= now) {
    struct pending due = heap_pop();
    if (write(devices[slot_device[due.slot]], slots[due.slot], slot_len[due.slot]) < 0) n_write_errors++;
    int64_t late = monotonic_ns() - due.due_ns;
    lateness[lateness_count++ % LATENESS_SAMPLES] = late;
    if (late > lateness_max) lateness_max = late;
    free_slots[free_len++] = due.slot;
    now = monotonic_ns();
  }
}

static void read_device(int device) {
  uint8_t packet[65536];
  for (;;) {
    ssize_t len = read(devices[device], packet, sizeof packet);
    if (len < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      die("read");
    }
    const int64_t arrived = monotonic_ns();
    n_packets++;
    if ((size_t)len > SLOT_BYTES) {
      n_oversize++;
      continue;
    }
    int64_t due;
    if (!due_time(packet, (size_t)len, device, arrived, &due)) {
      n_dropped++;
      continue;
    }
    uint32_t slot = take_slot();
    memcpy(slots[slot], packet, (size_t)len);
    slot_len[slot] = (uint16_t)len;
    slot_device[slot] = (uint8_t)device;
    heap_push(due, slot);
    n_held++;
  }
}

int main(int argc, char **argv) {
  if (argc < 2 || argc - 1 > MAX_DEVICES) {
    fprintf(stderr, "usage: wan-emulator DEVICE [DEVICE...] (at most %d devices; commands on stdin)\n", MAX_DEVICES);
    return 2;
  }
  flows = calloc(FLOW_CAPACITY, sizeof *flows);
  if (!flows) die("out of memory");
  rng_state ^= (uint64_t)monotonic_ns();
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  // Real-time priority where allowed (root): on a busy 2-core machine the emulator must release
  // packets on time, so the delays measured are the ones modelled. It sleeps between packets.
  struct sched_param param = {.sched_priority = 10};
  sched_setscheduler(0, SCHED_FIFO, &param);
  for (int i = 1; i < argc; i++) {
    strncpy(device_names[n_devices], argv[i], IFNAMSIZ - 1);
    devices[n_devices++] = open_tun(argv[i]);
  }
  fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  printf("ready\n");
  fflush(stdout);

  struct pollfd pfds[MAX_DEVICES + 1];
  for (int i = 0; i < n_devices; i++) pfds[i] = (struct pollfd){devices[i], POLLIN, 0};
  pfds[n_devices] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
  int stdin_open = 1;
  while (!stopping) {
    send_due();
    struct timespec wait = {0, 100000000};
    if (heap_len > 0) {
      int64_t left = heap[0].due_ns - monotonic_ns();
      if (left < 0) left = 0;
      wait.tv_sec = left / 1000000000LL;
      wait.tv_nsec = left % 1000000000LL;
    }
    int ready = ppoll(pfds, (nfds_t)(n_devices + stdin_open), &wait, NULL);
    if (ready < 0 && errno != EINTR) die("ppoll");
    if (ready <= 0) continue;
    for (int i = 0; i < n_devices; i++)
      if (pfds[i].revents & POLLIN) read_device(i);
    if (stdin_open && (pfds[n_devices].revents & (POLLIN | POLLHUP))) {
      if (!read_commands()) break;  // the owner is gone: nothing will stop us otherwise
    }
  }
  print_stats("stopped ");
  return 0;
}
