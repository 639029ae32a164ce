#include "timestamping.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/net_tstamp.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "socket_setup.h"

namespace pingsphere {
namespace {

constexpr unsigned kTxFlags = SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY;
constexpr unsigned kHardwareCaps =
    SOF_TIMESTAMPING_TX_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE | SOF_TIMESTAMPING_RAW_HARDWARE;

// SCM_TS_OPT_ID (a per-message key for the TX stamp) arrived in Linux 6.13. Without it the key
// is a per-socket counter that a refused send can shift, so stamps could be matched to the wrong
// probe: we would rather not have them.
bool kernel_has_ts_opt_id(std::string& release) {
  utsname name;
  if (uname(&name) != 0) return false;
  release = name.release;
  int major = 0;
  int minor = 0;
  if (std::sscanf(name.release, "%d.%d", &major, &minor) != 2) return false;
  return major > 6 || (major == 6 && minor >= 13);
}

struct NicStamping {
  bool capable = false;  // TX and RX hardware stamps of every packet, with a PHC
  bool enabled = false;  // already on (TX on, RX filter ALL)
  int err = 0;           // errno of the capability query, 0 when it answered
};

NicStamping query_nic(int fd, const std::string& interface_name) {
  NicStamping result;
  ifreq request;
  std::memset(&request, 0, sizeof request);
  std::strncpy(request.ifr_name, interface_name.c_str(), IFNAMSIZ - 1);
  ethtool_ts_info info;
  std::memset(&info, 0, sizeof info);
  info.cmd = ETHTOOL_GET_TS_INFO;
  request.ifr_data = reinterpret_cast<char*>(&info);
  if (ioctl(fd, SIOCETHTOOL, &request) != 0) {
    result.err = errno;
    return result;
  }
  result.capable = (info.so_timestamping & kHardwareCaps) == kHardwareCaps && info.phc_index >= 0 &&
                   (info.tx_types & (1u << HWTSTAMP_TX_ON)) && (info.rx_filters & (1u << HWTSTAMP_FILTER_ALL));
  hwtstamp_config config;
  std::memset(&config, 0, sizeof config);
  request.ifr_data = reinterpret_cast<char*>(&config);
  if (ioctl(fd, SIOCGHWTSTAMP, &request) == 0) {
    result.enabled = config.tx_type == HWTSTAMP_TX_ON && config.rx_filter == HWTSTAMP_FILTER_ALL;
  }
  return result;
}

void enable_nic_stamping(int fd, const std::string& interface_name) {
  ifreq request;
  std::memset(&request, 0, sizeof request);
  std::strncpy(request.ifr_name, interface_name.c_str(), IFNAMSIZ - 1);
  hwtstamp_config config;
  std::memset(&config, 0, sizeof config);
  config.tx_type = HWTSTAMP_TX_ON;
  config.rx_filter = HWTSTAMP_FILTER_ALL;
  request.ifr_data = reinterpret_cast<char*>(&config);
  if (ioctl(fd, SIOCSHWTSTAMP, &request) != 0 || config.rx_filter != HWTSTAMP_FILTER_ALL) {
    const int err = errno;
    throw SocketError(
        "ETIMESTAMPS", err,
        "cannot turn on hardware time stamps of every packet on " + interface_name + ": " + std::strerror(err),
        "this needs CAP_NET_ADMIN (or turn it on once with `hwstamp_ctl -i " + interface_name +
            " -t 1 -r 1`), or use --timestamps software");
  }
}

}  // namespace

TimestampChoice choose_timestamps(TimestampRequest request, const std::string& interface_name) {
  if (request == TimestampRequest::User) return {TimestampMode::User, ""};
  std::string release;
  const bool keyed = kernel_has_ts_opt_id(release);
  if (request == TimestampRequest::Hardware || (request == TimestampRequest::Auto && !interface_name.empty())) {
    const bool asked = request == TimestampRequest::Hardware;
    if (interface_name.empty()) {
      throw SocketError("ETIMESTAMPS", 0, "hardware time stamps need the interface whose NIC stamps the probes",
                        "name it with -I IFACE");
    }
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw SocketError("ETIMESTAMPS", errno, "cannot query the NIC's time stamping", "");
    NicStamping nic = query_nic(fd, interface_name);
    if (asked && nic.capable && keyed && !nic.enabled) {
      try {
        enable_nic_stamping(fd, interface_name);
      } catch (...) {
        close(fd);
        throw;
      }
      nic.enabled = true;
    }
    close(fd);
    if (nic.capable && nic.enabled && keyed) return {TimestampMode::Hardware, ""};
    if (asked) {
      if (!keyed) {
        throw SocketError("ETIMESTAMPS", 0,
                          "hardware TX time stamps need Linux 6.13 or newer (SCM_TS_OPT_ID); this kernel is " + release,
                          "use --timestamps user");
      }
      throw SocketError("ETIMESTAMPS", nic.err,
                        interface_name + " cannot stamp every packet in hardware" +
                            (nic.err != 0 ? std::string(" (") + std::strerror(nic.err) + ")" : std::string()),
                        "check `ethtool -T " + interface_name + "`; use --timestamps software");
    }
  }
  if (keyed) return {TimestampMode::Software, ""};
  if (request == TimestampRequest::Software) {
    throw SocketError("ETIMESTAMPS", 0,
                      "kernel TX time stamps need Linux 6.13 or newer (SCM_TS_OPT_ID); this kernel is " + release,
                      "use --timestamps user (send times read just before sending)");
  }
  return {TimestampMode::User, "kernel TX stamps need Linux 6.13 (SCM_TS_OPT_ID), this is " + release};
}

void enable_timestamps(int fd, TimestampMode mode, bool sends, bool receives) {
  if (mode == TimestampMode::User) {
    const int on = 1;
    if (receives && setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
      const int err = errno;
      throw SocketError("ESOCKOPT", err, std::string("cannot set SO_TIMESTAMPNS: ") + std::strerror(err),
                        "this kernel may lack the option; report it with `uname -r`");
    }
    return;
  }
  // Software receive stamps always: the late check and the fallback RTT use them.
  unsigned flags = receives ? SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE : 0;
  if (mode == TimestampMode::Software && sends) flags |= SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  if (mode == TimestampMode::Hardware) {
    flags |= SOF_TIMESTAMPING_RAW_HARDWARE;
    if (sends) flags |= SOF_TIMESTAMPING_TX_HARDWARE;
    if (receives) flags |= SOF_TIMESTAMPING_RX_HARDWARE;
  }
  if (sends) flags |= kTxFlags;
  if (flags == 0) return;
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) != 0) {
    const int err = errno;
    throw SocketError("ESOCKOPT", err, std::string("cannot set SO_TIMESTAMPING: ") + std::strerror(err),
                      "use --timestamps user");
  }
}

bool read_stamp(const cmsghdr* message, Stamp& stamp) {
  if (message->cmsg_level != SOL_SOCKET) return false;
  if (message->cmsg_type == SCM_TIMESTAMPING) {
    scm_timestamping stamps;
    std::memcpy(&stamps, CMSG_DATA(message), sizeof stamps);
    stamp.software_ns = int64_t(stamps.ts[0].tv_sec) * 1000000000LL + stamps.ts[0].tv_nsec;
    stamp.hardware_ns = int64_t(stamps.ts[2].tv_sec) * 1000000000LL + stamps.ts[2].tv_nsec;
    return true;
  }
  if (message->cmsg_type == SCM_TIMESTAMPNS) {
    timespec ts;
    std::memcpy(&ts, CMSG_DATA(message), sizeof ts);
    stamp.software_ns = int64_t(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
    return true;
  }
  return false;
}

bool read_tx_stamp_key(const cmsghdr* message, uint32_t& key) {
  const bool recverr = (message->cmsg_level == IPPROTO_IP && message->cmsg_type == IP_RECVERR) ||
                       (message->cmsg_level == IPPROTO_IPV6 && message->cmsg_type == IPV6_RECVERR);
  if (!recverr) return false;
  sock_extended_err error;
  std::memcpy(&error, CMSG_DATA(message), sizeof error);
  if (error.ee_errno != ENOMSG || error.ee_origin != SO_EE_ORIGIN_TIMESTAMPING || error.ee_info != SCM_TSTAMP_SND) {
    return false;
  }
  key = error.ee_data;
  return true;
}

}  // namespace pingsphere
