// The sinks of `pingsphere collect`, from its configuration: stdout always, QuestDB with
// --questdb / PINGSPHERE_QUESTDB, CloudWatch with -c. The QuestDB client and the AWS SDK are
// imported only when their sink is configured: a collector without them never loads either.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CollectorConfig } from '../config/collector-config.js';
import type { ResultSink } from './result-sink.js';
import { StdoutSink } from './stdout-sink.js';

/**
 * The spool folder when none is given: one per collector instance (name and port), under the
 * XDG state directory, so that a restarted collector finds what its predecessor left.
 */
export function defaultSpoolDir(config: CollectorConfig, src: string, env: NodeJS.ProcessEnv): string {
  const stateHome = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  const instance = `${src}-${config.listenAddress}-${config.serverPort}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return join(stateHome, 'pingsphere', 'spool', instance);
}

/** Opens every configured sink; problems that disable a sink are told through `say`. */
export async function buildSinks(
  config: CollectorConfig,
  src: string,
  env: NodeJS.ProcessEnv,
  say: (line: string) => void,
): Promise<ResultSink[]> {
  const sinks: ResultSink[] = [new StdoutSink({ format: config.json ? 'json' : 'text', verbosity: config.verbosity })];
  if (config.questdb) {
    const spoolDir = config.spoolDir ?? defaultSpoolDir(config, src, env);
    const { QuestDbSink } = await import('./questdb/questdb-sink.js');
    sinks.push(
      await QuestDbSink.open({
        conf: config.questdb,
        spoolDir,
        spoolMaxBytes: config.spoolMaxMegabytes * 1024 * 1024,
        ...(config.questdbTtlDays !== null ? { ttlDays: config.questdbTtlDays } : {}),
        warn: (message) => say(`questdb: ${message}`),
      }),
    );
    say(`questdb: storing results (spool: ${spoolDir})`);
  }
  if (config.cloudWatch) {
    const { createCloudWatchSink } = await import('./cloudwatch/cloudwatch-sink.js');
    const cloudWatch = await createCloudWatchSink(env, { warn: (message) => say(`cloudwatch: ${message}`) });
    if (cloudWatch) {
      sinks.push(cloudWatch);
      say('cloudwatch: publishing to namespace "pingmesh"');
    }
  }
  return sinks;
}
