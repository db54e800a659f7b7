import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32c } from "../../../engine/codec/crc32c.ts";
import { sstFileName } from "../../../engine/filename.ts";
import { MemoryFileSystem } from "../../../engine/fs/memory_fs.ts";
import { FOOTER_SIZE, HEADER_SIZE } from "../../../engine/sstable/format.ts";
import { TableReader } from "../../../engine/sstable/table_reader.ts";
import { writeTable } from "../../../engine/sstable/table_writer.ts";
import { fromHex, hex, plain, utf8 } from "./_helpers.ts";

/** The worked example of docs/format/sstable.md, region by region. */
const GOLDEN = [
  // header (0..12): magic, version 2, flags 0, crc32c of bytes 0..8
  "5353544d 0200 0000 e1b00b7e",
  // data block (12..44): apple (shares 0) seq 1 "red", kiwi (shares 0) seq 3 tombstone,
  // offsets 0 and 12, count 2, crc
  "00 05 6170706c65 01 04 726564  00 04 6b697769 03 00  0000 0c00  02000000  6fc9e617",
  // index block (44..56): 1 entry, last key "kiwi", offset 12, length 32, crc
  "01 04 6b697769 0c 20  4c96c4aa",
  // bloom block (56..69): 64 filter bits, 7 probes, crc
  "09810098 90088800 07  ccc2ef46",
  // properties block (69..146): 7 x u64, smallest key, largest key, crc
  "0200000000000000 0100000000000000 0100000000000000 0300000000000000",
  "2000000000000000 0900000000000000 0300000000000000",
  "05000000 6170706c65 04000000 6b697769  33858a04",
  // footer (146..194): index 44+12, bloom 56+13, properties 69+77, version 2, reserved, magic, crc
  "2c00000000000000 0c000000 3800000000000000 0d000000 4500000000000000 4d000000",
  "0200 0000 5353544d 9925a209",
].join(" ");

const ENTRIES = [
  { key: utf8("apple"), seq: 1, value: utf8("red") },
  { key: utf8("kiwi"), seq: 3, value: null },
];

async function golden(): Promise<{ fs: MemoryFileSystem; path: string; bytes: Uint8Array }> {
  const fs = new MemoryFileSystem();
  await fs.mkdir("/db.keystone");
  const path = `/db.keystone/${sstFileName(42, 5)}`;
  await writeTable(fs, path, ENTRIES, { bloomBitsPerKey: 10 });
  return { fs, path, bytes: await fs.readFile(path) };
}

test("writeTable() writes the documented bytes for a two-entry table", async () => {
  const { bytes } = await golden();
  assert.equal(hex(bytes), hex(fromHex(GOLDEN)));
  assert.equal(bytes.length, 194);
});

test("the documented default 1% filter gives the same file as 10 bits per key here", async () => {
  // Both round to the 8-byte minimum filter with 7 probes for two keys.
  const fs = new MemoryFileSystem();
  await writeTable(fs, "/042-5.sst", ENTRIES);
  assert.equal(hex(await fs.readFile("/042-5.sst")), hex(fromHex(GOLDEN)));
});

test("an SST passes the troubleshooting chapter's magic check (xxd -p -l 4 == 5353544d)", async () => {
  const { path, bytes } = await golden();
  assert.ok(path.endsWith("/042-5.sst"));
  assert.equal(hex(bytes.subarray(0, 4)), "5353544d");
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "SSTM");
  assert.equal(hex(bytes.subarray(bytes.length - 8, bytes.length - 4)), "5353544d");
});

test("every checksum in the golden file is the CRC-32C of what it covers", async () => {
  const { bytes } = await golden();
  const u32 = (at: number) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
  assert.equal(u32(8), crc32c(bytes, 0, 8));
  const blocks: Array<[number, number]> = [[12, 32], [44, 12], [56, 13], [69, 77]];
  for (const [offset, length] of blocks) {
    assert.equal(u32(offset + length - 4), crc32c(bytes, offset, offset + length - 4), `${offset}`);
  }
  const footer = bytes.length - FOOTER_SIZE;
  assert.equal(footer, 146);
  assert.equal(u32(footer + 44), crc32c(bytes, footer, footer + 44));
  assert.equal(HEADER_SIZE, 12);
});

test("TableReader reads the golden file back", async () => {
  const { fs, path } = await golden();
  const table = await TableReader.open(fs, path);
  assert.deepEqual([...table.entries()].map(plain), ENTRIES);
  assert.deepEqual(
    {
      ...table.properties,
      smallestKey: hex(table.properties.smallestKey),
      largestKey: hex(table.properties.largestKey),
    },
    {
      path,
      fileSize: 194,
      formatVersion: 2,
      entryCount: 2,
      tombstoneCount: 1,
      minSeq: 1,
      maxSeq: 3,
      smallestKey: hex(utf8("apple")),
      largestKey: hex(utf8("kiwi")),
      blockCount: 1,
      dataBytes: 32,
      indexBytes: 12,
      bloomBytes: 13,
      rawKeyBytes: 9,
      rawValueBytes: 3,
    },
  );
  table.close();
});
