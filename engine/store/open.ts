/**
 * Creating and opening a database directory: the lock, the MANIFEST, the SSTs it lists, and the
 * replay of the WAL past each stripe's flushed LSN. See docs/format/directory.md.
 *
 * @module
 */
import { corruption, KstoneError } from "../errors.ts";
import {
  LOCK_FILE,
  MANIFEST_FILE,
  parseSstFileName,
  sstFileName,
  TEMP_SUFFIX,
  WAL_FILE,
} from "../filename.ts";
import { type FileSystem, joinPath } from "../fs/file_system.ts";
import {
  emptyManifest,
  type ManifestState,
  type ManifestTable,
  readManifest,
  STRIPES,
  writeManifest,
} from "../manifest/manifest.ts";
import { BlockCache } from "../sstable/block_cache.ts";
import { TableReader } from "../sstable/table_reader.ts";
import { WalReader } from "../wal/reader.ts";
import { WalWriter } from "../wal/writer.ts";
import { forEachMutation } from "./batch_codec.ts";
import { bytesToLatin1 } from "../codec/bytes.ts";
import { resolveStoreOptions, type StoreOptions } from "./options.ts";
import { Store } from "./store.ts";
import { Stripe } from "./stripe.ts";

/** SST files opened at once while a database opens. */
const OPEN_PARALLELISM = 16;

/**
 * Creates a new, empty database directory (and its missing parents) and opens it.
 *
 * @param fs The filesystem.
 * @param dir The database directory, e.g. `mydb.keystone`.
 * @param options Tuning.
 * @returns The open store.
 * @throws {KstoneError} ALREADY_EXISTS `Database already exists at <dir>` when it holds a
 *   database; IO_ERROR when the directory cannot be made.
 */
export async function createStore(
  fs: FileSystem,
  dir: string,
  options: StoreOptions = {},
): Promise<Store> {
  const resolved = resolveStoreOptions(options);
  await makeDurableDir(fs, dir);
  if (await exists(fs, joinPath(dir, WAL_FILE)) || await exists(fs, joinPath(dir, MANIFEST_FILE))) {
    throw new KstoneError("ALREADY_EXISTS", `Database already exists at ${dir}`, { path: dir });
  }
  const lock = await fs.lock(joinPath(dir, LOCK_FILE));
  try {
    const manifest = emptyManifest();
    await writeManifest(fs, dir, manifest);
    const wal = await WalWriter.create(fs, joinPath(dir, WAL_FILE), walOptions(resolved, 1));
    return new Store({
      fs,
      dir,
      options: resolved,
      lock,
      wal,
      manifest,
      stripes: Array.from({ length: STRIPES }, () => new Stripe()),
      cache: new BlockCache(resolved.blockCacheBytes),
      lastLsn: 0,
      warnings: [],
    });
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * Opens an existing database directory and recovers it: SSTs listed in the MANIFEST are opened
 * (a listed file that is missing is dropped with a warning, as after an operator removed a
 * corrupted SST), unlisted SST and temp files are deleted, and the WAL is replayed. A torn last
 * WAL record is dropped; damage before it fails the open. A missing `wal.log` next to a
 * MANIFEST starts an empty log (the operator removed it, losing unflushed writes).
 *
 * @param fs The filesystem.
 * @param dir The database directory.
 * @param options Tuning.
 * @returns The open store.
 * @throws {KstoneError} IO_ERROR `IO error: No such file or directory (os error 2)` when there
 *   is no database; CORRUPTION naming the damaged file; LOCKED when another process has it open.
 */
export async function openStore(
  fs: FileSystem,
  dir: string,
  options: StoreOptions = {},
): Promise<Store> {
  const resolved = resolveStoreOptions(options);
  await fs.stat(dir);
  const walPath = joinPath(dir, WAL_FILE);
  const hasManifest = await exists(fs, joinPath(dir, MANIFEST_FILE));
  const hasWal = await exists(fs, walPath);
  if (!hasManifest && !hasWal) await fs.stat(walPath);
  const lock = await fs.lock(joinPath(dir, LOCK_FILE));
  const opened: TableReader[] = [];
  try {
    const warnings: string[] = [];
    const manifest = hasManifest ? await readManifest(fs, dir) : emptyManifest();
    const cache = new BlockCache(resolved.blockCacheBytes);
    const stripes = Array.from({ length: STRIPES }, () => new Stripe());
    const names = new Set(await fs.list(dir));
    if (!hasManifest && [...names].some((name) => parseSstFileName(name) !== undefined)) {
      // The engine never leaves SSTs without a MANIFEST: someone removed it. Opening would
      // delete every SST as unlisted.
      const path = joinPath(dir, MANIFEST_FILE);
      throw corruption(`MANIFEST is missing but SST files remain: ${path}`, path);
    }
    let changed = !hasManifest;
    const toOpen: { index: number; table: ManifestTable }[] = [];
    for (let index = 0; index < STRIPES; index++) {
      const listed = manifest.tables[index]!;
      const present = listed.filter((table) => {
        if (names.has(sstFileName(index, table.id))) return true;
        warnings.push(
          `SST file ${
            sstFileName(index, table.id)
          } listed in MANIFEST is missing; its data is lost`,
        );
        return false;
      });
      if (present.length !== listed.length) {
        manifest.tables[index] = present;
        changed = true;
      }
      for (const table of present) toOpen.push({ index, table });
    }
    // Open SSTs several at a time so their reads overlap; keep each stripe's newest-first order.
    for (let at = 0; at < toOpen.length; at += OPEN_PARALLELISM) {
      const batch = toOpen.slice(at, at + OPEN_PARALLELISM);
      // allSettled: when one open fails, every reader opened meanwhile is closed below.
      const results = await Promise.allSettled(
        batch.map(({ index, table }) =>
          TableReader.open(fs, joinPath(dir, sstFileName(index, table.id)), {
            cache,
            fileId: table.id,
          })
        ),
      );
      for (const result of results) if (result.status === "fulfilled") opened.push(result.value);
      const failed = results.find((result) => result.status === "rejected");
      if (failed !== undefined) throw failed.reason;
      batch.forEach(({ index, table }, i) => {
        const reader = (results[i] as PromiseFulfilledResult<TableReader>).value;
        stripes[index]!.tables.push({ id: table.id, size: table.size, reader });
      });
    }
    await removeUnlisted(fs, dir, names, manifest);
    let lastLsn = manifest.lastLsn;
    let wal: WalWriter;
    if (hasWal) {
      // Records are applied as they are read: the log is never held whole, and a mutation
      // makes no object but its key and value views (memtables copy what they keep).
      const reader = await WalReader.open(fs, walPath);
      let lsn = 0;
      const replay = (stripe: number, key: Uint8Array, value: Uint8Array | null) => {
        if (lsn > manifest.flushedLsn[stripe]!) {
          stripes[stripe]!.memtable.put(bytesToLatin1(key), lsn, value);
        }
      };
      try {
        for (let record = reader.next(); record !== undefined; record = reader.next()) {
          lsn = record.lsn;
          forEachMutation(record.payload, lsn, replay);
          if (lsn > lastLsn) lastLsn = lsn;
        }
      } finally {
        reader.close();
      }
      // A rewritten log without records starts past LSNs that may be in no SST (a commit of no
      // mutations): appending must resume after them.
      lastLsn = Math.max(lastLsn, reader.nextLsn - 1);
      if (reader.tornBytes > 0) {
        warnings.push(`Dropped a torn WAL tail of ${reader.tornBytes} bytes`);
      }
      wal = await WalWriter.openForAppend(fs, walPath, {
        ...walOptions(resolved, lastLsn + 1),
        validSize: reader.position,
        reader,
      });
    } else {
      warnings.push(`${WAL_FILE} was missing; started an empty log`);
      wal = await WalWriter.create(fs, walPath, walOptions(resolved, lastLsn + 1));
    }
    if (changed) await writeManifest(fs, dir, manifest);
    return new Store({
      fs,
      dir,
      options: resolved,
      lock,
      wal,
      manifest,
      stripes,
      cache,
      lastLsn,
      warnings,
    });
  } catch (error) {
    for (const reader of opened) reader.close();
    await lock.release();
    throw error;
  }
}

function walOptions(options: ReturnType<typeof resolveStoreOptions>, nextLsn: number) {
  return { nextLsn, syncMode: options.durability, syncIntervalMs: options.syncIntervalMs };
}

function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return ".";
  return slash === 0 ? "/" : trimmed.slice(0, slash);
}

/**
 * Makes `dir` and its missing parents, and syncs the folder above each one made, so that a power
 * cut after `createStore` returns cannot lose the database's directory (or a parent of it).
 */
async function makeDurableDir(fs: FileSystem, dir: string): Promise<void> {
  const missing: string[] = [];
  for (let path = dir; !(await exists(fs, path));) {
    missing.push(path);
    const parent = parentOf(path);
    if (parent === path) break;
    path = parent;
  }
  await fs.mkdir(dir, { recursive: true });
  for (const path of missing.reverse()) await fs.syncDir(parentOf(path));
  if (missing.length === 0) await fs.syncDir(parentOf(dir));
}

async function exists(fs: FileSystem, path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch (error) {
    if (error instanceof KstoneError && error.errno === "ENOENT") return false;
    throw error;
  }
}

/** Deletes SSTs the manifest does not list (left by a crash mid-flush) and temp files. */
async function removeUnlisted(
  fs: FileSystem,
  dir: string,
  names: Set<string>,
  manifest: ManifestState,
) {
  const live = new Set<string>();
  manifest.tables.forEach((list, index) =>
    list.forEach((table) => live.add(sstFileName(index, table.id)))
  );
  let removed = false;
  for (const name of names) {
    const sst = parseSstFileName(name);
    if ((sst !== undefined && !live.has(name)) || name.endsWith(TEMP_SUFFIX)) {
      await fs.remove(joinPath(dir, name));
      removed = true;
    }
  }
  if (removed) await fs.syncDir(dir);
}
