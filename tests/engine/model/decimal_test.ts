import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addNumbers,
  canonicalNumber,
  compareNumbers,
  decomposeNumber,
  isCanonicalNumber,
  numberFromJs,
  numberToJs,
  subtractNumbers,
} from "../../../engine/model/decimal.ts";
import { KstoneError } from "../../../engine/errors.ts";
import { randomNumberText, Rng } from "./_rng.ts";

const MAX = "99999999999999999999999999999999999999" + "0".repeat(88); // 9.99…9E+125
const MIN = "0." + "0".repeat(129) + "1"; // 1E-130

/** Exact reference: a canonical number as coefficient / 10^scale. */
function exact(text: string): [bigint, number] {
  const point = text.indexOf(".");
  if (point < 0) return [BigInt(text), 0];
  return [BigInt(text.slice(0, point) + text.slice(point + 1)), text.length - point - 1];
}

function referenceCompare(a: string, b: string): number {
  const [ca, sa] = exact(a);
  const [cb, sb] = exact(b);
  const scale = Math.max(sa, sb);
  const x = ca * 10n ** BigInt(scale - sa);
  const y = cb * 10n ** BigInt(scale - sb);
  return x < y ? -1 : x > y ? 1 : 0;
}

function assertValidation(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof KstoneError);
    assert.equal(error.code, "VALIDATION");
    assert.match(error.message, message);
    return true;
  });
}

test("canonicalNumber() writes plain decimal without exponent, sign or padding", () => {
  const cases: Array<[string, string]> = [
    ["12", "12"],
    ["-0.50", "-0.5"],
    ["1e3", "1000"],
    ["1E+3", "1000"],
    ["+5", "5"],
    [".5", "0.5"],
    ["5.", "5"],
    ["-0", "0"],
    ["+0.000", "0"],
    ["0e1000", "0"],
    ["0001.23", "1.23"],
    ["-17e5", "-1700000"],
    ["-17.4E37", "-174" + "0".repeat(36)],
    ["1.5e-7", "0.00000015"],
    ["123.456e1", "1234.56"],
    ["123.456e-3", "0.123456"],
    ["100", "100"],
    ["100.0100", "100.01"],
    ["1e125", "1" + "0".repeat(125)],
    ["1e-130", MIN],
    ["9.9999999999999999999999999999999999999E+125", MAX],
    ["12345678901234567890123456789012345678", "12345678901234567890123456789012345678"],
    ["1" + "0".repeat(60), "1" + "0".repeat(60)],
    ["0.10000000000000000000000000000000000000000000", "0.1"],
  ];
  for (const [input, canonical] of cases) assert.equal(canonicalNumber(input), canonical, input);
});

test("canonicalNumber() rejects text DynamoDB cannot convert, naming it", () => {
  const bad = [
    "abc",
    "dog",
    "-dog",
    "NaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    " 1",
    "1 ",
    "",
    ".",
    "-",
    "+",
    "1e",
    "1e+",
    "e5",
    "0x10",
    "1_000",
    "1..2",
    "1.2.3",
    "--1",
    "+-1",
    "1e5.5",
    "١",
  ];
  for (const text of bad) {
    assertValidation(
      () => canonicalNumber(text),
      new RegExp(
        `^The parameter cannot be converted to a numeric value: ${text.replace(/[.+*]/g, "\\$&")}$`,
      ),
    );
  }
});

test("canonicalNumber() enforces 38 significant digits and the 1E-130..9.99E+125 range", () => {
  assertValidation(
    () => canonicalNumber("1.23456789012345678901234567890123456789"),
    /^Attempting to store more than 38 significant digits in a Number: 1\.234/,
  );
  assertValidation(
    () => canonicalNumber("123456789012345678901234567890123456789"),
    /38 significant digits/,
  );
  assertValidation(
    () => canonicalNumber("1e126"),
    /^Number overflow\. Attempting to store a number with magnitude larger than supported range: 1e126$/,
  );
  assertValidation(() => canonicalNumber("-1e126"), /^Number overflow/);
  assertValidation(() => canonicalNumber("1e999999999999999"), /^Number overflow/);
  assertValidation(
    () => canonicalNumber("1e-131"),
    /^Number underflow\. Attempting to store a number with magnitude smaller than supported range: 1e-131$/,
  );
  assertValidation(() => canonicalNumber("-0.99e-130"), /^Number underflow/);
  assertValidation(() => canonicalNumber("1e-99999999999"), /^Number underflow/);
  assert.equal(canonicalNumber("-1e-130"), `-${MIN}`);
});

test("canonicalNumber() shortens long values it quotes in errors", () => {
  const long = "x".repeat(1000);
  assert.throws(() => canonicalNumber(long), (error: Error) => error.message.length < 150);
});

test("isCanonicalNumber() accepts exactly the canonical forms", () => {
  for (const text of ["0", "-1", "0.5", "10", MAX, MIN]) assert.ok(isCanonicalNumber(text), text);
  for (const text of ["-0", "00", "1.0", "+1", ".5", "1e3", "5.", "x"]) {
    assert.ok(!isCanonicalNumber(text), text);
  }
});

test("compareNumbers() orders by value across signs, magnitudes and fractions", () => {
  const ascending = [
    `-${MAX}`,
    "-1000",
    "-999.99",
    "-10",
    "-9",
    "-1.5",
    "-1",
    "-0.5",
    "-0.05",
    `-${MIN}`,
    "0",
    MIN,
    "0.0001",
    "0.001",
    "0.01",
    "0.011",
    "0.1",
    "1",
    "1.01",
    "1.1",
    "9.99",
    "10",
    "99",
    "100",
    MAX,
  ];
  for (let i = 0; i < ascending.length; i++) {
    for (let j = 0; j < ascending.length; j++) {
      const expected = i < j ? -1 : i > j ? 1 : 0;
      assert.equal(compareNumbers(ascending[i]!, ascending[j]!), expected, `${i} vs ${j}`);
    }
  }
});

test("compareNumbers() agrees with exact arithmetic on random numbers", () => {
  const rng = new Rng();
  for (let i = 0; i < 2000; i++) {
    const a = randomNumberText(rng);
    const b = rng.int(4) === 0 ? a : randomNumberText(rng);
    assert.equal(compareNumbers(a, b), referenceCompare(a, b), `seed ${rng.seed}: ${a} ? ${b}`);
  }
});

test("addNumbers() and subtractNumbers() are exact", () => {
  const cases: Array<[string, string, string, string]> = [
    // a, b, a + b, a - b
    ["0.1", "0.2", "0.3", "-0.1"],
    ["1", "-1", "0", "2"],
    ["10000000000000000000000", "1", "10000000000000000000001", "9999999999999999999999"],
    ["999999999999999", "1", "1000000000000000", "999999999999998"],
    ["-999999999999999", "-999999999999999", "-1999999999999998", "0"],
    ["1.5", "1.5", "3", "0"],
    ["9" + "0".repeat(125), "9" + "0".repeat(124), "99" + "0".repeat(124), "81" + "0".repeat(124)],
    [MIN, MIN, "0." + "0".repeat(129) + "2", "0"],
    [
      "12345678901234567890123456789012345678",
      "0",
      "12345678901234567890123456789012345678",
      "12345678901234567890123456789012345678",
    ],
  ];
  for (const [a, b, total, difference] of cases) {
    assert.equal(addNumbers(a, b), total, `${a} + ${b}`);
    assert.equal(subtractNumbers(a, b), difference, `${a} - ${b}`);
  }
});

test("addNumbers() fails like DynamoDB when the exact result does not fit", () => {
  const e50 = "1" + "0".repeat(50);
  assertValidation(() => addNumbers(e50, "1"), /38 significant digits/);
  assertValidation(() => subtractNumbers(e50, "1"), /38 significant digits/);
  assertValidation(() => addNumbers("9" + "0".repeat(125), "9" + "0".repeat(125)), /overflow/);
  assertValidation(
    () => subtractNumbers("0." + "0".repeat(129) + "11", MIN),
    /underflow/,
  );
});

test("addNumbers() agrees with exact arithmetic on random numbers", () => {
  const rng = new Rng();
  for (let i = 0; i < 2000; i++) {
    const a = randomNumberText(rng, 12);
    const b = rng.int(3) === 0 ? randomNumberText(rng, 38) : randomNumberText(rng, 12);
    const [ca, sa] = exact(a);
    const [cb, sb] = exact(b);
    const scale = Math.max(sa, sb);
    const total = ca * 10n ** BigInt(scale - sa) + cb * 10n ** BigInt(scale - sb);
    let result: string;
    try {
      result = addNumbers(a, b);
    } catch (error) {
      assert.ok(error instanceof KstoneError && error.code === "VALIDATION", String(error));
      continue;
    }
    const [cr, sr] = exact(result);
    assert.equal(cr * 10n ** BigInt(scale), total * 10n ** BigInt(sr), `seed ${rng.seed}`);
    assert.ok(isCanonicalNumber(result), result);
    assert.equal(subtractNumbers(result, b), canonicalNumber(a), `seed ${rng.seed}`);
  }
});

test("decomposeNumber() gives value = ±0.digits × 10^exponent", () => {
  const cases: Array<[string, boolean, string, number]> = [
    ["0", false, "", 0],
    ["1", false, "1", 1],
    ["-1", true, "1", 1],
    ["12.5", false, "125", 2],
    ["-12.5", true, "125", 2],
    ["0.5", false, "5", 0],
    ["0.05", false, "5", -1],
    ["-0.00123", true, "123", -2],
    ["1200", false, "12", 4],
    [MAX, false, "9".repeat(38), 126],
    [MIN, false, "1", -129],
  ];
  for (const [text, negative, digits, exponent] of cases) {
    assert.deepEqual(decomposeNumber(text), { negative, digits, exponent }, text);
  }
});

test("decomposeNumber() round-trips through canonicalNumber() on random numbers", () => {
  const rng = new Rng();
  for (let i = 0; i < 2000; i++) {
    const text = randomNumberText(rng);
    const { negative, digits, exponent } = decomposeNumber(text);
    const rebuilt = digits === "" ? "0" : `${negative ? "-" : ""}0.${digits}e${exponent}`;
    assert.equal(canonicalNumber(rebuilt), text, `seed ${rng.seed}`);
  }
});

test("numberFromJs() writes the shortest round-trip text, expanded", () => {
  const cases: Array<[number | bigint, string]> = [
    [0, "0"],
    [-0, "0"],
    [42, "42"],
    [-7.25, "-7.25"],
    [0.1, "0.1"],
    [0.1 + 0.2, "0.30000000000000004"],
    [1e21, "1000000000000000000000"],
    [1.5e-7, "0.00000015"],
    [123456789012345680000, "123456789012345680000"],
    [Number.MAX_SAFE_INTEGER, "9007199254740991"],
    [1e125, "1" + "0".repeat(125)],
    [12345678901234567890n, "12345678901234567890"],
    [-(10n ** 60n), "-1" + "0".repeat(60)],
  ];
  for (const [value, text] of cases) assert.equal(numberFromJs(value), text, String(value));
});

test("numberFromJs() rejects NaN, infinities and numbers DynamoDB cannot hold", () => {
  assertValidation(() => numberFromJs(NaN), /numeric value: NaN$/);
  assertValidation(() => numberFromJs(Infinity), /numeric value: Infinity$/);
  assertValidation(() => numberFromJs(-Infinity), /numeric value: -Infinity$/);
  assertValidation(() => numberFromJs(5e-324), /underflow/);
  assertValidation(() => numberFromJs(1.7976931348623157e308), /overflow/);
  assertValidation(() => numberFromJs(10n ** 39n + 1n), /38 significant digits/);
});

test("numberToJs() returns a number only when it gives back the same text", () => {
  const exactCases: Array<[string, number]> = [
    ["0", 0],
    ["-1.5", -1.5],
    ["0.1", 0.1],
    ["0.30000000000000004", 0.30000000000000004],
    ["9007199254740991", 9007199254740991],
    ["123456789012345", 123456789012345],
    ["-0.123456789012345", -0.123456789012345],
    ["1" + "0".repeat(125), 1e125],
  ];
  for (const [text, value] of exactCases) assert.equal(numberToJs(text), value, text);
  const inexact = [
    "9007199254740993",
    "12345678901234567890",
    "0.1000000000000000001",
    "12345678901234567890123456789012345678",
    "9".repeat(38) + "0".repeat(88),
  ];
  for (const text of inexact) assert.equal(numberToJs(text), undefined, text);
});

test("numberFromJs() and numberToJs() round-trip random doubles", () => {
  const rng = new Rng();
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 2000; i++) {
    view.setUint32(0, rng.int(0x100000000));
    view.setUint32(4, rng.int(0x100000000));
    const value = view.getFloat64(0);
    if (!Number.isFinite(value) || value === 0) continue;
    const magnitude = Math.abs(value);
    if (magnitude < 1e-130 || magnitude >= 1e126) continue;
    const text = numberFromJs(value);
    assert.ok(isCanonicalNumber(text), text);
    assert.equal(Number(text), value, `seed ${rng.seed}`);
    assert.equal(numberToJs(text), value, `seed ${rng.seed}`);
  }
});
