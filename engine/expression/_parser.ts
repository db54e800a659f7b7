/**
 * What every expression parser shares: the token stream, DynamoDB's syntax error, document
 * paths, placeholders, and the deferred-error queue.
 *
 * DynamoDB reports problems of a well-formed expression by category, not by position: an
 * invalid function name anywhere wins over a reserved word anywhere, which wins over an
 * problem of a node (an undefined placeholder, a wrong operand count or type, …). Problems of
 * nodes come in post-order: the first node whose own checks fail is reported, so `a = a AND
 * :undefined = b` reports the repeated operand. Parsers record problems with {@linkcode Rank}
 * while building the tree (which visits nodes in post-order) and
 * {@linkcode ParserBase.finish} throws the one of lowest rank, the first recorded within a
 * rank. Syntax errors, redundant parentheses and repeated update clauses are thrown at once.
 *
 * @module
 */
import type { AttributeType, AttributeValue } from "../model/attribute_value.ts";
import { typeOf } from "../model/attribute_value.ts";
import { MAX_EXPRESSION_LENGTH, MAX_EXPRESSION_OPERATORS, MAX_NESTING_DEPTH } from "../limits.ts";
import { node, type PathElement, type PathNode, type ValueNode } from "./ast.ts";
import { utf8Length } from "./compare.ts";
import type { ExpressionContext } from "./context.ts";
import { type ExpressionKind, invalidExpression } from "./expression_error.ts";
import { type Token, tokenize } from "./lexer.ts";
import { isReservedWord } from "./reserved_words.ts";

/**
 * Categories of deferred problems, in the order DynamoDB reports them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rank } from "./_parser.ts";
 * assert.ok(Rank.FUNCTION_NAME < Rank.RESERVED_WORD && Rank.RESERVED_WORD < Rank.NODE);
 * ```
 */
export const Rank = {
  FUNCTION_NAME: 1,
  MISUSED_FUNCTION: 2,
  RESERVED_WORD: 3,
  NODE: 4,
} as const;

/** Largest list index DynamoDB accepts (a signed 32-bit integer). */
const MAX_LIST_INDEX = 2_147_483_647;

/** Static type of an operand, when known before reading the item (`PATH`: a path, not a value). */
export type StaticType = AttributeType | "PATH" | undefined;

/**
 * The common machinery of the expression parsers; subclasses add a grammar.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExpressionContext } from "./context.ts";
 * import { ParserBase } from "./_parser.ts";
 * const parser = new ParserBase("a.b[1] junk", new ExpressionContext(), "ProjectionExpression");
 * assert.deepEqual(parser.parsePath().elements, ["a", "b", 1]);
 * assert.throws(() => parser.finish(), /Syntax error; token: "junk", near: "\] junk"/);
 * ```
 */
export class ParserBase {
  /** The expression parameter being parsed. */
  readonly kind: ExpressionKind;
  /** The request's placeholders. */
  readonly ctx: ExpressionContext;
  /** The expression. */
  readonly text: string;
  /** Operators and functions seen, for the 300-operator limit. */
  operators = 0;
  readonly #tokens: Token[];
  #pos = 0;
  #deferred: { rank: number; detail: string; offset: number } | undefined;
  readonly #dummies = new WeakSet<object>();

  constructor(text: string, ctx: ExpressionContext, kind: ExpressionKind) {
    if (text === "") throw invalidExpression(kind, "The expression can not be empty;");
    const size = utf8Length(text);
    if (size > MAX_EXPRESSION_LENGTH) {
      throw invalidExpression(
        kind,
        `Expression size has exceeded the maximum allowed size; expression size: ${size}`,
      );
    }
    ctx.noteExpression();
    this.kind = kind;
    this.ctx = ctx;
    this.text = text;
    this.#tokens = tokenize(text);
  }

  /** The token `ahead` positions after the current one (the `eof` token at the end). */
  peek(ahead = 0): Token {
    const tokens = this.#tokens;
    return tokens[Math.min(this.#pos + ahead, tokens.length - 1)] as Token;
  }

  /** Consumes and returns the current token. */
  next(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.#pos++;
    return token;
  }

  /** Whether the current token is the punctuation `text`. */
  atPunct(text: string): boolean {
    const token = this.peek();
    return token.kind === "punct" && token.text === text;
  }

  /** Whether the current token is the keyword `word` (any case). */
  atKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === "name" && token.text.toUpperCase() === word;
  }

  /** Consumes the punctuation `text` or fails with a syntax error. */
  expectPunct(text: string): Token {
    if (!this.atPunct(text)) this.syntaxError();
    return this.next();
  }

  /** Consumes the keyword `word` or fails with a syntax error. */
  expectKeyword(word: string): Token {
    if (!this.atKeyword(word)) this.syntaxError();
    return this.next();
  }

  /**
   * Throws DynamoDB's syntax error for a token: `Syntax error; token: "<token>", near:
   * "<previous token … next token>"`.
   */
  syntaxError(token: Token = this.peek()): never {
    const tokens = this.#tokens;
    const index = tokens.indexOf(token);
    const first = tokens[index > 0 ? index - 1 : index] as Token;
    const after = tokens[index + 1];
    const last = after !== undefined && after.kind !== "eof" ? after : token;
    const end = last.kind === "eof" ? this.text.length : last.offset + last.text.length;
    const near = this.text.slice(first.offset, end);
    throw invalidExpression(
      this.kind,
      `Syntax error; token: "${token.text}", near: "${near}"`,
      token.offset,
    );
  }

  /** Records a problem to report after parsing, unless one of lower rank is already known. */
  defer(rank: number, detail: string, offset: number): void {
    if (this.#deferred === undefined || rank < this.#deferred.rank) {
      this.#deferred = { rank, detail, offset };
    }
  }

  /** Marks a stand-in node built after a deferred problem; it never leaves the parser. */
  dummy<T extends object>(value: T): T {
    this.#dummies.add(value);
    return value;
  }

  /** Whether a node is a stand-in. */
  isDummy(value: object): boolean {
    return this.#dummies.has(value);
  }

  /** A stand-in path, for an operand that could not be built. */
  dummyPath(offset: number): PathNode {
    return this.dummy(node("path", { elements: ["?"], text: "?", offset }));
  }

  /** Requires the end of the expression, then throws the deferred problem, if any. */
  finish(): void {
    if (this.peek().kind !== "eof") this.syntaxError();
    if (this.operators > MAX_EXPRESSION_OPERATORS) {
      this.defer(
        Rank.NODE,
        `The expression contains too many operators; operator count: ${this.operators}`,
        0,
      );
    }
    const deferred = this.#deferred;
    if (deferred !== undefined) {
      throw invalidExpression(this.kind, deferred.detail, deferred.offset);
    }
  }

  /** Whether the current token can start a document path. */
  atPathStart(): boolean {
    const kind = this.peek().kind;
    return kind === "name" || kind === "nameRef";
  }

  /** Parses `name | #ref` then any `.name`, `.#ref` and `[index]` steps. */
  parsePath(): PathNode {
    const start = this.peek();
    const elements: PathElement[] = [this.#pathName()];
    let end = start;
    for (;;) {
      if (this.atPunct(".")) {
        this.next();
        if (!this.atPathStart()) this.syntaxError();
        end = this.peek();
        elements.push(this.#pathName());
      } else if (this.atPunct("[")) {
        this.next();
        const index = this.peek();
        if (index.kind !== "number") this.syntaxError();
        this.next();
        const value = Number(index.text);
        if (value > MAX_LIST_INDEX) {
          this.defer(
            Rank.NODE,
            `List index is not within the allowable range; index: ${index.text}`,
            index.offset,
          );
        }
        end = this.expectPunct("]");
        elements.push(value);
      } else break;
    }
    if (elements.length > MAX_NESTING_DEPTH) {
      this.defer(
        Rank.NODE,
        `The document path has too many nesting levels; nesting levels: ${elements.length}`,
        start.offset,
      );
    }
    const text = this.text.slice(start.offset, end.offset + end.text.length);
    return node("path", { elements, text, offset: start.offset });
  }

  #pathName(): string {
    const token = this.next();
    if (token.kind === "name") {
      if (isReservedWord(token.text)) {
        this.defer(
          Rank.RESERVED_WORD,
          `Attribute name is a reserved keyword; reserved keyword: ${token.text}`,
          token.offset,
        );
      }
      return token.text;
    }
    const name = this.ctx.name(token.text);
    if (name !== undefined) return name;
    this.defer(
      Rank.NODE,
      `An expression attribute name used in the document path is not defined; attribute name: ${token.text}`,
      token.offset,
    );
    return token.text;
  }

  /** Consumes a `:value` token and resolves it. */
  parseValue(): ValueNode {
    const token = this.next();
    let value: AttributeValue | undefined = this.ctx.value(token.text);
    if (value === undefined) {
      this.defer(
        Rank.NODE,
        `An expression attribute value used in expression is not defined; attribute value: ${token.text}`,
        token.offset,
      );
      value = { NULL: true };
    }
    return node("value", { token: token.text, value, offset: token.offset });
  }

  /** Records `Incorrect operand type …` when a statically known type is not allowed. */
  checkType(
    operator: string,
    type: StaticType,
    allowed: readonly AttributeType[],
    offset: number,
  ): void {
    if (type === undefined || (type !== "PATH" && allowed.includes(type))) return;
    this.defer(
      Rank.NODE,
      `Incorrect operand type for operator or function; operator or function: ${operator}, operand type: ${type}`,
      offset,
    );
  }
}

/**
 * The static type of a value node.
 *
 * @param value A value node.
 * @returns The type of its value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { node } from "./ast.ts";
 * import { valueType } from "./_parser.ts";
 * assert.equal(valueType(node("value", { token: ":v", value: { SS: ["x"] }, offset: 0 })), "SS");
 * ```
 */
export function valueType(value: ValueNode): AttributeType {
  return typeOf(value.value);
}
