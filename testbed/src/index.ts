// Real local services for tests, benchmarks and the demo. Nothing here is a mock.
export { freeLoopbackPort } from './ports.js';
export { median, quantile } from './stats.js';
export { ServiceProcess } from './service-process.js';
export {
  LocalQuestDb,
  questDbJarPath,
  type QuestDbCredentials,
  type QuestDbOptions,
  type QuestDbPorts,
  type QuestDbQueryResult,
} from './questdb.js';
export { LocalMoto, type AwsEmulatorClientConfig } from './moto.js';
export {
  NetworkNamespace,
  removeStaleNamespaces,
  withNetworkNamespace,
  type CommandResult,
  type PortRelay,
} from './netns.js';
export { identityOf, isAlive, ownIdentity, processStartTicks, type ProcessIdentity } from './process-identity.js';
export { withParentDeathSignal } from './service-process.js';
export { buildWanEmulator, maxWanSites, pathCommand, WanEmulator, type WanStats } from './wan/wan-emulator.js';
export { EmulatedWan, type EmulatedWanOptions, type WanSite, type WanSiteSpec } from './wan/emulated-wan.js';
export {
  ipv4Summary,
  pairHeldPackets,
  PacketCapture,
  readPcap,
  type CapturedPacket,
  type HeldPacket,
} from './wan/capture.js';
export {
  busyPhase,
  busyShape,
  expectedRoundTripMs,
  roundTripLoss,
  type BusyClock,
  type LinkModel,
  type PathModel,
} from './wan/wan-model.js';
export { TestNetwork, type TestHost } from './test-network.js';
export { chainHops, firstHopDevice, RouterChain, type RouterChainOptions } from './router-chain.js';
export { QuoteForger, type ForgerCounts } from './quote-forger.js';
export { launchChromium, chromiumFlags, chromiumPath, screenshotPath } from './chromium.js';
export { repoRoot, cacheDir, artifactsDir } from './repo-paths.js';
export { currentLtsNode, currentLtsVersion } from './node-lts.js';
