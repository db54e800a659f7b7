/**
 * A bounded loopback load test of `kstone serve` and, in the same run, `dynalite` (npm), the
 * peer DynamoDB-compatible server: throughput and p50/p99 latency of GetItem, PutItem and
 * Query at 1, 16 and 100 concurrent connections, driven by autocannon under Node. Each server
 * runs in its own process on 127.0.0.1 with its data on disk; the cells of one operation and
 * concurrency run back to back, so they see the same machine.
 *
 * ```sh
 * node_modules/.bin/deno run -A bench/server_bench.ts [--seconds 5] [--runs 1] [--items 20000] [--subjects kstone-deno,kstone-bun,dynalite] [--json]
 * ```
 *
 * dynalite and autocannon are installed on first use into `tmp/bench-peers/` (npm). kstone runs
 * with its defaults: every write fdatasync'ed before it is acknowledged, one INFO log line per
 * request (to a log file). dynalite keeps its data in LevelDB and never fsyncs.
 *
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PEERS = join(ROOT, "tmp", "bench-peers");
const OPERATIONS = ["GetItem", "PutItem", "Query"] as const;
const CONNECTIONS = [1, 16, 100] as const;

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seconds: { type: "string", default: "5" },
    items: { type: "string", default: "20000" },
    subjects: { type: "string", default: "kstone-deno,kstone-bun,dynalite" },
    runs: { type: "string", default: "1" },
    json: { type: "boolean", default: false },
  },
});
const SECONDS = Number(values.seconds);
const ITEMS = Number(values.items);
const SUBJECTS = values.subjects!.split(",");
const RUNS = Number(values.runs);

function installPeers(): void {
  if (
    existsSync(join(PEERS, "node_modules", "dynalite")) &&
    existsSync(join(PEERS, "node_modules", "autocannon"))
  ) return;
  const result = spawnSync("npm", [
    "install",
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--prefix",
    PEERS,
    "dynalite@4.0.0",
    "autocannon@9.0.0",
  ], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm install of dynalite and autocannon failed");
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

interface Subject {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
}

async function start(name: string, dir: string): Promise<Subject> {
  const port = await freePort();
  const serveArgs = [
    "serve",
    "--db-path",
    join(dir, `${name}.keystone`),
    "--port",
    String(port),
    "--metrics-port",
    "off",
    "--log-file",
    join(dir, `${name}.log`),
  ];
  const [command, args] = name === "kstone-deno"
    ? [join(ROOT, "node_modules/.bin/deno"), ["run", "-A", "cli/main.ts", ...serveArgs]]
    : name === "kstone-bun"
    ? [join(ROOT, "node_modules/.bin/bun"), ["cli/main.ts", ...serveArgs]]
    : ["node", [
      join(PEERS, "node_modules/dynalite/cli.js"),
      "--port",
      String(port),
      "--path",
      join(dir, "dynalite"),
      "--createTableMs",
      "0",
      "--deleteTableMs",
      "0",
    ]];
  const child = spawn(command as string, args as string[], { cwd: ROOT, stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; tries < 300; tries++) {
    const answered = await call(url, "ListTables", {}).then(() => true, () => false);
    if (answered) return { name, url, child };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} did not start`);
}

async function call(url: string, target: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${target}`,
      "x-amz-date": "20260101T000000Z",
      authorization:
        "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${target}: ${JSON.stringify(json)}`);
  return json;
}

const PAYLOAD = "x".repeat(150);
const PER_PARTITION = 10;
const pad = (n: number, width: number) => String(n).padStart(width, "0");
const item = (p: number, s: number) => ({
  pk: { S: `user#${pad(p, 6)}` },
  sk: { S: `item#${pad(s, 4)}` },
  payload: { S: PAYLOAD },
  n: { N: String(p * 100 + s) },
});

async function load(url: string): Promise<void> {
  await call(url, "CreateTable", {
    TableName: "bench",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, {
      AttributeName: "sk",
      AttributeType: "S",
    }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, {
      AttributeName: "sk",
      KeyType: "RANGE",
    }],
    BillingMode: "PAY_PER_REQUEST",
  });
  const batches: unknown[][] = [];
  for (let i = 0; i < ITEMS; i += 25) {
    const batch = [];
    for (let j = i; j < Math.min(ITEMS, i + 25); j++) {
      batch.push({ PutRequest: { Item: item(Math.floor(j / PER_PARTITION), j % PER_PARTITION) } });
    }
    batches.push(batch);
  }
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map((batch) =>
        call(url, "BatchWriteItem", { RequestItems: { bench: batch } })
      ),
    );
  }
}

function bodies(operation: (typeof OPERATIONS)[number]): string[] {
  let seed = 12345;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const partitions = ITEMS / PER_PARTITION;
  return Array.from({ length: operation === "PutItem" ? 50_000 : 5_000 }, (_, i) => {
    if (operation === "GetItem") {
      const p = random(partitions);
      return JSON.stringify({
        TableName: "bench",
        Key: { pk: item(p, 0).pk, sk: { S: `item#${pad(random(PER_PARTITION), 4)}` } },
      });
    }
    if (operation === "PutItem") {
      return JSON.stringify({
        TableName: "bench",
        Item: { ...item(0, 0), pk: { S: `put#${pad(i, 6)}` } },
      });
    }
    return JSON.stringify({
      TableName: "bench",
      KeyConditionExpression: "pk = :p",
      ExpressionAttributeValues: { ":p": item(random(partitions), 0).pk },
      Limit: 10,
    });
  });
}

interface Cell {
  requests: number;
  throughput: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

function measure(
  url: string,
  target: string,
  body: string[],
  connections: number,
  dir: string,
): Cell {
  const config = join(dir, "cell.json");
  writeFileSync(
    config,
    JSON.stringify({
      peers: join(PEERS, "node_modules"),
      url,
      target,
      bodies: body,
      connections,
      seconds: SECONDS,
    }),
  );
  const result = spawnSync("node", [join(ROOT, "bench/_autocannon_runner.mjs"), config], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`autocannon failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The run with the median throughput (its latencies with it). */
function median(cells: Cell[]): Cell {
  return [...cells].sort((a, b) => a.throughput - b.throughput)[Math.floor(cells.length / 2)]!;
}

installPeers();
const dir = mkdtempSync(join(tmpdir(), "kstone-server-bench-"));
const subjects: Subject[] = [];
const rows: { operation: string; connections: number; cells: Record<string, Cell> }[] = [];
try {
  for (const name of SUBJECTS) {
    const subject = await start(name, dir);
    subjects.push(subject);
    const started = performance.now();
    await load(subject.url);
    console.error(
      `${name}: loaded ${ITEMS} items in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  for (const operation of OPERATIONS) {
    const body = bodies(operation);
    for (const connections of CONNECTIONS) {
      const runs: Record<string, Cell[]> = {};
      for (let run = 0; run < RUNS; run++) {
        for (const subject of subjects) {
          (runs[subject.name] ??= []).push(measure(subject.url, operation, body, connections, dir));
        }
      }
      const cells: Record<string, Cell> = {};
      for (const subject of subjects) {
        cells[subject.name] = median(runs[subject.name]!);
        const cell = cells[subject.name]!;
        console.error(
          `${operation} c=${connections} ${subject.name}: ${
            cell.throughput.toFixed(0)
          } req/s p50 ${cell.p50} ms p99 ${cell.p99} ms (non-2xx ${cell.non2xx}, errors ${cell.errors})`,
        );
      }
      rows.push({ operation, connections, cells });
    }
  }
} finally {
  await Promise.all(subjects.map((subject) =>
    new Promise((resolve) => {
      subject.child.on("exit", resolve);
      subject.child.kill("SIGTERM");
      setTimeout(resolve, 10_000);
    })
  ));
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    console.error(`could not remove ${dir}: ${(error as Error).message}`);
  }
}

if (values.json) {
  console.log(
    JSON.stringify({ seconds: SECONDS, items: ITEMS, cpus: cpus().length, rows }, null, 2),
  );
} else {
  const head = ["op", "conns", ...SUBJECTS.flatMap((s) => [`${s} req/s`, "p50 ms", "p99 ms"])];
  const peer = SUBJECTS.includes("dynalite") ? "dynalite" : undefined;
  const mine = SUBJECTS.filter((s) => s !== "dynalite");
  if (peer !== undefined) head.push(...mine.map((s) => `${s} / dynalite`));
  console.log(`| ${head.join(" | ")} |`);
  console.log(`| ${head.map(() => "---").join(" | ")} |`);
  for (const { operation, connections, cells } of rows) {
    const cols = [operation, String(connections)];
    for (const s of SUBJECTS) {
      const c = cells[s]!;
      cols.push(Math.round(c.throughput).toLocaleString("en-US"), String(c.p50), String(c.p99));
    }
    if (peer !== undefined) {
      for (const s of mine) {
        cols.push(`${(cells[s]!.throughput / cells[peer]!.throughput).toFixed(1)}x`);
      }
    }
    console.log(`| ${cols.join(" | ")} |`);
  }
  console.log(
    `\n${ITEMS} items of ~200 bytes, ${SECONDS} s per cell (median of ${RUNS} runs), ${cpus().length} cores, loopback; autocannon ${"9.0.0"} under Node ${
      spawnSync("node", ["--version"], { encoding: "utf8" }).stdout.trim()
    }`,
  );
}
