import type { QuestDbEndpoint } from './questdb-config.js';
/** QuestDB answered but refused the statement (as opposed to not answering at all). */
export declare class QuestDbSqlError extends Error {
    name: string;
}
/** QuestDB refused our credentials (HTTP 401/403): not an SQL problem, and retrying will not help. */
export declare class QuestDbAuthError extends Error {
    name: string;
}
/** QuestDB's REST endpoint for SQL (used for DDL and checks; rows go through ILP). */
export declare class QuestDbRest {
    private readonly endpoint;
    constructor(endpoint: QuestDbEndpoint);
    get baseUrl(): string;
    /** Runs one SQL statement; rejects with QuestDB's own message on an SQL error. */
    exec(sql: string, timeoutMs?: number): Promise<{
        dataset?: unknown[][];
        ddl?: string;
    }>;
}
