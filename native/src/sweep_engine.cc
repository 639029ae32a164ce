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

ProbeSocketOptions socket_options(const SweepConfig& config, int family, uint16_t raw_id) {
  return ProbeSocketOptions{family,
                            config.socket_mode,
                            raw_id,
                            config.ttl,
                            kIcmpHeaderBytes + config.payload_bytes,
                            config.source_ipv4,
                            config.source_ipv6,
                            config.interface_name};
}

}  // namespace

SweepEngine::SweepEngine(SweepConfig config)
    : config_(std::move(config)), plan_(config_.target_count(), config_.count), ledger_(config_.probe_count()) {
  // A fresh secret per sweep: cookies from an earlier sweep (or another process) never verify.
  fill_random(&key_, sizeof key_);
  uint16_t raw_icmp_id;
  fill_random(&raw_icmp_id, sizeof raw_icmp_id);
  const uint32_t senders = resolve_sender_count(config_, usable_cpu_count());
  try {
    for (uint32_t k = 0; k < senders; ++k) {
      senders_.push_back(std::make_unique<Sender>());
      Sender& sender = *senders_.back();
      sender.index = k;
      // Raw sockets: one ICMP id per sender (the reply filter and the cookie bind it), so a reply
      // reaches only the socket that sent its probe. Ping sockets get theirs from the kernel.
      const uint16_t sender_id = static_cast<uint16_t>(raw_icmp_id + k);
      if (!config_.ipv4.empty()) sender.socket4 = open_probe_socket(socket_options(config_, AF_INET, sender_id));
      if (!config_.ipv6.empty()) sender.socket6 = open_probe_socket(socket_options(config_, AF_INET6, sender_id));
    }
  } catch (...) {
    close_sockets();
    throw;
  }
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

const ProbeSocket& SweepEngine::first_socket() const {
  const Sender& sender = *senders_.front();
  return sender.socket4.fd >= 0 ? sender.socket4 : sender.socket6;
}

SocketMode SweepEngine::mode() const { return first_socket().mode; }

int SweepEngine::receive_buffer_bytes() const { return first_socket().receive_buffer_bytes; }

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
