// Real local services for tests, benchmarks and the demo. Nothing here is a mock.
export { freeLoopbackPort } from './ports.js';
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
export { NetworkNamespace, withNetworkNamespace, type CommandResult } from './netns.js';
export { TestNetwork, type TestHost } from './test-network.js';
export { launchChromium, chromiumFlags, chromiumPath, screenshotPath } from './chromium.js';
export { repoRoot, cacheDir, artifactsDir } from './repo-paths.js';
export { currentLtsNode, currentLtsVersion } from './node-lts.js';
