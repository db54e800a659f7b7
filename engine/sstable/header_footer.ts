/**
 * The two fixed-size ends of an SST file. See `docs/format/sstable.md` ("Header", "Footer").
 *
 * ```
 * header := "SSTM" version:u16 flags:u16 crc32c(previous 8 bytes):u32            (12 bytes)
 * footer := index:handle bloom:handle properties:handle version:u16 reserved:u16
 *           "SSTM" crc32c(previous 44 bytes):u32                                  (48 bytes)
 * handle := offset:u64 length:u32     (length includes the block's 4-byte checksum)
 * ```
 *
 * @module
 */
import { crc32c } from "../codec/crc32c.ts";
import { FOOTER_SIZE, FORMAT_VERSION, HEADER_SIZE, KNOWN_FLAGS, MAGIC } from "./format.ts";
import { headerInvalid, notSupported } from "./_errors.ts";
import { ByteCursor, getU32, putU32, putU64 } from "./_varint.ts";

/**
 * Where a block lies in the file; `length` includes its trailing checksum.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BlockHandle } from "./header_footer.ts";
 * const first: BlockHandle = { offset: 12, length: 30 };
 * assert.equal(first.offset + first.length, 42);
 * ```
 */
export interface BlockHandle {
  /** The offset of the block's first byte. */
  offset: number;
  /** The block's length in bytes, checksum included. */
  length: number;
}

/**
 * The footer's contents: where the index, bloom and properties blocks lie.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Footer } from "./header_footer.ts";
 * const footer: Footer = {
 *   index: { offset: 42, length: 12 },
 *   bloom: { offset: 54, length: 13 },
 *   properties: { offset: 67, length: 77 },
 * };
 * assert.equal(footer.bloom.offset, footer.index.offset + footer.index.length);
 * ```
 */
export interface Footer {
  /** The index block. */
  index: BlockHandle;
  /** The bloom block. */
  bloom: BlockHandle;
  /** The properties block. */
  properties: BlockHandle;
}

function hasMagic(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < 4; i++) if (bytes[at + i] !== MAGIC[i]) return false;
  return true;
}

/**
 * Encodes the header of a version-{@linkcode FORMAT_VERSION} file.
 *
 * @param flags Header flags. @default 0
 * @returns The 12 header bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeHeader } from "./header_footer.ts";
 * assert.deepEqual([...encodeHeader().subarray(0, 8)], [0x53, 0x53, 0x54, 0x4d, 2, 0, 0, 0]);
 * ```
 */
export function encodeHeader(flags = 0): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  out.set(MAGIC, 0);
  out[4] = FORMAT_VERSION;
  out[5] = FORMAT_VERSION >>> 8;
  out[6] = flags;
  out[7] = flags >>> 8;
  putU32(out, 8, crc32c(out, 0, 8));
  return out;
}

/**
 * Checks a header and returns its version.
 *
 * @param bytes At least the 12 header bytes.
 * @param path The file's path, for errors.
 * @returns The format version.
 * @throws {KstoneError} `CORRUPTION` (`SST file header invalid`) on a short read, bad magic or
 * bad checksum; `NOT_SUPPORTED` for another version or unknown flags.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeHeader, encodeHeader } from "./header_footer.ts";
 * assert.equal(decodeHeader(encodeHeader(), "/d/001-1.sst"), 2);
 * assert.throws(() => decodeHeader(new Uint8Array(12), "/d/001-1.sst"), { code: "CORRUPTION" });
 * ```
 */
export function decodeHeader(bytes: Uint8Array, path: string): number {
  if (bytes.length < HEADER_SIZE || !hasMagic(bytes, 0)) throw headerInvalid(path);
  if (getU32(bytes, 8) !== crc32c(bytes, 0, 8)) throw headerInvalid(path);
  const version = bytes[4]! | (bytes[5]! << 8);
  const flags = bytes[6]! | (bytes[7]! << 8);
  if (version === 0) throw headerInvalid(path);
  if (version > FORMAT_VERSION) {
    throw notSupported(
      path,
      `format version ${version} is newer than supported version ${FORMAT_VERSION}`,
    );
  }
  if (version < FORMAT_VERSION) {
    throw notSupported(
      path,
      `format version ${version} is older than supported version ${FORMAT_VERSION}`,
    );
  }
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    throw notSupported(path, `unknown header flags 0x${flags.toString(16).padStart(4, "0")}`);
  }
  return version;
}

/**
 * Encodes a footer.
 *
 * @param footer The three block handles.
 * @returns The 48 footer bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeFooter, encodeFooter } from "./header_footer.ts";
 * const footer = {
 *   index: { offset: 12, length: 10 },
 *   bloom: { offset: 22, length: 5 },
 *   properties: { offset: 27, length: 73 },
 * };
 * const bytes = encodeFooter(footer);
 * assert.deepEqual(decodeFooter(bytes, "/d/001-1.sst", 100 + 48, 2), footer);
 * ```
 */
export function encodeFooter(footer: Footer): Uint8Array {
  const out = new Uint8Array(FOOTER_SIZE);
  let pos = 0;
  for (const handle of [footer.index, footer.bloom, footer.properties]) {
    putU64(out, pos, handle.offset);
    putU32(out, pos + 8, handle.length);
    pos += 12;
  }
  out[36] = FORMAT_VERSION;
  out[37] = FORMAT_VERSION >>> 8;
  out.set(MAGIC, 40);
  putU32(out, 44, crc32c(out, 0, 44));
  return out;
}

/**
 * Checks a footer against the file it ends: magic, checksum, version, and handles that tile
 * the file as `header | data blocks | index | bloom | properties | footer`.
 *
 * @param bytes The 48 footer bytes.
 * @param path The file's path, for errors.
 * @param fileSize The file's size.
 * @param version The version the header announced.
 * @returns The handles.
 * @throws {KstoneError} `CORRUPTION` (`SST file header invalid`) when any check fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeFooter, encodeFooter } from "./header_footer.ts";
 * const bytes = encodeFooter({
 *   index: { offset: 12, length: 5 },
 *   bloom: { offset: 17, length: 5 },
 *   properties: { offset: 22, length: 70 },
 * });
 * assert.throws(() => decodeFooter(bytes, "/d/003-4.sst", 1000, 1), {
 *   message: "Corruption detected: SST file header invalid: 003-4.sst",
 * });
 * ```
 */
export function decodeFooter(
  bytes: Uint8Array,
  path: string,
  fileSize: number,
  version: number,
): Footer {
  if (bytes.length !== FOOTER_SIZE || !hasMagic(bytes, 40)) throw headerInvalid(path);
  if (getU32(bytes, 44) !== crc32c(bytes, 0, 44)) throw headerInvalid(path);
  try {
    const cursor = new ByteCursor(bytes);
    const handle = (): BlockHandle => ({ offset: cursor.u64(), length: cursor.u32() });
    const footer: Footer = { index: handle(), bloom: handle(), properties: handle() };
    if (cursor.u16() !== version || cursor.u16() !== 0) throw headerInvalid(path);
    const { index, bloom, properties } = footer;
    const tiled = index.offset >= HEADER_SIZE &&
      index.offset + index.length === bloom.offset &&
      bloom.offset + bloom.length === properties.offset &&
      properties.offset + properties.length === fileSize - FOOTER_SIZE &&
      index.length >= 4 && bloom.length >= 4 && properties.length >= 4;
    if (!tiled) throw headerInvalid(path);
    return footer;
  } catch (error) {
    if (error instanceof RangeError) throw headerInvalid(path);
    throw error;
  }
}
