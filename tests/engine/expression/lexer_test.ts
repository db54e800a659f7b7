import { test } from "node:test";
import assert from "node:assert/strict";
import { tokenize } from "../../../engine/expression/lexer.ts";

const kinds = (text: string) => tokenize(text).map((t) => `${t.kind}:${t.text}`);

test("tokenize() splits names, placeholders, numbers and punctuation", () => {
  assert.deepEqual(kinds("a_1.#b[10]<>:c2"), [
    "name:a_1",
    "punct:.",
    "nameRef:#b",
    "punct:[",
    "number:10",
    "punct:]",
    "punct:<>",
    "valueRef::c2",
    "eof:<EOF>",
  ]);
});

test("tokenize() makes single-character tokens of what it does not know", () => {
  assert.deepEqual(kinds("_x # : $ 😀"), [
    "unknown:_",
    "name:x",
    "unknown:#",
    "unknown::",
    "unknown:$",
    "unknown:😀",
    "eof:<EOF>",
  ]);
});

test("tokenize() reads the longest comparator", () => {
  assert.deepEqual(kinds("<=>=<>=<>"), [
    "punct:<=",
    "punct:>=",
    "punct:<>",
    "punct:=",
    "punct:<>",
    "eof:<EOF>",
  ]);
});

test("tokenize() records UTF-16 offsets and skips whitespace", () => {
  const tokens = tokenize(" \t\na\r\n =  :v");
  assert.deepEqual(tokens.map((t) => t.offset), [3, 7, 10, 12]);
});

test("#names and :values may start with a digit or underscore; names may not", () => {
  assert.deepEqual(kinds("#1 :_ 1a"), [
    "nameRef:#1",
    "valueRef::_",
    "number:1",
    "name:a",
    "eof:<EOF>",
  ]);
});
