/**
 * Helpers shared by the WAL tests: a filesystem wrapper that counts and holds syncs, a seeded
 * random generator, and builders of log files from raw records.
 *
 * @module
 */

import process from "node:process";
import type { FileHandle, FileSystem, OpenOptions } from "../../../engine/fs/file_system.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { ForwardingFileSystem } from "../../helpers/forwarding_fs.ts";
import {
  encodeWalHeader,
  encodeWalRecord,
  type EncodeWalRecordOptions,
} from "../../../engine/wal/record.ts";

/**
 * Wraps a filesystem to count writes and datasyncs on its handles, and to hold async datasyncs
 * until released (blocking `datasyncSync` calls cannot be held; tests that hold use
 * `syncCall: "async"`).
 */
export class GatedFileSystem extends ForwardingFileSystem {
  /** datasync + datasyncSync calls on handles. */
  syncs = 0;
  /** datasyncSync calls on handles (blocking ones). */
  blockingSyncs = 0;
  /** write + append calls on handles. */
  writes = 0;
  #holding = false;
  #waiting: Array<() => void> = [];

  constructor(inner: FileSystem = new MemoryFileSystem()) {
    super(inner, "gated");
  }

  /** Makes later async datasyncs wait for {@linkcode release}. */
  hold(): void {
    this.#holding = true;
  }

  /** Lets every held datasync go on, and stops holding. */
  release(): void {
    this.#holding = false;
    for (const go of this.#waiting.splice(0)) go();
  }

  /** How many datasyncs wait. */
  get held(): number {
    return this.#waiting.length;
  }

  override async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    const inner = await this.inner.open(path, options);
    return {
      path: inner.path,
      size: () => inner.size(),
      read: (buffer, position) => inner.read(buffer, position),
      write: (data, position) => {
        this.writes++;
        inner.write(data, position);
      },
      append: (data) => {
        this.writes++;
        inner.append(data);
      },
      truncate: (size) => inner.truncate(size),
      datasync: async () => {
        this.syncs++;
        if (this.#holding) await new Promise<void>((go) => this.#waiting.push(go));
        await inner.datasync();
      },
      datasyncSync: () => {
        this.syncs++;
        this.blockingSyncs++;
        inner.datasyncSync();
      },
      close: () => inner.close(),
    };
  }
}

/** A seeded generator (mulberry32); the same seed gives the same sequence everywhere. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** The seed of a randomized test: `KSTONE_SEED` when set, else a fresh one; printed. */
export function testSeed(name: string): number {
  const fixed = process.env.KSTONE_SEED;
  const seed = fixed !== undefined ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
  console.log(`${name}: seed ${seed} (replay with KSTONE_SEED=${seed})`);
  return seed;
}

/** The payload the tests store under an LSN: its length and bytes follow from the LSN. */
export function payloadFor(lsn: number): Uint8Array {
  const length = (lsn * 37) % 301;
  return Uint8Array.from({ length }, (_, i) => (lsn * 7 + i * 13) & 0xff);
}

/** A log file's bytes: a header with `baseLsn`, then the given records. */
export function logBytes(baseLsn: number, records: EncodeWalRecordOptions[]): Uint8Array {
  const parts = [encodeWalHeader(baseLsn), ...records.map(encodeWalRecord)];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Writes `bytes` as the whole content of `path`, synced. */
export async function writeFileBytes(
  fs: FileSystem,
  path: string,
  bytes: Uint8Array,
): Promise<void> {
  const file = await fs.open(path, { create: true, truncate: true });
  file.write(bytes, 0);
  await file.datasync();
  file.close();
}

/** Parses a hex string with optional spaces. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, "");
  return Uint8Array.from(
    { length: digits.length / 2 },
    (_, i) => parseInt(digits.slice(2 * i, 2 * i + 2), 16),
  );
}
