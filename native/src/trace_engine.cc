// The trace loop: one thread paces the rounds out (sendmmsg batches, TTL set per round, each
// message keyed for its TX stamp), drains TX stamps and ICMP messages, validates every message
// against the keyed probe fields (trace_probe.h), and reports probes lost once their timeout has
// passed. One thread is enough: a trace's rate is a few thousand probes per second, not a sweep's
// million.
#include "trace_engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <stdexcept>

#include "clock.h"
#include "icmp_packet.h"
#include "trace_probe.h"

namespace pingsphere {
namespace {

constexpr size_t kBatch = 64;
constexpr unsigned kReceiveBatch = 64;
constexpr size_t kControlBytes = 256;
constexpr int64_t kFlushIntervalNs = 20000000;
constexpr int64_t kMaxWaitNs = 10000000;
constexpr int kReadErrorsPerDrain = 8;

void fill_random(void* out, size_t len) {
  auto* bytes = static_cast<uint8_t*>(out);
  size_t done = 0;
  while (done < len) {
    const ssize_t got = getrandom(bytes + done, len - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom failed: ") + strerror(errno));
    }
    done += static_cast<size_t>(got);
  }
}

enum class ProbeState : uint8_t { Unsent, InFlight, Answered, Lost, Skipped };

// One key for the life of the process, not one per trace: a flow's ICMP id and checksum derive
// from it, and a collector tracing a pair again must send that flow down the same ECMP branch as
// last time, or every trace would look like a path change. (Still secret: drawn from getrandom
// once, never leaves the process; each probe's cookie also covers its send time.)
const SipKey& process_trace_key() {
  static const SipKey key = [] {
    SipKey drawn;
    fill_random(&drawn, sizeof drawn);
    return drawn;
  }();
  return key;
}

}  // namespace

TraceEngine::TraceEngine(TraceConfig config) : config_(std::move(config)) {
  key_ = process_trace_key();
  timestamps_ = choose_timestamps(config_.timestamps, config_.interface_name);
  auto open = [&](int family) {
    ProbeSocketOptions options{family,
                               SocketModeRequest::Raw,
                               SocketRole::SendReceive,
                               timestamps_.mode,
                               0,
                               0,
                               int(config_.first_ttl),
                               kIcmpHeaderBytes + config_.payload_bytes,
                               std::nullopt,
                               std::nullopt,
                               config_.interface_name,
                               0,
                               true};
    return open_probe_socket(options);
  };
  if (!config_.ipv4.empty()) socket4_ = open(AF_INET);
  try {
    if (!config_.ipv6.empty()) socket6_ = open(AF_INET6);
  } catch (...) {
    close_probe_socket(socket4_);
    throw;
  }
  for (size_t i = 0; i < config_.ipv4.size(); ++i) index4_.emplace(config_.ipv4[i].s_addr, uint32_t(i));
  for (size_t i = 0; i < config_.ipv6.size(); ++i) {
    index6_.emplace(std::string(reinterpret_cast<const char*>(config_.ipv6[i].s6_addr), 16),
                    uint32_t(config_.ipv4.size() + i));
  }
}

TraceEngine::~TraceEngine() {
  stop();
  join();
  close_probe_socket(socket4_);
  close_probe_socket(socket6_);
}

void TraceEngine::start(ChunkHandler on_chunk, DoneHandler on_done) {
  if (started_) throw std::logic_error("a trace runs once");
  started_ = true;
  on_chunk_ = std::move(on_chunk);
  on_done_ = std::move(on_done);
  thread_ = std::thread([this] { run(); });
}

void TraceEngine::stop() { stop_requested_.store(true, std::memory_order_release); }

void TraceEngine::join() {
  if (thread_.joinable()) thread_.join();
}

const uint8_t* TraceEngine::target_address(uint64_t target, uint8_t scratch[16]) const {
  if (target < config_.ipv4.size()) {
    std::memset(scratch, 0, 16);
    std::memcpy(scratch, &config_.ipv4[target], 4);
    return scratch;
  }
  return config_.ipv6[target - config_.ipv4.size()].s6_addr;
}

bool TraceEngine::find_target(bool ipv6, const uint8_t address[16], uint32_t& target) const {
  if (ipv6) {
    const auto it = index6_.find(std::string(reinterpret_cast<const char*>(address), 16));
    if (it == index6_.end()) return false;
    target = it->second;
    return true;
  }
  uint32_t s_addr;
  std::memcpy(&s_addr, address, 4);
  const auto it = index4_.find(s_addr);
  if (it == index4_.end()) return false;
  target = it->second;
  return true;
}

void TraceEngine::run() {
  prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
  pthread_setname_np(pthread_self(), "icmp-trace");
  const int64_t started_mono = monotonic_ns();
  const uint64_t targets = config_.target_count();
  const uint64_t ipv4_targets = config_.ipv4.size();
  const uint32_t flows = config_.flows;
  const uint32_t slots = config_.slots();
  const uint32_t per_hop = config_.probes_per_hop;
  const uint64_t probes = config_.probe_count();
  const TimestampMode stamp_mode = timestamps_.mode;
  const bool keyed_stamps = stamp_mode != TimestampMode::User;
  const size_t packet_bytes = kIcmpHeaderBytes + config_.payload_bytes;
  auto probe_index = [&](uint64_t target, uint32_t flow, uint32_t slot) {
    return (target * flows + flow) * slots + slot;
  };

  std::vector<ProbeState> state(probes, ProbeState::Unsent);
  std::vector<int64_t> send_ns(probes, 0);
  std::vector<int64_t> tx_ns(keyed_stamps ? probes : 0, 0);
  // Per target and flow: the first hop (TTL - first_ttl) that ended the path (echo reply or
  // unreachable); probes beyond it are not sent.
  std::vector<uint32_t> end_hop(targets * flows, UINT32_MAX);
  std::deque<uint64_t> in_flight;  // in send order, so in timeout order
  std::unordered_map<std::string, int32_t> responders;

  TraceChunk chunk;
  int64_t last_flush = monotonic_ns();
  auto flush = [&] {
    if (chunk.size() == 0 && chunk.new_responders.empty()) return;
    on_chunk_(std::move(chunk));
    chunk = TraceChunk();
    last_flush = monotonic_ns();
  };
  auto report = [&](uint64_t probe, TraceOutcome outcome, double rtt, int32_t responder) {
    const uint32_t slot = uint32_t(probe % slots);
    const uint64_t target_flow = probe / slots;
    chunk.target_index.push_back(uint32_t(target_flow / flows));
    chunk.flow.push_back(uint16_t(target_flow % flows));
    chunk.ttl.push_back(uint8_t(config_.first_ttl + slot / per_hop));
    chunk.probe.push_back(uint8_t(slot % per_hop));
    chunk.outcome.push_back(uint8_t(outcome));
    chunk.rtt_ns.push_back(rtt);
    chunk.responder.push_back(responder);
    chunk.send_time_us.push_back(double(send_ns[probe] / 1000));
    resolved_.fetch_add(1, std::memory_order_relaxed);
    if (chunk.size() >= config_.chunk_probes) flush();
  };
  auto responder_id = [&](const uint8_t address[16], bool ipv6) {
    const std::string key(reinterpret_cast<const char*>(address), ipv6 ? 16 : 4);
    const auto it = responders.find(key);
    if (it != responders.end()) return it->second;
    const int32_t id = int32_t(responders.size());
    responders.emplace(key, id);
    char text[INET6_ADDRSTRLEN];
    inet_ntop(ipv6 ? AF_INET6 : AF_INET, address, text, sizeof text);
    chunk.new_responders.emplace_back(text);
    return id;
  };

  // --- receiving ---
  std::vector<uint8_t> data(size_t(kReceiveBatch) * 1500);
  std::vector<uint8_t> control(size_t(kReceiveBatch) * kControlBytes);
  std::vector<iovec> iovs(kReceiveBatch);
  std::vector<sockaddr_in6> sources(kReceiveBatch);
  std::vector<mmsghdr> messages(kReceiveBatch);
  auto reset_batch = [&] {
    for (unsigned i = 0; i < kReceiveBatch; ++i) {
      iovs[i] = iovec{data.data() + i * 1500, 1500};
      std::memset(&messages[i], 0, sizeof messages[i]);
      messages[i].msg_hdr.msg_name = &sources[i];
      messages[i].msg_hdr.msg_namelen = sizeof sources[i];
      messages[i].msg_hdr.msg_iov = &iovs[i];
      messages[i].msg_hdr.msg_iovlen = 1;
      messages[i].msg_hdr.msg_control = control.data() + i * kControlBytes;
      messages[i].msg_hdr.msg_controllen = kControlBytes;
    }
  };
  uint32_t drops_seen[2] = {0, 0};
  uint8_t scratch[16];

  auto handle = [&](bool ipv6, const uint8_t* packet, size_t len, const sockaddr_in6& from, const Stamp& rx) {
    if (!ipv6) {
      if (len < 20) return void(counters_.foreign.fetch_add(1, std::memory_order_relaxed));
      const size_t header = size_t(packet[0] & 0x0f) * 4;
      if (header < 20 || header > len) return void(counters_.foreign.fetch_add(1, std::memory_order_relaxed));
      packet += header;
      len -= header;
    }
    uint8_t source[16] = {};
    if (ipv6) {
      std::memcpy(source, &from.sin6_addr, 16);
    } else {
      std::memcpy(source, &reinterpret_cast<const sockaddr_in&>(from).sin_addr, 4);
    }
    const TraceMessage message = parse_trace_message(packet, len, ipv6, source);
    uint32_t target = 0;
    if (message.kind == TraceMessage::Kind::Foreign || !find_target(ipv6, message.probe_address, target)) {
      return void(counters_.foreign.fetch_add(1, std::memory_order_relaxed));
    }
    // From here the message claims to be about a probe toward one of our targets: what fails is
    // counted as a bad cookie and never reported.
    TraceSlot where;
    const uint8_t* address = target_address(target, scratch);
    if (!decode_trace_header(key_, address, message.id, message.seq, flows, slots, where)) {
      return void(counters_.bad_cookie.fetch_add(1, std::memory_order_relaxed));
    }
    const uint64_t probe = probe_index(target, where.flow, where.slot);
    bool full = message.payload_bytes >= sizeof(ProbePayload);
    if (full) {
      ProbePayload payload;
      std::memcpy(&payload, message.payload, sizeof payload);
      const uint16_t id = static_cast<uint16_t>(trace_base_id(key_, address) + where.flow);
      if (payload.target_index != target || payload.seq != where.slot || payload.send_ns != send_ns[probe] ||
          !cookie_matches(payload.cookie, probe_cookie(key_, address, id, target, where.slot, payload.send_ns))) {
        return void(counters_.bad_cookie.fetch_add(1, std::memory_order_relaxed));
      }
    } else if (message.kind == TraceMessage::Kind::EchoReply) {
      // An echo reply carries the whole payload back: one without it is not ours.
      return void(counters_.bad_cookie.fetch_add(1, std::memory_order_relaxed));
    }
    if (state[probe] == ProbeState::Unsent || state[probe] == ProbeState::Skipped) {
      return void(counters_.bad_cookie.fetch_add(1, std::memory_order_relaxed));  // never sent
    }
    if (state[probe] == ProbeState::Lost) return void(counters_.late.fetch_add(1, std::memory_order_relaxed));
    if (state[probe] == ProbeState::Answered) {
      return void(counters_.duplicates.fetch_add(1, std::memory_order_relaxed));
    }
    const int64_t rx_ns = rx.in(stamp_mode) != 0 ? rx.in(stamp_mode) : rx.software_ns;
    int64_t rtt = rx_ns - send_ns[probe];
    if (keyed_stamps) {
      if (tx_ns[probe] != 0) {
        rtt = rx_ns - tx_ns[probe];
      } else {
        counters_.tx_stamp_fallbacks.fetch_add(1, std::memory_order_relaxed);
      }
    }
    rtt = std::max<int64_t>(rtt, 0);
    if (rtt > config_.timeout_ns) return void(counters_.late.fetch_add(1, std::memory_order_relaxed));
    if (!full) counters_.header_only.fetch_add(1, std::memory_order_relaxed);
    state[probe] = ProbeState::Answered;
    TraceOutcome outcome = TraceOutcome::TimeExceeded;
    if (message.kind == TraceMessage::Kind::EchoReply) {
      outcome = TraceOutcome::EchoReply;
      counters_.echo_replies.fetch_add(1, std::memory_order_relaxed);
    } else if (message.kind == TraceMessage::Kind::Unreachable) {
      outcome = TraceOutcome::Unreachable;
      counters_.unreachable.fetch_add(1, std::memory_order_relaxed);
    } else {
      counters_.time_exceeded.fetch_add(1, std::memory_order_relaxed);
    }
    if (outcome != TraceOutcome::TimeExceeded) {
      uint32_t& end = end_hop[probe / slots];
      end = std::min(end, where.slot / per_hop);
    }
    report(probe, outcome, double(rtt), responder_id(source, ipv6));
  };

  auto drain = [&](const ProbeSocket& socket) {
    if (socket.fd < 0) return;
    const bool ipv6 = socket.family == AF_INET6;
    if (keyed_stamps) {
      for (;;) {
        reset_batch();
        const int got = recvmmsg(socket.fd, messages.data(), kReceiveBatch, MSG_ERRQUEUE | MSG_DONTWAIT, nullptr);
        if (got <= 0) {
          if (got < 0 && errno == EINTR) continue;
          break;
        }
        for (int i = 0; i < got; ++i) {
          msghdr& header = messages[i].msg_hdr;
          Stamp stamp;
          uint32_t key = 0;
          bool keyed = false;
          for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
            if (!read_stamp(c, stamp)) keyed = read_tx_stamp_key(c, key) || keyed;
          }
          const int64_t stamp_ns = stamp.in(stamp_mode);
          if (!keyed || stamp_ns == 0 || key >= probes) continue;
          counters_.tx_stamps.fetch_add(1, std::memory_order_relaxed);
          tx_ns[key] = stamp_ns;
        }
        if (unsigned(got) < kReceiveBatch) break;
      }
    }
    int read_errors = 0;
    for (;;) {
      reset_batch();
      const int got = recvmmsg(socket.fd, messages.data(), kReceiveBatch, MSG_DONTWAIT, nullptr);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && ++read_errors < kReadErrorsPerDrain) continue;
        return;
      }
      for (int i = 0; i < got; ++i) {
        msghdr& header = messages[i].msg_hdr;
        Stamp rx;
        for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
          if (read_stamp(c, rx)) continue;
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
            uint32_t dropped;
            std::memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
            uint32_t& seen = drops_seen[ipv6 ? 1 : 0];
            if (dropped > seen) counters_.kernel_drops.fetch_add(dropped - seen, std::memory_order_relaxed);
            seen = std::max(seen, dropped);
          }
        }
        if (rx.software_ns == 0) rx.software_ns = realtime_ns();
        handle(ipv6, data.data() + size_t(i) * 1500, std::min<size_t>(messages[i].msg_len, 1500), sources[i], rx);
      }
      if (unsigned(got) < kReceiveBatch) return;
    }
  };

  // --- sending ---
  std::vector<uint8_t> packets(kBatch * packet_bytes);
  for (size_t i = 0; i < packets.size(); ++i) packets[i] = static_cast<uint8_t>(i % packet_bytes);
  std::vector<iovec> send_iovs(kBatch);
  std::vector<sockaddr_in6> destinations(kBatch);
  std::vector<mmsghdr> sends(kBatch);
  std::vector<uint8_t> send_controls(kBatch * CMSG_SPACE(sizeof(uint32_t)));
  std::vector<uint64_t> batch_probes(kBatch);
  uint32_t round = 0;        // slot being sent
  uint64_t cursor = 0;       // position in the round: flow-major over targets (flow * targets + target)
  int current_ttl[2] = {int(config_.first_ttl), int(config_.first_ttl)};
  const double rate = config_.rate_pps;
  const double burst = rate > 0 ? std::clamp(std::floor(rate * 0.005), 1.0, double(kBatch)) : double(kBatch);
  double tokens = 1;
  int64_t token_time = monotonic_ns();

  auto set_ttl = [&](const ProbeSocket& socket, int ttl) {
    int& current = current_ttl[socket.family == AF_INET6 ? 1 : 0];
    if (current == ttl) return;
    const int level = socket.family == AF_INET6 ? int{IPPROTO_IPV6} : int{IPPROTO_IP};
    const int name = socket.family == AF_INET6 ? int{IPV6_UNICAST_HOPS} : int{IP_TTL};
    setsockopt(socket.fd, level, name, &ttl, sizeof ttl);
    current = ttl;
  };

  // Sends up to `allowed` probes of the current round (one family per call); returns how many
  // slots of the plan it consumed (sent, skipped or refused).
  auto send_some = [&](size_t allowed) -> size_t {
    const uint64_t round_size = targets * flows;
    size_t used_tokens = 0;
    size_t n = 0;
    bool ipv6 = false;
    while (round < slots && n < allowed && n < kBatch) {
      if (cursor >= round_size) {
        if (n > 0) break;  // the TTL changes with the round: send what we have first
        ++round;
        cursor = 0;
        continue;
      }
      const uint32_t flow = uint32_t(cursor / targets);
      const uint64_t target = cursor % targets;
      const uint32_t hop = round / per_hop;
      const uint64_t probe = probe_index(target, flow, round);
      const bool target_v6 = target >= ipv4_targets;
      if (n > 0 && target_v6 != ipv6) break;
      if (end_hop[target * flows + flow] < hop) {
        state[probe] = ProbeState::Skipped;
        counters_.skipped.fetch_add(1, std::memory_order_relaxed);
        ++cursor;
        continue;
      }
      ipv6 = target_v6;
      const uint8_t* address = target_address(target, scratch);
      const uint16_t id = static_cast<uint16_t>(trace_base_id(key_, address) + flow);
      const uint16_t wire_seq = static_cast<uint16_t>(trace_seq_base(key_, address, flow) + round);
      ProbePayload payload;
      payload.target_index = uint32_t(target);
      payload.seq = round;
      payload.send_ns = realtime_ns();
      store_cookie(payload.cookie, probe_cookie(key_, address, id, uint32_t(target), round, payload.send_ns));
      uint8_t* packet = packets.data() + n * packet_bytes;
      write_echo_request(packet, config_.payload_bytes, ipv6, !ipv6, id, wire_seq, payload);
      send_ns[probe] = payload.send_ns;
      sockaddr_in6& destination = destinations[n];
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
      send_iovs[n] = iovec{packet, packet_bytes};
      std::memset(&sends[n], 0, sizeof sends[n]);
      sends[n].msg_hdr.msg_name = &destination;
      sends[n].msg_hdr.msg_namelen = destination_len;
      sends[n].msg_hdr.msg_iov = &send_iovs[n];
      sends[n].msg_hdr.msg_iovlen = 1;
      if (keyed_stamps) {
        uint8_t* control_bytes = send_controls.data() + n * CMSG_SPACE(sizeof(uint32_t));
        sends[n].msg_hdr.msg_control = control_bytes;
        sends[n].msg_hdr.msg_controllen = CMSG_SPACE(sizeof(uint32_t));
        cmsghdr* key = CMSG_FIRSTHDR(&sends[n].msg_hdr);
        key->cmsg_level = SOL_SOCKET;
        key->cmsg_type = SCM_TS_OPT_ID;
        key->cmsg_len = CMSG_LEN(sizeof(uint32_t));
        const uint32_t probe_key = uint32_t(probe);
        std::memcpy(CMSG_DATA(key), &probe_key, sizeof probe_key);
      }
      batch_probes[n] = probe;
      ++n;
      ++cursor;
    }
    if (n == 0) return 0;
    const ProbeSocket& socket = ipv6 ? socket6_ : socket4_;
    set_ttl(socket, int(config_.first_ttl + round / per_hop));
    size_t done = 0;
    int64_t retry_since = 0;
    while (done < n) {
      const int rc = sendmmsg(socket.fd, sends.data() + done, unsigned(n - done), 0);
      if (rc > 0) {
        for (int i = 0; i < rc; ++i) {
          state[batch_probes[done + i]] = ProbeState::InFlight;
          in_flight.push_back(batch_probes[done + i]);
        }
        done += size_t(rc);
        counters_.sent.fetch_add(uint64_t(rc), std::memory_order_relaxed);
        continue;
      }
      if (errno == EINTR) continue;
      if ((errno == ENOBUFS || errno == EAGAIN) && !stop_requested_.load(std::memory_order_acquire)) {
        const int64_t now = monotonic_ns();
        if (retry_since == 0) retry_since = now;
        if (now - retry_since < 1000000000) {
          pollfd writable{socket.fd, POLLOUT, 0};
          poll(&writable, 1, 1);
          continue;
        }
      }
      // Refused for good (no route, say): reported lost at once.
      counters_.send_errors.fetch_add(1, std::memory_order_relaxed);
      counters_.sent.fetch_add(1, std::memory_order_relaxed);
      state[batch_probes[done]] = ProbeState::Lost;
      counters_.lost.fetch_add(1, std::memory_order_relaxed);
      report(batch_probes[done], TraceOutcome::Lost, -1.0, -1);
      ++done;
    }
    used_tokens = n;
    return used_tokens;
  };

  std::vector<pollfd> poll_fds;
  if (socket4_.fd >= 0) poll_fds.push_back(pollfd{socket4_.fd, POLLIN, 0});
  if (socket6_.fd >= 0) poll_fds.push_back(pollfd{socket6_.fd, POLLIN, 0});

  for (;;) {
    const bool stopping = stop_requested_.load(std::memory_order_acquire);
    const bool sending = !stopping && round < slots;
    int64_t next_send = 0;
    if (sending) {
      size_t allowed = kBatch;
      if (rate > 0) {
        const int64_t now = monotonic_ns();
        tokens = std::min(burst, tokens + double(now - token_time) * rate / 1e9);
        token_time = now;
        allowed = size_t(tokens);
      }
      if (allowed > 0) {
        const size_t used = send_some(allowed);
        if (rate > 0) tokens -= double(used);
      }
      if (rate > 0 && tokens < 1) next_send = token_time + int64_t((1 - tokens) / rate * 1e9) + 1;
    }
    drain(socket4_);
    drain(socket6_);
    // Lost: every probe in flight past its timeout (all of them when stopping).
    const int64_t now_real = realtime_ns();
    int64_t next_timeout = 0;
    while (!in_flight.empty()) {
      const uint64_t probe = in_flight.front();
      if (state[probe] != ProbeState::InFlight) {
        in_flight.pop_front();
        continue;
      }
      const int64_t sent = keyed_stamps && tx_ns[probe] != 0 ? std::max(tx_ns[probe], send_ns[probe]) : send_ns[probe];
      if (!stopping && sent + config_.timeout_ns > now_real) {
        next_timeout = sent + config_.timeout_ns;
        break;
      }
      in_flight.pop_front();
      state[probe] = ProbeState::Lost;
      counters_.lost.fetch_add(1, std::memory_order_relaxed);
      report(probe, TraceOutcome::Lost, -1.0, -1);
    }
    const bool sending_done = stopping || round >= slots;
    if (sending_done && in_flight.empty()) break;
    if (monotonic_ns() - last_flush >= kFlushIntervalNs) flush();
    // Sleep until something can happen: a token, a reply, a timeout.
    int64_t wait = kMaxWaitNs;
    if (sending && next_send == 0) wait = 0;
    if (next_send != 0) wait = std::min(wait, std::max<int64_t>(0, next_send - monotonic_ns()));
    if (next_timeout != 0) wait = std::min(wait, std::max<int64_t>(0, next_timeout - realtime_ns() + 1000));
    if (wait > 0) {
      const timespec ts = to_timespec(wait);
      ppoll(poll_fds.data(), poll_fds.size(), &ts, nullptr);
    }
  }
  // What was never sent (stopped early) is neither sent nor reported.
  flush();
  seconds_.store(double(monotonic_ns() - started_mono) / 1e9, std::memory_order_relaxed);
  on_done_(std::string());
}

}  // namespace pingsphere
