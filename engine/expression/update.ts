/**
 * The parser of UpdateExpression. Grammar (clause keywords case-insensitive, each clause at
 * most once, in any order; function names case-sensitive):
 *
 * ```
 * update   ::= clause+
 * clause   ::= SET set ( , set )* | REMOVE path ( , path )*
 *            | ADD path :value ( , path :value )* | DELETE path :value ( , path :value )*
 * set      ::= path = operand [ ( + | - ) operand ]
 * operand  ::= path | :value | if_not_exists ( path , operand ) | list_append ( operand , operand )
 * ```
 *
 * The paths an update writes may neither overlap (`a` and `a.b`) nor conflict (`a.b` and
 * `a[0]`).
 *
 * @module
 */
import type { AttributeType } from "../model/attribute_value.ts";
import {
  type ArithmeticNode,
  node,
  type UpdateActionNode,
  type UpdateNode,
  type UpdateOperandNode,
} from "./ast.ts";
import type { ExpressionContext } from "./context.ts";
import { invalidExpression } from "./expression_error.ts";
import { ParserBase, Rank, type StaticType, valueType } from "./_parser.ts";
import { assertDisjointPaths } from "./path.ts";

const CLAUSES: ReadonlySet<string> = new Set(["SET", "REMOVE", "ADD", "DELETE"]);
const CONDITION_FUNCTIONS: ReadonlySet<string> = new Set([
  "attribute_exists",
  "attribute_not_exists",
  "attribute_type",
  "begins_with",
  "contains",
  "size",
]);
const SETS: readonly AttributeType[] = ["SS", "NS", "BS"];

/** DynamoDB's names of types in ADD and DELETE messages. */
const TYPE_NAMES: Readonly<Record<AttributeType, string>> = {
  S: "STRING",
  N: "NUMBER",
  B: "BINARY",
  BOOL: "BOOLEAN",
  NULL: "NULL",
  L: "LIST",
  M: "MAP",
  SS: "STRING_SET",
  NS: "NUMBER_SET",
  BS: "BINARY_SET",
};

class UpdateParser extends ParserBase {
  parse(): UpdateNode {
    const actions: UpdateActionNode[] = [];
    const seen = new Set<string>();
    do {
      const keyword = this.peek();
      const clause = keyword.text.toUpperCase();
      if (keyword.kind !== "name" || !CLAUSES.has(clause)) this.syntaxError();
      if (seen.has(clause)) {
        throw invalidExpression(
          this.kind,
          `The "${clause}" section can only be used once in an update expression;`,
          keyword.offset,
        );
      }
      seen.add(clause);
      this.next();
      actions.push(this.#action(clause));
      while (this.atPunct(",")) {
        this.next();
        actions.push(this.#action(clause));
      }
    } while (this.peek().kind !== "eof");
    this.finish();
    assertDisjointPaths(actions.map((action) => action.path), this.kind);
    return node("update", { actions });
  }

  #path() {
    const token = this.peek();
    if (!this.atPathStart() || (token.kind === "name" && CLAUSES.has(token.text.toUpperCase()))) {
      this.syntaxError();
    }
    return this.parsePath();
  }

  #action(clause: string): UpdateActionNode {
    const path = this.#path();
    if (clause === "REMOVE") return node("remove", { path });
    if (clause === "SET") {
      this.expectPunct("=");
      return node("set", { path, value: this.#setValue() });
    }
    if (this.peek().kind !== "valueRef") this.syntaxError();
    const value = this.parseValue();
    const type = valueType(value);
    if (clause === "ADD" ? type !== "N" && !SETS.includes(type) : !SETS.includes(type)) {
      this.defer(
        Rank.NODE,
        `Incorrect operand type for operator or function; operator: ${clause}, operand type: ${
          TYPE_NAMES[type]
        }`,
        value.offset,
      );
    }
    return node(clause === "ADD" ? "add" : "delete", { path, value });
  }

  #setValue(): UpdateOperandNode | ArithmeticNode {
    const left = this.#operand();
    const token = this.peek();
    if (!this.atPunct("+") && !this.atPunct("-")) return left;
    this.next();
    this.operators++;
    const right = this.#operand();
    const op = token.text as "+" | "-";
    this.checkType(op, this.#type(left), ["N"], token.offset);
    this.checkType(op, this.#type(right), ["N"], token.offset);
    return node("arithmetic", { op, left, right });
  }

  #operand(): UpdateOperandNode {
    const token = this.peek();
    if (token.kind === "valueRef") return this.parseValue();
    if (token.kind === "name") {
      const after = this.peek(1);
      if (after.kind === "punct" && after.text === "(") return this.#call();
    }
    return this.#path();
  }

  #call(): UpdateOperandNode {
    const name = this.next();
    this.next();
    const args: UpdateOperandNode[] = [];
    if (!this.atPunct(")")) {
      args.push(this.#operand());
      while (this.atPunct(",")) {
        this.next();
        args.push(this.#operand());
      }
    }
    this.expectPunct(")");
    this.operators++;
    const fn = name.text;
    if (fn !== "if_not_exists" && fn !== "list_append") {
      const condition = CONDITION_FUNCTIONS.has(fn);
      this.defer(
        condition ? Rank.MISUSED_FUNCTION : Rank.FUNCTION_NAME,
        condition
          ? `The function is not allowed in an update expression; function: ${fn}`
          : `Invalid function name; function: ${fn}`,
        name.offset,
      );
      return this.dummyPath(name.offset);
    }
    if (fn === "list_append" && args.some((arg) => arg.kind === "list_append")) {
      this.defer(
        Rank.MISUSED_FUNCTION,
        "The function is not allowed to be used this way in an expression; function: list_append",
        name.offset,
      );
    }
    const [first, second] = args;
    if (args.length !== 2 || first === undefined || second === undefined) {
      this.defer(
        Rank.NODE,
        `Incorrect number of operands for operator or function; operator or function: ${fn}, number of operands: ${args.length}`,
        name.offset,
      );
      return this.dummyPath(name.offset);
    }
    if (fn === "list_append") {
      this.checkType(fn, this.#type(first), ["L"], name.offset);
      this.checkType(fn, this.#type(second), ["L"], name.offset);
      return node("list_append", { first, second });
    }
    if (first.kind !== "path") {
      this.defer(
        Rank.NODE,
        "Operator or function requires a document path; operator or function: if_not_exists",
        name.offset,
      );
      return this.dummyPath(name.offset);
    }
    return node("if_not_exists", { path: first, fallback: second });
  }

  #type(operand: UpdateOperandNode): StaticType {
    if (operand.kind === "value") return valueType(operand);
    return operand.kind === "list_append" ? "L" : undefined;
  }
}

/**
 * Parses an UpdateExpression, resolving its placeholders and checking that its paths are
 * disjoint.
 *
 * @param text The expression, e.g. `SET n = n + :one REMOVE stale`.
 * @param ctx The request's placeholders; those used are marked.
 * @returns The update tree, actions in the order written.
 * @throws {ExpressionError} `VALIDATION` with DynamoDB's message, e.g. `Invalid
 * UpdateExpression: The "SET" section can only be used once in an update expression;` or
 * `Invalid UpdateExpression: Two document paths overlap with each other; must remove or
 * rewrite one of these paths; path one: [a], path two: [a, b]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExpressionContext } from "./context.ts";
 * import { parseUpdate } from "./update.ts";
 * const ctx = new ExpressionContext(undefined, { ":one": { N: "1" } });
 * const update = parseUpdate("SET n = n + :one REMOVE stale", ctx);
 * assert.deepEqual(update.actions.map((a) => a.kind), ["set", "remove"]);
 * assert.throws(
 *   () => parseUpdate("SET a = :one REMOVE a", ctx),
 *   /Two document paths overlap with each other; .* path one: \[a\], path two: \[a\]$/,
 * );
 * ```
 */
export function parseUpdate(text: string, ctx: ExpressionContext): UpdateNode {
  return new UpdateParser(text, ctx, "UpdateExpression").parse();
}
