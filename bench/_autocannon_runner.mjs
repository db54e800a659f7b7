// Runs one autocannon measurement under Node and prints its result as JSON on stdout.
// Input: argv[2] names a JSON file { peers, url, target, bodies: string[], connections, seconds }.
// Each request takes the next body of `bodies`, so gets and queries spread over many keys.
// Used by bench/server_bench.ts; autocannon comes from the bench's own npm install.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import process from "node:process";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const require = createRequire(config.peers + "/");
const autocannon = require("autocannon");
let next = 0;
const result = await autocannon({
  url: config.url,
  connections: config.connections,
  duration: config.seconds,
  requests: [{
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${config.target}`,
      "x-amz-date": "20260101T000000Z",
      authorization:
        "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
    },
    setupRequest(request) {
      request.body = config.bodies[next++ % config.bodies.length];
      return request;
    },
  }],
});
process.stdout.write(JSON.stringify({
  requests: result.requests.total,
  throughput: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
}));
