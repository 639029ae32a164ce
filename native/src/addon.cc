// The JavaScript face of the engine: `new Sweep(options)` opens the sockets (throwing errors that
// carry a code, the errno and a hint), `start(onEvent)` runs the sender and receiver threads, and
// results come back in typed-array batches through a thread-safe function, so the JavaScript
// thread never blocks and never sees a per-packet callback.
#include <napi.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "icmp_packet.h"
#include "ilp_encoder.h"
#include "sweep_engine.h"
#include "target_scan.h"
#include "trace_engine.h"

namespace pingsphere {
namespace {

struct SweepEvent {
  enum class Kind { Batch, Done } kind;
  ResultChunk chunk;
  std::string error;
};

Napi::Error socket_error_to_js(Napi::Env env, const SocketError& error) {
  Napi::Error js = Napi::Error::New(env, error.what());
  js.Set("code", Napi::String::New(env, error.code));
  js.Set("errno", Napi::Number::New(env, error.err));
  js.Set("hint", Napi::String::New(env, error.hint));
  return js;
}

double required_number(const Napi::Object& options, const char* name) {
  const Napi::Value value = options.Get(name);
  if (!value.IsNumber()) {
    throw Napi::TypeError::New(options.Env(), std::string("sweep option ") + name + " must be a number");
  }
  return value.As<Napi::Number>().DoubleValue();
}

// Targets as the TypeScript wrapper packs them: IPv4 as 32-bit numbers, IPv6 as 16-byte runs.
void parse_targets(const Napi::Object& options, std::vector<in_addr>& ipv4_out, std::vector<in6_addr>& ipv6_out) {
  Napi::Env env = options.Env();
  const Napi::Value ipv4 = options.Get("ipv4");
  if (!ipv4.IsTypedArray() || ipv4.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    throw Napi::TypeError::New(env, "option ipv4 must be a Uint32Array of addresses");
  }
  const Napi::Uint32Array v4 = ipv4.As<Napi::Uint32Array>();
  ipv4_out.resize(v4.ElementLength());
  for (size_t i = 0; i < v4.ElementLength(); ++i) ipv4_out[i].s_addr = htonl(v4[i]);

  const Napi::Value ipv6 = options.Get("ipv6");
  if (!ipv6.IsTypedArray() || ipv6.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      ipv6.As<Napi::Uint8Array>().ElementLength() % 16 != 0) {
    throw Napi::TypeError::New(env, "option ipv6 must be a Uint8Array of 16-byte addresses");
  }
  const Napi::Uint8Array v6 = ipv6.As<Napi::Uint8Array>();
  ipv6_out.resize(v6.ElementLength() / 16);
  if (!ipv6_out.empty()) std::memcpy(ipv6_out.data(), v6.Data(), v6.ElementLength());
}

TimestampRequest parse_timestamps(const Napi::Object& options) {
  const Napi::Value stamps = options.Get("timestamps");
  const std::string name = stamps.IsString() ? stamps.As<Napi::String>().Utf8Value() : "auto";
  if (name == "auto") return TimestampRequest::Auto;
  if (name == "hardware") return TimestampRequest::Hardware;
  if (name == "software") return TimestampRequest::Software;
  if (name == "user") return TimestampRequest::User;
  throw Napi::TypeError::New(options.Env(), "timestamps must be auto, hardware, software or user");
}

SweepConfig parse_config(const Napi::Object& options) {
  Napi::Env env = options.Env();
  SweepConfig config;
  parse_targets(options, config.ipv4, config.ipv6);

  config.count = static_cast<uint32_t>(required_number(options, "count"));
  config.period_ns = static_cast<int64_t>(required_number(options, "periodMs") * 1e6);
  config.timeout_ns = static_cast<int64_t>(required_number(options, "timeoutMs") * 1e6);
  config.rate_pps = required_number(options, "ratePps");
  config.payload_bytes = static_cast<uint32_t>(required_number(options, "payloadBytes"));
  config.ttl = static_cast<int>(required_number(options, "ttl"));
  config.chunk_probes = static_cast<uint32_t>(required_number(options, "chunkProbes"));
  const Napi::Value senders = options.Get("senders");
  if (!senders.IsUndefined()) {
    if (!senders.IsNumber()) throw Napi::TypeError::New(env, "sweep option senders must be a number (0 = auto)");
    const double wanted = senders.As<Napi::Number>().DoubleValue();
    if (!(wanted >= 0 && wanted <= kMaxSenders)) {
      throw Napi::RangeError::New(env, "sweep option senders must be 0 (auto) to 64");
    }
    config.senders = static_cast<uint32_t>(wanted);
  }
  if (config.count < 1 || config.timeout_ns < 1000000 || config.period_ns < 0 || config.rate_pps < 0 ||
      config.payload_bytes < kMinPayloadBytes || config.payload_bytes > kMaxPayloadBytes || config.ttl < 0 ||
      config.ttl > 255 || config.chunk_probes < 1) {
    throw Napi::RangeError::New(env, "sweep options out of range (validate them in the TypeScript wrapper)");
  }
  if (config.probe_count() > (uint64_t{1} << 28)) {
    throw Napi::RangeError::New(env, "a sweep holds at most 2^28 probes (targets x count)");
  }
  const Napi::Value source4 = options.Get("sourceIpv4");
  if (source4.IsNumber()) {
    in_addr address;
    address.s_addr = htonl(source4.As<Napi::Number>().Uint32Value());
    config.source_ipv4 = address;
  }
  const Napi::Value source6 = options.Get("sourceIpv6");
  if (source6.IsTypedArray()) {
    const Napi::Uint8Array bytes = source6.As<Napi::Uint8Array>();
    if (bytes.ElementLength() != 16) throw Napi::TypeError::New(env, "sourceIpv6 must be 16 bytes");
    in6_addr address;
    std::memcpy(&address, bytes.Data(), 16);
    config.source_ipv6 = address;
  }
  config.timestamps = parse_timestamps(options);
  const auto optional_number = [&](const char* name, double fallback) {
    const Napi::Value value = options.Get(name);
    if (value.IsUndefined()) return fallback;
    if (!value.IsNumber()) throw Napi::TypeError::New(env, std::string("sweep option ") + name + " must be a number");
    return value.As<Napi::Number>().DoubleValue();
  };
  const double flows = optional_number("flows", 1);
  const double first_flow = optional_number("firstFlow", 0);
  const double stamp_queue = optional_number("stampQueueBytes", 0);
  if (!(flows >= 1 && flows <= kMaxFlows) || !(first_flow >= 0 && first_flow < 65536) ||
      !(stamp_queue >= 0 && stamp_queue <= (1 << 30))) {
    throw Napi::RangeError::New(env, "sweep options flows (1-64), firstFlow or stampQueueBytes out of range");
  }
  config.flows = static_cast<uint32_t>(flows);
  config.first_flow = static_cast<uint32_t>(first_flow);
  config.stamp_queue_bytes = static_cast<int>(stamp_queue);
  const Napi::Value interface_name = options.Get("interfaceName");
  if (interface_name.IsString()) config.interface_name = interface_name.As<Napi::String>().Utf8Value();
  const Napi::Value mode = options.Get("socketMode");
  const std::string mode_name = mode.IsString() ? mode.As<Napi::String>().Utf8Value() : "auto";
  if (mode_name == "raw") {
    config.socket_mode = SocketModeRequest::Raw;
  } else if (mode_name == "ping") {
    config.socket_mode = SocketModeRequest::Ping;
  } else if (mode_name == "auto") {
    config.socket_mode = SocketModeRequest::Auto;
  } else {
    throw Napi::TypeError::New(env, "socketMode must be auto, raw or ping");
  }
  return config;
}

template <typename Array, typename T>
Array copy_to_typed_array(Napi::Env env, const std::vector<T>& values) {
  Array array = Array::New(env, values.size());
  if (!values.empty()) std::memcpy(array.Data(), values.data(), values.size() * sizeof(T));
  return array;
}

class Sweep : public Napi::ObjectWrap<Sweep> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Sweep",
                       {InstanceMethod<&Sweep::Start>("start"), InstanceMethod<&Sweep::Stop>("stop"),
                        InstanceMethod<&Sweep::Progress>("progress"), InstanceMethod<&Sweep::Stats>("stats"),
                        InstanceAccessor<&Sweep::Mode>("mode")});
  }

  explicit Sweep(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Sweep>(info) {
    if (info.Length() < 1 || !info[0].IsObject()) {
      throw Napi::TypeError::New(info.Env(), "new Sweep(options) needs an options object");
    }
    try {
      engine_ = std::make_unique<SweepEngine>(parse_config(info[0].As<Napi::Object>()));
    } catch (const SocketError& error) {
      throw socket_error_to_js(info.Env(), error);
    } catch (const std::bad_alloc&) {
      throw Napi::RangeError::New(info.Env(), "not enough memory for this sweep");
    }
  }

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(env, "start(onEvent) needs a function");
    if (running_ || finished_) throw Napi::Error::New(env, "a sweep runs once");
    running_ = true;
    Ref();  // keep this object (and the engine) alive until the done event
    events_ = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "pingsphere-icmp-sweep", 0, 1);
    auto deliver = [this](SweepEvent* event) {
      events_.NonBlockingCall(event, [this](Napi::Env env, Napi::Function on_event, SweepEvent* raw) {
        std::unique_ptr<SweepEvent> event(raw);
        if (env == nullptr) return;  // the environment is shutting down
        if (event->kind == SweepEvent::Kind::Batch) {
          Napi::Object batch = Napi::Object::New(env);
          batch.Set("targetIndex", copy_to_typed_array<Napi::Uint32Array>(env, event->chunk.target_index));
          batch.Set("seq", copy_to_typed_array<Napi::Uint32Array>(env, event->chunk.seq));
          batch.Set("rttNs", copy_to_typed_array<Napi::Float64Array>(env, event->chunk.rtt_ns));
          batch.Set("sendTimeUs", copy_to_typed_array<Napi::Float64Array>(env, event->chunk.send_time_us));
          batch.Set("flow", copy_to_typed_array<Napi::Uint16Array>(env, event->chunk.flow));
          on_event.Call({Napi::String::New(env, "batch"), batch});
          return;
        }
        engine_->join();
        running_ = false;
        finished_ = true;
        Unref();
        on_event.Call({Napi::String::New(env, "done"),
                       event->error.empty() ? env.Null() : Napi::String::New(env, event->error).As<Napi::Value>()});
      });
    };
    engine_->start(
        [deliver](ResultChunk&& chunk) {
          deliver(new SweepEvent{SweepEvent::Kind::Batch, std::move(chunk), {}});
        },
        [this, deliver](const std::string& error) {
          deliver(new SweepEvent{SweepEvent::Kind::Done, ResultChunk(), error});
          events_.Release();
        });
    return env.Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    engine_->stop();
    return info.Env().Undefined();
  }

  Napi::Value Progress(const Napi::CallbackInfo& info) {
    const SweepProgress progress = engine_->progress();
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("probesTotal", double(progress.probes_total));
    out.Set("sent", double(progress.sent));
    out.Set("resolved", double(progress.resolved));
    return out;
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const SweepCounters& c = engine_->counters();
    Napi::Object out = Napi::Object::New(env);
    auto set = [&](const char* name, const std::atomic<uint64_t>& value) {
      out.Set(name, double(value.load(std::memory_order_relaxed)));
    };
    set("sent", c.sent);
    set("sendErrors", c.send_errors);
    set("replies", c.replies);
    set("lost", c.lost);
    set("duplicates", c.duplicates);
    set("late", c.late);
    set("badCookie", c.bad_cookie);
    set("foreign", c.foreign);
    set("kernelDrops", c.kernel_drops);
    set("userTimestamps", c.user_timestamps);
    set("txStamps", c.tx_stamps);
    set("txStampFallbacks", c.tx_stamp_fallbacks);
    out.Set("timestampMode", timestamp_mode_name(engine_->timestamps().mode));
    out.Set("timestampNote", engine_->timestamps().note);
    out.Set("receiveBufferBytes", engine_->receive_buffer_bytes());
    out.Set("senders", double(engine_->sender_count()));
    const int64_t first = engine_->first_send_mono_ns();
    const int64_t last = engine_->last_send_mono_ns();
    const int64_t finished = engine_->finished_mono_ns();
    out.Set("sendSeconds", first && last ? double(last - first) / 1e9 : 0.0);
    out.Set("sweepSeconds", first && finished ? double(finished - first) / 1e9 : 0.0);
    return out;
  }

  Napi::Value Mode(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), socket_mode_name(engine_->mode()));
  }

  std::unique_ptr<SweepEngine> engine_;
  Napi::ThreadSafeFunction events_;
  bool running_ = false;
  bool finished_ = false;
};

TraceConfig parse_trace_config(const Napi::Object& options) {
  Napi::Env env = options.Env();
  TraceConfig config;
  parse_targets(options, config.ipv4, config.ipv6);
  config.flows = static_cast<uint32_t>(required_number(options, "flows"));
  config.first_ttl = static_cast<uint32_t>(required_number(options, "firstTtl"));
  config.max_ttl = static_cast<uint32_t>(required_number(options, "maxTtl"));
  config.probes_per_hop = static_cast<uint32_t>(required_number(options, "probesPerHop"));
  config.rate_pps = required_number(options, "ratePps");
  config.timeout_ns = static_cast<int64_t>(required_number(options, "timeoutMs") * 1e6);
  config.timestamps = parse_timestamps(options);
  const Napi::Value interface_name = options.Get("interfaceName");
  if (interface_name.IsString()) config.interface_name = interface_name.As<Napi::String>().Utf8Value();
  if (config.target_count() == 0 || config.flows < 1 || config.flows > kMaxFlows || config.first_ttl < 1 ||
      config.max_ttl < config.first_ttl || config.max_ttl > 255 || config.probes_per_hop < 1 ||
      config.probes_per_hop > kMaxTraceProbesPerHop || config.rate_pps < 0 || config.timeout_ns < 1000000) {
    throw Napi::RangeError::New(env, "trace options out of range (validate them in the TypeScript wrapper)");
  }
  if (config.probe_count() > kMaxTraceProbes) {
    throw Napi::RangeError::New(env, "a trace holds at most 2^24 probes (targets x flows x hops x probes per hop)");
  }
  return config;
}

struct TraceEvent {
  enum class Kind { Batch, Done } kind;
  TraceChunk chunk;
  std::string error;
};

// `new Trace(options)` opens the trace's raw sockets; `start(onEvent)` runs it on its own thread.
class Trace : public Napi::ObjectWrap<Trace> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Trace",
                       {InstanceMethod<&Trace::Start>("start"), InstanceMethod<&Trace::Stop>("stop"),
                        InstanceMethod<&Trace::Stats>("stats")});
  }

  explicit Trace(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Trace>(info) {
    if (info.Length() < 1 || !info[0].IsObject()) {
      throw Napi::TypeError::New(info.Env(), "new Trace(options) needs an options object");
    }
    try {
      engine_ = std::make_unique<TraceEngine>(parse_trace_config(info[0].As<Napi::Object>()));
    } catch (const SocketError& error) {
      throw socket_error_to_js(info.Env(), error);
    } catch (const std::bad_alloc&) {
      throw Napi::RangeError::New(info.Env(), "not enough memory for this trace");
    }
  }

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(env, "start(onEvent) needs a function");
    if (running_ || finished_) throw Napi::Error::New(env, "a trace runs once");
    running_ = true;
    Ref();
    events_ = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "pingsphere-icmp-trace", 0, 1);
    auto deliver = [this](TraceEvent* event) {
      events_.NonBlockingCall(event, [this](Napi::Env env, Napi::Function on_event, TraceEvent* raw) {
        std::unique_ptr<TraceEvent> event(raw);
        if (env == nullptr) return;
        if (event->kind == TraceEvent::Kind::Batch) {
          const TraceChunk& c = event->chunk;
          Napi::Object batch = Napi::Object::New(env);
          batch.Set("targetIndex", copy_to_typed_array<Napi::Uint32Array>(env, c.target_index));
          batch.Set("flow", copy_to_typed_array<Napi::Uint16Array>(env, c.flow));
          batch.Set("ttl", copy_to_typed_array<Napi::Uint8Array>(env, c.ttl));
          batch.Set("probe", copy_to_typed_array<Napi::Uint8Array>(env, c.probe));
          batch.Set("outcome", copy_to_typed_array<Napi::Uint8Array>(env, c.outcome));
          batch.Set("rttNs", copy_to_typed_array<Napi::Float64Array>(env, c.rtt_ns));
          batch.Set("responder", copy_to_typed_array<Napi::Int32Array>(env, c.responder));
          batch.Set("sendTimeUs", copy_to_typed_array<Napi::Float64Array>(env, c.send_time_us));
          Napi::Array fresh = Napi::Array::New(env, c.new_responders.size());
          for (size_t i = 0; i < c.new_responders.size(); ++i) fresh.Set(uint32_t(i), c.new_responders[i]);
          batch.Set("newResponders", fresh);
          on_event.Call({Napi::String::New(env, "batch"), batch});
          return;
        }
        engine_->join();
        running_ = false;
        finished_ = true;
        Unref();
        on_event.Call({Napi::String::New(env, "done"),
                       event->error.empty() ? env.Null() : Napi::String::New(env, event->error).As<Napi::Value>()});
      });
    };
    engine_->start([deliver](TraceChunk&& chunk) { deliver(new TraceEvent{TraceEvent::Kind::Batch, std::move(chunk), {}}); },
                   [this, deliver](const std::string& error) {
                     deliver(new TraceEvent{TraceEvent::Kind::Done, TraceChunk(), error});
                     events_.Release();
                   });
    return env.Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    engine_->stop();
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const TraceCounters& c = engine_->counters();
    Napi::Object out = Napi::Object::New(env);
    auto set = [&](const char* name, const std::atomic<uint64_t>& value) {
      out.Set(name, double(value.load(std::memory_order_relaxed)));
    };
    set("sent", c.sent);
    set("skipped", c.skipped);
    set("sendErrors", c.send_errors);
    set("echoReplies", c.echo_replies);
    set("timeExceeded", c.time_exceeded);
    set("unreachable", c.unreachable);
    set("headerOnly", c.header_only);
    set("lost", c.lost);
    set("duplicates", c.duplicates);
    set("late", c.late);
    set("badCookie", c.bad_cookie);
    set("foreign", c.foreign);
    set("kernelDrops", c.kernel_drops);
    set("txStamps", c.tx_stamps);
    set("txStampFallbacks", c.tx_stamp_fallbacks);
    out.Set("probesPlanned", double(engine_->probes_planned()));
    out.Set("resolved", double(engine_->resolved()));
    out.Set("seconds", engine_->seconds());
    out.Set("timestampMode", timestamp_mode_name(engine_->timestamps().mode));
    out.Set("timestampNote", engine_->timestamps().note);
    return out;
  }

  std::unique_ptr<TraceEngine> engine_;
  Napi::ThreadSafeFunction events_;
  bool running_ = false;
  bool finished_ = false;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Sweep", Sweep::Define(env));
  exports.Set("Trace", Trace::Define(env));
  exports.Set("minPayloadBytes", Napi::Number::New(env, double(kMinPayloadBytes)));
  exports.Set("maxPayloadBytes", Napi::Number::New(env, double(kMaxPayloadBytes)));
  exports.Set("encodeIcmpIlp", Napi::Function::New(env, EncodeIcmpIlp, "encodeIcmpIlp"));
  exports.Set("scanPlainIpv4Lines", Napi::Function::New(env, ScanPlainIpv4Lines, "scanPlainIpv4Lines"));
  return exports;
}

}  // namespace
}  // namespace pingsphere

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return pingsphere::Init(env, exports); }

NODE_API_MODULE(pingsphere_icmp, InitAddon)
