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

void close_sockets(std::vector<std::unique_ptr<SweepShard>>& shards) {
  for (auto& shard : shards) {
    close_probe_socket(shard->socket4);
    close_probe_socket(shard->socket6);
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

SweepEngine::SweepEngine(SweepConfig config) : config_(std::move(config)) {
  // A fresh secret per sweep: cookies from an earlier sweep (or another process) never verify.
  fill_random(&key_, sizeof key_);
  uint16_t raw_icmp_id;
  fill_random(&raw_icmp_id, sizeof raw_icmp_id);
  const uint32_t cpus = usable_cpu_count();
  const uint32_t senders = resolve_sender_count(config_, cpus);
  // Unlimited sweeps keep one sender on each core: on loopback a probe's whole kernel path (and
  // its reply's) runs on the sending core, and a sender that migrates leaves that work queued
  // behind it. Paced senders stay free to move: a pinned one cannot dodge a busy core and would
  // fall behind its rate.
  pin_senders_ = config_.rate_pps <= 0 && senders > 1 && senders <= cpus;
  const uint64_t targets = config_.target_count();
  const uint64_t ipv4_targets = config_.ipv4.size();
  try {
    for (uint32_t k = 0; k < senders; ++k) {
      shards_.push_back(
          std::make_unique<SweepShard>(k, targets * k / senders, targets * (k + 1) / senders, config_.count));
      SweepShard* shard = shards_.back().get();
      // Raw sockets: one ICMP id per shard (the reply filter and the cookie bind it), so a reply
      // reaches only the socket of the shard that sent its probe. Ping sockets get theirs from the kernel.
      const uint16_t shard_id = static_cast<uint16_t>(raw_icmp_id + k);
      if (shard->first_target < ipv4_targets) {
        shard->socket4 = open_probe_socket(socket_options(config_, AF_INET, shard_id));
      }
      if (shard->end_target > ipv4_targets) {
        shard->socket6 = open_probe_socket(socket_options(config_, AF_INET6, shard_id));
      }
    }
  } catch (...) {
    close_sockets(shards_);
    throw;
  }
}

SweepEngine::~SweepEngine() {
  stop();
  join();
  close_sockets(shards_);
}

void SweepEngine::start(ChunkHandler on_chunk, DoneHandler on_done) {
  if (started_) throw std::logic_error("a sweep runs once");
  started_ = true;
  on_chunk_ = std::move(on_chunk);
  on_done_ = std::move(on_done);
  start_mono_ns_ = monotonic_ns();
  receiver_ = std::thread([this] { run_receiver(); });
  for (auto& shard : shards_) shard->sender = std::thread([this, s = shard.get()] { run_sender(*s); });
}

void SweepEngine::stop() { stop_requested_.store(true, std::memory_order_release); }

void SweepEngine::join() {
  for (auto& shard : shards_) {
    if (shard->sender.joinable()) shard->sender.join();
  }
  if (receiver_.joinable()) receiver_.join();
}

const ProbeSocket& SweepEngine::first_socket() const {
  const SweepShard& shard = *shards_.front();
  return shard.socket4.fd >= 0 ? shard.socket4 : shard.socket6;
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
  uint64_t sent = 0;
  for (const auto& shard : shards_) sent += shard->published_sent.load(std::memory_order_acquire);
  return SweepProgress{config_.probe_count(), sent, resolved_.load(std::memory_order_acquire)};
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
