import { type QuestDbRest } from './questdb-rest.js';
/** Retention for raw rows and roll-ups; undefined keeps everything. */
export interface SchemaOptions {
    ttlDays?: number;
}
export declare const targetsTable = "CREATE TABLE IF NOT EXISTS targets (\n  first_seen TIMESTAMP, src SYMBOL, target VARCHAR, spec VARCHAR, name VARCHAR, \"group\" SYMBOL, group_key SYMBOL,\n  loc SYMBOL, lat DOUBLE, lon DOUBLE, labels VARCHAR, last_seen TIMESTAMP, removed BOOLEAN\n) TIMESTAMP(first_seen) PARTITION BY MONTH WAL DEDUP UPSERT KEYS(first_seen, src, target)";
/** The DDL, in order, with the TTL clause filled in. */
export declare function schemaStatements(options?: SchemaOptions): string[];
/**
 * Creates PingSphere's tables and roll-ups if they are missing. A statement QuestDB refuses (say,
 * a table made by hand with other columns) does not stop ingestion: it is returned as a problem
 * to report. Not reaching QuestDB at all rejects.
 */
export declare function ensureSchema(rest: QuestDbRest, options?: SchemaOptions): Promise<string[]>;
