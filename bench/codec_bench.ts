/**
 * Micro benchmarks of the hot value paths: item encode/decode/size, key encode/decode, marshall
 * and unmarshall, and number parsing. Run with `deno bench bench/codec_bench.ts`.
 *
 * The item is a typical user profile of about 190 encoded bytes: 7 attributes, one of them a map
 * of 3 and one a string set of 3. Each benchmark cycles through 256 items with distinct values
 * (same attribute names, as in a real table) so no cache sees one value over and over.
 *
 * The "plain" group does the same with the workload's items (`_items.ts`: pk, sk, name, email,
 * age, score, tags, bio; about 200 bytes) on the paths a plain `db.put` / `db.get` takes.
 *
 * @module
 */
import {
  decodeItem,
  decodePlainItem,
  encodeItem,
  encodePlainItem,
  itemSize,
} from "../engine/codec/item_codec.ts";
import { bytesToLatin1 } from "../engine/codec/bytes.ts";
import {
  decodeKey,
  encodeKey,
  encodePlainKey,
  stripeOf,
  stripeOfText,
} from "../engine/codec/key_codec.ts";
import { ItemSet } from "./_items.ts";
import { canonicalNumber, compareNumbers } from "../engine/model/decimal.ts";
import { marshallItem, unmarshallItem } from "../engine/model/marshall.ts";
import type { AttributeMap, AttributeValue } from "../engine/model/attribute_value.ts";

const RING = 256;

function profile(i: number): Record<string, unknown> {
  return {
    pk: `user#${10000 + i * 7919}`,
    sk: `profile#2024-01-${String(1 + (i % 28)).padStart(2, "0")}`,
    name: `Ada Lovelace ${i}`,
    email: `ada.lovelace.${i}@example.com`,
    age: 20 + (i % 60),
    address: { city: "London", street: `${i} St James's Square`, zip: "SW1Y 4JH" },
    tags: new Set(["admin", `group-${i % 10}`, "poet"]),
  };
}

const plains = Array.from({ length: RING }, (_, i) => profile(i));
const items: AttributeMap[] = plains.map(marshallItem);
const encoded = items.map(encodeItem);
const pks: AttributeValue[] = items.map((item) => item.pk!);
const sks: AttributeValue[] = items.map((item) => item.sk!);
const keys = items.map((item) => encodeKey(1, item.pk!, item.sk));
const numbers = Array.from({ length: RING }, (_, i) => `${i * 37}.${i % 10}1`);
let n = 0;
const next = () => (n = (n + 1) & (RING - 1));
const sink: unknown[] = [];

const bytes = encoded[0]!.length;
const size = itemSize(items[0]!);

Deno.bench({
  group: "item",
  name: `encodeItem (${bytes} bytes, DynamoDB size ${size})`,
  baseline: true,
  fn: () => void (sink[0] = encodeItem(items[next()]!)),
});
Deno.bench({
  group: "item",
  name: "decodeItem",
  fn: () => void (sink[0] = decodeItem(encoded[next()]!)),
});
Deno.bench({
  group: "item",
  name: "itemSize",
  fn: () => void (sink[0] = itemSize(items[next()]!)),
});
Deno.bench({
  group: "item",
  name: "marshallItem",
  fn: () => void (sink[0] = marshallItem(plains[next()]!)),
});
Deno.bench({
  group: "item",
  name: "unmarshallItem",
  fn: () => void (sink[0] = unmarshallItem(items[next()]!)),
});
Deno.bench({
  group: "item",
  name: "put path: marshallItem + itemSize + encodeItem",
  fn: () => {
    const value = marshallItem(plains[next()]!);
    itemSize(value);
    sink[0] = encodeItem(value);
  },
});
Deno.bench({
  group: "item",
  name: "get path: decodeItem + unmarshallItem",
  fn: () => void (sink[0] = unmarshallItem(decodeItem(encoded[next()]!))),
});

Deno.bench({
  group: "key",
  name: "encodeKey (S, S)",
  baseline: true,
  fn: () => {
    const i = next();
    sink[0] = encodeKey(1, pks[i]!, sks[i]);
  },
});
Deno.bench({
  group: "key",
  name: "encodeKey (S, N)",
  fn: () => {
    const i = next();
    sink[0] = encodeKey(1, pks[i]!, { N: numbers[i]! });
  },
});
Deno.bench({
  group: "key",
  name: "decodeKey (S, S)",
  fn: () => void (sink[0] = decodeKey(keys[next()]!)),
});
Deno.bench({
  group: "key",
  name: "stripeOf (S)",
  fn: () => void (sink[0] = stripeOf(pks[next()]!)),
});

Deno.bench({
  group: "number",
  name: "canonicalNumber (already canonical)",
  baseline: true,
  fn: () => void (sink[0] = canonicalNumber(numbers[next()]!)),
});
Deno.bench({
  group: "number",
  name: "canonicalNumber (exponent form)",
  fn: () => void (sink[0] = canonicalNumber(`-${numbers[next()]!}E+3`)),
});
Deno.bench({
  group: "number",
  name: "compareNumbers",
  fn: () => {
    const i = next();
    sink[0] = compareNumbers(numbers[i]!, numbers[(i + 1) & (RING - 1)]!);
  },
});

const workload = new ItemSet(RING, 1, 42);
const docs = Array.from(
  { length: RING },
  (_, i) =>
    ({ pk: workload.pk(i), sk: workload.sk(i), ...workload.doc(i) }) as Record<string, unknown>,
);
const plainEncoded = docs.map((doc) => encodePlainItem(doc)!);
const plainKeys = docs.map((doc) => encodePlainKey(1, doc.pk as string, doc.sk as string));

Deno.bench({
  group: "plain",
  name: `encodePlainItem (workload item, ${plainEncoded[0]!.length} bytes)`,
  baseline: true,
  fn: () => void (sink[0] = encodePlainItem(docs[next()]!)),
});
Deno.bench({
  group: "plain",
  name: "decodePlainItem (workload item)",
  fn: () => void (sink[0] = decodePlainItem(plainEncoded[next()]!)),
});
Deno.bench({
  group: "plain",
  name: `encodePlainKey (S, S; ${plainKeys[0]!.length} bytes)`,
  fn: () => {
    const doc = docs[next()]!;
    sink[0] = encodePlainKey(1, doc.pk as string, doc.sk as string);
  },
});
Deno.bench({
  group: "plain",
  name: "stripeOfText",
  fn: () => void (sink[0] = stripeOfText(docs[next()]!.pk as string)),
});
Deno.bench({
  group: "plain",
  name: "bytesToLatin1 (encoded key)",
  fn: () => void (sink[0] = bytesToLatin1(plainKeys[next()]!)),
});
