import { test } from "node:test";
import assert from "node:assert/strict";
import {
  attributeFromWire,
  attributeToWire,
  fromBase64,
  mapFromWire,
  mapToWire,
  toBase64,
} from "../../server/wire.ts";

test("attributeFromWire() decodes base64 and canonicalizes numbers; attributeToWire() encodes back", () => {
  const wire = {
    M: {
      n: { N: "+001.500" },
      b: { B: "AAH/" },
      ns: { NS: ["10", "2.50"] },
      bs: { BS: ["AQ==", "Ag=="] },
      l: { L: [{ NULL: true }, { BOOL: false }, { SS: ["a", "b"] }] },
    },
  };
  const engine = attributeFromWire(wire);
  assert.deepEqual(engine, {
    M: {
      n: { N: "1.5" },
      b: { B: new Uint8Array([0, 1, 255]) },
      ns: { NS: ["10", "2.5"] },
      bs: { BS: [new Uint8Array([1]), new Uint8Array([2])] },
      l: { L: [{ NULL: true }, { BOOL: false }, { SS: ["a", "b"] }] },
    },
  });
  assert.deepEqual(attributeToWire(engine), {
    M: {
      n: { N: "1.5" },
      b: { B: "AAH/" },
      ns: { NS: ["10", "2.5"] },
      bs: { BS: ["AQ==", "Ag=="] },
      l: { L: [{ NULL: true }, { BOOL: false }, { SS: ["a", "b"] }] },
    },
  });
});

test("attributeFromWire() rejects what DynamoDB rejects, with its messages", () => {
  const rejects = (value: unknown, message: RegExp | string, type = "ValidationException") =>
    assert.throws(() => attributeFromWire(value), (error: { type: string; message: string }) => {
      assert.equal(error.type, type);
      if (typeof message === "string") assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    });
  rejects(
    {},
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
  );
  rejects({ S: "a", BOOL: true }, /more than one datatypes set/);
  rejects({ N: "12x" }, "The parameter cannot be converted to a numeric value: 12x");
  rejects({ NS: ["1", "1.0"] }, "Input collection contains duplicates");
  rejects(
    { SS: ["a", "a"] },
    "One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
  );
  rejects({ BS: [] }, "One or more parameter values were invalid: Binary sets should not be empty");
  rejects({ S: 5 }, "NUMBER_VALUE cannot be converted to String", "SerializationException");
  rejects({ B: "abc" }, /multiple of 4 bytes/, "SerializationException");
  rejects("x", "Unexpected value type in payload", "SerializationException");
  let deep: unknown = { S: "x" };
  for (let i = 0; i < 40; i++) deep = { L: [deep] };
  rejects(deep, "Nesting Levels have exceeded supported limits");
});

test("mapToWire(mapFromWire(x)) keeps an item; base64 helpers round-trip every byte", () => {
  const item = { pk: { S: "user#1" }, data: { B: "AAECAwQ=" } };
  assert.deepEqual(mapToWire(mapFromWire(item)), item);
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
});
