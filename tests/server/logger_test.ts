import { test } from "node:test";
import assert from "node:assert/strict";
import { fieldValue, Logger, parseLogFilter } from "../../server/logger.ts";

test("parseLogFilter() reads RUST_LOG's syntax: a default level, overridden by a kstone target", () => {
  assert.equal(parseLogFilter("warn"), "warn");
  assert.equal(parseLogFilter("info,kstone_server=debug"), "debug");
  assert.equal(parseLogFilter("kstone=error,debug"), "error");
  assert.equal(parseLogFilter("hyper=trace"), "info");
  assert.equal(parseLogFilter("nonsense"), "info");
  assert.equal(parseLogFilter(""), "info");
});

test("Logger writes level-padded lines with quoted fields and drops lines below its level", () => {
  const lines: string[] = [];
  const log = new Logger({
    level: "warn",
    sink: (line) => lines.push(line),
    now: () => Date.UTC(2026, 0, 1),
  });
  log.info("kstone::server", "hidden");
  log.warn("kstone::server", "Request rejected", {
    method: "GetItem",
    message: 'bad "input"\nhere',
  });
  log.log("error", "kstone::server", "Request failed", { status: 500 }, "duration_ms 1.500");
  assert.deepEqual(lines, [
    '2026-01-01T00:00:00.000Z  WARN kstone::server: Request rejected method="GetItem" message="bad \\"input\\"\\nhere"',
    "2026-01-01T00:00:00.000Z ERROR kstone::server: Request failed status=500 duration_ms 1.500",
  ]);
  assert.equal(fieldValue(true), "true");
});

test("a sink that throws does not fail the caller", () => {
  const log = new Logger({
    sink: () => {
      throw new Error("disk full");
    },
  });
  assert.doesNotThrow(() => log.info("kstone::server", "still fine"));
});
