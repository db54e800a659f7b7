/**
 * The child of `process_kill_test.ts`: opens (or creates) a database on the real disk with the
 * runtime's default filesystem and writes to it from eight concurrent writers until it is
 * killed, printing `<key> <version>` on stdout once each write is acknowledged.
 *
 * Usage: `<runtime> _kill_child.ts <db dir> create|open <first version>`
 *
 * @module
 */
import process from "node:process";
import { Database } from "../../../engine/db/database.ts";

const [dir, mode, first] = process.argv.slice(2);
if (dir === undefined || (mode !== "create" && mode !== "open") || first === undefined) {
  throw new RangeError("Cannot run: usage is _kill_child.ts <dir> create|open <first version>");
}
const options = {
  memtableBudgetBytes: 64 * 1024,
  maxWalBytes: 64 * 1024,
  maxStripeRecords: 40,
  sstThreshold: 2,
};
const db = mode === "create"
  ? await Database.create(dir, options)
  : await Database.open(dir, options);
let next = Number(first);

async function writer(): Promise<never> {
  while (true) {
    const version = next++;
    const key = `key#${version % 300}`;
    await db.put(key, { version, pad: "x".repeat(version % 700) });
    process.stdout.write(`${key} ${version}\n`);
  }
}

await Promise.all(Array.from({ length: 8 }, writer));
