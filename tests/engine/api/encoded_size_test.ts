import { test } from "node:test";
import assert from "node:assert/strict";
import { encodedItemSize } from "../../../engine/api/_encoded_size.ts";
import { encodeItem, itemSize } from "../../../engine/codec/item_codec.ts";
import type { AttributeMap, AttributeValue } from "../../../engine/model/attribute_value.ts";
import { randomNumberText, Rng } from "../model/_rng.ts";

const STRINGS = ["", "a", "hello", "é", "€uro", "😀x", "x".repeat(200), "\u0000"];

function randomValue(rng: Rng, depth: number): AttributeValue {
  switch (rng.int(depth > 3 ? 8 : 10)) {
    case 0:
      return { S: rng.pick(STRINGS) };
    case 1:
      return { N: randomNumberText(rng) };
    case 2:
      return { B: new Uint8Array(rng.int(40)) };
    case 3:
      return { BOOL: rng.next() < 0.5 };
    case 4:
      return { NULL: true };
    case 5:
      return { SS: [...new Set(Array.from({ length: 1 + rng.int(4) }, () => rng.pick(STRINGS)))] };
    case 6:
      return {
        NS: [...new Set(Array.from({ length: 1 + rng.int(4) }, () => randomNumberText(rng)))],
      };
    case 7:
      return { BS: [new Uint8Array(1 + rng.int(9))] };
    case 8:
      return { L: Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1)) };
    default:
      return { M: randomMap(rng, depth + 1) };
  }
}

function randomMap(rng: Rng, depth: number): AttributeMap {
  const map: Record<string, AttributeValue> = {};
  for (let n = rng.int(6); n > 0; n--) {
    map[rng.pick(["a", "name", "é", "long".repeat(40), "k"]) + n] = randomValue(rng, depth);
  }
  return map;
}

test("encodedItemSize() equals itemSize() of the decoded item, for random items", () => {
  const rng = new Rng();
  console.log(`encoded size test seed ${rng.seed} (replay with KSTONE_SEED=${rng.seed})`);
  try {
    for (let i = 0; i < 3000; i++) {
      const item = randomMap(rng, 0);
      assert.equal(encodedItemSize(encodeItem(item)), itemSize(item), JSON.stringify(item));
    }
  } catch (error) {
    console.error(`encoded size test failed: KSTONE_SEED=${rng.seed}`);
    throw error;
  }
});

test("encodedItemSize() sizes numbers by DynamoDB's digit pairs", () => {
  for (
    const [n, size] of [
      ["0", 1],
      ["1", 2],
      ["12", 2],
      ["123", 3],
      ["-1", 3],
      ["0.5", 2],
      ["0.05", 2],
      ["100", 2],
      ["10.5", 3],
    ] as const
  ) {
    assert.equal(encodedItemSize(encodeItem({ n: { N: n } })), 1 + size, n);
  }
});
