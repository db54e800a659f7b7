/**
 * Golden tests: every `tests/testdata/expressions/*.txt` file is a list of cases
 *
 * ```
 * <command> [name=<json>]…
 * <input lines>
 * ----
 * <expected output>
 * ```
 *
 * separated by blank lines; lines starting with `#` between cases are comments. Run with
 * `KSTONE_REWRITE=1` to rewrite the expected outputs from what the code does now, then review
 * the diff.
 *
 * Commands (all accept `names=` and `values=`, ExpressionAttributeNames / Values; binary in
 * base64; every command ends with `assertAllUsed()` as a request would):
 *
 * - `parse-condition [kind=FilterExpression]`: the printed tree.
 * - `eval-condition item=<item>`: `true` or `false`.
 * - `parse-update`, `parse-projection`: the printed tree.
 * - `update item=<item> [keys=pk,sk]`: the new item, then UPDATED_OLD and UPDATED_NEW.
 * - `projection item=<item>`: the projected item.
 * - `key-condition schema=pk[,sk]`: the partition value and sort key condition.
 * - `request`: input lines `<Kind>: <expression>` parsed with one context; `ok`.
 *
 * Errors print as `error: <message>`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import type { AttributeMap, AttributeValue } from "../../../engine/model/attribute_value.ts";
import { KstoneError } from "../../../engine/errors.ts";
import {
  applyProjection,
  applyUpdate,
  type ConditionKind,
  evaluateCondition,
  ExpressionContext,
  formatValue,
  parseCondition,
  parseKeyCondition,
  parseProjection,
  parseUpdate,
  printNode,
  updatedAttributes,
} from "../../../engine/expression/mod.ts";

const DIR = new URL("../../testdata/expressions/", import.meta.url);
const REWRITE = process.env.KSTONE_REWRITE === "1";

interface Case {
  readonly line: number;
  readonly command: string;
  readonly input: readonly string[];
  readonly expected: readonly string[];
}

type Chunk = string | Case;

function parseFile(text: string): Chunk[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const chunks: Chunk[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.trim() === "" || line.startsWith("#")) {
      chunks.push(line);
      i++;
      continue;
    }
    const start = i++;
    const input: string[] = [];
    while (i < lines.length && lines[i] !== "----") input.push(lines[i++] as string);
    if (i >= lines.length) throw new Error(`line ${start + 1}: case without ----`);
    i++;
    const expected: string[] = [];
    while (i < lines.length && (lines[i] as string).trim() !== "") {
      expected.push(lines[i++] as string);
    }
    chunks.push({ line: start + 1, command: line, input, expected });
  }
  return chunks;
}

/** Splits `cmd a=1 b={"x": [1, 2]}` into the command and its arguments. */
function parseCommand(line: string): [string, Map<string, string>] {
  const space = line.indexOf(" ");
  const name = space < 0 ? line : line.slice(0, space);
  const args = new Map<string, string>();
  let i = space < 0 ? line.length : space;
  while (i < line.length) {
    while (line[i] === " ") i++;
    if (i >= line.length) break;
    const eq = line.indexOf("=", i);
    const key = line.slice(i, eq);
    let j = eq + 1;
    if (line[j] === "{" || line[j] === "[") {
      let depth = 0;
      let quoted = false;
      for (; j < line.length; j++) {
        const c = line[j];
        if (quoted) {
          if (c === "\\") j++;
          else if (c === '"') quoted = false;
        } else if (c === '"') quoted = true;
        else if (c === "{" || c === "[") depth++;
        else if ((c === "}" || c === "]") && --depth === 0) break;
      }
      j++;
    } else while (j < line.length && line[j] !== " ") j++;
    args.set(key, line.slice(eq + 1, j));
    i = j;
  }
  return [name, args];
}

function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function decodeValue(json: Record<string, unknown>): AttributeValue {
  const [type, value] = Object.entries(json)[0] as [string, unknown];
  if (type === "B") return { B: decodeBase64(value as string) };
  if (type === "BS") return { BS: (value as string[]).map(decodeBase64) };
  if (type === "L") return { L: (value as Record<string, unknown>[]).map(decodeValue) };
  if (type === "M") return { M: decodeMap(value as Record<string, Record<string, unknown>>) };
  return json as AttributeValue;
}

function decodeMap(json: Record<string, Record<string, unknown>>): AttributeMap {
  const map: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(json)) map[key] = decodeValue(value);
  return map;
}

function formatItem(item: AttributeMap): string {
  const entries = Object.entries(item).map(([k, v]) => `${JSON.stringify(k)}:${formatValue(v)}`);
  return `{${entries.join(",")}}`;
}

function jsonArg(args: Map<string, string>, key: string): unknown {
  const text = args.get(key);
  return text === undefined ? undefined : JSON.parse(text);
}

function context(args: Map<string, string>): ExpressionContext {
  const names = jsonArg(args, "names") as Record<string, string> | undefined;
  const values = jsonArg(args, "values") as Record<string, Record<string, unknown>> | undefined;
  return new ExpressionContext(names, values === undefined ? undefined : decodeMap(values));
}

function itemArg(args: Map<string, string>): AttributeMap | undefined {
  const json = jsonArg(args, "item") as Record<string, Record<string, unknown>> | undefined;
  return json === undefined ? undefined : decodeMap(json);
}

type Command = (args: Map<string, string>, input: string) => string;

const COMMANDS: Record<string, Command> = {
  "parse-condition": (args, input) => {
    const ctx = context(args);
    const kind = (args.get("kind") ?? "ConditionExpression") as ConditionKind;
    const condition = parseCondition(input, ctx, kind);
    ctx.assertAllUsed();
    return printNode(condition);
  },
  "eval-condition": (args, input) => {
    const ctx = context(args);
    const condition = parseCondition(input, ctx, "ConditionExpression");
    ctx.assertAllUsed();
    return String(evaluateCondition(condition, itemArg(args)));
  },
  "parse-update": (args, input) => {
    const ctx = context(args);
    const update = parseUpdate(input, ctx);
    ctx.assertAllUsed();
    return printNode(update);
  },
  "update": (args, input) => {
    const ctx = context(args);
    const update = parseUpdate(input, ctx);
    ctx.assertAllUsed();
    const before = itemArg(args);
    const keys = args.get("keys")?.split(",") ?? [];
    const { item, updatedPaths } = applyUpdate(update, before, keys);
    return [
      formatItem(item),
      `UPDATED_OLD ${formatItem(updatedAttributes(updatedPaths, before))}`,
      `UPDATED_NEW ${formatItem(updatedAttributes(updatedPaths, item))}`,
    ].join("\n");
  },
  "parse-projection": (args, input) => {
    const ctx = context(args);
    const projection = parseProjection(input, ctx);
    ctx.assertAllUsed();
    return printNode(projection);
  },
  "projection": (args, input) => {
    const ctx = context(args);
    const projection = parseProjection(input, ctx);
    ctx.assertAllUsed();
    return formatItem(applyProjection(projection, itemArg(args) ?? {}));
  },
  "key-condition": (args, input) => {
    const ctx = context(args);
    const [partitionKey, sortKey] = (args.get("schema") ?? "pk").split(",") as [string, string?];
    const schema = sortKey === undefined ? { partitionKey } : { partitionKey, sortKey };
    const key = parseKeyCondition(input, ctx, schema);
    ctx.assertAllUsed();
    const lines = [`partition ${formatValue(key.partitionValue)}`];
    if (key.sort) lines.push(`sort ${key.sort.op} ${key.sort.values.map(formatValue).join(" ")}`);
    return lines.join("\n");
  },
  "request": (args, input) => {
    const ctx = context(args);
    for (const line of input.split("\n").filter((l) => l !== "")) {
      const colon = line.indexOf(":");
      const kind = line.slice(0, colon);
      const text = line.slice(colon + 1).replace(/^ /, "");
      if (kind === "UpdateExpression") parseUpdate(text, ctx);
      else if (kind === "ProjectionExpression") parseProjection(text, ctx);
      else if (kind === "KeyConditionExpression") {
        parseKeyCondition(text, ctx, { partitionKey: "pk", sortKey: "sk" });
      } else parseCondition(text, ctx, kind as ConditionKind);
    }
    ctx.assertAllUsed();
    return "ok";
  },
};

function run(testCase: Case): string {
  const [name, args] = parseCommand(testCase.command);
  const command = COMMANDS[name];
  if (command === undefined) throw new Error(`line ${testCase.line}: unknown command ${name}`);
  try {
    return command(args, testCase.input.join("\n"));
  } catch (error) {
    if (error instanceof KstoneError && error.code === "VALIDATION") {
      return `error: ${error.message}`;
    }
    throw error;
  }
}

const files = readdirSync(DIR).filter((name) => name.endsWith(".txt")).sort();

for (const file of files) {
  const url = new URL(file, DIR);
  const chunks = parseFile(readFileSync(url, "utf8"));
  if (REWRITE) {
    test(`golden ${file} (rewrite)`, () => {
      const out = chunks.map((chunk) => {
        if (typeof chunk === "string") return chunk;
        return [chunk.command, ...chunk.input, "----", run(chunk)].join("\n");
      });
      writeFileSync(url, `${out.join("\n")}\n`);
    });
    continue;
  }
  for (const chunk of chunks) {
    if (typeof chunk === "string") continue;
    const summary = chunk.input.join(" ").slice(0, 60);
    test(`${file}:${chunk.line} ${chunk.command.split(" ")[0]} ${summary}`, () => {
      assert.equal(run(chunk), chunk.expected.join("\n"));
    });
  }
}
