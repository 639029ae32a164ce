import { type TargetSpec } from './target-spec.js';
import { type TargetLabels } from './target-labels.js';
/** What one line says. */
export type ParsedLine = {
    kind: 'blank';
} | {
    kind: 'target';
    spec: TargetSpec;
    labels: TargetLabels;
    warning?: string;
} | {
    kind: 'bad';
    message: string;
};
/** Reads one line; a bad line gets a message that says what is wrong and how to write it. */
export declare function parseTargetLine(line: string): ParsedLine;
