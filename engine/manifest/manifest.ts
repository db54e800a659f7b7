/**
 * The MANIFEST: which SST files are live, in which order, and up to which LSN each stripe's
 * writes are safely in them. It is replaced atomically (temp file, fsync, rename, directory
 * fsync); files it does not list are not part of the database. See docs/format/manifest.md.
 *
 * @module
 */
import { crc32c } from "../codec/crc32c.ts";
import { corruption, KstoneError } from "../errors.ts";
import { MANIFEST_FILE, TEMP_SUFFIX } from "../filename.ts";
import { type FileSystem, joinPath } from "../fs/file_system.ts";

/** The manifest magic, `KSMF`. */
export const MANIFEST_MAGIC = 0x4b534d46;
/** The manifest format version this code writes and reads. On-disk: bump on any change. */
export const MANIFEST_VERSION = 1;
/** The number of stripes. */
export const STRIPES = 256;
const HEADER_SIZE = 16;

/** One live SST file. */
export interface ManifestTable {
  /** The file id, the `{id}` of `{stripe:03}-{id}.sst`. */
  readonly id: number;
  /** The file size in bytes. */
  readonly size: number;
}

/** The decoded manifest. */
export interface ManifestState {
  /** The largest LSN any SST holds; the WAL continues after it. */
  lastLsn: number;
  /** The id the next SST file gets. */
  nextFileId: number;
  /** Per stripe: every WAL record up to this LSN is in that stripe's SSTs. */
  flushedLsn: number[];
  /** Per stripe: live SST files, newest first. */
  tables: ManifestTable[][];
}

/**
 * The manifest of a new, empty database.
 *
 * @returns A state with no tables.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyManifest } from "./manifest.ts";
 * assert.equal(emptyManifest().tables.length, 256);
 * ```
 */
export function emptyManifest(): ManifestState {
  return {
    lastLsn: 0,
    nextFileId: 1,
    flushedLsn: new Array<number>(STRIPES).fill(0),
    tables: Array.from({ length: STRIPES }, () => []),
  };
}

/**
 * Encodes a manifest.
 *
 * @param state The manifest.
 * @returns Its bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeManifest, emptyManifest, encodeManifest } from "./manifest.ts";
 * const state = emptyManifest();
 * state.tables[42]!.push({ id: 5, size: 4096 });
 * assert.deepEqual(decodeManifest(encodeManifest(state), "MANIFEST"), state);
 * ```
 */
export function encodeManifest(state: ManifestState): Uint8Array {
  let count = 0;
  for (const list of state.tables) count += list.length;
  const bodySize = 8 + 4 + STRIPES * 8 + 4 + count * (2 + 4 + 8);
  const bytes = new Uint8Array(HEADER_SIZE + bodySize);
  const view = new DataView(bytes.buffer);
  let at = HEADER_SIZE;
  const u64 = (value: number) => {
    view.setUint32(at, Math.floor(value / 0x100000000), true);
    view.setUint32(at + 4, value >>> 0, true);
    at += 8;
  };
  u64(state.lastLsn);
  view.setUint32(at, state.nextFileId, true);
  at += 4;
  for (let stripe = 0; stripe < STRIPES; stripe++) u64(state.flushedLsn[stripe] ?? 0);
  view.setUint32(at, count, true);
  at += 4;
  state.tables.forEach((list, stripe) => {
    for (const table of list) {
      view.setUint16(at, stripe, true);
      view.setUint32(at + 2, table.id, true);
      at += 6;
      u64(table.size);
    }
  });
  view.setUint32(0, MANIFEST_MAGIC, false);
  view.setUint32(4, MANIFEST_VERSION, true);
  view.setUint32(8, bodySize, true);
  view.setUint32(12, crc32c(bytes, HEADER_SIZE), true);
  return bytes;
}

/**
 * Decodes a manifest, checking magic, version, length and checksum.
 *
 * @param bytes The file's bytes.
 * @param path The file, for error messages.
 * @returns The manifest.
 * @throws {KstoneError} CORRUPTION when the file is damaged, NOT_SUPPORTED when it is newer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeManifest } from "./manifest.ts";
 * assert.throws(() => decodeManifest(new Uint8Array(3), "MANIFEST"), /MANIFEST header invalid/);
 * ```
 */
export function decodeManifest(bytes: Uint8Array, path: string): ManifestState {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_SIZE || view.getUint32(0, false) !== MANIFEST_MAGIC) {
    throw corruption(`MANIFEST header invalid: ${path}`, path);
  }
  const version = view.getUint32(4, true);
  if (version > MANIFEST_VERSION) {
    throw new KstoneError(
      "NOT_SUPPORTED",
      `Cannot read ${path}: manifest format version ${version} is newer than ${MANIFEST_VERSION}`,
      { path },
    );
  }
  const bodySize = view.getUint32(8, true);
  if (
    HEADER_SIZE + bodySize !== bytes.length ||
    crc32c(bytes, HEADER_SIZE) !== view.getUint32(12, true)
  ) {
    throw corruption(`MANIFEST checksum mismatch: ${path}`, path);
  }
  let at = HEADER_SIZE;
  const u64 = () => {
    const value = view.getUint32(at, true) * 0x100000000 + view.getUint32(at + 4, true);
    at += 8;
    return value;
  };
  const state = emptyManifest();
  state.lastLsn = u64();
  state.nextFileId = view.getUint32(at, true);
  at += 4;
  for (let stripe = 0; stripe < STRIPES; stripe++) state.flushedLsn[stripe] = u64();
  const count = view.getUint32(at, true);
  at += 4;
  if (at + count * 14 !== bytes.length) {
    throw corruption(`MANIFEST checksum mismatch: ${path}`, path);
  }
  for (let i = 0; i < count; i++) {
    const stripe = view.getUint16(at, true);
    const id = view.getUint32(at + 2, true);
    at += 6;
    const size = u64();
    const list = state.tables[stripe];
    if (list === undefined) throw corruption(`MANIFEST names stripe ${stripe}: ${path}`, path);
    list.push({ id, size });
  }
  return state;
}

/**
 * Reads `MANIFEST` from a database directory.
 *
 * @param fs The filesystem.
 * @param dir The database directory.
 * @returns The manifest.
 */
export async function readManifest(fs: FileSystem, dir: string): Promise<ManifestState> {
  const path = joinPath(dir, MANIFEST_FILE);
  return decodeManifest(await fs.readFile(path), path);
}

/**
 * Replaces `MANIFEST` atomically: writes `MANIFEST.tmp`, syncs it, renames it over `MANIFEST`
 * and syncs the directory. A crash at any point leaves the old or the new manifest whole.
 *
 * @param fs The filesystem.
 * @param dir The database directory.
 * @param state The manifest to write.
 */
export async function writeManifest(
  fs: FileSystem,
  dir: string,
  state: ManifestState,
): Promise<void> {
  const path = joinPath(dir, MANIFEST_FILE);
  const temp = path + TEMP_SUFFIX;
  const file = await fs.open(temp, { create: true, truncate: true });
  try {
    file.write(encodeManifest(state), 0);
    await file.datasync();
  } finally {
    file.close();
  }
  await fs.rename(temp, path);
  await fs.syncDir(dir);
}
