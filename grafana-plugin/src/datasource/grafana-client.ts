import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { QuestDbError, readExecReply, type QuestDbClient, type QuestDbReply } from './questdb-client';

/**
 * Sends /exec through Grafana's data proxy (`/api/datasources/proxy/uid/…`), so the browser never
 * needs to reach QuestDB and basic auth stays on the server. Only Grafana provides getBackendSrv.
 */
export class GrafanaProxyClient implements QuestDbClient {
  constructor(private readonly proxyUrl: string) {}

  async exec(sql: string): Promise<QuestDbReply> {
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<unknown>({ url: `${this.proxyUrl}/exec`, params: { query: sql }, method: 'GET' }),
      );
      return readExecReply(response.status, response.data, sql);
    } catch (error) {
      if (error instanceof QuestDbError) throw error;
      if (isFetchError(error)) {
        if (typeof (error.data as { error?: unknown })?.error === 'string') {
          return readExecReply(error.status, error.data, sql);
        }
        const unreachable = error.status === 502 || error.status === 503 || error.status === 504 || error.status === 0;
        throw new QuestDbError(
          unreachable
            ? `cannot reach QuestDB through Grafana's proxy (HTTP ${error.status}): check the datasource URL and that QuestDB runs`
            : `QuestDB request failed with HTTP ${error.status}: ${error.statusText ?? ''}`.trim(),
          unreachable ? 'unreachable' : 'http',
        );
      }
      throw new QuestDbError(`cannot reach QuestDB: ${(error as Error).message}`, 'unreachable');
    }
  }
}
