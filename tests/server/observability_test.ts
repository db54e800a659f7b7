import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database, MemoryFileSystem } from "../../mod.ts";
import { ErrorFileSystem } from "../../engine/fs/error_fs.ts";
import { Logger } from "../../server/logger.ts";
import { fileSink, serve } from "../../server/serve.ts";
import { call, startServer, tableInput } from "./_helpers.ts";

function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test("GET /metrics on the metrics port counts every operation by method and status, with engine gauges", async () => {
  await using server = await startServer({ metricsPort: 0 });
  await call(server.url, "CreateTable", tableInput("users"));
  for (let i = 0; i < 3; i++) {
    await call(server.url, "PutItem", {
      TableName: "",
      Item: { pk: { S: "user#123" }, i: { N: String(i) } },
    });
  }
  await call(server.url, "GetItem", { TableName: "", Key: { pk: { S: "user#123" } } });
  await call(server.url, "GetItem", { TableName: "missing", Key: { pk: { S: "x" } } });
  await server.db.flush();
  await server.db.put("user#123", { again: true });
  await server.db.flush();
  await server.db.compact();
  const response = await fetch(`${server.metricsUrl}/metrics`);
  assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const text = await response.text();
  assert.equal(sample(text, 'kstone_rpc_requests_total{method="PutItem",status="success"}'), 3);
  assert.equal(sample(text, 'kstone_rpc_requests_total{method="GetItem",status="success"}'), 1);
  assert.equal(sample(text, 'kstone_rpc_requests_total{method="GetItem",status="error"}'), 1);
  assert.equal(sample(text, 'kstone_errors_total{error_type="ResourceNotFoundException"}'), 1);
  assert.equal(sample(text, 'kstone_rpc_duration_seconds_count{method="PutItem"}'), 3);
  assert.equal(sample(text, 'kstone_rpc_duration_seconds_bucket{method="PutItem",le="+Inf"}'), 3);
  // The chapter's alert reads the 0.1 s bucket: histogram_quantile(0.99, rate(..._bucket[5m])) > 0.1
  assert.ok(
    sample(text, 'kstone_rpc_duration_seconds_bucket{method="PutItem",le="0.1"}') !== undefined,
  );
  assert.match(text, /^# TYPE kstone_rpc_duration_seconds histogram$/m);
  assert.ok(sample(text, "kstone_memtable_bytes")! >= 0);
  assert.ok(sample(text, "kstone_wal_bytes")! > 0);
  assert.equal(
    sample(text, 'kstone_sst_files{stripe="125"}'),
    1,
    "user#123 lives in stripe 125, compacted to one SST",
  );
  assert.ok(sample(text, "kstone_flushes_total")! >= 2);
  assert.equal(sample(text, "kstone_compactions_total"), 1);
  assert.ok(sample(text, "kstone_compaction_bytes_read_total")! > 0);
  assert.ok(sample(text, "kstone_compaction_bytes_written_total")! > 0);
  assert.ok(sample(text, "kstone_active_connections")! >= 1);
  assert.equal(sample(text, "kstone_in_flight_requests"), 0);
  assert.equal(sample(text, 'kstone_health_status{status="healthy"}'), 1);
  const onProtocolPort = await fetch(`${server.url}/metrics`);
  assert.match(await onProtocolPort.text(), /kstone_rpc_requests_total/);
});

test("GET /health turns degraded at 10 SSTs in a stripe and unhealthy after a WAL failure; /ready follows", async () => {
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  const db = await Database.create("/data/db.keystone", { fs, autoCompact: false });
  await using server = await startServer({ db, metricsPort: 0 });
  const health = async () => {
    const response = await fetch(`${server.metricsUrl}/health`);
    return { status: response.status, body: await response.json() };
  };
  assert.deepEqual(await health(), {
    status: 200,
    body: { status: "healthy", warnings: [], errors: [] },
  });
  for (let i = 0; i < 10; i++) {
    await server.db.put("user#123", { i });
    await server.db.flush();
  }
  assert.deepEqual(await health(), {
    status: 200,
    body: {
      status: "degraded",
      warnings: ["High SST count: stripe 125 holds 10 SST files"],
      errors: [],
    },
  });
  fs.inject({ op: "sync", path: "wal.log", errno: "ENOSPC", times: Infinity });
  const failed = await call(server.url, "PutItem", { TableName: "", Item: { pk: { S: "x" } } });
  assert.equal(failed.status, 500);
  assert.equal(failed.body.__type, "com.amazonaws.dynamodb.v20120810#InternalServerError");
  assert.match(String(failed.body.message), /^IO error: No space left on device \(os error 28\)/);
  const unhealthy = await health();
  assert.equal(unhealthy.status, 503);
  assert.equal(unhealthy.body.status, "unhealthy");
  assert.ok(
    unhealthy.body.errors.some((e: string) =>
      e.startsWith("Disk full: IO error: No space left on device")
    ),
  );
  const ready = await fetch(`${server.metricsUrl}/ready`);
  assert.equal(ready.status, 503);
  await ready.body?.cancel();
});

test("logs: every recipe of the chapter's Log Analysis Techniques works on the server's log file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kstone-logs-"));
  const log = join(dir, "server.log");
  const sink = fileSink(log);
  const fs = new ErrorFileSystem(new MemoryFileSystem());
  try {
    const db = await Database.create("/data/db.keystone", { fs, sstThreshold: 2 });
    const server = await serve({
      db,
      port: 0,
      metricsPort: false,
      logger: new Logger({ sink: sink.sink }),
    });
    for (let i = 0; i < 3; i++) {
      await call(server.url, "PutItem", { TableName: "", Item: { pk: { S: `user#${i}` } } });
    }
    await call(server.url, "GetItem", { TableName: "", Key: { pk: { S: "user#1" } } });
    await db.flush();
    await call(server.url, "PutItem", {
      TableName: "",
      Item: { pk: { S: "user#1" }, v: { N: "2" } },
    });
    await db.flush();
    await db.compact();
    fs.inject({ op: "sync", path: "wal.log", errno: "ENOSPC" });
    const failed = await call(server.url, "PutItem", {
      TableName: "",
      Item: { pk: { S: "user#9" } },
    });
    await server.shutdown();
    sink.close();
    const sh = (script: string) =>
      execFileSync("bash", ["-c", script], {
        encoding: "utf8",
        env: { LOG: log, PATH: "/usr/bin:/bin" },
      });
    assert.match(sh('grep "ERROR" "$LOG"'), /IO error: No space left on device \(os error 28\)/);
    assert.notEqual(sh('grep "IO error" "$LOG"'), "");
    const traceId = sh(`grep "ERROR" "$LOG" | grep -o 'trace_id="[^"]*"' | head -1 | cut -d'"' -f2`)
      .trim();
    assert.equal(traceId, failed.headers.get("x-amzn-requestid"));
    const traced = sh(`TRACE_ID=${traceId}; grep "trace_id=\\"$TRACE_ID\\"" "$LOG"`).trim().split(
      "\n",
    );
    assert.equal(traced.length, 2);
    assert.match(
      traced[1]!,
      / INFO kstone::server: Received request method="PutItem" trace_id="\w+" status=500 duration_ms \d+\.\d+$/,
    );
    const oneLiner = sh(
      `grep "$(grep "ERROR" "$LOG" | grep -o 'trace_id="[^"]*"' | head -1)" "$LOG"`,
    );
    assert.equal(oneLiner.trim().split("\n").length, 2);
    assert.equal(sh(`grep "duration_ms" "$LOG" | awk '$NF > 100 {print}'`), "");
    assert.equal(sh(`grep "duration_ms" "$LOG" | awk '$NF >= 0 {print}' | wc -l`).trim(), "6");
    assert.match(
      sh('grep "compaction completed" "$LOG"'),
      /INFO kstone::engine: compaction completed compactions=\d+ bytes_read=\d+ bytes_written=\d+/,
    );
    assert.ok(Number(sh('grep "memtable flush" "$LOG" | wc -l')) >= 2);
    const distribution = sh(`grep "Received" "$LOG" | grep -o 'method="[^"]*"' | sort | uniq -c`);
    assert.match(distribution, /^\s+5 method="PutItem"$/m);
    assert.match(distribution, /^\s+1 method="GetItem"$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
