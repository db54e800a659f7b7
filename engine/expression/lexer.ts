/**
 * The lexer shared by every DynamoDB expression. Tokens, as DynamoDB's own lexer draws them:
 *
 * - `name`: a letter then letters, digits or `_` (`Alpha_1`); keywords are names too.
 * - `nameRef`: `#` then letters, digits or `_` (`#1`, `#_`).
 * - `valueRef`: `:` then letters, digits or `_` (`:v`, `:123`).
 * - `number`: decimal digits, only meaningful as a list index (`[2]`).
 * - `punct`: `= <> < <= > >= ( ) [ ] , . + -`.
 * - `unknown`: any other single character (`_`, `$`, `"`, a lone `#` or `:`); the parser rejects it.
 * - `eof`: the end, printed as `<EOF>` in syntax errors.
 *
 * Spaces, tabs and line breaks separate tokens.
 *
 * @module
 */

/** The kinds of {@linkcode Token}. */
export type TokenKind = "name" | "nameRef" | "valueRef" | "number" | "punct" | "unknown" | "eof";

/** One token: its kind, its text and the UTF-16 index where it starts. */
export interface Token {
  /** What the token is. */
  readonly kind: TokenKind;
  /** The token's text; `<EOF>` for the end. */
  readonly text: string;
  /** The UTF-16 index of the token's first character in the expression. */
  readonly offset: number;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isWordChar(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57) || c === 95;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** `= ( ) [ ] , . + -`: punctuation that is always one character. */
const SINGLE = new Uint8Array(128);
for (const c of "=()[],.+-") SINGLE[c.charCodeAt(0)] = 1;

/** The length of the punctuation token at `i`: 2 for `<=`, `>=`, `<>`; 0 if none. */
function punctuation(text: string, i: number, c: number): number {
  if (c === 60 || c === 62) {
    const next = text.charCodeAt(i + 1);
    return next === 61 || (c === 60 && next === 62) ? 2 : 1;
  }
  return c < 128 && SINGLE[c] === 1 ? 1 : 0;
}

/**
 * Splits an expression into tokens, ending with one `eof` token.
 *
 * @param text The expression.
 * @returns The tokens in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenize } from "./lexer.ts";
 * const tokens = tokenize("#a[1] <= :v");
 * assert.deepEqual(tokens.map((t) => t.kind), [
 *   "nameRef", "punct", "number", "punct", "punct", "valueRef", "eof",
 * ]);
 * assert.equal(tokens[4]?.text, "<=");
 * assert.equal(tokens[4]?.offset, 6);
 * ```
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isLetter(c)) {
      i++;
      while (i < length && isWordChar(text.charCodeAt(i))) i++;
      tokens.push({ kind: "name", text: text.slice(start, i), offset: start });
    } else if ((c === 35 || c === 58) && i + 1 < length && isWordChar(text.charCodeAt(i + 1))) {
      i += 2;
      while (i < length && isWordChar(text.charCodeAt(i))) i++;
      const kind = c === 35 ? "nameRef" : "valueRef";
      tokens.push({ kind, text: text.slice(start, i), offset: start });
    } else if (isDigit(c)) {
      i++;
      while (i < length && isDigit(text.charCodeAt(i))) i++;
      tokens.push({ kind: "number", text: text.slice(start, i), offset: start });
    } else if (punctuation(text, i, c) > 0) {
      i += punctuation(text, i, c);
      tokens.push({ kind: "punct", text: text.slice(start, i), offset: start });
    } else {
      i += (text.codePointAt(i) as number) > 0xffff ? 2 : 1;
      tokens.push({ kind: "unknown", text: text.slice(start, i), offset: start });
    }
  }
  tokens.push({ kind: "eof", text: "<EOF>", offset: length });
  return tokens;
}
