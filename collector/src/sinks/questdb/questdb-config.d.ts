/**
 * The parts of a QuestDB client configuration string ("http::addr=host:9000;username=…;") that
 * PingSphere needs besides the client itself: where the REST API is (for DDL) and how to log in.
 */
export interface QuestDbEndpoint {
    protocol: 'http' | 'https';
    host: string;
    port: number;
    /** Authorization header value for the REST API, if the configuration carries credentials. */
    authorization?: string;
    /** Every key of the configuration string, as given. */
    options: Map<string, string>;
}
/** A configuration string PingSphere cannot use; the message says what to write instead. */
export declare class QuestDbConfigError extends Error {
    name: string;
}
/** Parses and checks a client configuration string (ILP over HTTP(S) only). */
export declare function parseQuestDbConfig(conf: string): QuestDbEndpoint;
/** Renders options back into a configuration string ("key=value;" with ';' doubled in values). */
export declare function formatQuestDbConfig(protocol: string, options: Map<string, string>): string;
