/**
 * The `kstone` command. Run `kstone --help` for the list of commands.
 *
 * Errors go to stderr as `Error: <message>` with exit code 1 (2 for usage errors).
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { Database } from "../mod.ts";
import { parseItem, toJson } from "./json.ts";
import { serveCommand } from "./serve.ts";
import config from "../deno.json" with { type: "json" };

const HELP = `kstone ${config.version}: an embedded, DynamoDB-style database

Usage:
  kstone create <path>                      create a database directory
  kstone put <path> <pk> [item-json] [--sk <sk>]
                                            store an item in the default table
  kstone get <path> <pk> [--sk <sk>]        print an item as JSON
  kstone delete <path> <pk> [--sk <sk>]     delete an item
  kstone stats <path>                       print counters and sizes as JSON
  kstone health <path>                      print healthy, degraded or unhealthy
  kstone flush <path>                       flush memtables to SST files
  kstone compact <path>                     compact every stripe with 2+ SSTs
  kstone serve --db-path <path> [--port 50051]
                                            serve it over DynamoDB's JSON protocol
                                            (kstone serve --help for its options)

  kstone --db-path <path> --command <cmd>   the troubleshooting chapter's form

Options:
  --sk <sk>        the sort key
  -h, --help       show this help
  -V, --version    show the version
`;

class UsageError extends Error {}

/**
 * Runs the CLI.
 *
 * @param argv The arguments after the program name.
 * @param out Where results go.
 * @returns The exit code.
 */
export async function main(
  argv: string[],
  out: (text: string) => void = console.log,
): Promise<number> {
  if (argv[0] === "serve") return await serveCommand(argv.slice(1), out);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      sk: { type: "string" },
      "db-path": { type: "string" },
      command: { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "V" },
    },
  });
  if (values.help) {
    out(HELP);
    return 0;
  }
  if (values.version) {
    out(`kstone ${config.version}`);
    return 0;
  }
  let [command, path, ...rest] = positionals;
  if (values["db-path"] !== undefined) {
    path = values["db-path"];
    command = values.command ?? command;
    rest = positionals.slice(values.command === undefined ? 1 : 0);
  }
  if (command === undefined) throw new UsageError("missing command; see kstone --help");
  if (path === undefined) {
    throw new UsageError(`missing database path; usage: kstone ${command} <path>`);
  }
  if (command === "create") {
    const db = await Database.create(path);
    await db.close();
    out(`Created database at ${path}`);
    return 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) throw new UsageError(`unknown command: ${command}; see kstone --help`);
  const db = await Database.open(path);
  try {
    return await run(db, rest, values.sk, out);
  } finally {
    await db.close();
  }
}

type Command = (
  db: Database,
  args: string[],
  sk: string | undefined,
  out: (text: string) => void,
) => Promise<number>;

function keyOf(args: string[], sk: string | undefined): { pk: string; sk?: string } {
  const pk = args[0];
  if (pk === undefined) throw new UsageError("missing partition key");
  return sk === undefined ? { pk } : { pk, sk };
}

const COMMANDS: Record<string, Command> = {
  async put(db, args, sk, out) {
    const key = keyOf(args, sk);
    await db.put(key, args[1] === undefined ? {} : parseItem(args[1]));
    out("OK");
    return 0;
  },
  async get(db, args, sk, out) {
    const key = keyOf(args, sk);
    const item = await db.get(key);
    if (item === undefined) {
      process.stderr.write(`Item not found: ${toJson(key).replace(/\s+/g, " ")}\n`);
      return 1;
    }
    out(toJson(item));
    return 0;
  },
  async delete(db, args, sk, out) {
    await db.delete(keyOf(args, sk));
    out("OK");
    return 0;
  },
  async stats(db, _args, _sk, out) {
    out(toJson(await db.stats()));
    return 0;
  },
  // deno-lint-ignore require-await
  async health(db, _args, _sk, out) {
    const report = db.health();
    out(toJson(report));
    return report.status === "unhealthy" ? 1 : 0;
  },
  async flush(db, _args, _sk, out) {
    await db.flush();
    out("OK");
    return 0;
  },
  async compact(db, _args, _sk, out) {
    await db.compact();
    out("OK");
    return 0;
  },
};

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof UsageError ||
        (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
      ? 2
      : 1;
  }
}
