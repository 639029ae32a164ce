// The receiver thread: reads the TX stamps from the sending sockets' error queues into the
// ledger, drains the replies with recvmmsg, validates each reply's cookie, dedupes per (target,
// seq), times it as RX stamp − TX stamp, and declares probes lost once their timeout has passed.
// Results leave in chunks; nothing here calls into JavaScript.
#include <errno.h>
#include <netinet/ip.h>
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <vector>

#include "clock.h"
#include "icmp_packet.h"
#include "sweep_engine.h"
#include "timestamping.h"

namespace pingsphere {
namespace {

constexpr unsigned kReceiveBatch = 256;
constexpr int64_t kFlushIntervalNs = 20000000;  // partial chunks reach JavaScript within 20 ms
constexpr int64_t kIdleWaitNs = 20000000;
constexpr int64_t kBusyDrainIntervalNs = 500000;
// A NIC may deliver its TX stamp after the reply (the driver reports it on completion); the
// kernel's software stamp is queued before the packet leaves, so before any reply can come.
constexpr int64_t kHardwareStampGraceNs = 20000000;
// A socket error (an ICMP unreachable about one of our probes) fails one read and is cleared by
// it; more than this many in one drain means something else is wrong, and the drain moves on.
constexpr int kReadErrorsPerDrain = 8;

// recvmmsg buffers, shared by every socket: each drain finishes its batch before the next.
struct ReceiveBatch {
  explicit ReceiveBatch(size_t slot_bytes)
      : slot_bytes(slot_bytes), data(kReceiveBatch * slot_bytes), control(kReceiveBatch * kControlBytes) {
    for (unsigned i = 0; i < kReceiveBatch; ++i) {
      iovs[i] = iovec{data.data() + i * slot_bytes, slot_bytes};
    }
  }
  void reset() {
    for (unsigned i = 0; i < kReceiveBatch; ++i) {
      std::memset(&messages[i].msg_hdr, 0, sizeof messages[i].msg_hdr);
      messages[i].msg_hdr.msg_name = &sources[i];
      messages[i].msg_hdr.msg_namelen = sizeof sources[i];
      messages[i].msg_hdr.msg_iov = &iovs[i];
      messages[i].msg_hdr.msg_iovlen = 1;
      messages[i].msg_hdr.msg_control = control.data() + i * kControlBytes;
      messages[i].msg_hdr.msg_controllen = kControlBytes;
      messages[i].msg_len = 0;
    }
  }
  static constexpr size_t kControlBytes = 256;
  size_t slot_bytes;
  std::vector<uint8_t> data;
  std::vector<uint8_t> control;
  iovec iovs[kReceiveBatch];
  sockaddr_in6 sources[kReceiveBatch];
  mmsghdr messages[kReceiveBatch];
};

// A valid reply whose TX stamp had not been read yet when the reply was.
struct AwaitingStamp {
  uint64_t probe;
  int64_t rx_ns;        // in the sweep's clock
  int64_t user_rtt_ns;  // the fallback: software RX stamp − send time in the payload
  int64_t send_ns;
  uint64_t since_pass;  // the drain pass that read the reply
  uint64_t snapshot;    // the senders' drain counts read after that pass (see stamp_drain_counts)
  int64_t ready_mono_ns;
};

// Ledger chunks retired in one pass, freed once every stamp-draining sender has finished a drain
// since (or is done).
struct RetiredChunks {
  std::vector<int64_t*> chunks;
  std::vector<uint64_t> drains;
};

}  // namespace

void SweepEngine::run_receiver() {
  prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
  pthread_setname_np(pthread_self(), "icmp-receive");
  const uint64_t targets = config_.target_count();
  const uint64_t probes = config_.probe_count();
  const uint64_t ipv4_targets = config_.ipv4.size();
  const int64_t timeout_ns = config_.timeout_ns;
  const TimestampMode stamp_mode = timestamps_.mode;
  const int64_t stamp_grace_ns = stamp_mode == TimestampMode::Hardware ? kHardwareStampGraceNs : 0;
  // Room for the largest IPv4 header, the ICMP header and the payload; longer packets are truncated
  // (MSG_TRUNC) but our fields lead the payload, so they still validate.
  const size_t slot_bytes = 60 + kIcmpHeaderBytes + std::max<size_t>(config_.payload_bytes, kMinPayloadBytes);

  ResultChunk chunk;
  chunk.reserve(config_.chunk_probes);
  int64_t last_flush_ns = monotonic_ns();
  auto flush = [&] {
    if (chunk.size() == 0) return;
    on_chunk_(std::move(chunk));
    chunk = ResultChunk();
    chunk.reserve(config_.chunk_probes);
    last_flush_ns = monotonic_ns();
  };
  auto report = [&](uint64_t probe, double rtt_ns, int64_t send_ns) {
    const uint32_t seq = static_cast<uint32_t>(probe / targets);
    chunk.push(static_cast<uint32_t>(probe % targets), seq, rtt_ns, double(send_ns / 1000),
               static_cast<uint16_t>(config_.flow_of(seq)));
    resolved_.fetch_add(1, std::memory_order_release);
    if (chunk.size() >= config_.chunk_probes) flush();
  };

  uint64_t replies = 0;
  uint64_t lost = 0;
  uint64_t pass = 0;  // drain passes so far
  std::vector<AwaitingStamp> awaiting;
  uint8_t scratch[16];

  // Senders that read their own error queues, and their drain counts after recent passes.
  std::vector<Sender*> stamp_owners;
  for (auto& sender : senders_) {
    if (sender->drains_stamps) stamp_owners.push_back(sender.get());
  }
  auto stamp_drain_counts = [&] {
    std::vector<uint64_t> counts;
    counts.reserve(stamp_owners.size());
    for (Sender* owner : stamp_owners) counts.push_back(owner->stamp_drains.load(std::memory_order_seq_cst));
    return counts;
  };
  std::deque<std::vector<uint64_t>> snapshots;  // snapshots[i] was taken as number first_snapshot + i
  uint64_t first_snapshot = 0;
  std::deque<RetiredChunks> retired;

  auto handle_reply = [&](const ProbeSocket& socket, const uint8_t* packet, size_t len, const sockaddr_in6& source,
                          const Stamp& rx) {
    const bool ipv6 = socket.family == AF_INET6;
    if (!ipv6 && socket.mode == SocketMode::Raw) {
      // Raw IPv4 sockets deliver the IP header too.
      if (len < 20) return counters_.foreign.fetch_add(1, std::memory_order_relaxed), void();
      const size_t header_len = size_t(packet[0] & 0x0f) * 4;
      if (header_len < 20 || header_len > len) return counters_.foreign.fetch_add(1, std::memory_order_relaxed), void();
      packet += header_len;
      len -= header_len;
    }
    const uint8_t reply_type = ipv6 ? kIcmp6EchoReply : kIcmp4EchoReply;
    if (len < kIcmpHeaderBytes + sizeof(ProbePayload) || packet[0] != reply_type || packet[1] != 0) {
      counters_.foreign.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    ProbePayload payload;
    std::memcpy(&payload, packet + kIcmpHeaderBytes, sizeof payload);
    // Index and seq must name a probe of this sweep on this socket's family before we trust them.
    const bool index_fits = ipv6 ? (payload.target_index >= ipv4_targets && payload.target_index < targets)
                                 : payload.target_index < ipv4_targets;
    if (!index_fits || payload.seq >= config_.count) {
      counters_.bad_cookie.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    // The id must be the one of the probe's flow (the receive filter lets any of our flows' in).
    uint16_t id_be;
    std::memcpy(&id_be, packet + 4, 2);
    const uint16_t icmp_id = flow_id(ipv6, config_.flow_of(payload.seq));
    const uint8_t* expected = target_address(payload.target_index, scratch);
    const bool source_matches =
        ipv6 ? std::memcmp(&source.sin6_addr, expected, 16) == 0
             : std::memcmp(&reinterpret_cast<const sockaddr_in&>(source).sin_addr, expected, 4) == 0;
    if (__builtin_bswap16(id_be) != icmp_id || !source_matches ||
        !cookie_matches(payload.cookie,
                        probe_cookie(key_, expected, icmp_id, payload.target_index, payload.seq, payload.send_ns))) {
      counters_.bad_cookie.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    const uint64_t probe = uint64_t(payload.seq) * targets + payload.target_index;
    const int64_t user_rtt_ns = std::max<int64_t>(0, rx.software_ns - payload.send_ns);
    if (ledger_.is_resolved(probe)) {
      // Answered already, or declared lost (only once its timeout had passed: so this one is late).
      (user_rtt_ns > timeout_ns ? counters_.late : counters_.duplicates).fetch_add(1, std::memory_order_relaxed);
      return;
    }
    // A reply later than the timeout is late and its probe stays unanswered (the reaper reports it
    // lost). The timeout is judged on the RTT as measured, so a probe that waited in this host
    // before leaving is not late for that.
    auto accept = [&](int64_t rtt_ns, bool fallback) {
      if (rtt_ns > timeout_ns) return counters_.late.fetch_add(1, std::memory_order_relaxed), void();
      ledger_.mark_resolved(probe);
      ++replies;
      counters_.replies.store(replies, std::memory_order_relaxed);
      if (fallback) counters_.tx_stamp_fallbacks.fetch_add(1, std::memory_order_relaxed);
      report(probe, double(rtt_ns), payload.send_ns);
    };
    if (stamp_mode == TimestampMode::User) return accept(user_rtt_ns, false);
    const int64_t rx_ns = rx.in(stamp_mode);
    // No RX stamp in the sweep's clock (a NIC that did not stamp this one): the user pair times it.
    if (rx_ns == 0) return accept(user_rtt_ns, true);
    const int64_t tx_ns = ledger_.tx_stamp(probe);
    if (tx_ns != 0) return accept(std::max<int64_t>(0, rx_ns - tx_ns), false);
    // Taken (so a duplicate is known as one) until its stamp settles it.
    ledger_.mark_resolved(probe);
    awaiting.push_back(AwaitingStamp{probe, rx_ns, user_rtt_ns, payload.send_ns, pass,
                                     first_snapshot + snapshots.size(), monotonic_ns() + stamp_grace_ns});
  };

  // Replies and stamps waiting for each other are settled once every error queue has been read
  // after the reply: a stamp still missing then was dropped (error queue full) and the probe is
  // timed from the send time in the payload, counted. The receiver reads its queues once per pass;
  // a sender's queues count as read after the reply once its drain count is 2 past the count read
  // after the reply (the drain that made it 1 past may have begun before the reply was read).
  auto stamps_read_since = [&](uint64_t snapshot, const std::vector<uint64_t>& now_counts) {
    const std::vector<uint64_t>& then = snapshots[snapshot - first_snapshot];
    for (size_t k = 0; k < now_counts.size(); ++k) {
      if (now_counts[k] < then[k] + 2) return false;
    }
    return true;
  };
  auto settle_awaiting = [&] {
    if (awaiting.empty()) return;
    const int64_t now = monotonic_ns();
    const std::vector<uint64_t> now_counts = stamp_drain_counts();
    size_t kept = 0;
    for (const AwaitingStamp& entry : awaiting) {
      const int64_t tx_ns = ledger_.tx_stamp(entry.probe);
      const bool fallback = tx_ns == 0;
      if (fallback &&
          (entry.since_pass == pass || now < entry.ready_mono_ns || !stamps_read_since(entry.snapshot, now_counts))) {
        awaiting[kept++] = entry;
        continue;
      }
      const int64_t rtt_ns = fallback ? entry.user_rtt_ns : std::max<int64_t>(0, entry.rx_ns - tx_ns);
      if (rtt_ns > timeout_ns) {
        // Late after all: the probe, taken when its reply came, is reported lost here.
        counters_.late.fetch_add(1, std::memory_order_relaxed);
        ++lost;
        counters_.lost.store(lost, std::memory_order_relaxed);
        report(entry.probe, -1.0, entry.send_ns);
        continue;
      }
      ++replies;
      counters_.replies.store(replies, std::memory_order_relaxed);
      if (fallback) counters_.tx_stamp_fallbacks.fetch_add(1, std::memory_order_relaxed);
      report(entry.probe, double(rtt_ns), entry.send_ns);
    }
    awaiting.resize(kept);
    // Snapshots older than the oldest waiting reply are not needed any more.
    const uint64_t oldest = awaiting.empty() ? first_snapshot + snapshots.size() : awaiting.front().snapshot;
    while (first_snapshot < oldest) {
      snapshots.pop_front();
      ++first_snapshot;
    }
  };

  struct WatchedSocket {
    const ProbeSocket* socket;
    bool stamps;          // TX stamps arrive on its error queue
    uint32_t drops_seen;  // SO_RXQ_OVFL is a running count per socket
  };
  std::vector<WatchedSocket> sockets;
  const bool tx_stamps = stamp_mode != TimestampMode::User;
  // `stamps`: the receiver reads its error queue (a sender that drains its own is left out here).
  auto watch = [&](const ProbeSocket& socket, bool stamps) {
    if (socket.fd >= 0) sockets.push_back(WatchedSocket{&socket, stamps, 0});
  };
  watch(receive4_, false);
  watch(receive6_, false);
  for (const auto& socket : flow_sockets4_) watch(socket, tx_stamps);
  for (const auto& socket : flow_sockets6_) watch(socket, tx_stamps);
  for (auto& sender : senders_) {
    watch(sender->socket4, tx_stamps && !sender->drains_stamps);
    watch(sender->socket6, tx_stamps && !sender->drains_stamps);
  }
  auto batch_storage = std::make_unique<ReceiveBatch>(slot_bytes);
  ReceiveBatch& batch = *batch_storage;

  StampReader stamp_reader;
  auto drain_stamps = [&](WatchedSocket& entry) { drain_tx_stamps(entry.socket->fd, stamp_reader); };

  auto drain_replies = [&](WatchedSocket& entry) {
    const ProbeSocket& socket = *entry.socket;
    int read_errors = 0;
    for (;;) {
      batch.reset();
      const int got = recvmmsg(socket.fd, batch.messages, kReceiveBatch, MSG_DONTWAIT, nullptr);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && ++read_errors < kReadErrorsPerDrain) continue;
        return;  // EAGAIN: drained
      }
      for (int i = 0; i < got; ++i) {
        msghdr& header = batch.messages[i].msg_hdr;
        Stamp rx;
        for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
          if (read_stamp(c, rx)) continue;
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
            uint32_t dropped;
            std::memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
            if (dropped > entry.drops_seen) {
              counters_.kernel_drops.fetch_add(dropped - entry.drops_seen, std::memory_order_relaxed);
              entry.drops_seen = dropped;
            }
          }
        }
        if (rx.software_ns == 0) {
          rx.software_ns = realtime_ns();
          counters_.user_timestamps.fetch_add(1, std::memory_order_relaxed);
        }
        handle_reply(socket, static_cast<const uint8_t*>(batch.iovs[i].iov_base),
                     std::min<size_t>(batch.messages[i].msg_len, batch.slot_bytes), batch.sources[i], rx);
      }
      if (static_cast<unsigned>(got) < kReceiveBatch) return;
    }
  };

  std::vector<pollfd> poll_fds;
  for (auto& entry : sockets) poll_fds.push_back(pollfd{entry.socket->fd, POLLIN, 0});
  // One pass: stamps first (a reply's stamp is queued before the reply can arrive), then replies,
  // only on the sockets that have something (POLLERR: the error queue is not empty).
  auto drain_all = [&] {
    ++pass;
    // A sender that is done left its error queues to us: read them every pass (counted as drains).
    for (Sender* owner : stamp_owners) {
      if (owner->done.load(std::memory_order_seq_cst)) drain_sender_stamps(*owner, stamp_reader);
    }
    if (poll(poll_fds.data(), poll_fds.size(), 0) <= 0) return;
    for (size_t i = 0; i < sockets.size(); ++i) {
      if (sockets[i].stamps && (poll_fds[i].revents & POLLERR)) drain_stamps(sockets[i]);
    }
    for (size_t i = 0; i < sockets.size(); ++i) {
      // Even a socket that takes no replies is read: that clears a pending socket error.
      if (poll_fds[i].revents & (POLLIN | POLLERR)) drain_replies(sockets[i]);
    }
  };

  // About 64 replies per drain at the configured rate, within [0.5 ms, 5 ms]: few wake-ups when
  // paced (the CPU goes to the sender), short queues when unlimited.
  const int64_t busy_drain_interval_ns = config_.rate_pps > 0
                                             ? std::clamp<int64_t>(static_cast<int64_t>(64e9 / config_.rate_pps),
                                                                   kBusyDrainIntervalNs, 10 * kBusyDrainIntervalNs)
                                             : kBusyDrainIntervalNs;
  uint64_t cursor = 0;  // first probe, in probe order (~ send order), not yet known to be resolved
  for (;;) {
    // Everything the kernel stamped before this instant is drained before any probe is declared
    // lost, so a reply that arrived in time is never reported lost.
    const int64_t drain_start_ns = realtime_ns();
    const size_t awaiting_before = awaiting.size();
    drain_all();
    // Replies that now wait for their stamp are settled against the drain counts read after them.
    if (awaiting.size() > awaiting_before) snapshots.push_back(stamp_drain_counts());
    settle_awaiting();

    // Senders first, then what they published: a sender that is done has published all it sent.
    bool senders_done = true;
    for (auto& sender : senders_) senders_done = senders_done && sender->done.load(std::memory_order_acquire);
    const bool stopping = senders_done && stop_requested_.load(std::memory_order_acquire);
    int64_t next_deadline_ns = 0;
    while (cursor < probes) {
      if (!plan_.is_published(cursor)) {
        if (!senders_done) break;                // not sent yet
        cursor = plan_.next_unit_start(cursor);  // stopped: never sent, never reported
        continue;
      }
      if (ledger_.is_resolved(cursor)) {
        ++cursor;
        continue;
      }
      // The timeout runs from when the probe was handed to the kernel or, later, when the driver
      // stamped it (queued in this host meanwhile); the reply check above measures it the same way.
      int64_t sent_ns = ledger_.handed_ns(cursor);
      if (stamp_mode == TimestampMode::Software) sent_ns = std::max(sent_ns, ledger_.tx_stamp(cursor));
      if (!stopping && sent_ns + timeout_ns >= drain_start_ns) {
        next_deadline_ns = sent_ns + timeout_ns;
        break;
      }
      ledger_.mark_resolved(cursor);
      ++lost;
      counters_.lost.store(lost, std::memory_order_relaxed);
      report(cursor, -1.0, ledger_.send_ns(cursor));
      ++cursor;
    }
    // Replies waiting for their stamp keep their chunk (the stamp goes there).
    uint64_t keep_from = cursor;
    for (const AwaitingStamp& entry : awaiting) keep_from = std::min(keep_from, entry.probe);
    std::vector<int64_t*> retired_now;
    ledger_.retire_below(keep_from, retired_now);
    if (!retired_now.empty()) retired.push_back(RetiredChunks{std::move(retired_now), stamp_drain_counts()});
    if (!retired.empty()) {
      const std::vector<uint64_t> now_counts = stamp_drain_counts();
      while (!retired.empty()) {
        bool safe = true;
        for (size_t k = 0; k < now_counts.size() && safe; ++k) {
          safe = now_counts[k] > retired.front().drains[k] || stamp_owners[k]->done.load(std::memory_order_seq_cst);
        }
        if (!safe) break;
        ProbeLedger::free_chunks(retired.front().chunks);
        retired.pop_front();
      }
    }
    if (cursor >= probes && awaiting.empty()) break;
    if (chunk.size() > 0 && monotonic_ns() - last_flush_ns >= kFlushIntervalNs) flush();

    int64_t wait_ns = kIdleWaitNs;
    if (next_deadline_ns != 0) wait_ns = std::clamp<int64_t>(next_deadline_ns - realtime_ns() + 1000, 0, kIdleWaitNs);
    if (!awaiting.empty()) wait_ns = std::min(wait_ns, kBusyDrainIntervalNs);
    if (!senders_done) {
      // While probes go out, replies arrive continuously: draining on a short fixed cadence reads
      // them in large batches instead of waking per packet (which steals the sender's core).
      // Kernel timestamps make the delay invisible in the RTTs.
      sleep_until_monotonic(monotonic_ns() + std::min(wait_ns, busy_drain_interval_ns));
    } else {
      const timespec wait = to_timespec(wait_ns);
      ppoll(poll_fds.data(), poll_fds.size(), &wait, nullptr);
    }
  }
  flush();
  finished_mono_ns_.store(monotonic_ns(), std::memory_order_release);
  // Every probe is settled, so the senders have sent their last and are finishing their final
  // drain: wait for them before freeing the chunks they might still be writing stamps into.
  for (Sender* owner : stamp_owners) {
    while (!owner->done.load(std::memory_order_seq_cst)) sleep_until_monotonic(monotonic_ns() + 100000);
  }
  for (RetiredChunks& group : retired) ProbeLedger::free_chunks(group.chunks);
  on_done_(std::string());
}

}  // namespace pingsphere
