export declare const charCode: {
    readonly tab: 9;
    readonly newline: 10;
    readonly cr: 13;
    readonly space: 32;
    readonly doubleQuote: 34;
    readonly hash: 35;
    readonly singleQuote: 39;
    readonly comma: 44;
    readonly dot: 46;
    readonly zero: 48;
    readonly nine: 57;
    readonly equals: 61;
    readonly openBracket: 91;
    readonly backslash: 92;
    readonly closeBracket: 93;
    readonly openBrace: 123;
    readonly closeBrace: 125;
};
