import { test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "../../server/metrics.ts";

test("Registry.render() writes counters, gauges and cumulative histogram buckets in the text format", async () => {
  const registry = new Registry();
  const requests = registry.counter("kstone_rpc_requests_total", "Requests.");
  const duration = registry.histogram("kstone_rpc_duration_seconds", "Latency.", [0.01, 0.1]);
  const gauge = registry.gauge("kstone_memtable_bytes", "Bytes.");
  registry.collect(() => gauge.set(42));
  requests.inc({ method: "GetItem", status: "success" });
  requests.inc({ method: "GetItem", status: "success" });
  for (const seconds of [0.005, 0.05, 0.5]) duration.observe(seconds, { method: "GetItem" });
  assert.equal(
    await registry.render(),
    [
      "# HELP kstone_rpc_requests_total Requests.",
      "# TYPE kstone_rpc_requests_total counter",
      'kstone_rpc_requests_total{method="GetItem",status="success"} 2',
      "# HELP kstone_rpc_duration_seconds Latency.",
      "# TYPE kstone_rpc_duration_seconds histogram",
      'kstone_rpc_duration_seconds_bucket{method="GetItem",le="0.01"} 1',
      'kstone_rpc_duration_seconds_bucket{method="GetItem",le="0.1"} 2',
      'kstone_rpc_duration_seconds_bucket{method="GetItem",le="+Inf"} 3',
      'kstone_rpc_duration_seconds_sum{method="GetItem"} 0.555',
      'kstone_rpc_duration_seconds_count{method="GetItem"} 3',
      "# HELP kstone_memtable_bytes Bytes.",
      "# TYPE kstone_memtable_bytes gauge",
      "kstone_memtable_bytes 42",
      "",
    ].join("\n"),
  );
});

test("label values are escaped and a metric cannot be registered twice", async () => {
  const registry = new Registry();
  registry.counter("c_total", "C.").inc({ error: 'say "hi"\\n' });
  assert.match(await registry.render(), /^c_total\{error="say \\"hi\\"\\\\n"\} 1$/m);
  assert.throws(() => registry.counter("c_total", "again"), /twice/);
});
