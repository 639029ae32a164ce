// The wire truth for the accuracy tests and benchmark: an AF_PACKET capture of one device with
// the kernel's time stamp of each packet at the device (the tap that tcpdump uses), written as one
// text line per ICMP/ICMPv6 echo request or reply. A request's stamp is taken as it is handed to
// the device, a reply's as the device hands it to the stack, so the RTT read from a capture of
// the TUN responder's device contains the responder's own lateness but nothing that happens in
// the prober's host before or after the device.
//
//   wire-capture DEVICE OUTPUT_FILE
//
// Output lines: "DIR TS_NS SRC DST TTL TYPE ID SEQ CHECKSUM INDEX PROBE", DIR "out" (sent by this
// host) or "in"; TTL is the hop limit for IPv6; ID, SEQ and CHECKSUM are the ICMP header's (host
// order); INDEX and PROBE are the engine's payload fields (target index, probe number; -1 when the
// payload is shorter). Prints "ready" once bound; on SIGTERM or SIGINT reads what is queued,
// prints "captured=N drops=N" (drops: the kernel's count for this socket) and exits.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define SNAP 128

static volatile sig_atomic_t stopping;
static unsigned long long captured;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static void die(const char *what) {
  fprintf(stderr, "wire-capture: %s: %s\n", what, strerror(errno));
  exit(1);
}

static unsigned get16(const uint8_t *at) { return (unsigned)(at[0] << 8 | at[1]); }

static long long payload_u32(const uint8_t *icmp, size_t icmp_len, size_t offset) {
  if (icmp_len < 8 + offset + 4) return -1;
  uint32_t value;
  memcpy(&value, icmp + 8 + offset, 4);  // little-endian, as the engine writes it
  return value;
}

static void write_packet(FILE *out, const uint8_t *data, size_t len, int outgoing, int64_t ts_ns) {
  char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
  const uint8_t *icmp;
  size_t icmp_len;
  unsigned ttl;
  if (len >= 48 && (data[0] >> 4) == 6 && data[6] == 58) {
    if (data[40] != 128 && data[40] != 129) return;
    inet_ntop(AF_INET6, data + 8, src, sizeof src);
    inet_ntop(AF_INET6, data + 24, dst, sizeof dst);
    ttl = data[7];
    icmp = data + 40;
    icmp_len = len - 40;
  } else if (len >= 28 && (data[0] >> 4) == 4 && data[9] == 1) {
    const size_t ihl = (size_t)(data[0] & 0x0f) * 4;
    if (ihl < 20 || len < ihl + 8 || (data[ihl] != 8 && data[ihl] != 0)) return;
    inet_ntop(AF_INET, data + 12, src, sizeof src);
    inet_ntop(AF_INET, data + 16, dst, sizeof dst);
    ttl = data[8];
    icmp = data + ihl;
    icmp_len = len - ihl;
  } else {
    return;
  }
  fprintf(out, "%s %lld %s %s %u %u %u %u %u %lld %lld\n", outgoing ? "out" : "in", (long long)ts_ns, src, dst, ttl,
          icmp[0], get16(icmp + 4), get16(icmp + 6), get16(icmp + 2), payload_u32(icmp, icmp_len, 0),
          payload_u32(icmp, icmp_len, 4));
  captured++;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: wire-capture DEVICE OUTPUT_FILE\n");
    return 2;
  }
  FILE *out = fopen(argv[2], "w");
  if (!out) die(argv[2]);
  static char out_buffer[1 << 20];
  setvbuf(out, out_buffer, _IOFBF, sizeof out_buffer);

  const int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (fd < 0) die("socket(AF_PACKET)");
  const int buffer = 256 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  }
  const int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) die("SO_TIMESTAMPNS");
  struct sockaddr_ll bound;
  memset(&bound, 0, sizeof bound);
  bound.sll_family = AF_PACKET;
  bound.sll_protocol = htons(ETH_P_ALL);
  bound.sll_ifindex = (int)if_nametoindex(argv[1]);
  if (bound.sll_ifindex == 0) die(argv[1]);
  if (bind(fd, (struct sockaddr *)&bound, sizeof bound) != 0) die("bind");
  // Packets queued before the bind (of any device) are not ours to judge: start from an empty queue.
  struct tpacket_stats stats;
  socklen_t stats_len = sizeof stats;
  getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &stats, &stats_len);
  for (;;) {
    uint8_t scratch[1];
    if (recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) < 0) break;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  printf("ready\n");
  fflush(stdout);

  static uint8_t data[BATCH][SNAP];
  static char control[BATCH][64];
  static struct sockaddr_ll from[BATCH];
  static struct iovec iovs[BATCH];
  static struct mmsghdr messages[BATCH];
  unsigned long long drops = 0;
  for (;;) {
    for (int i = 0; i < BATCH; i++) {
      iovs[i].iov_base = data[i];
      iovs[i].iov_len = SNAP;
      memset(&messages[i].msg_hdr, 0, sizeof messages[i].msg_hdr);
      messages[i].msg_hdr.msg_name = &from[i];
      messages[i].msg_hdr.msg_namelen = sizeof from[i];
      messages[i].msg_hdr.msg_iov = &iovs[i];
      messages[i].msg_hdr.msg_iovlen = 1;
      messages[i].msg_hdr.msg_control = control[i];
      messages[i].msg_hdr.msg_controllen = sizeof control[i];
    }
    const int got = recvmmsg(fd, messages, BATCH, MSG_DONTWAIT, NULL);
    if (got < 0) {
      if (errno != EAGAIN && errno != EINTR) die("recvmmsg");
      if (stopping) break;  // everything queued before the signal has been read
      // Sleep off the socket, never in poll() on it: a sleeper on the socket would be woken by each
      // packet inside the prober's send path, between the tap's stamp and the driver's TX stamp,
      // and the capture would add that wake-up to the difference it is meant to measure.
      const struct timespec pause = {0, 500000};
      nanosleep(&pause, NULL);
      continue;
    }
    for (int i = 0; i < got; i++) {
      struct msghdr *header = &messages[i].msg_hdr;
      int64_t ts_ns = 0;
      for (struct cmsghdr *c = CMSG_FIRSTHDR(header); c != NULL; c = CMSG_NXTHDR(header, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          struct timespec ts;
          memcpy(&ts, CMSG_DATA(c), sizeof ts);
          ts_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
        }
      }
      const size_t len = messages[i].msg_len < SNAP ? messages[i].msg_len : SNAP;
      write_packet(out, data[i], len, from[i].sll_pkttype == PACKET_OUTGOING, ts_ns);
    }
  }
  stats_len = sizeof stats;
  if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &stats, &stats_len) == 0) drops = stats.tp_drops;
  if (fclose(out) != 0) die("writing the capture");
  printf("captured=%llu drops=%llu\n", captured, drops);
  return 0;
}
