import { test } from "node:test";
import assert from "node:assert/strict";
import { NumberValue } from "../../../engine/model/number_value.ts";

test("NumberValue keeps every digit as canonical text", () => {
  const n = new NumberValue("12345678901234567890.123");
  assert.equal(n.value, "12345678901234567890.123");
  assert.equal(n.toString(), "12345678901234567890.123");
  assert.equal(`${n}`, "12345678901234567890.123");
  assert.equal(new NumberValue("+1.50E2").value, "150");
  assert.equal(new NumberValue("-0").value, "0");
});

test("NumberValue accepts JS numbers and bigints", () => {
  assert.equal(new NumberValue(0.1).value, "0.1");
  assert.equal(new NumberValue(-12n).value, "-12");
  assert.equal(new NumberValue(1e21).value, "1000000000000000000000");
});

test("NumberValue validates like DynamoDB", () => {
  assert.throws(() => new NumberValue("abc"), {
    code: "VALIDATION",
    message: "The parameter cannot be converted to a numeric value: abc",
  });
  assert.throws(() => new NumberValue("1e126"), {
    code: "VALIDATION",
    message: /^Number overflow/,
  });
  assert.throws(() => new NumberValue(NaN), { code: "VALIDATION" });
});

test("NumberValue.valueOf() gives the nearest JS number", () => {
  assert.equal(+new NumberValue("9007199254740993"), 9007199254740992);
  assert.equal(new NumberValue("1.5").valueOf() * 2, 3);
  assert.ok(new NumberValue("2") > new NumberValue("10") === false);
});

test("NumberValue.toJSON() keeps the digits in JSON", () => {
  const json = JSON.stringify({ n: new NumberValue("0.1000000000000000001") });
  assert.equal(json, '{"n":"0.1000000000000000001"}');
});

test("NumberValue.toBigInt() converts integers and refuses fractions", () => {
  assert.equal(new NumberValue("1e30").toBigInt(), 10n ** 30n);
  assert.equal(new NumberValue("-7").toBigInt(), -7n);
  assert.throws(() => new NumberValue("1.5").toBigInt(), RangeError);
});

test("NumberValue.from() wraps values and passes NumberValues through", () => {
  const n = new NumberValue("5");
  assert.equal(NumberValue.from(n), n);
  assert.equal(NumberValue.from("5.0").value, "5");
  assert.ok(NumberValue.from(5) instanceof NumberValue);
});
