/** Where a target is: as written ("Frankfurt,DE" or "50.11,8.68") and its coordinates if known. */
export interface TargetLocation {
    loc: string;
    lat: number | null;
    lon: number | null;
}
/** Free-form labels beyond name, group and loc. */
export type ExtraLabels = Readonly<Record<string, string>>;
/** A target's labels as given (absent ones empty). */
export interface TargetLabels {
    name: string;
    group: string;
    location: TargetLocation | null;
    extra: ExtraLabels | null;
}
/** One target as GET /v1/targets shows it and POST /v1/targets takes it. */
export interface TargetRecord {
    target: string;
    name: string;
    group: string;
    loc: string;
    lat: number | null;
    lon: number | null;
    labels: ExtraLabels;
}
/** A label that cannot be used; the message says what to write instead. */
export declare class LabelError extends Error {
    name: string;
}
export declare const noLabels: TargetLabels;
export declare const maxNameLength = 256;
export declare const maxGroupLength = 128;
export declare const maxLabelValueLength = 256;
export declare const maxExtraLabels = 32;
/** Checks a free label's key; throws LabelError naming the rule. */
export declare function checkLabelKey(key: string): void;
/** Checks a value's length and characters (no control characters: they break logs and ILP). */
export declare function checkLabelValue(key: string, value: string, maxLength?: number): void;
/**
 * Reads a loc= value: "LAT,LON" (decimal degrees) or "City,CC" (ISO country code), the latter
 * placed through the city table when it knows the city. Returns the location and, when a city
 * could not be placed, a warning that says why (the label is kept either way).
 */
export declare function parseLocation(text: string): {
    location: TargetLocation;
    warning?: string;
};
/** The API/JSON shape of a target from its key and labels. */
export declare function toRecord(target: string, labels: TargetLabels): TargetRecord;
/** Whether two label sets say the same thing (extra labels compared regardless of order). */
export declare function sameLabels(a: TargetLabels, b: TargetLabels): boolean;
