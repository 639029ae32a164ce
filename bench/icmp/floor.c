// The floor: the least work that can ping N loopback targets once each. One raw ICMP socket, a
// socket filter for our echo replies (so it does not read its own requests back), sendmmsg in
// batches of 64 as fast as the kernel takes them, recvmmsg whatever has come back between batches,
// then wait for the rest. No pacing, no cookie, no timestamps, no result handling.
//
//   floor FIRST_IPV4 COUNT [PAYLOAD_BYTES]   e.g. floor 127.1.0.1 60000
//
// Prints one line: "floor sent=N received=M seconds=S probes_per_s=R".
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define RECV_BATCH 256

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint16_t checksum(const uint8_t *data, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += (uint16_t)(data[i] | data[i + 1] << 8);
  if (len & 1) sum += data[len - 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static uint8_t recv_buf[RECV_BATCH][256];
static struct iovec recv_iov[RECV_BATCH];
static struct mmsghdr recv_msgs[RECV_BATCH];

static long drain(int fd, int flags) {
  for (int i = 0; i < RECV_BATCH; i++) {
    recv_iov[i].iov_base = recv_buf[i];
    recv_iov[i].iov_len = sizeof recv_buf[i];
    memset(&recv_msgs[i].msg_hdr, 0, sizeof recv_msgs[i].msg_hdr);
    recv_msgs[i].msg_hdr.msg_iov = &recv_iov[i];
    recv_msgs[i].msg_hdr.msg_iovlen = 1;
  }
  int got = recvmmsg(fd, recv_msgs, RECV_BATCH, flags, NULL);
  return got > 0 ? got : 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: floor FIRST_IPV4 COUNT [PAYLOAD_BYTES]\n");
    return 2;
  }
  struct in_addr first;
  if (inet_pton(AF_INET, argv[1], &first) != 1) {
    fprintf(stderr, "floor: bad address %s\n", argv[1]);
    return 2;
  }
  const long count = atol(argv[2]);
  const size_t payload = argc > 3 ? (size_t)atol(argv[3]) : 56;
  const size_t packet_len = 8 + payload;
  const uint16_t id = (uint16_t)getpid();

  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (fd < 0) {
    perror("floor: socket");
    return 1;
  }
  int rcvbuf = 64 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sock_filter code[] = {
      BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
      BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, id, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  struct sock_fprog prog = {sizeof code / sizeof code[0], code};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) {
    perror("floor: SO_ATTACH_FILTER");
    return 1;
  }

  static uint8_t packets[BATCH][65536];
  struct sockaddr_in dest[BATCH];
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  const uint32_t base = ntohl(first.s_addr);
  long received = 0, sent = 0;
  const double start = now_s();
  while (sent < count) {
    int n = count - sent < BATCH ? (int)(count - sent) : BATCH;
    for (int i = 0; i < n; i++) {
      uint8_t *p = packets[i];
      memset(p, 0, packet_len);
      p[0] = 8;
      p[4] = id >> 8;
      p[5] = id & 0xff;
      p[6] = (uint8_t)((sent + i) >> 8);
      p[7] = (uint8_t)(sent + i);
      uint16_t sum = checksum(p, packet_len);
      memcpy(p + 2, &sum, 2);
      memset(&dest[i], 0, sizeof dest[i]);
      dest[i].sin_family = AF_INET;
      dest[i].sin_addr.s_addr = htonl(base + (uint32_t)(sent + i));
      iov[i].iov_base = p;
      iov[i].iov_len = packet_len;
      memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_name = &dest[i];
      msgs[i].msg_hdr.msg_namelen = sizeof dest[i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int done = 0;
    while (done < n) {
      int rc = sendmmsg(fd, msgs + done, n - done, 0);
      if (rc > 0)
        done += rc;
      else if (errno != EINTR && errno != ENOBUFS && errno != EAGAIN) {
        perror("floor: sendmmsg");
        return 1;
      }
    }
    sent += n;
    long got;
    while ((got = drain(fd, MSG_DONTWAIT)) > 0) received += got;
  }
  // Collect the rest, giving up 2 s after the last send.
  const double give_up = now_s() + 2.0;
  struct timeval tv = {0, 10000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (received < count && now_s() < give_up) received += drain(fd, MSG_WAITFORONE);
  const double seconds = now_s() - start;
  printf("floor sent=%ld received=%ld seconds=%.6f probes_per_s=%.0f\n", sent, received, seconds, count / seconds);
  return received == count ? 0 : 3;
}
