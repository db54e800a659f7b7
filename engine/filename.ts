/**
 * The names of the files in a database directory, one function per kind of file, as
 * `docs/format/directory.md` lists them.
 *
 * @module
 */

/** The write-ahead log. */
export const WAL_FILE = "wal.log";
/** The list of live SST files and per-stripe flush positions. */
export const MANIFEST_FILE = "MANIFEST";
/** The lock file holding the pid of the process that has the database open. */
export const LOCK_FILE = "LOCK";
/** The suffix of a file being written before it is renamed into place. */
export const TEMP_SUFFIX = ".tmp";

const SST_NAME = /^(\d{3})-(\d+)\.sst$/;

/**
 * The name of an SST file: `{stripe:03}-{id}.sst`.
 *
 * @param stripe The stripe, 0..255.
 * @param id The file id, unique in the database.
 * @returns The file name, e.g. `042-5.sst`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sstFileName } from "./filename.ts";
 * assert.equal(sstFileName(42, 5), "042-5.sst");
 * ```
 */
export function sstFileName(stripe: number, id: number): string {
  return `${String(stripe).padStart(3, "0")}-${id}.sst`;
}

/**
 * Reads the stripe and id back from an SST file name.
 *
 * @param name A file name.
 * @returns The stripe and id, or `undefined` when the name is not an SST's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSstFileName } from "./filename.ts";
 * assert.deepEqual(parseSstFileName("042-5.sst"), { stripe: 42, id: 5 });
 * assert.equal(parseSstFileName("wal.log"), undefined);
 * ```
 */
export function parseSstFileName(name: string): { stripe: number; id: number } | undefined {
  const match = SST_NAME.exec(name);
  if (!match) return undefined;
  const stripe = Number(match[1]);
  if (stripe > 255) return undefined;
  return { stripe, id: Number(match[2]) };
}
