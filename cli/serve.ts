/**
 * `kstone serve --db-path <dir> [options]`: the DynamoDB-compatible server. See `kstone serve
 * --help` and docs/server.md.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { parseArgs } from "node:util";
import { KstoneError } from "../engine/errors.ts";
import { Logger, type LogSink, parseLogFilter } from "../server/logger.ts";
import { fileSink, serve, stderrSink } from "../server/serve.ts";

/** The help text of `kstone serve`. */
export const SERVE_HELP = `kstone serve: serve a database over DynamoDB's JSON protocol

Usage:
  kstone serve --db-path <dir> [options]

Options:
  -d, --db-path <dir>         the database, created when missing (deno task serve: ./data.keystone)
      --host <addr>           address to bind (default 127.0.0.1; 0.0.0.0 for every interface)
  -p, --port <n>              protocol port (default 50051)
      --metrics-port <n|off>  port of /metrics, /health, /ready (default 9090)
      --log-file <path>       append logs there (reopened on SIGHUP) instead of stderr
      --log-level <level>     error|warn|info|debug|trace (default: KSTONE_LOG, RUST_LOG, info)
      --access-key <id>       require SigV4 signatures by this key (env KSTONE_ACCESS_KEY_ID)
      --secret-key <secret>   its secret (env KSTONE_SECRET_ACCESS_KEY)
      --tls-cert <file>       PEM certificate: serve HTTPS (with --tls-key)
      --tls-key <file>        PEM private key
      --region <name>         region reported in table ARNs (default us-east-1)
      --max-connections <n>   client connections before ThrottlingException (default 1000)
      --max-in-flight <n>     requests in flight before ThrottlingException (default 1024)
      --max-body-bytes <n>    largest request body (default 16777216)
      --shutdown-timeout <s>  how long shutdown waits for requests in flight (default 30)
  -h, --help                  show this help
`;

function integer(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < min) {
    throw new KstoneError(
      "INVALID_ARGUMENT",
      `Invalid --${name}: expected an integer of at least ${min}, got ${value}`,
    );
  }
  return number;
}

/**
 * Runs `kstone serve` until SIGINT or SIGTERM.
 *
 * @param argv The arguments after `serve`.
 * @param out Where the help text goes.
 * @returns The exit code.
 */
export async function serveCommand(
  argv: string[],
  out: (text: string) => void = console.log,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "db-path": { type: "string", short: "d" },
      host: { type: "string" },
      port: { type: "string", short: "p" },
      "metrics-port": { type: "string" },
      "log-file": { type: "string" },
      "log-level": { type: "string" },
      "access-key": { type: "string" },
      "secret-key": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      region: { type: "string" },
      "max-connections": { type: "string" },
      "max-in-flight": { type: "string" },
      "max-body-bytes": { type: "string" },
      "shutdown-timeout": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(SERVE_HELP);
    return 0;
  }
  const dbPath = values["db-path"];
  if (dbPath === undefined) {
    throw new KstoneError("INVALID_ARGUMENT", "kstone serve needs --db-path <dir>");
  }
  const accessKey = values["access-key"] ?? process.env.KSTONE_ACCESS_KEY_ID;
  const secretKey = values["secret-key"] ?? process.env.KSTONE_SECRET_ACCESS_KEY;
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw new KstoneError("INVALID_ARGUMENT", "--access-key and --secret-key go together");
  }
  const certFile = values["tls-cert"];
  const keyFile = values["tls-key"];
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new KstoneError("INVALID_ARGUMENT", "--tls-cert and --tls-key go together");
  }
  const logFile = values["log-file"] === undefined ? undefined : fileSink(values["log-file"]);
  const sink: LogSink = logFile?.sink ?? stderrSink;
  const level = parseLogFilter(
    values["log-level"] ?? process.env.KSTONE_LOG ?? process.env.RUST_LOG,
  );
  const logger = new Logger({ level, sink });
  const metrics = values["metrics-port"];
  const limits: { maxConnections?: number; maxInFlight?: number; maxBodyBytes?: number } = {};
  const maxConnections = integer(values["max-connections"], "max-connections", 1);
  if (maxConnections !== undefined) limits.maxConnections = maxConnections;
  const maxInFlight = integer(values["max-in-flight"], "max-in-flight", 1);
  if (maxInFlight !== undefined) limits.maxInFlight = maxInFlight;
  const maxBody = integer(values["max-body-bytes"], "max-body-bytes", 1024);
  if (maxBody !== undefined) limits.maxBodyBytes = maxBody;
  try {
    const server = await serve({
      dbPath,
      host: values.host ?? "127.0.0.1",
      port: integer(values.port, "port", 0) ?? 50051,
      metricsPort: metrics === "off" ? false : integer(metrics, "metrics-port", 0) ?? 9090,
      logger,
      limits,
      region: values.region ?? "us-east-1",
      handleSignals: true,
      shutdownTimeoutMs: (integer(values["shutdown-timeout"], "shutdown-timeout", 0) ?? 30) * 1000,
      onHangup() {
        logFile?.reopen();
        logger.info("kstone::server", "Log file reopened (SIGHUP)");
      },
      ...(accessKey === undefined
        ? {}
        : { credentials: [{ accessKeyId: accessKey, secretAccessKey: secretKey! }] }),
      ...(certFile === undefined
        ? {}
        : { tls: { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile!, "utf8") } }),
    });
    await server.finished;
    return 0;
  } catch (error) {
    logger.error("kstone::server", "Server failed", { message: (error as Error).message });
    throw error;
  } finally {
    logFile?.close();
  }
}
