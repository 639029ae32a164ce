#include "sweep_engine.h"

#include <errno.h>
#include <sys/random.h>

#include <cstring>
#include <stdexcept>

#include "clock.h"
#include "icmp_packet.h"

namespace pingsphere {
namespace {

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

ProbeSocketOptions socket_options(const SweepConfig& config, int family, SocketMode mode, SocketRole role,
                                  TimestampMode timestamps) {
  return ProbeSocketOptions{family,
                            mode == SocketMode::Raw ? SocketModeRequest::Raw : SocketModeRequest::Ping,
                            role,
                            timestamps,
                            0,
                            0,
                            config.ttl,
                            kIcmpHeaderBytes + config.payload_bytes,
                            config.source_ipv4,
                            config.source_ipv6,
                            config.interface_name,
                            config.stamp_queue_bytes};
}

}  // namespace

SweepEngine::SweepEngine(SweepConfig config)
    : config_(std::move(config)), plan_(config_.target_count(), config_.count), ledger_(config_.probe_count()) {
  // A fresh secret per sweep: cookies from an earlier sweep (or another process) never verify.
  fill_random(&key_, sizeof key_);
  // Raw flow ids: a random run of `flows` ids that holds neither 0 nor 0xffff (the same number in
  // one's complement, so two such flows of a target would share a checksum).
  uint16_t random_id;
  fill_random(&random_id, sizeof random_id);
  raw_first_id_ = static_cast<uint16_t>(1 + random_id % (0xffff - kMaxFlows - 1));
  timestamps_ = choose_timestamps(config_.timestamps, config_.interface_name);
  try {
    open_sockets(resolve_sender_count(config_, usable_cpu_count()));
  } catch (...) {
    close_sockets();
    throw;
  }
}

void SweepEngine::open_sockets(uint32_t senders) {
  const bool any4 = !config_.ipv4.empty();
  const bool any6 = !config_.ipv6.empty();
  mode_ = resolve_socket_mode(any4 ? AF_INET : AF_INET6, config_.socket_mode);
  const TimestampMode stamps = timestamps_.mode;
  if (mode_ == SocketMode::Raw) {
    auto receive_options = [&](int family) {
      ProbeSocketOptions options = socket_options(config_, family, mode_, SocketRole::Receive, stamps);
      options.first_reply_id = raw_first_id_;
      options.reply_ids = static_cast<uint16_t>(config_.flows);
      return options;
    };
    if (any4) receive4_ = open_probe_socket(receive_options(AF_INET));
    if (any6) receive6_ = open_probe_socket(receive_options(AF_INET6));
  } else {
    for (uint32_t f = 0; f < config_.flows; ++f) {
      if (any4)
        flow_sockets4_.push_back(
            open_probe_socket(socket_options(config_, AF_INET, mode_, SocketRole::SendReceive, stamps)));
      if (any6)
        flow_sockets6_.push_back(
            open_probe_socket(socket_options(config_, AF_INET6, mode_, SocketRole::SendReceive, stamps)));
    }
  }
  for (uint32_t k = 0; k < senders; ++k) {
    senders_.push_back(std::make_unique<Sender>());
    Sender& sender = *senders_.back();
    sender.index = k;
    if (mode_ != SocketMode::Raw) continue;
    sender.drains_stamps = stamps != TimestampMode::User;
    if (any4) sender.socket4 = open_probe_socket(socket_options(config_, AF_INET, mode_, SocketRole::Send, stamps));
    if (any6) sender.socket6 = open_probe_socket(socket_options(config_, AF_INET6, mode_, SocketRole::Send, stamps));
  }
}

const ProbeSocket& SweepEngine::send_socket(const Sender& sender, bool ipv6, uint32_t flow) const {
  if (mode_ == SocketMode::Raw) return ipv6 ? sender.socket6 : sender.socket4;
  return ipv6 ? flow_sockets6_[flow] : flow_sockets4_[flow];
}

uint16_t SweepEngine::flow_id(bool ipv6, uint32_t flow) const {
  if (mode_ == SocketMode::Raw) return static_cast<uint16_t>(raw_first_id_ + flow);
  return (ipv6 ? flow_sockets6_[flow] : flow_sockets4_[flow]).icmp_id;
}

SweepEngine::~SweepEngine() {
  stop();
  join();
  close_sockets();
}

void SweepEngine::close_sockets() {
  for (auto& sender : senders_) {
    close_probe_socket(sender->socket4);
    close_probe_socket(sender->socket6);
  }
  close_probe_socket(receive4_);
  close_probe_socket(receive6_);
  for (auto& socket : flow_sockets4_) close_probe_socket(socket);
  for (auto& socket : flow_sockets6_) close_probe_socket(socket);
}

void SweepEngine::start(ChunkHandler on_chunk, DoneHandler on_done) {
  if (started_) throw std::logic_error("a sweep runs once");
  started_ = true;
  on_chunk_ = std::move(on_chunk);
  on_done_ = std::move(on_done);
  start_mono_ns_ = monotonic_ns();
  receiver_ = std::thread([this] { run_receiver(); });
  for (auto& sender : senders_) sender->thread = std::thread([this, s = sender.get()] { run_sender(*s); });
}

void SweepEngine::stop() { stop_requested_.store(true, std::memory_order_release); }

void SweepEngine::join() {
  for (auto& sender : senders_) {
    if (sender->thread.joinable()) sender->thread.join();
  }
  if (receiver_.joinable()) receiver_.join();
}

int SweepEngine::receive_buffer_bytes() const {
  if (mode_ == SocketMode::Raw) return (receive4_.fd >= 0 ? receive4_ : receive6_).receive_buffer_bytes;
  return (flow_sockets4_.empty() ? flow_sockets6_ : flow_sockets4_).front().receive_buffer_bytes;
}

void SweepEngine::note_send_time(int64_t mono_ns) {
  int64_t first = 0;
  first_send_mono_ns_.compare_exchange_strong(first, mono_ns, std::memory_order_acq_rel);
  int64_t last = last_send_mono_ns_.load(std::memory_order_relaxed);
  while (last < mono_ns && !last_send_mono_ns_.compare_exchange_weak(last, mono_ns, std::memory_order_acq_rel)) {
  }
}

SweepProgress SweepEngine::progress() const {
  return SweepProgress{config_.probe_count(), counters_.sent.load(std::memory_order_relaxed),
                       resolved_.load(std::memory_order_acquire)};
}

const uint8_t* SweepEngine::target_address(uint64_t target_index, uint8_t scratch[16]) const {
  if (target_index < config_.ipv4.size()) {
    std::memset(scratch, 0, 16);
    std::memcpy(scratch, &config_.ipv4[target_index], 4);
    return scratch;
  }
  return config_.ipv6[target_index - config_.ipv4.size()].s6_addr;
}

}  // namespace pingsphere
