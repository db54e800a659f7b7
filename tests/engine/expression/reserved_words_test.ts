import { test } from "node:test";
import assert from "node:assert/strict";
import { isReservedWord, RESERVED_WORDS } from "../../../engine/expression/reserved_words.ts";

test("RESERVED_WORDS holds DynamoDB's 573 reserved words, upper case and sorted in the source", () => {
  assert.equal(RESERVED_WORDS.size, 573);
  const words = [...RESERVED_WORDS];
  assert.deepEqual(words, [...words].sort());
  assert.ok(words.every((w) => /^[A-Z]+$/.test(w)));
});

test("isReservedWord() ignores case", () => {
  for (const word of ["status", "Name", "DATA", "count", "size", "abOrT", "flattern", "innter"]) {
    assert.ok(isReservedWord(word), word);
  }
});

test("isReservedWord() rejects names that are not reserved", () => {
  for (const word of ["remove", "pk", "sk", "tags", "price", "visits", "statuses"]) {
    assert.ok(!isReservedWord(word), word);
  }
});
