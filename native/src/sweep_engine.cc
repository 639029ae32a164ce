#include "sweep_engine.h"

#include <errno.h>
#include <sys/random.h>

#include <cstring>
#include <stdexcept>

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
  return ProbeSocketOptions{
      family, config.socket_mode, raw_id, config.ttl, config.source_ipv4, config.source_ipv6, config.interface_name};
}

}  // namespace

SweepEngine::SweepEngine(SweepConfig config) : config_(std::move(config)), ledger_(config_.probe_count()) {
  // A fresh secret per sweep: cookies from an earlier sweep (or another process) never verify.
  fill_random(&key_, sizeof key_);
  fill_random(&raw_icmp_id_, sizeof raw_icmp_id_);
  if (!config_.ipv4.empty()) socket4_ = open_probe_socket(socket_options(config_, AF_INET, raw_icmp_id_));
  try {
    if (!config_.ipv6.empty()) socket6_ = open_probe_socket(socket_options(config_, AF_INET6, raw_icmp_id_));
  } catch (...) {
    close_probe_socket(socket4_);
    throw;
  }
}

SweepEngine::~SweepEngine() {
  stop();
  join();
  close_probe_socket(socket4_);
  close_probe_socket(socket6_);
}

void SweepEngine::start(ChunkHandler on_chunk, DoneHandler on_done) {
  if (started_) throw std::logic_error("a sweep runs once");
  started_ = true;
  on_chunk_ = std::move(on_chunk);
  on_done_ = std::move(on_done);
  receiver_ = std::thread([this] { run_receiver(); });
  sender_ = std::thread([this] { run_sender(); });
}

void SweepEngine::stop() { stop_requested_.store(true, std::memory_order_release); }

void SweepEngine::join() {
  if (sender_.joinable()) sender_.join();
  if (receiver_.joinable()) receiver_.join();
}

SocketMode SweepEngine::mode() const { return socket4_.fd >= 0 ? socket4_.mode : socket6_.mode; }

int SweepEngine::receive_buffer_bytes() const {
  return socket4_.fd >= 0 ? socket4_.receive_buffer_bytes : socket6_.receive_buffer_bytes;
}

SweepProgress SweepEngine::progress() const {
  return SweepProgress{config_.probe_count(), published_sent_.load(std::memory_order_acquire),
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
