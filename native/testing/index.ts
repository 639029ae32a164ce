// Test and benchmark helpers for the ICMP engine (not part of the runtime API).
export {
  buildTunResponder,
  tunAddresses,
  tunLocalAddress,
  TunResponder,
  type HostBehaviour,
  type ResponderCounters,
  type TunHost,
} from './tun-responder.js';
