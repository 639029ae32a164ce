/** Bad input from the user: printed as a one-line message (no stack trace), exit code 2. */
export declare class UsageError extends Error {
    name: string;
}
