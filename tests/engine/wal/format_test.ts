import { test } from "node:test";
import assert from "node:assert/strict";
import { KstoneError } from "../../../engine/errors.ts";
import { WAL_HEADER_SIZE, WAL_RECORD_HEADER_SIZE } from "../../../engine/wal/format.ts";
import {
  decodeWalHeader,
  encodeWalHeader,
  encodeWalRecord,
  readRecordHeader,
  recordIntact,
} from "../../../engine/wal/record.ts";
import { hex } from "./_helpers.ts";

// Golden vectors; the CRCs were computed by an independent bitwise CRC-32C, not by kstone.

test("encodeWalHeader() lays out magic, version, base LSN, flags and CRC", () => {
  assert.deepEqual(
    encodeWalHeader(1),
    hex("4b53574c 01000000 0100000000000000 00000000 8c8356f6"),
  );
  assert.deepEqual(
    encodeWalHeader(0x01_0203_0405),
    hex("4b53574c 01000000 0504030201000000 00000000 f2bc3599"),
  );
  assert.equal(WAL_HEADER_SIZE, 24);
});

test("encodeWalRecord() lays out crc, length, lsn, skipped, unsynced and payload", () => {
  assert.deepEqual(
    encodeWalRecord({ lsn: 1, payload: new TextEncoder().encode("hello") }),
    hex("fdea5f59 05000000 0100000000000000 00000000 00000000 68656c6c6f"),
  );
  assert.deepEqual(
    encodeWalRecord({ lsn: 42, payload: hex("aabbcc"), skipped: 2, unsynced: 51 }),
    hex("5820a6a6 03000000 2a00000000000000 02000000 33000000 aabbcc"),
  );
  assert.equal(WAL_RECORD_HEADER_SIZE, 24);
});

test("decodeWalHeader() returns the base LSN of a valid header", () => {
  assert.equal(
    decodeWalHeader(hex("4b53574c 01000000 0504030201000000 00000000 f2bc3599")),
    0x01_0203_0405,
  );
  assert.equal(decodeWalHeader(encodeWalHeader(2 ** 53 - 1)), 2 ** 53 - 1);
});

test("decodeWalHeader() rejects a short file, a wrong magic, a bad CRC or base LSN 0", () => {
  const invalid = {
    code: "CORRUPTION",
    message: "Corruption detected: WAL header invalid",
    path: "/db/wal.log",
  };
  const damaged = (offset: number) => {
    const header = encodeWalHeader(1);
    header[offset]! ^= 0x01;
    return header;
  };
  assert.throws(() => decodeWalHeader(new Uint8Array(0), "/db/wal.log"), invalid);
  assert.throws(() => decodeWalHeader(encodeWalHeader(1).subarray(0, 23), "/db/wal.log"), invalid);
  for (const offset of [0, 3, 8, 16, 20, 23]) {
    assert.throws(() => decodeWalHeader(damaged(offset), "/db/wal.log"), invalid, `byte ${offset}`);
  }
  const baseZero = hex("4b53574c 01000000 0000000000000000 00000000 bc5727c7");
  assert.throws(() => decodeWalHeader(baseZero, "/db/wal.log"), invalid);
  const sst = hex("5353544d 01000000 0100000000000000 00000000 00000000");
  assert.throws(() => decodeWalHeader(sst, "/db/wal.log"), invalid);
});

test("decodeWalHeader() refuses a newer format version with NOT_SUPPORTED", () => {
  const header = encodeWalHeader(1);
  header[4] = 2;
  assert.throws(() => decodeWalHeader(header, "/db/wal.log"), (error: unknown) => {
    assert.ok(error instanceof KstoneError);
    assert.equal(error.code, "NOT_SUPPORTED");
    assert.equal(
      error.message,
      "Cannot read WAL format version 2: this kstone reads up to version 1",
    );
    return true;
  });
});

test("readRecordHeader() and recordIntact() read back what encodeWalRecord() wrote", () => {
  const bytes = encodeWalRecord({
    lsn: 2 ** 40 + 3,
    payload: hex("0102"),
    skipped: 7,
    unsynced: 99,
  });
  const header = readRecordHeader(bytes, 0);
  assert.deepEqual(
    { length: header.length, lsn: header.lsn, skipped: header.skipped, unsynced: header.unsynced },
    { length: 2, lsn: 2 ** 40 + 3, skipped: 7, unsynced: 99 },
  );
  assert.equal(recordIntact(bytes, 0, header), true);
  for (let offset = 4; offset < bytes.length; offset++) {
    const copy = bytes.slice();
    copy[offset]! ^= 0x80;
    assert.equal(recordIntact(copy, 0, readRecordHeader(copy, 0)), false, `byte ${offset}`);
  }
});
