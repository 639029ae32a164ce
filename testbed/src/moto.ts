import { spawnSync } from 'node:child_process';
import { freeLoopbackPort } from './ports.js';
import { ServiceProcess } from './service-process.js';

/** Settings an AWS SDK v3 client needs to talk to the emulator instead of AWS. */
export interface AwsEmulatorClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  disableRequestCompression: boolean;
}

/** A real `moto_server` (AWS API emulator) on a free loopback port, used for CloudWatch. */
export class LocalMoto {
  private constructor(
    private readonly process: ServiceProcess,
    readonly port: number,
  ) {}

  /** Starts moto_server and resolves once its management API answers. */
  static async launch(): Promise<LocalMoto> {
    if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).error) {
      throw new Error(
        'moto_server not found: install it with `pip install "moto[server]"` (it emulates CloudWatch for tests).',
      );
    }
    const port = await freeLoopbackPort();
    const process = new ServiceProcess('moto_server', 'moto_server', ['-H', '127.0.0.1', '-p', String(port)]);
    const moto = new LocalMoto(process, port);
    await process.waitUntilReady(
      async () => (await fetch(`${moto.endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) })).ok,
      30_000,
      `Check that port ${port} on 127.0.0.1 is free.`,
    );
    return moto;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Client settings: endpoint override, a region and the dummy credentials moto accepts. Request
   * compression is off because moto cannot read the SDK's gzip-compressed PutMetricData bodies
   * (it answers 500 BadGzipFile for any request over the SDK's 10 KiB compression threshold).
   */
  clientConfig(region = 'us-east-1'): AwsEmulatorClientConfig {
    return {
      endpoint: this.endpoint,
      region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      disableRequestCompression: true,
    };
  }

  /** Environment variables with the same effect, for child processes (the collector under test). */
  clientEnv(region = 'us-east-1'): Record<string, string> {
    return {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_ENDPOINT_URL_CLOUDWATCH: this.endpoint,
      AWS_DISABLE_REQUEST_COMPRESSION: 'true',
    };
  }

  /** Forgets every stored resource and metric. */
  async reset(): Promise<void> {
    await fetch(`${this.endpoint}/moto-api/reset`, { method: 'POST' });
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}
