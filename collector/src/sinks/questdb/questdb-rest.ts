import type { QuestDbEndpoint } from './questdb-config.js';

/** QuestDB answered but refused the statement (as opposed to not answering at all). */
export class QuestDbSqlError extends Error {
  override name = 'QuestDbSqlError';
}

/** QuestDB refused our credentials (HTTP 401/403): not an SQL problem, and retrying will not help. */
export class QuestDbAuthError extends Error {
  override name = 'QuestDbAuthError';
}

/** QuestDB's REST endpoint for SQL (used for DDL and checks; rows go through ILP). */
export class QuestDbRest {
  constructor(private readonly endpoint: QuestDbEndpoint) {}

  get baseUrl(): string {
    const host = this.endpoint.host.includes(':') ? `[${this.endpoint.host}]` : this.endpoint.host;
    return `${this.endpoint.protocol}://${host}:${this.endpoint.port}`;
  }

  /** Runs one SQL statement; rejects with QuestDB's own message on an SQL error. */
  async exec(sql: string, timeoutMs = 10_000): Promise<{ dataset?: unknown[][]; ddl?: string }> {
    const headers: Record<string, string> = {};
    if (this.endpoint.authorization) headers.authorization = this.endpoint.authorization;
    const response = await fetch(`${this.baseUrl}/exec?query=${encodeURIComponent(sql)}`, {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 401 || response.status === 403) {
      throw new QuestDbAuthError(
        `QuestDB refused our credentials (statusCode=${response.status}): check username/password or token in the configuration string`,
      );
    }
    const body = (await response.json().catch(() => ({}))) as { error?: string; dataset?: unknown[][]; ddl?: string };
    if (!response.ok || body.error) {
      throw new QuestDbSqlError(`QuestDB refused SQL (${response.status}): ${body.error ?? response.statusText}`);
    }
    return body;
  }
}
