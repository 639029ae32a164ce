// Test and benchmark helpers for the ICMP engine (not part of the runtime API).
export {
  buildTunResponder,
  tunAddresses,
  tunAddresses6,
  tunLocalAddress,
  tunLocalAddress6,
  TunResponder,
  type HostBehaviour,
  type ResponderCounters,
  type TunHost,
} from './tun-responder.js';
export {
  probeKey,
  WireCapture,
  wireRequestTimesNs,
  wireRttsNs,
  type WireCaptureResult,
  type WirePacket,
} from './wire-capture.js';
