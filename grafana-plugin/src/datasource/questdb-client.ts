// How the datasource talks to QuestDB's REST `/exec`. In Grafana the request goes through the
// data proxy (grafana-client.ts); in tests and the live page it is a plain fetch to a URL.

/** QuestDB's /exec reply. */
export interface QuestDbReply {
  columns: Array<{ name: string; type: string }>;
  dataset: unknown[][];
  count: number;
}

/** Runs one SQL statement and returns QuestDB's reply; rejects with a QuestDbError. */
export interface QuestDbClient {
  exec(sql: string): Promise<QuestDbReply>;
}

/** Why a statement failed: QuestDB could not be reached, or it refused the SQL. */
export class QuestDbError extends Error {
  override name = 'QuestDbError';
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'sql' | 'http',
  ) {
    super(message);
  }
}

/** Turns an /exec HTTP status and body into a reply or a QuestDbError (shared by both transports). */
export function readExecReply(status: number, body: unknown, sql: string): QuestDbReply {
  const reply = (body ?? {}) as Partial<QuestDbReply> & { error?: string };
  if (typeof reply.error === 'string') {
    throw new QuestDbError(`QuestDB refused the query: ${reply.error} [${sql.slice(0, 200)}]`, 'sql');
  }
  if (status < 200 || status >= 300 || !Array.isArray(reply.columns)) {
    throw new QuestDbError(
      `QuestDB answered HTTP ${status} without a result: is the datasource URL QuestDB's HTTP port (9000 by default)?`,
      'http',
    );
  }
  return { columns: reply.columns, dataset: reply.dataset ?? [], count: reply.count ?? 0 };
}

/** A client that fetches `${baseUrl}/exec?query=…` (the live page, tests, benchmarks). */
export class FetchQuestDbClient implements QuestDbClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {}

  async exec(sql: string): Promise<QuestDbReply> {
    const url = `${this.baseUrl.replace(/\/$/, '')}/exec?query=${encodeURIComponent(sql)}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new QuestDbError(
        `cannot reach QuestDB at ${this.baseUrl} (${(error as Error).message}): check that it runs and the URL is its HTTP port`,
        'unreachable',
      );
    }
    const body: unknown = await response.json().catch(() => undefined);
    return readExecReply(response.status, body, sql);
  }
}
