/**
 * The constants of `wal.log`, shared by the writer and the reader. See docs/format/wal.md for
 * the grammar, the byte tables and what a reader does with a torn or corrupt tail.
 *
 * On-disk values: never change them within a format version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WAL_HEADER_SIZE, WAL_MAGIC, WAL_RECORD_HEADER_SIZE } from "./format.ts";
 * assert.equal(new TextDecoder().decode(WAL_MAGIC), "KSWL");
 * assert.equal(WAL_HEADER_SIZE + WAL_RECORD_HEADER_SIZE, 48);
 * ```
 *
 * @module
 */

/**
 * The magic at the start of `wal.log`: the ASCII bytes `KSWL` (`4b 53 57 4c`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WAL_MAGIC } from "./format.ts";
 * assert.deepEqual([...WAL_MAGIC], [0x4b, 0x53, 0x57, 0x4c]);
 * ```
 */
export const WAL_MAGIC: Uint8Array = new Uint8Array([0x4b, 0x53, 0x57, 0x4c]);

/**
 * The format version this code writes, and the newest it reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WAL_VERSION } from "./format.ts";
 * assert.equal(WAL_VERSION, 1);
 * ```
 */
export const WAL_VERSION = 1;

/**
 * The size of the file header:
 * `magic[4] | u32 version | u64 base_lsn | u32 flags | u32 crc32c(bytes 0..20)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WAL_HEADER_SIZE } from "./format.ts";
 * assert.equal(WAL_HEADER_SIZE, 4 + 4 + 8 + 4 + 4);
 * ```
 */
export const WAL_HEADER_SIZE = 24;

/**
 * The size of a record header:
 * `u32 crc32c | u32 length | u64 lsn | u32 skipped | u32 unsynced`, then `length` payload bytes.
 * The CRC covers everything after itself up to the end of the payload.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WAL_RECORD_HEADER_SIZE } from "./format.ts";
 * assert.equal(WAL_RECORD_HEADER_SIZE, 4 + 4 + 8 + 4 + 4);
 * ```
 */
export const WAL_RECORD_HEADER_SIZE = 24;

/**
 * The largest payload a record may hold (64 MiB); a longer length field is damage.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WAL_MAX_PAYLOAD } from "./format.ts";
 * assert.equal(WAL_MAX_PAYLOAD, 2 ** 26);
 * ```
 */
export const WAL_MAX_PAYLOAD: number = 64 * 1024 * 1024;

/**
 * The largest LSN: every LSN is a safe integer, below `2^53`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WAL_MAX_LSN } from "./format.ts";
 * assert.equal(WAL_MAX_LSN, 2 ** 53 - 1);
 * ```
 */
export const WAL_MAX_LSN: number = Number.MAX_SAFE_INTEGER;

/**
 * The value of a record's `unsynced` field that makes no claim about which earlier bytes were
 * synced (written when the distance does not fit in a u32).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WAL_UNSYNCED_UNKNOWN } from "./format.ts";
 * assert.equal(WAL_UNSYNCED_UNKNOWN, 2 ** 32 - 1);
 * ```
 */
export const WAL_UNSYNCED_UNKNOWN = 0xffffffff;

/**
 * The largest value of a record's `skipped` field, the LSNs left out before it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WAL_MAX_SKIPPED } from "./format.ts";
 * assert.equal(WAL_MAX_SKIPPED, 2 ** 32 - 1);
 * ```
 */
export const WAL_MAX_SKIPPED = 0xffffffff;
