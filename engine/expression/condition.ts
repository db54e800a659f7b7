/**
 * The parser of ConditionExpression and FilterExpression (and of KeyConditionExpression,
 * which `key_condition.ts` then narrows). Grammar, loosest binding first:
 *
 * ```
 * condition  ::= and ( OR and )*
 * and        ::= not ( AND not )*
 * not        ::= NOT not | predicate
 * predicate  ::= primary [ comparator primary
 *                        | BETWEEN primary AND primary
 *                        | IN ( primary ( , primary )* ) ]
 * primary    ::= ( condition ) | function ( args ) | path | :value
 * comparator ::= = | <> | < | <= | > | >=
 * ```
 *
 * Keywords are case-insensitive, function names are not. Parentheses may wrap an operand
 * (`(a) = :v`) as well as a condition, but not twice (`((a))`: redundant parentheses).
 *
 * @module
 */
import { bytesToLatin1 } from "../codec/bytes.ts";
import type { AttributeType, AttributeValue } from "../model/attribute_value.ts";
import {
  type Comparator,
  type ConditionNode,
  type DocumentPath,
  node,
  type OperandNode,
  type PathNode,
} from "./ast.ts";
import { orderValues } from "./compare.ts";
import type { ExpressionContext } from "./context.ts";
import { invalidExpression } from "./expression_error.ts";
import type { Token } from "./lexer.ts";
import { ParserBase, Rank, type StaticType, valueType } from "./_parser.ts";
import { formatPath } from "./path.ts";
import { MAX_IN_OPERANDS } from "../limits.ts";

/** The expression parameters whose grammar is a condition. */
export type ConditionKind = "ConditionExpression" | "FilterExpression" | "KeyConditionExpression";

type Expr = ConditionNode | OperandNode;

const OPERAND_KINDS: ReadonlySet<string> = new Set(["path", "value", "size"]);
const FUNCTION_KINDS: ReadonlySet<string> = new Set([
  "attribute_exists",
  "attribute_not_exists",
  "attribute_type",
  "begins_with",
  "contains",
]);
const COMPARATORS: ReadonlySet<string> = new Set(["=", "<>", "<", "<=", ">", ">="]);
const KEYWORDS: ReadonlySet<string> = new Set(["AND", "OR", "NOT", "BETWEEN", "IN"]);
const ORDERED: readonly AttributeType[] = ["N", "S", "B"];
const STRINGLIKE: readonly AttributeType[] = ["S", "B"];
const SIZED: readonly AttributeType[] = ["S", "B", "SS", "NS", "BS", "L", "M"];
const TYPE_NAMES: readonly string[] = ["B", "BOOL", "BS", "L", "M", "N", "NS", "NULL", "S", "SS"];
const ARITY: Readonly<Record<string, number>> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
};

function samePath(a: DocumentPath, b: DocumentPath): boolean {
  return a.length === b.length && a.every((element, i) => element === b[i]);
}

/** Prints a scalar the way DynamoDB's BETWEEN messages do: `AttributeValue: {N:1}`. */
function printScalar(value: AttributeValue): string {
  if ("S" in value) return `AttributeValue: {S:${value.S}}`;
  if ("N" in value) return `AttributeValue: {N:${value.N}}`;
  if ("B" in value) return `AttributeValue: {B:${btoa(bytesToLatin1(value.B))}}`;
  return `AttributeValue: ${JSON.stringify(value)}`;
}

function offsetOf(operand: OperandNode): number {
  return operand.kind === "size" ? offsetOf(operand.operand) : operand.offset;
}

/** Parses one condition; see the module documentation for the grammar. */
class ConditionParser extends ParserBase {
  readonly #parenthesized = new WeakSet<object>();

  parse(): ConditionNode {
    const root = this.#asCondition(this.#or());
    this.finish();
    return root;
  }

  #or(): Expr {
    let left = this.#and();
    while (this.atKeyword("OR")) {
      const first = this.#asCondition(left);
      this.next();
      this.operators++;
      left = node("or", { left: first, right: this.#asCondition(this.#and()) });
    }
    return left;
  }

  #and(): Expr {
    let left = this.#not();
    while (this.atKeyword("AND")) {
      const first = this.#asCondition(left);
      this.next();
      this.operators++;
      left = node("and", { left: first, right: this.#asCondition(this.#not()) });
    }
    return left;
  }

  #not(): Expr {
    if (!this.atKeyword("NOT")) return this.#predicate();
    this.next();
    this.operators++;
    return node("not", { operand: this.#asCondition(this.#not()) });
  }

  #predicate(): Expr {
    const left = this.#primary();
    const token = this.peek();
    if (token.kind === "punct" && COMPARATORS.has(token.text)) {
      const first = this.#asOperand(left, token);
      this.next();
      this.operators++;
      return this.#compare(token.text as Comparator, first, this.#asOperand(this.#primary()));
    }
    if (this.atKeyword("BETWEEN")) {
      const operand = this.#asOperand(left, token);
      this.next();
      this.operators++;
      const lower = this.#asOperand(this.#primary());
      this.expectKeyword("AND");
      return this.#between(operand, lower, this.#asOperand(this.#primary()));
    }
    if (this.atKeyword("IN")) {
      const operand = this.#asOperand(left, token);
      this.next();
      this.operators++;
      this.expectPunct("(");
      const list = [this.#asOperand(this.#primary())];
      while (this.atPunct(",")) {
        this.next();
        list.push(this.#asOperand(this.#primary()));
      }
      this.expectPunct(")");
      return this.#in(operand, list);
    }
    return left;
  }

  #primary(): Expr {
    const token = this.peek();
    if (token.kind === "punct" && token.text === "(") {
      this.next();
      const inner = this.#or();
      this.expectPunct(")");
      if (this.#parenthesized.has(inner)) {
        throw invalidExpression(
          this.kind,
          "The expression has redundant parentheses;",
          token.offset,
        );
      }
      this.#parenthesized.add(inner);
      return inner;
    }
    if (token.kind === "name" && !KEYWORDS.has(token.text.toUpperCase())) {
      const after = this.peek(1);
      if (after.kind === "punct" && after.text === "(") return this.#call();
      return this.parsePath();
    }
    if (token.kind === "nameRef") return this.parsePath();
    if (token.kind === "valueRef") return this.parseValue();
    return this.syntaxError();
  }

  /** Requires a condition where `expr` stands; `at` is the token to blame otherwise. */
  #asCondition(expr: Expr, at: Token = this.peek()): ConditionNode {
    if (!OPERAND_KINDS.has(expr.kind) || this.isDummy(expr)) return expr as ConditionNode;
    if (expr.kind === "size") return this.#misused("size", offsetOf(expr));
    return this.syntaxError(at);
  }

  /** Requires an operand where `expr` stands; `at` is the token to blame otherwise. */
  #asOperand(expr: Expr, at: Token = this.peek()): OperandNode {
    if (OPERAND_KINDS.has(expr.kind) || this.isDummy(expr)) return expr as OperandNode;
    if (FUNCTION_KINDS.has(expr.kind)) {
      const operand = "path" in expr ? expr.path : (expr as { operand: OperandNode }).operand;
      this.#misused(expr.kind, offsetOf(operand));
      return this.dummyPath(offsetOf(operand));
    }
    return this.syntaxError(at);
  }

  #misused(name: string, offset: number): ConditionNode {
    this.defer(
      Rank.MISUSED_FUNCTION,
      `The function is not allowed to be used this way in an expression; function: ${name}`,
      offset,
    );
    return this.dummy(node("attribute_exists", { path: this.dummyPath(offset) }));
  }

  #call(): Expr {
    const name = this.next();
    this.next();
    const args: OperandNode[] = [];
    if (!this.atPunct(")")) {
      args.push(this.#asOperand(this.#or()));
      while (this.atPunct(",")) {
        this.next();
        args.push(this.#asOperand(this.#or()));
      }
    }
    this.expectPunct(")");
    this.operators++;
    const fn = name.text;
    const arity = ARITY[fn];
    if (arity === undefined) {
      const update = fn === "if_not_exists" || fn === "list_append";
      this.defer(
        update ? Rank.MISUSED_FUNCTION : Rank.FUNCTION_NAME,
        update
          ? `The function is not allowed in a condition expression; function: ${fn}`
          : `Invalid function name; function: ${fn}`,
        name.offset,
      );
      return this.dummy(node("attribute_exists", { path: this.dummyPath(name.offset) }));
    }
    if (args.length !== arity) {
      this.#nodeProblem(
        `Incorrect number of operands for operator or function; operator or function: ${fn}, number of operands: ${args.length}`,
        name.offset,
      );
      return this.dummy(node("attribute_exists", { path: this.dummyPath(name.offset) }));
    }
    return this.#function(fn, args as [OperandNode, ...OperandNode[]], name.offset);
  }

  #function(fn: string, args: [OperandNode, ...OperandNode[]], offset: number): Expr {
    const [first, second] = args;
    if (fn === "size") {
      this.checkType("size", this.#type(first), SIZED, offset);
      return node("size", { operand: first });
    }
    if (fn === "attribute_exists" || fn === "attribute_not_exists" || fn === "attribute_type") {
      if (first.kind !== "path") {
        this.#nodeProblem(
          `Operator or function requires a document path; operator or function: ${fn}`,
          offset,
        );
        return this.dummy(node("attribute_exists", { path: this.dummyPath(offset) }));
      }
      if (fn !== "attribute_type") return node(fn, { path: first });
      return this.#attributeType(first, second as OperandNode, offset);
    }
    const rest = second as OperandNode;
    this.#distinct(fn, first, [rest]);
    if (fn === "contains") return node("contains", { operand: first, element: rest });
    this.checkType(fn, this.#type(first), STRINGLIKE, offset);
    this.checkType(fn, this.#type(rest), STRINGLIKE, offset);
    return node("begins_with", { operand: first, prefix: rest });
  }

  #attributeType(path: PathNode, typeArg: OperandNode, offset: number): Expr {
    this.#distinct("attribute_type", path, [typeArg]);
    // The type must be given as a value; a path's type is unknown until the item is read.
    const type = typeArg.kind === "path" ? "PATH" : this.#type(typeArg);
    this.checkType("attribute_type", type, ["S"], offset);
    if (typeArg.kind !== "value" || !("S" in typeArg.value)) {
      return this.dummy(node("attribute_exists", { path: this.dummyPath(offset) }));
    }
    const name = typeArg.value.S;
    if (!TYPE_NAMES.includes(name)) {
      this.#nodeProblem(
        `Invalid attribute type name found; type: ${name}, valid types: {${TYPE_NAMES.join(",")}}`,
        typeArg.offset,
      );
    }
    return node("attribute_type", {
      path,
      type: name as AttributeType,
      typeValue: typeArg,
    });
  }

  #compare(op: Comparator, left: OperandNode, right: OperandNode): ConditionNode {
    this.#distinct(op, left, [right]);
    if (op !== "=" && op !== "<>") {
      this.checkType(op, this.#type(left), ORDERED, offsetOf(left));
      this.checkType(op, this.#type(right), ORDERED, offsetOf(right));
    }
    return node("compare", { op, left, right });
  }

  #between(operand: OperandNode, lower: OperandNode, upper: OperandNode): ConditionNode {
    this.#distinct("BETWEEN", operand, [lower, upper]);
    for (const o of [operand, lower, upper]) {
      this.checkType("BETWEEN", this.#type(o), ORDERED, offsetOf(o));
    }
    if (lower.kind === "value" && upper.kind === "value") {
      const bounds = `lower bound operand: ${printScalar(lower.value)}, upper bound operand: ${
        printScalar(upper.value)
      }`;
      const order = orderValues(lower.value, upper.value);
      if (order === undefined) {
        this.#nodeProblem(
          `The BETWEEN operator requires same data type for lower and upper bounds; ${bounds}`,
          lower.offset,
        );
      } else if (order > 0) {
        this.#nodeProblem(
          `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ${bounds}`,
          lower.offset,
        );
      }
    }
    return node("between", { operand, lower, upper });
  }

  #in(operand: OperandNode, list: OperandNode[]): ConditionNode {
    if (list.length > MAX_IN_OPERANDS) {
      this.#nodeProblem(
        `The IN operator is provided with too many operands; number of operands: ${list.length}`,
        offsetOf(operand),
      );
    }
    this.#distinct("IN", operand, list);
    return node("in", { operand, list });
  }

  /** DynamoDB rejects `a = a`: a path compared with itself. */
  #distinct(operator: string, first: OperandNode, rest: readonly OperandNode[]): void {
    if (first.kind !== "path" || this.isDummy(first)) return;
    const same = rest.find((o) => o.kind === "path" && samePath(o.elements, first.elements));
    if (same === undefined) return;
    this.#nodeProblem(
      `The first operand must be distinct from the remaining operands for this operator or function; operator: ${operator}, first operand: ${
        formatPath(first.elements)
      }`,
      offsetOf(same),
    );
  }

  #type(operand: OperandNode): StaticType {
    if (operand.kind === "value") return valueType(operand);
    return operand.kind === "size" ? "N" : undefined;
  }

  #nodeProblem(detail: string, offset: number): void {
    this.defer(Rank.NODE, detail, offset);
  }
}

/**
 * Parses a ConditionExpression or FilterExpression, resolving its placeholders.
 *
 * @param text The expression, e.g. `attribute_exists(pk) AND #s = :on`.
 * @param ctx The request's placeholders; those used are marked.
 * @param kind The parameter it came from, named in error messages.
 * @returns The condition tree.
 * @throws {ExpressionError} `VALIDATION` with DynamoDB's message, e.g. `Invalid
 * ConditionExpression: Syntax error; token: "<EOF>", near: "a ="`, `Invalid FilterExpression:
 * Attribute name is a reserved keyword; reserved keyword: status`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExpressionContext } from "./context.ts";
 * import { parseCondition } from "./condition.ts";
 * const ctx = new ExpressionContext({ "#s": "status" }, { ":on": { S: "on" } });
 * const root = parseCondition("attribute_exists(pk) AND #s = :on", ctx, "ConditionExpression");
 * assert.equal(root.kind, "and");
 * assert.throws(
 *   () => parseCondition("status = :on", ctx, "FilterExpression"),
 *   { message: "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: status" },
 * );
 * ```
 */
export function parseCondition(
  text: string,
  ctx: ExpressionContext,
  kind: ConditionKind = "ConditionExpression",
): ConditionNode {
  return new ConditionParser(text, ctx, kind).parse();
}
