import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32c } from "../../../engine/codec/crc32c.ts";
import { KstoneError } from "../../../engine/errors.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { FOOTER_SIZE, HEADER_SIZE } from "../../../engine/sstable/format.ts";
import { TableReader } from "../../../engine/sstable/table_reader.ts";
import { writeTable } from "../../../engine/sstable/table_writer.ts";
import { itemEntries } from "./_helpers.ts";

const PATH = "/db.keystone/042-5.sst";
const ENTRIES = itemEntries(60);

interface Layout {
  bytes: Uint8Array;
  indexOffset: number;
  footerOffset: number;
}

async function original(): Promise<Layout> {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/db.keystone");
  const props = await writeTable(fs, PATH, ENTRIES, { blockSize: 1024 });
  assert.ok(props.blockCount >= 10);
  const bytes = await fs.readFile(PATH);
  return {
    bytes,
    indexOffset: HEADER_SIZE + props.dataBytes,
    footerOffset: bytes.length - FOOTER_SIZE,
  };
}

async function fsWith(bytes: Uint8Array): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/db.keystone");
  const file = await fs.open(PATH, { create: true });
  file.append(bytes);
  file.close();
  return fs;
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at]! ^= 0xa5;
  return copy;
}

function putU32(bytes: Uint8Array, at: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, true);
}

/** Matches a KstoneError by code and exact message, carrying the file's path. */
function kstoneError(code: string, message: string) {
  return (error: unknown) => {
    assert.ok(error instanceof KstoneError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    assert.equal(error.path, PATH);
    return true;
  };
}

const HEADER_INVALID = kstoneError(
  "CORRUPTION",
  "Corruption detected: SST file header invalid: 042-5.sst",
);
const CHECKSUM_MISMATCH = kstoneError("CORRUPTION", "Checksum mismatch in SST file 042-5.sst");

test("TableReader.open() reports a damaged magic or header as 'SST file header invalid'", async () => {
  const { bytes } = await original();
  for (let at = 0; at < HEADER_SIZE; at++) {
    const fs = await fsWith(flipped(bytes, at));
    await assert.rejects(TableReader.open(fs, PATH), HEADER_INVALID, `byte ${at}`);
  }
});

test("TableReader.open() reports any damaged footer byte as 'SST file header invalid'", async () => {
  const { bytes, footerOffset } = await original();
  for (let at = footerOffset; at < bytes.length; at++) {
    const fs = await fsWith(flipped(bytes, at));
    await assert.rejects(TableReader.open(fs, PATH), HEADER_INVALID, `byte ${at}`);
  }
});

test("TableReader.open() reports a damaged index, bloom or properties block as a checksum mismatch", async () => {
  const { bytes, indexOffset, footerOffset } = await original();
  for (let at = indexOffset; at < footerOffset; at++) {
    const fs = await fsWith(flipped(bytes, at));
    await assert.rejects(TableReader.open(fs, PATH), CHECKSUM_MISMATCH, `byte ${at}`);
  }
});

test("a damaged data block byte fails get(), entries() and verify() with a checksum mismatch", async () => {
  const { bytes, indexOffset } = await original();
  for (let at = HEADER_SIZE; at < indexOffset; at += 7) {
    const fs = await fsWith(flipped(bytes, at));
    const table = await TableReader.open(fs, PATH); // data blocks are not read at open
    assert.throws(() => [...table.entries()], CHECKSUM_MISMATCH, `byte ${at}`);
    assert.throws(() => [...table.entries({ reverse: true })], CHECKSUM_MISMATCH, `byte ${at}`);
    assert.throws(() => table.verify(), CHECKSUM_MISMATCH, `byte ${at}`);
    table.close();
  }
});

test("a damaged data block fails get() of its keys only", async () => {
  const { bytes } = await original();
  const fs = await fsWith(flipped(bytes, HEADER_SIZE + 20)); // inside the first block
  const table = await TableReader.open(fs, PATH);
  assert.throws(() => table.get(ENTRIES[0]!.key), CHECKSUM_MISMATCH);
  assert.equal(table.get(ENTRIES[59]!.key)?.seq, 60);
  // A failed block is not cached: the next read fails again.
  assert.throws(() => table.get(ENTRIES[1]!.key), CHECKSUM_MISMATCH);
  table.close();
});

test("TableReader.open() reports a truncated file as corrupt, naming it", async () => {
  const { bytes } = await original();
  const lengths = [0, 1, 4, 11, 12, 59, 60, 61, bytes.length - 1, bytes.length - 48];
  for (let n = 100; n < bytes.length; n += 211) lengths.push(n);
  for (const length of lengths) {
    const fs = await fsWith(bytes.subarray(0, length));
    await assert.rejects(TableReader.open(fs, PATH), HEADER_INVALID, `length ${length}`);
  }
});

test("TableReader.open() refuses a newer or an older format version with NOT_SUPPORTED", async () => {
  const { bytes } = await original();
  for (const [version, relation] of [[3, "newer"], [1, "older"]] as const) {
    const other = bytes.slice();
    other[4] = version;
    putU32(other, 8, crc32c(other, 0, 8));
    const fs = await fsWith(other);
    await assert.rejects(
      TableReader.open(fs, PATH),
      kstoneError(
        "NOT_SUPPORTED",
        `Cannot read SST file 042-5.sst: format version ${version} is ${relation} than supported version 2`,
      ),
    );
  }
});

test("TableReader.open() refuses unknown header flags with NOT_SUPPORTED", async () => {
  const { bytes } = await original();
  const flagged = bytes.slice();
  flagged[6] = 1;
  putU32(flagged, 8, crc32c(flagged, 0, 8));
  await assert.rejects(
    TableReader.open(await fsWith(flagged), PATH),
    kstoneError("NOT_SUPPORTED", "Cannot read SST file 042-5.sst: unknown header flags 0x0001"),
  );
});

test("TableReader.open() rejects version 0 and a footer version that differs from the header", async () => {
  const { bytes, footerOffset } = await original();
  const zero = bytes.slice();
  zero[4] = 0;
  putU32(zero, 8, crc32c(zero, 0, 8));
  await assert.rejects(TableReader.open(await fsWith(zero), PATH), HEADER_INVALID);
  const mismatch = bytes.slice();
  mismatch[footerOffset + 36] = 3;
  putU32(mismatch, footerOffset + 44, crc32c(mismatch, footerOffset, footerOffset + 44));
  await assert.rejects(TableReader.open(await fsWith(mismatch), PATH), HEADER_INVALID);
});

test("TableReader.open() rejects footer handles that do not tile the file", async () => {
  const { bytes, footerOffset } = await original();
  const shifted = bytes.slice();
  shifted[footerOffset]! += 1; // index offset + 1
  putU32(shifted, footerOffset + 44, crc32c(shifted, footerOffset, footerOffset + 44));
  await assert.rejects(TableReader.open(await fsWith(shifted), PATH), HEADER_INVALID);
});

test("TableReader reports checksummed but malformed blocks as 'Malformed SST file'", async () => {
  const { bytes, indexOffset } = await original();
  // The index's first handle says the first block is at 13, not 12; its checksum is redone.
  const index = bytes.slice();
  const keyLength = index[indexOffset + 1]!;
  const handleAt = indexOffset + 2 + keyLength;
  assert.equal(index[handleAt], HEADER_SIZE);
  index[handleAt] = HEADER_SIZE + 1;
  const indexLength = new DataView(index.buffer).getUint32(index.length - FOOTER_SIZE + 8, true);
  const crcAt = indexOffset + indexLength - 4;
  putU32(index, crcAt, crc32c(index, indexOffset, crcAt));
  await assert.rejects(TableReader.open(await fsWith(index), PATH), (error: unknown) => {
    assert.ok(error instanceof KstoneError && error.code === "CORRUPTION");
    assert.match(error.message, /^Corruption detected: Malformed SST file 042-5\.sst: index block/);
    return true;
  });
});

test("TableReader.verify() catches a checksummed data block that contradicts the properties", async () => {
  const { bytes } = await original();
  const forged = bytes.slice();
  const seqAt = HEADER_SIZE + 2 + ENTRIES[0]!.key.length; // after shared 0, length, key
  assert.equal(forged[seqAt], 1);
  forged[seqAt] = 0x7f; // seq 1 -> 127, past the table's max seq
  const blockEnd = HEADER_SIZE + firstBlockLength(bytes);
  putU32(forged, blockEnd - 4, crc32c(forged, HEADER_SIZE, blockEnd - 4));
  const table = await TableReader.open(await fsWith(forged), PATH);
  assert.equal(table.get(ENTRIES[0]!.key)?.seq, 127); // the checksum holds
  assert.throws(() => table.verify(), /Malformed SST file 042-5\.sst: properties/);
  table.close();
});

/** The first data block's length: the length field of the index's first entry. */
function firstBlockLength(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  let at = Number(view.getBigUint64(bytes.length - FOOTER_SIZE, true)) + 1; // skip the 1-byte count
  at += 1 + bytes[at]! + 1; // key length, key, then the offset 12 (one byte)
  let length = 0;
  for (let shift = 0;; shift += 7) {
    const byte = bytes[at++]!;
    length |= (byte & 0x7f) << shift;
    if (byte < 0x80) return length;
  }
}
