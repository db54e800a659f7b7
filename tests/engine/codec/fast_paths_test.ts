import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeItem,
  decodePlainItem,
  encodeItem,
  encodePlainItem,
  encodeValidItem,
  itemSize,
  validateItemSize,
} from "../../../engine/codec/item_codec.ts";
import { bytesToLatin1 } from "../../../engine/codec/bytes.ts";
import { copyOut } from "../../../engine/codec/_byte_pool.ts";
import { stripeOfText } from "../../../engine/codec/key_codec.ts";
import { crc32 } from "../../../engine/codec/crc32.ts";
import { MAX_ITEM_SIZE, STRIPE_COUNT } from "../../../engine/limits.ts";
import { canonicalNumber, numberFromJs } from "../../../engine/model/decimal.ts";
import { unmarshallItem } from "../../../engine/model/marshall.ts";
import { randomNumberText, Rng } from "../model/_rng.ts";

function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** An item `{ a: <N text> }` with any bytes as the number text. */
function numberItem(text: string): Uint8Array {
  const bytes = [...new TextEncoder().encode(text)];
  return new Uint8Array([1, 1, 1, 0x61, 2, bytes.length, ...bytes]);
}

test("decodePlainItem() reads short numbers as unmarshallItem(decodeItem()) does", () => {
  const rng = new Rng();
  const chars = "0123456789012345678901234567890123456789..--";
  for (let i = 0; i < 20_000; i++) {
    let text = "";
    if (rng.int(2) === 0) text = randomNumberText(rng, 1 + rng.int(17));
    else for (let n = rng.int(18); n > 0; n--) text += rng.pick([...chars]);
    if (rng.int(8) === 0) text = `-${text}`;
    const bytes = numberItem(text);
    assert.deepEqual(
      outcome(() => decodePlainItem(bytes)),
      outcome(() => unmarshallItem(decodeItem(bytes))),
      `seed ${rng.seed}: ${JSON.stringify(text)}`,
    );
  }
  assert.ok(Object.is(decodePlainItem(numberItem("-0")).a, -0));
  assert.equal(decodePlainItem(numberItem("123456789.12345")).a, 123456789.12345);
});

test("decodePlainItem() gives the same strings and names from its cache as without it", () => {
  const rng = new Rng();
  const decoder = new TextDecoder();
  // Few distinct texts, so that most come from the cache, some of them invalid UTF-8.
  const texts = Array.from({ length: 300 }, () => {
    const bytes = Array.from(
      { length: rng.int(30) },
      () => rng.int(8) === 0 ? rng.int(256) : 97 + rng.int(4),
    );
    return new Uint8Array(bytes);
  });
  for (let i = 0; i < 5000; i++) {
    const name = rng.pick(texts.filter((t) => t.length > 0));
    const value = rng.pick(texts);
    const bytes = new Uint8Array([1, 1, name.length, ...name, 1, value.length, ...value]);
    const item = decodePlainItem(bytes);
    assert.deepEqual(Object.entries(item), [[decoder.decode(name), decoder.decode(value)]]);
    assert.deepEqual(item, unmarshallItem(decodeItem(bytes)), `seed ${rng.seed}`);
  }
});

test("numberFromJs() gives canonicalNumber(String(value)) for every finite number", () => {
  const rng = new Rng();
  for (let i = 0; i < 20_000; i++) {
    const value = (rng.next() - 0.5) * 10 ** (rng.int(60) - 30);
    const rounded = rng.int(2) === 0 ? value : Math.round(value * 100) / 100;
    assert.deepEqual(
      outcome(() => numberFromJs(rounded)),
      outcome(() => canonicalNumber(String(rounded))),
      `seed ${rng.seed}: ${rounded}`,
    );
  }
});

test("encodePlainItem() writes numbers as encodeItem does with canonical text", () => {
  const rng = new Rng();
  for (let i = 0; i < 5000; i++) {
    const value = Math.round((rng.next() - 0.5) * 10 ** rng.int(12)) / 10 ** rng.int(6);
    assert.deepEqual(
      encodePlainItem({ a: value }),
      encodeItem({ a: { N: canonicalNumber(String(value)) } }),
      `seed ${rng.seed}: ${value}`,
    );
  }
});

test("stripeOfText() hashes the UTF-8 bytes of any text", () => {
  const rng = new Rng();
  const encoder = new TextEncoder();
  for (let i = 0; i < 5000; i++) {
    const length = rng.pick([0, 1, 5, 11, 40, 255, 256, 257, 300]);
    let text = "";
    while (text.length < length) {
      text += rng.int(50) === 0
        ? rng.pick(["é", "😀", "\ud800", "\0"])
        : String.fromCharCode(rng.int(128));
    }
    assert.equal(
      stripeOfText(text),
      crc32(encoder.encode(text)) % STRIPE_COUNT,
      `seed ${rng.seed}`,
    );
  }
});

test("bytesToLatin1() and copyOut() keep every byte, at every length", () => {
  const rng = new Rng();
  for (let length = 0; length < 300; length++) {
    for (let k = 0; k < 3; k++) {
      const bytes = new Uint8Array(length + 4).map(() => rng.int(256));
      const part = bytes.subarray(2, 2 + length);
      let expected = "";
      for (const b of part) expected += String.fromCharCode(b);
      assert.equal(bytesToLatin1(part), expected, `seed ${rng.seed}`);
      assert.deepEqual(copyOut(bytes, 2, 2 + length), part.slice());
    }
  }
});

test("encodeValidItem() counts a number's size as itemSize does", () => {
  const rng = new Rng();
  const chars = "0123456789.-";
  // Each round encodes two items of about 400 KB: few rounds, on the sizes that differ.
  for (let i = 0; i < 300; i++) {
    let text = randomNumberText(rng);
    if (rng.int(4) === 0) {
      text = "";
      for (let n = 1 + rng.int(12); n > 0; n--) text += rng.pick([...chars]);
    }
    const number = rng.int(2) === 0 ? { N: text } : { NS: [text, "7"] };
    const room = MAX_ITEM_SIZE - itemSize({ a: number }) - 1;
    for (const extra of [0, 1]) {
      const item = { a: number, b: { S: "x".repeat(room + extra) } };
      assert.deepEqual(
        outcome(() => encodeValidItem(item).length > 0),
        outcome(() => validateItemSize(item) > 0 && encodeItem(item).length > 0),
        `seed ${rng.seed}: ${JSON.stringify(text)}`,
      );
    }
  }
});
