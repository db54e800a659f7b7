/**
 * kstone: an embedded, DynamoDB-style database for Deno and Bun.
 *
 * A database is a directory such as `mydb.keystone/` holding a write-ahead log (`wal.log`),
 * sorted SST files in 256 stripes (`{stripe:03}-{id}.sst`) and a `MANIFEST`. Writes are
 * acknowledged once durable; concurrent writes share one fdatasync (group commit).
 *
 * @example Open, write, read
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "./mod.ts";
 * await using db = await Database.memory();
 * await db.put("user#123", { name: "Ada", tags: new Set(["admin"]) });
 * const item = await db.get("user#123");
 * assert.equal(item?.name, "Ada");
 * assert.deepEqual(item?.tags, new Set(["admin"]));
 * ```
 *
 * @module
 */
export { Database, type DatabaseOptions, type DefaultKey } from "./engine/db/database.ts";
export { type Item, Table } from "./engine/db/table.ts";
export type { KeyAttribute, KeySchema } from "./engine/db/key_schema.ts";
export type {
  CreateTableOptions,
  GlobalIndexOptions,
  GlobalIndexUpdate,
  IndexDescription,
  LocalIndexOptions,
  StreamDescription,
  TableDescription,
  TimeToLiveDescription,
  UpdateTableChanges,
} from "./engine/db/admin_options.ts";
export type { Projection, StreamViewType } from "./engine/db/catalog.ts";
export type {
  ReadStreamOptions,
  StreamChange,
  StreamChangePage,
  StreamInfo,
  StreamRecordsOptions,
} from "./engine/db/stream_api.ts";
export type { ServiceIdentity, StreamEventName } from "./engine/stream/record.ts";
export type { WatchStart } from "./engine/stream/watch.ts";
export type { DatabaseStats } from "./engine/db/stats.ts";
export type { HealthReport } from "./engine/db/health.ts";
export type { StoreOptions } from "./engine/store/options.ts";
export type { CompactionStats } from "./engine/store/stats.ts";
export { KstoneError, type KstoneErrorCode } from "./engine/errors.ts";
export { NumberValue } from "./engine/model/number_value.ts";
export type { AttributeMap, AttributeValue, KeyType } from "./engine/model/attribute_value.ts";
export type {
  FileHandle,
  FileInfo,
  FileLock,
  FileSystem,
  OpenOptions,
} from "./engine/fs/file_system.ts";
export { MemoryFileSystem } from "./engine/fs/memory_fs.ts";
export type {
  ConditionOptions,
  DeleteOptions,
  ExpressionOptions,
  GetOptions,
  IterateOptions,
  Page,
  PutOptions,
  QueryOptions,
  ReadOptions,
  ScanOptions,
  UpdateOptions,
} from "./engine/db/table_options.ts";
export type {
  BatchGetRequest,
  BatchGetResult,
  BatchGetTableRequest,
  BatchWrite,
  BatchWriteRequest,
  ItemKey,
  TransactConditionCheck,
  TransactDelete,
  TransactGet,
  TransactPut,
  TransactTarget,
  TransactUpdate,
  TransactWriteAction,
} from "./engine/db/batch_options.ts";
export {
  type CancellationCode,
  type CancellationReason,
  ConditionalCheckFailedError,
  TransactionCanceledError,
} from "./engine/api/errors.ts";
export {
  connect,
  type ConnectOptions,
  RemoteDatabase,
  RemoteTable,
  type WaitOptions,
} from "./client/connect.ts";
export { RemoteError } from "./client/transport.ts";
export type { Credentials } from "./server/sigv4.ts";
