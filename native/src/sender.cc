// A sender thread: claims units of the sweep (send_plan.h), builds their echo requests with the
// send time and cookie in the payload and the flow's id in the header, paces them to its share of
// the global rate with a token bucket, and hands them to the kernel in sendmmsg batches, each
// message keyed with its probe index for its TX stamp (SCM_TS_OPT_ID).
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clock.h"
#include "icmp_packet.h"
#include "sweep_engine.h"
#include "timestamping.h"

namespace pingsphere {
namespace {

constexpr size_t kMaxBatch = 64;
// How long one send may keep failing with ENOBUFS/EAGAIN before the probe counts as a send error.
constexpr int64_t kSendRetryLimitNs = 1000000000;

// Token bucket over CLOCK_MONOTONIC. The burst is a window's worth of probes (at least 4, at most
// 64), so a wake-up up to that late is caught up instead of lowering the rate. With kernel TX
// stamps an RTT does not depend on where in a burst its probe leaves, so the window is 5 ms (on a
// loaded 2-core machine a 1 ms window let the achieved rate fall to ~80 % of the asked one); with
// user-space send times it is 250 us, so a payload's stamp is never far from the departure.
constexpr int64_t kStampedBurstWindowNs = 5000000;
constexpr int64_t kUserBurstWindowNs = 250000;

class Pacer {
 public:
  Pacer(double rate_pps, int64_t window_ns)
      : rate_pps_(rate_pps),
        burst_(rate_pps > 0 ? std::clamp(std::floor(rate_pps * double(window_ns) / 1e9), 4.0, double(kMaxBatch))
                            : double(kMaxBatch)),
        tokens_(1),
        last_ns_(monotonic_ns()) {}

  size_t batch_limit() const { return static_cast<size_t>(burst_); }

  // Blocks until at least one probe may go; returns how many (<= want), or 0 when stopped.
  size_t acquire(size_t want, const std::atomic<bool>& stop) {
    if (rate_pps_ <= 0) return want;
    for (;;) {
      if (stop.load(std::memory_order_acquire)) return 0;
      const int64_t now = monotonic_ns();
      tokens_ = std::min(burst_, tokens_ + double(now - last_ns_) * rate_pps_ / 1e9);
      last_ns_ = now;
      if (tokens_ >= 1) {
        const size_t granted = std::min(want, static_cast<size_t>(tokens_));
        tokens_ -= double(granted);
        return granted;
      }
      const int64_t wait_ns = static_cast<int64_t>((1 - tokens_) / rate_pps_ * 1e9) + 1;
      sleep_until_monotonic(now + std::min<int64_t>(wait_ns, 50000000));
    }
  }
  void refund(size_t unused) { tokens_ += double(unused); }

 private:
  double rate_pps_;
  double burst_;
  double tokens_;
  int64_t last_ns_;
};

// Sleeps until `deadline` (monotonic) in slices, so stop() is honoured within 50 ms.
bool wait_until_or_stop(int64_t deadline_ns, const std::atomic<bool>& stop) {
  for (;;) {
    if (stop.load(std::memory_order_acquire)) return false;
    const int64_t now = monotonic_ns();
    if (now >= deadline_ns) return true;
    sleep_until_monotonic(std::min(deadline_ns, now + 50000000));
  }
}

}  // namespace

SweepEngine::StampReader::StampReader() {
  for (unsigned i = 0; i < kBatch; ++i) iovs[i] = iovec{data[i], sizeof data[i]};
}

void SweepEngine::StampReader::reset() {
  for (unsigned i = 0; i < kBatch; ++i) {
    std::memset(&messages[i], 0, sizeof messages[i]);
    messages[i].msg_hdr.msg_iov = &iovs[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    messages[i].msg_hdr.msg_control = control[i];
    messages[i].msg_hdr.msg_controllen = kControlBytes;
  }
}

void SweepEngine::drain_tx_stamps(int fd, StampReader& reader) {
  const uint64_t probes = config_.probe_count();
  const TimestampMode stamp_mode = timestamps_.mode;
  for (;;) {
    reader.reset();
    const int got = recvmmsg(fd, reader.messages, StampReader::kBatch, MSG_ERRQUEUE | MSG_DONTWAIT, nullptr);
    if (got <= 0) {
      if (got < 0 && errno == EINTR) continue;
      return;  // EAGAIN: drained
    }
    uint64_t stored = 0;
    for (int i = 0; i < got; ++i) {
      msghdr& header = reader.messages[i].msg_hdr;
      Stamp stamp;
      uint32_t key = 0;
      bool keyed = false;
      for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
        if (!read_stamp(c, stamp)) keyed = read_tx_stamp_key(c, key) || keyed;
      }
      const int64_t tx_ns = stamp.in(stamp_mode);
      if (!keyed || tx_ns == 0 || key >= probes) continue;
      ++stored;
      ledger_.set_tx_stamp(key, tx_ns);  // false when the probe was settled (lost) long ago
    }
    counters_.tx_stamps.fetch_add(stored, std::memory_order_relaxed);
    if (static_cast<unsigned>(got) < StampReader::kBatch) return;
  }
}

void SweepEngine::drain_sender_stamps(Sender& sender, StampReader& reader) {
  if (sender.socket4.fd >= 0) drain_tx_stamps(sender.socket4.fd, reader);
  if (sender.socket6.fd >= 0) drain_tx_stamps(sender.socket6.fd, reader);
  sender.stamp_drains.fetch_add(1, std::memory_order_seq_cst);
}

// A round's unit goes out no earlier than the round is due (its batches also wait for their
// targets' previous probes: due_after_previous_round). Returns false when the sweep was stopped.
bool SweepEngine::wait_for_round(const SendPlan::Unit& unit) {
  return wait_until_or_stop(start_mono_ns_ + int64_t(unit.round) * config_.period_ns, stop_requested_);
}

// Before a batch of a later round: how many of its probes may go now (0 when stopped). Each
// target's previous-round probe must be out (another sender may be behind on it) and a period old,
// so a sender that got its CPU late, a unit claimed late or a batch sent late within its unit never
// makes two probes to one target go out closer than a period.
// Waits for the batch's first target; the rest go along as far as they are due too, so a burst the
// pacer allows (after the idle time between rounds) never sends a target early.
size_t SweepEngine::due_after_previous_round(uint64_t first_probe, size_t want) {
  const uint64_t previous = first_probe - config_.target_count();
  while (!plan_.is_published(previous)) {
    if (stop_requested_.load(std::memory_order_acquire)) return 0;
    sleep_until_monotonic(monotonic_ns() + 100000);
  }
  if (!wait_until_or_stop(plan_.previous_round_sent(previous) + config_.period_ns, stop_requested_)) return 0;
  const int64_t now = monotonic_ns();
  size_t due = 1;
  while (due < want && plan_.is_published(previous + due) &&
         plan_.previous_round_sent(previous + due) + config_.period_ns <= now) {
    ++due;
  }
  return due;
}

void SweepEngine::run_sender(Sender& sender) {
  prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);  // 1 us: precise pacing sleeps
  // Named for `top -H` and perf.
  const std::string thread_name = "icmp-send-" + std::to_string(sender.index);
  pthread_setname_np(pthread_self(), thread_name.c_str());
  const uint64_t ipv4_targets = config_.ipv4.size();
  const size_t packet_bytes = kIcmpHeaderBytes + config_.payload_bytes;
  // An equal share of the global rate each: the senders together never exceed it (a sender slowed
  // by a busy core claims fewer units; the others do not speed up beyond their share).
  Pacer pacer(config_.rate_pps / double(senders_.size()),
              timestamps_.mode == TimestampMode::User ? kUserBurstWindowNs : kStampedBurstWindowNs);
  const size_t batch_limit = pacer.batch_limit();
  std::vector<uint8_t> packets(batch_limit * packet_bytes);
  // The same padding in every packet, so a target's checksum does not depend on its batch slot.
  for (size_t i = 0; i < packets.size(); ++i) packets[i] = static_cast<uint8_t>(i % packet_bytes);
  std::vector<iovec> iovs(batch_limit);
  std::vector<sockaddr_in6> destinations(batch_limit);
  std::vector<mmsghdr> messages(batch_limit);
  // One SCM_TS_OPT_ID control message per packet: its TX stamp comes back keyed with the probe.
  const bool keyed_stamps = timestamps_.mode != TimestampMode::User;
  constexpr size_t kControlBytes = CMSG_SPACE(sizeof(uint32_t));
  std::vector<uint8_t> controls(batch_limit * kControlBytes);
  uint8_t scratch[16];
  std::unique_ptr<StampReader> stamp_reader = sender.drains_stamps ? std::make_unique<StampReader>() : nullptr;
  auto drain_own_stamps = [&] {
    if (stamp_reader) drain_sender_stamps(sender, *stamp_reader);
  };

  bool first_batch = true;
  const bool multi_round = config_.count > 1;
  while (!stop_requested_.load(std::memory_order_acquire)) {
    const std::optional<SendPlan::Unit> unit = plan_.claim();
    if (!unit) break;
    const uint32_t round = unit->round;
    if (round > 0 && !wait_for_round(*unit)) break;
    const uint32_t flow = config_.flow_of(round);  // one round, one seq: one flow per unit
    uint64_t target = unit->first_target;
    uint64_t probe = unit->first_probe;  // round * targets + target
    int64_t retry_since_ns = 0;
    while (target < unit->end_target) {
      // One family per sendmmsg call: IPv4 targets come first, then IPv6.
      const bool ipv6 = target >= ipv4_targets;
      const uint64_t family_end = ipv6 ? unit->end_target : std::min(ipv4_targets, unit->end_target);
      size_t want =
          pacer.acquire(static_cast<size_t>(std::min<uint64_t>(batch_limit, family_end - target)), stop_requested_);
      if (want == 0) break;
      if (round > 0) {
        const size_t due = due_after_previous_round(probe, want);
        if (due == 0) break;
        pacer.refund(want - due);
        want = due;
      }
      const ProbeSocket& socket = send_socket(sender, ipv6, flow);
      const bool fill_checksum = !ipv6 && socket.mode == SocketMode::Raw;
      const uint16_t icmp_id = flow_id(ipv6, flow);
      for (size_t i = 0; i < want; ++i) {
        const uint64_t t = target + i;
        const uint64_t p = probe + i;
        const uint8_t* address = target_address(t, scratch);
        ProbePayload payload;
        payload.target_index = static_cast<uint32_t>(t);
        payload.seq = round;
        payload.send_ns = realtime_ns();
        store_cookie(payload.cookie,
                     probe_cookie(key_, address, icmp_id, payload.target_index, round, payload.send_ns));
        uint8_t* packet = packets.data() + i * packet_bytes;
        write_echo_request(packet, config_.payload_bytes, ipv6, fill_checksum, icmp_id, static_cast<uint16_t>(round),
                           payload);
        ledger_.record_send(p, payload.send_ns);

        sockaddr_in6& destination = destinations[i];
        std::memset(&destination, 0, sizeof destination);
        socklen_t destination_len;
        if (ipv6) {
          destination.sin6_family = AF_INET6;
          std::memcpy(&destination.sin6_addr, address, 16);
          destination_len = sizeof(sockaddr_in6);
        } else {
          auto* v4 = reinterpret_cast<sockaddr_in*>(&destination);
          v4->sin_family = AF_INET;
          std::memcpy(&v4->sin_addr, address, 4);
          destination_len = sizeof(sockaddr_in);
        }
        iovs[i] = iovec{packet, packet_bytes};
        std::memset(&messages[i], 0, sizeof messages[i]);
        messages[i].msg_hdr.msg_name = &destination;
        messages[i].msg_hdr.msg_namelen = destination_len;
        messages[i].msg_hdr.msg_iov = &iovs[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        if (keyed_stamps) {
          // Probe indices fit the 32-bit key: a sweep holds at most 2^28 probes.
          uint8_t* control = controls.data() + i * kControlBytes;
          messages[i].msg_hdr.msg_control = control;
          messages[i].msg_hdr.msg_controllen = kControlBytes;
          cmsghdr* key = CMSG_FIRSTHDR(&messages[i].msg_hdr);
          key->cmsg_level = SOL_SOCKET;
          key->cmsg_type = SCM_TS_OPT_ID;
          key->cmsg_len = CMSG_LEN(sizeof(uint32_t));
          const uint32_t probe_key = static_cast<uint32_t>(p);
          std::memcpy(CMSG_DATA(key), &probe_key, sizeof probe_key);
        }
      }
      if (first_batch || multi_round) {
        const int64_t now = monotonic_ns();
        if (first_batch) note_send_time(now);
        plan_.note_batch_sent(target, want, now);
      }
      first_batch = false;

      // Consumed = sent, or refused for good (counted as a send error; the probe times out as lost).
      size_t consumed = 0;
      while (consumed < want) {
        const int rc = sendmmsg(socket.fd, messages.data() + consumed, static_cast<unsigned>(want - consumed), 0);
        if (rc > 0) {
          consumed += static_cast<size_t>(rc);
          retry_since_ns = 0;
          continue;
        }
        if (errno == EINTR) continue;
        if (errno == ENOBUFS || errno == EAGAIN) {
          const int64_t now = monotonic_ns();
          if (retry_since_ns == 0) retry_since_ns = now;
          if (now - retry_since_ns < kSendRetryLimitNs) break;  // rebuild the rest with fresh times
        }
        counters_.send_errors.fetch_add(1, std::memory_order_relaxed);
        retry_since_ns = 0;
        ++consumed;
      }
      // The timeout runs from here: a sender that lost its CPU between stamping the payloads and
      // sendmmsg must not make its probes look late.
      const int64_t handed_ns = realtime_ns();
      for (size_t i = 0; i < consumed; ++i) ledger_.record_handed(probe + i, handed_ns);
      probe += consumed;
      target += consumed;
      pacer.refund(want - consumed);
      counters_.sent.fetch_add(consumed, std::memory_order_relaxed);
      plan_.publish(*unit, probe - unit->first_probe);
      note_send_time(monotonic_ns());
      drain_own_stamps();
      if (consumed < want) {
        pollfd writable{socket.fd, POLLOUT, 0};
        poll(&writable, 1, 1);
      }
      if (stop_requested_.load(std::memory_order_acquire)) break;
    }
  }
  drain_own_stamps();
  sender.done.store(true, std::memory_order_seq_cst);
}

}  // namespace pingsphere
