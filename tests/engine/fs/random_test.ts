import { test } from "node:test";
import assert from "node:assert/strict";
import { Random, randomSeed } from "../../../engine/fs/_random.ts";

test("Random gives the same sequence for the same seed on every runtime", () => {
  const random = new Random(12345);
  const first = [random.uint32(), random.uint32(), random.uint32()];
  const again = new Random(12345);
  assert.deepEqual([again.uint32(), again.uint32(), again.uint32()], first);
  assert.notDeepEqual([new Random(12346).uint32()], [first[0]]);
});

test("Random.int() stays in range and covers it evenly", () => {
  const random = new Random(1);
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const value = random.int(10);
    counts[value] = (counts[value] ?? 0) + 1;
  }
  for (const count of counts) assert.ok(count > 9_000 && count < 11_000, `count ${count}`);
  assert.throws(() => random.int(0), RangeError);
});

test("Random.next() stays in [0, 1) and chance() follows its probability", () => {
  const random = new Random(99);
  let hits = 0;
  for (let i = 0; i < 10_000; i++) {
    const value = random.next();
    assert.ok(value >= 0 && value < 1);
    if (random.chance(0.25)) hits++;
  }
  assert.ok(hits > 2_200 && hits < 2_800, `hits ${hits}`);
});

test("randomSeed() returns 32-bit unsigned integers", () => {
  const seed = randomSeed();
  assert.ok(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32);
});
