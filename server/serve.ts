/**
 * `kstone serve`: runs the handler under `Deno.serve` or `Bun.serve` on the protocol port
 * (default 127.0.0.1:50051) and the metrics port (default 9090, `/metrics`, `/health`,
 * `/ready`), with TLS when given a certificate, log files reopened on SIGHUP, and a graceful
 * shutdown on SIGINT/SIGTERM: stop accepting, finish requests in flight, flush, release the
 * lock. The only file of `server/` that touches the runtime.
 *
 * @module
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { access, statfs } from "node:fs/promises";
import process from "node:process";
import { Database, type DatabaseOptions } from "../engine/db/database.ts";
import { KstoneError } from "../engine/errors.ts";
import { createHandler, type HandlerOptions, type KstoneHandler } from "./handler.ts";
import { Logger, type LogSink } from "./logger.ts";

/** Options of {@linkcode serve}. */
export interface ServeOptions extends Omit<HandlerOptions, "db" | "probes"> {
  /** The database directory, opened or created when missing. Required unless `db` is given. */
  dbPath?: string;
  /** An open database to serve instead (tests); it is closed on shutdown all the same. */
  db?: Database;
  /** Options for opening `dbPath`. @default {} */
  databaseOptions?: DatabaseOptions;
  /** The address to bind. @default "127.0.0.1" */
  host?: string;
  /** The protocol port; 0 picks a free one. @default 50051 */
  port?: number;
  /** The metrics port; 0 picks a free one, `false` serves none. @default 9090 */
  metricsPort?: number | false;
  /** PEM certificate and key: serve HTTPS. @default plain HTTP */
  tls?: { readonly cert: string; readonly key: string };
  /** Shut down on SIGINT/SIGTERM, reopen the log on SIGHUP. @default false */
  handleSignals?: boolean;
  /** Called on SIGHUP (the CLI reopens its log file). @default none */
  onHangup?: () => void;
  /** How long shutdown waits for requests in flight. @default 30_000 */
  shutdownTimeoutMs?: number;
}

/** A running server. */
export interface KstoneServer {
  /** The protocol URL, e.g. `http://127.0.0.1:50051`. */
  readonly url: string;
  /** The protocol port. */
  readonly port: number;
  /** The metrics URL, when a metrics port is served. */
  readonly metricsUrl: string | undefined;
  /** The handler (metrics, health). */
  readonly handler: KstoneHandler;
  /** The database served. */
  readonly db: Database;
  /** Stops gracefully; resolves when the database is closed. Calling it again is a no-op. */
  shutdown(): Promise<void>;
  /** Resolves when the server has shut down. */
  readonly finished: Promise<void>;
}

interface Listener {
  readonly port: number;
  stop(): Promise<void>;
}

type Fetch = (request: Request, remoteAddr: string | undefined) => Response | Promise<Response>;

interface BunServer {
  readonly port: number;
  stop(force?: boolean): Promise<void>;
  requestIP(request: Request): { address: string; port: number } | null;
}
interface BunLike {
  serve(options: Record<string, unknown>): BunServer;
}

function listen(host: string, port: number, tls: ServeOptions["tls"], fetch: Fetch): Listener {
  const global = globalThis as unknown as { Deno?: typeof Deno; Bun?: BunLike };
  try {
    if (global.Deno?.serve !== undefined) {
      const server = global.Deno.serve({
        hostname: host,
        port,
        ...(tls === undefined ? {} : { cert: tls.cert, key: tls.key }),
        onListen: () => {},
      }, (request, info) => {
        const addr = info.remoteAddr as Deno.NetAddr;
        return fetch(request, `${addr.hostname}:${addr.port}`);
      });
      return { port: (server.addr as Deno.NetAddr).port, stop: () => server.shutdown() };
    }
    if (global.Bun !== undefined) {
      const server: BunServer = global.Bun.serve({
        hostname: host,
        port,
        ...(tls === undefined ? {} : { tls }),
        fetch(request: Request, self: BunServer) {
          const ip = self.requestIP(request);
          return fetch(request, ip === null ? undefined : `${ip.address}:${ip.port}`);
        },
      });
      return { port: server.port, stop: () => server.stop() };
    }
  } catch (error) {
    const text = String((error as { code?: string; name?: string; message?: string })?.code ?? "") +
      String((error as Error)?.name ?? "") + String((error as Error)?.message ?? "");
    if (/AddrInUse|EADDRINUSE|in use/i.test(text)) {
      throw new KstoneError(
        "IO_ERROR",
        `IO error: Address already in use (os error 98): port ${port} on ${host} is taken by another process; stop it (lsof -i :${port}) or choose another port`,
        { errno: "EADDRINUSE", cause: error },
      );
    }
    throw error;
  }
  throw new KstoneError("NOT_SUPPORTED", "kstone serve needs Deno or Bun");
}

async function openDatabase(path: string, options: DatabaseOptions): Promise<Database> {
  try {
    return await Database.open(path, options);
  } catch (error) {
    if (error instanceof KstoneError && error.code === "IO_ERROR" && error.errno === "ENOENT") {
      return await Database.create(path, options);
    }
    throw error;
  }
}

/**
 * A log sink writing to a file, reopened by `reopen()` (on SIGHUP, after logrotate moved it).
 *
 * @param path The log file, appended to.
 * @returns The sink, `reopen` and `close`.
 */
export function fileSink(path: string): { sink: LogSink; reopen(): void; close(): void } {
  let fd = openSync(path, "a");
  return {
    sink: (line) => void writeSync(fd, line + "\n"),
    reopen() {
      const next = openSync(path, "a");
      closeSync(fd);
      fd = next;
    },
    close: () => closeSync(fd),
  };
}

/** A log sink writing to stderr. */
export const stderrSink: LogSink = (line) => void process.stderr.write(line + "\n");

/**
 * Opens (or creates) the database and serves it until {@linkcode KstoneServer.shutdown} or a
 * signal.
 *
 * @param options Where and how to serve.
 * @returns The running server.
 * @throws {KstoneError} IO_ERROR `IO error: Address already in use (os error 98): port 50051 on
 *   127.0.0.1 is taken …` when a port is taken; LOCKED when another process has the database.
 */
export async function serve(options: ServeOptions): Promise<KstoneServer> {
  const log = options.logger ?? new Logger();
  const host = options.host ?? "127.0.0.1";
  const db = options.db ?? await openDatabase(requiredPath(options), options.databaseOptions ?? {});
  const dir = db.path;
  const handler = createHandler({
    ...options,
    db,
    logger: log,
    probes: {
      async diskUsage() {
        const info = await statfs(dir).catch(() => undefined);
        if (info === undefined || info.blocks === 0) return undefined;
        return 1 - Number(info.bavail) / Number(info.blocks);
      },
      async directoryProblem() {
        if (options.db !== undefined && options.dbPath === undefined) return undefined;
        return await access(dir).then(() => undefined, (error: Error) => error.message);
      },
    },
  });
  const listeners: Listener[] = [];
  try {
    listeners.push(
      listen(
        host,
        options.port ?? 50051,
        options.tls,
        (r, a) => handler.fetch(r, a === undefined ? {} : { remoteAddr: a }),
      ),
    );
    if (options.metricsPort !== false) {
      listeners.push(listen(host, options.metricsPort ?? 9090, options.tls, handler.operations));
    }
  } catch (error) {
    await Promise.all(listeners.map((l) => l.stop()));
    handler.close();
    await db.close();
    throw error;
  }
  const scheme = options.tls === undefined ? "http" : "https";
  const url = `${scheme}://${host.includes(":") ? `[${host}]` : host}:${listeners[0]!.port}`;
  const metricsUrl = listeners[1] === undefined
    ? undefined
    : `${url.replace(/:\d+$/, "")}:${listeners[1].port}`;
  log.info("kstone::server", "Listening", {
    url,
    metrics: metricsUrl === undefined ? "off" : `${metricsUrl}/metrics`,
    db_path: dir,
    auth: options.credentials === undefined ? "none" : "sigv4",
  });
  let done: () => void;
  const finished = new Promise<void>((resolve) => done = resolve);
  let stopping: Promise<void> | undefined;
  const signals = {
    SIGINT: () => void shutdown(),
    SIGTERM: () => void shutdown(),
    SIGHUP: () => options.onHangup?.(),
  };
  if (options.handleSignals) {
    for (const [name, fn] of Object.entries(signals)) process.on(name, fn);
  }
  function shutdown(): Promise<void> {
    stopping ??= (async () => {
      log.info("kstone::server", "Shutting down gracefully...", { in_flight: handler.inFlight });
      handler.drain();
      const timeout = options.shutdownTimeoutMs ?? 30_000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => timer = setTimeout(resolve, timeout));
      // Finish what is in flight before stopping the listeners: Deno's shutdown() cuts off
      // request bodies still arriving. New requests meanwhile get a 503.
      await Promise.race([handler.idle(), late]);
      await Promise.race([Promise.all(listeners.map((l) => l.stop())), late]);
      clearTimeout(timer);
      if (handler.inFlight > 0) {
        log.warn("kstone::server", "Shutdown timeout reached with requests in flight", {
          in_flight: handler.inFlight,
        });
      }
      try {
        await db.close();
      } catch (error) {
        log.error("kstone::server", "Closing the database failed", {
          message: (error as Error).message,
        });
      }
      handler.close();
      if (options.handleSignals) {
        for (const [name, fn] of Object.entries(signals)) process.off(name, fn);
      }
      log.info("kstone::server", "Shutdown complete");
      done();
    })();
    return stopping;
  }
  return { url, port: listeners[0]!.port, metricsUrl, handler, db, shutdown, finished };
}

function requiredPath(options: ServeOptions): string {
  if (options.dbPath === undefined) {
    throw new KstoneError("INVALID_ARGUMENT", "serve needs dbPath or db");
  }
  return options.dbPath;
}
