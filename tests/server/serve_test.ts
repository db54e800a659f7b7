import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { connect as tcpConnect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { connect, Database } from "../../mod.ts";
import { CREDENTIALS, startServer } from "./_helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const isBun = "Bun" in globalThis;
const SLOW = { timeout: 60_000 };

interface Cli {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function startCli(args: string[], env: Record<string, string> = {}): Cli {
  const command = isBun ? ["cli/main.ts"] : ["run", "-A", "cli/main.ts"];
  const child = spawn(process.execPath, [...command, "serve", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (chunk) => text += chunk);
  child.stderr!.on("data", (chunk) => text += chunk);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Signals the server (`process.kill`: Deno's `child.kill()` reports any later exit as killed). */
function signal(cli: Cli, name: "SIGTERM" | "SIGHUP"): void {
  process.kill(cli.child.pid!, name);
}

async function until<T>(probe: () => T | undefined, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function listeningUrl(cli: Cli): Promise<string> {
  return until(() => /Listening url="([^"]+)"/.exec(cli.output())?.[1], "the Listening line");
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

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "kstone-serve-"));
}

test(
  "kstone serve creates a missing database and, on SIGTERM, finishes the request in flight, flushes and releases the lock",
  SLOW,
  async () => {
    const dir = tempDir();
    const dbPath = join(dir, "data.keystone");
    const cli = startCli(["--db-path", dbPath, "--port", "0", "--metrics-port", "0"]);
    try {
      const url = new URL(await listeningUrl(cli));
      await using db = await connect(url);
      await db.put("user#1", { name: "Ada" });
      const body = JSON.stringify({
        TableName: "",
        Item: { pk: { S: "user#2" }, name: { S: "Bob" } },
      });
      const socket = tcpConnect(Number(url.port), "127.0.0.1");
      let reply = "";
      socket.on("data", (chunk) => reply += chunk);
      await new Promise((resolve) => socket.on("connect", resolve));
      socket.write(
        `POST / HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-amz-json-1.0\r\n` +
          `X-Amz-Target: DynamoDB_20120810.PutItem\r\nContent-Length: ${body.length}\r\n\r\n${
            body.slice(0, 10)
          }`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      signal(cli, "SIGTERM");
      await until(
        () => cli.output().includes("Shutting down gracefully...") || undefined,
        "the shutdown line",
      );
      socket.write(body.slice(10));
      await until(() => reply.includes("\r\n\r\n{}") || undefined, "the in-flight response");
      assert.match(reply, /^HTTP\/1\.1 200/);
      socket.destroy();
      assert.equal(await cli.exited, 0, cli.output());
      assert.match(cli.output(), /Shutdown complete/);
      const reopened = await Database.open(dbPath);
      assert.deepEqual(await reopened.get("user#1"), { pk: "user#1", name: "Ada" });
      assert.deepEqual(await reopened.get("user#2"), { pk: "user#2", name: "Bob" });
      assert.equal(
        (await reopened.stats()).wal_size_bytes <= 64,
        true,
        "close flushed the memtables",
      );
      await reopened.close();
    } finally {
      cli.child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "kstone serve on a port already in use fails with an error naming the port",
  SLOW,
  async () => {
    await using running = await startServer();
    const dir = tempDir();
    const port = new URL(running.url).port;
    const cli = startCli([
      "--db-path",
      join(dir, "db.keystone"),
      "--port",
      port,
      "--metrics-port",
      "off",
    ]);
    try {
      assert.equal(await cli.exited, 1);
      assert.match(
        cli.output(),
        new RegExp(
          `Error: IO error: Address already in use \\(os error 98\\): port ${port} on 127\\.0\\.0\\.1`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "kstone serve takes its level from RUST_LOG, KSTONE_LOG first, and reopens --log-file on SIGHUP",
  SLOW,
  async () => {
    const dir = tempDir();
    const log = join(dir, "server.log");
    const port = await freePort();
    const debug = startCli(
      [
        "--db-path",
        join(dir, "db.keystone"),
        "--port",
        String(port),
        "--metrics-port",
        "off",
        "--log-file",
        log,
      ],
      { RUST_LOG: "debug" },
    );
    try {
      await until(
        () => existsSync(log) && readFileSync(log, "utf8").includes("Listening") || undefined,
        "the log file",
      );
      await using db = await connect(`http://127.0.0.1:${port}`);
      await db.get("a");
      assert.match(
        readFileSync(log, "utf8"),
        /DEBUG kstone::server: Request started method="GetItem"/,
      );
      renameSync(log, `${log}.1`);
      signal(debug, "SIGHUP");
      await until(
        () =>
          existsSync(log) && readFileSync(log, "utf8").includes("Log file reopened") || undefined,
        "the reopened log",
      );
      await db.get("b");
      signal(debug, "SIGTERM");
      assert.equal(await debug.exited, 0);
      assert.equal(readFileSync(`${log}.1`, "utf8").split("Received request").length - 1, 1);
      assert.match(readFileSync(log, "utf8"), /Received request method="GetItem"/);
    } finally {
      debug.child.kill("SIGKILL");
    }
    const quiet = startCli(
      ["--db-path", join(dir, "db.keystone"), "--port", String(port), "--metrics-port", "off"],
      { RUST_LOG: "debug", KSTONE_LOG: "warn" },
    );
    try {
      await using db = await connect(`http://127.0.0.1:${port}`, { maxAttempts: 1 });
      for (let tries = 0;; tries++) {
        const answered = await db.get("a").then(() => true, () => false);
        if (answered) break;
        if (tries > 500) throw new Error("the quiet server never answered");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await db.table("no-such-table").get({ id: "x" }).catch(() => {});
      signal(quiet, "SIGTERM");
      assert.equal(await quiet.exited, 0);
      assert.doesNotMatch(quiet.output(), / INFO | DEBUG /);
      assert.match(quiet.output(), / WARN kstone::server: Request rejected method="GetItem"/);
    } finally {
      quiet.child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

const openssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

test("serve() with a certificate speaks HTTPS, and connect() signs requests the server verifies", {
  ...SLOW,
  skip: openssl ? false : "openssl is not installed to make a test certificate",
}, async () => {
  const dir = tempDir();
  try {
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
    ssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=kstone-test-ca",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
    );
    ssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=127.0.0.1",
      "-keyout",
      "key.pem",
      "-out",
      "req.csr",
    );
    writeFileSync(join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
    ssl(
      "x509",
      "-req",
      "-in",
      "req.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      "ext.cnf",
      "-out",
      "cert.pem",
    );
    const ca = readFileSync(join(dir, "ca.pem"), "utf8");
    const cert = readFileSync(join(dir, "cert.pem"), "utf8");
    const key = readFileSync(join(dir, "key.pem"), "utf8");
    await using server = await startServer({ tls: { cert, key }, credentials: [CREDENTIALS] });
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const global = globalThis as unknown as {
      Deno?: { createHttpClient(o: { caCerts: string[] }): unknown };
    };
    const client = global.Deno?.createHttpClient({ caCerts: [ca] });
    const tlsFetch: typeof fetch = (input, init) =>
      fetch(
        input,
        { ...init, ...(client === undefined ? { tls: { ca } } : { client }) } as RequestInit,
      );
    await using db = await connect(server.url, { credentials: CREDENTIALS, fetch: tlsFetch });
    await db.put("secure", { ok: true });
    assert.deepEqual(await db.get("secure"), { pk: "secure", ok: true });
    await using wrong = await connect(server.url, {
      credentials: { ...CREDENTIALS, secretAccessKey: "nope" },
      fetch: tlsFetch,
      maxAttempts: 1,
    });
    await assert.rejects(wrong.get("secure"), {
      code: "INVALID_ARGUMENT",
      type: "InvalidSignatureException",
    });
    (client as { close?: () => void } | undefined)?.close?.();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
