/**
 * Table management: CreateTable with its indexes, stream and time to live; DescribeTable;
 * UpdateTable adding (backfilled online) or deleting a global secondary index and enabling or
 * disabling the stream; UpdateTimeToLive; DeleteTable. Every change is a catalog row written
 * through the WAL, so it survives crashes; background work (a backfill, an index removal) is
 * resumed when the database opens again.
 *
 * @module
 */
import type { ApiContext } from "../api/context.ts";
import { KstoneError, validation } from "../errors.ts";
import { backfillIndex } from "../index/backfill.ts";
import type { Store } from "../store/store.ts";
import type {
  CreateTableOptions,
  IndexDescription,
  TableDescription,
  TimeToLiveDescription,
  UpdateTableChanges,
} from "./admin_options.ts";
import {
  droppedKeyspaces,
  type IndexDefinition,
  streamLabel,
  type TableDefinition,
} from "./catalog.ts";
import { attributeDefinitionsOf, checkIndexSet, globalIndex, localIndex } from "./index_rules.ts";
import { checkKeySchema, type KeySchema } from "./key_schema.ts";
import { type KeyspaceSize, measureKeyspace } from "./keyspace_size.ts";
import {
  changeIndexes,
  changeStream,
  checkTtlAttribute,
  checkViewType,
  newStream,
} from "./table_changes.ts";
import { tableNotFound, type TableRegistry } from "./table_registry.ts";

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const INVALID = "One or more parameter values were invalid: ";

/** What table management needs from its database. */
export interface AdminContext {
  /** The open store. */
  readonly store: Store;
  /** The database's live tables. */
  readonly tables: TableRegistry;
  /** The database's clock, milliseconds since the epoch. */
  readonly now: () => number;
  /** The operations' context, for backfills. */
  readonly api: () => ApiContext;
}

/**
 * The table management of one open database; `Database` delegates to it.
 *
 * @example Create, describe, delete
 * ```ts
 * import assert from "node:assert/strict";
 * import { Database } from "../../mod.ts";
 * await using db = await Database.memory();
 * await db.createTable("users", { partitionKey: { name: "id", type: "S" } }, {
 *   globalIndexes: [{ name: "by_email", partitionKey: { name: "email", type: "S" } }],
 *   ttl: { attributeName: "expires" },
 * });
 * const description = await db.describeTable("users");
 * assert.equal(description.globalIndexes[0]?.status, "ACTIVE");
 * assert.deepEqual(description.ttl, { status: "ENABLED", attributeName: "expires" });
 * await db.deleteTable("users");
 * assert.deepEqual(db.listTables(), []);
 * ```
 */
export class TableAdmin {
  readonly #ctx: AdminContext;
  /** Background backfills and index removals, by table id. */
  readonly #jobs = new Map<number, Set<Promise<void>>>();
  /** Sizes measured at a given LSN and second, by keyspace id. */
  readonly #sizes = new Map<number, { lsn: number; second: number; size: KeyspaceSize }>();
  /** Stops the backfills when the database closes (the next open resumes them). */
  readonly #closing = new AbortController();

  /**
   * Takes over a database's catalog: tells the store which keyspaces are dropped, resumes the
   * backfill of every index still `CREATING` and finishes removing every index `DELETING`.
   *
   * @param ctx The store, tables, clock and operations' context.
   */
  constructor(ctx: AdminContext) {
    this.#ctx = ctx;
    this.#updateDropped();
    for (const definition of this.#live()) {
      for (const index of definition.indexes ?? []) {
        if (index.status === "CREATING") this.#backfill(definition.id, index.id);
        if (index.status === "DELETING") this.#remove(definition.id, index.id, Promise.resolve());
      }
    }
  }

  /**
   * Creates a table.
   *
   * @param name 3 to 255 letters, digits, `_`, `-` or `.`.
   * @param keySchema The partition key and optional sort key.
   * @param options Indexes, stream and time to live.
   * @returns The saved definition, once durable.
   * @throws {KstoneError} RESOURCE_IN_USE `Table already exists: <name>`; VALIDATION for a bad
   *   name, schema, index, stream view type or TTL attribute.
   */
  async createTable(
    name: string,
    keySchema: KeySchema,
    options: CreateTableOptions = {},
  ): Promise<TableDefinition> {
    if (typeof name !== "string" || !TABLE_NAME.test(name)) {
      throw validation(
        `Invalid table name: ${String(name)}: must be 3 to 255 characters of [A-Za-z0-9_.-]`,
      );
    }
    const { tables, now } = this.#ctx;
    if (tables.get(name) !== undefined) {
      throw new KstoneError("RESOURCE_IN_USE", `Table already exists: ${name}`);
    }
    const schema = checkKeySchema(keySchema);
    const createdAt = now();
    const id = tables.allocateId();
    const indexes: IndexDefinition[] = [
      ...(options.localIndexes ?? []).map((index) =>
        localIndex(schema, index, tables.allocateId(), createdAt)
      ),
      ...(options.globalIndexes ?? []).map((index) =>
        globalIndex(index, tables.allocateId(), createdAt, "ACTIVE")
      ),
    ];
    checkIndexSet(indexes);
    const definition: {
      -readonly [K in keyof TableDefinition]: TableDefinition[K];
    } = {
      id,
      name,
      keySchema: schema,
      createdAt,
      status: "ACTIVE",
      attributeDefinitions: attributeDefinitionsOf(schema, indexes),
    };
    if (indexes.length > 0) definition.indexes = indexes;
    if (options.stream !== undefined) {
      definition.streams = [newStream(checkViewType(options.stream.viewType), tables, createdAt)];
    }
    if (options.ttl !== undefined) {
      definition.ttl = {
        attributeName: checkTtlAttribute(options.ttl.attributeName),
        enabled: true,
      };
    }
    await tables.save(definition);
    return definition;
  }

  /**
   * Describes a table: key schema, attribute definitions, status, creation time, item count
   * and size (counted from a snapshot, expired items left out), indexes, time to live and the
   * latest stream.
   *
   * @param name The table's name; `""` is the default table.
   * @returns The description.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
   */
  async describeTable(name: string): Promise<TableDescription> {
    const definition = this.#get(name);
    const ttl = definition.ttl?.enabled === true ? definition.ttl.attributeName : undefined;
    const table = await this.#measure(definition.id, ttl);
    const indexes: IndexDescription[] = [];
    for (const index of definition.indexes ?? []) {
      const size = await this.#measure(index.id, undefined);
      indexes.push({
        name: index.name,
        keySchema: index.keySchema,
        projection: index.projection,
        status: index.status,
        itemCount: size.count,
        sizeBytes: size.bytes,
      });
    }
    const kinds = (definition.indexes ?? []).map((index) => index.kind);
    const busy = (definition.indexes ?? []).some((index) => index.status !== "ACTIVE");
    const description: {
      -readonly [K in keyof TableDescription]: TableDescription[K];
    } = {
      id: definition.id,
      name: definition.name,
      keySchema: definition.keySchema,
      attributeDefinitions: definition.attributeDefinitions ??
        attributeDefinitionsOf(definition.keySchema, definition.indexes ?? []),
      status: busy ? "UPDATING" : "ACTIVE",
      createdAt: definition.createdAt,
      itemCount: table.count,
      sizeBytes: table.bytes,
      localIndexes: indexes.filter((_, i) => kinds[i] === "LOCAL"),
      globalIndexes: indexes.filter((_, i) => kinds[i] === "GLOBAL"),
      ttl: this.describeTimeToLive(name),
    };
    const stream = definition.streams?.at(-1);
    if (stream !== undefined) {
      description.stream = {
        id: stream.id,
        enabled: stream.enabled,
        viewType: stream.viewType,
        label: streamLabel(stream),
      };
    }
    return description;
  }

  /**
   * Changes a table: creates a global secondary index (`CREATING` while existing items are
   * backfilled in the background, then `ACTIVE`), deletes one, or enables or disables the
   * stream. Resolves once the change is durable, before a backfill ends (see
   * {@linkcode TableAdmin.waitForTable}).
   *
   * @param name The table's name; `""` is the default table.
   * @param changes The index updates or the stream change.
   * @returns The new definition.
   * @throws {KstoneError} RESOURCE_NOT_FOUND for an unknown table or index; LIMIT_EXCEEDED
   *   `Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously
   *   per table`; VALIDATION `Attempting to create an index which already exists`, `Table
   *   already has an enabled stream: TableName: <name>`, `Table has no stream to disable:
   *   TableName: <name>`, and DynamoDB's index rules.
   */
  async updateTable(name: string, changes: UpdateTableChanges): Promise<TableDefinition> {
    const definition = this.#get(name);
    const updates = changes.globalIndexUpdates;
    if (updates === undefined && changes.stream === undefined) {
      throw validation("Nothing to update: give globalIndexUpdates or stream");
    }
    if (updates !== undefined && changes.stream !== undefined) {
      throw validation(`${INVALID}You cannot create or delete index while changing stream status`);
    }
    const next = updates === undefined
      ? changeStream(this.#ctx, definition, changes.stream!)
      : changeIndexes(this.#ctx, definition, updates);
    const durable = this.#ctx.tables.save(next.definition);
    const created = next.created;
    const deleted = next.deleted;
    if (created !== undefined) this.#backfill(definition.id, created, durable);
    if (deleted !== undefined) this.#remove(definition.id, deleted, durable);
    await durable;
    return next.definition;
  }

  /**
   * Deletes a table: its items and index entries become unreachable at once and are dropped
   * by compaction; its streams stay readable. The id is never reused.
   *
   * @param name The table's name.
   * @returns The definition the table had.
   * @throws {KstoneError} RESOURCE_NOT_FOUND when there is no such table.
   */
  async deleteTable(name: string): Promise<TableDefinition> {
    const definition = this.#ctx.tables.get(name);
    if (definition === undefined || name === "") throw tableNotFound(name);
    const durable = this.#ctx.tables.save({ ...definition, status: "DELETED" });
    this.#updateDropped();
    await durable;
    return definition;
  }

  /**
   * Enables or disables time to live on a table.
   *
   * @param name The table's name; `""` is the default table.
   * @param setting The attribute and whether expiry is on.
   * @returns The setting, once durable.
   * @throws {KstoneError} VALIDATION `TimeToLive is already enabled`, `TimeToLive is already
   *   disabled`, `TimeToLive is active on a different AttributeName: current AttributeName is
   *   <name>`; RESOURCE_NOT_FOUND for an unknown table.
   */
  async updateTimeToLive(
    name: string,
    setting: { readonly attributeName: string; readonly enabled: boolean },
  ): Promise<{ attributeName: string; enabled: boolean }> {
    const definition = this.#get(name);
    const attributeName = checkTtlAttribute(setting?.attributeName);
    const enabled = setting.enabled === true;
    const current = definition.ttl;
    if (current?.enabled === true && current.attributeName !== attributeName) {
      throw validation(
        `TimeToLive is active on a different AttributeName: current AttributeName is ${current.attributeName}`,
      );
    }
    if (enabled && current?.enabled === true) throw validation("TimeToLive is already enabled");
    if (!enabled && current?.enabled !== true) throw validation("TimeToLive is already disabled");
    await this.#ctx.tables.save({ ...definition, ttl: { attributeName, enabled } });
    return { attributeName, enabled };
  }

  /**
   * A table's time-to-live setting.
   *
   * @param name The table's name; `""` is the default table.
   * @returns `ENABLED` with the attribute, or `DISABLED`.
   * @throws {KstoneError} RESOURCE_NOT_FOUND for an unknown table.
   */
  describeTimeToLive(name: string): TimeToLiveDescription {
    const ttl = this.#get(name).ttl;
    return ttl?.enabled === true
      ? { status: "ENABLED", attributeName: ttl.attributeName }
      : { status: "DISABLED" };
  }

  /**
   * Waits for a table's background work: every backfill and index removal started so far.
   *
   * @param name The table's name; `""` is the default table.
   * @returns Resolves when done; rejects with the error of a failed backfill.
   * @throws {KstoneError} RESOURCE_NOT_FOUND for an unknown table.
   */
  async waitForTable(name: string): Promise<void> {
    const id = this.#get(name).id;
    for (let jobs = this.#jobs.get(id); jobs !== undefined; jobs = this.#jobs.get(id)) {
      await Promise.all(jobs);
    }
  }

  /** Stops the background backfills, before the database closes. */
  close(): void {
    this.#closing.abort(new KstoneError("CLOSED", "Database is closed"));
  }

  #get(name: string): TableDefinition {
    const definition = typeof name === "string" ? this.#ctx.tables.get(name) : undefined;
    if (definition === undefined) throw tableNotFound(String(name));
    return definition;
  }

  *#live(): Generator<TableDefinition> {
    const { tables } = this.#ctx;
    yield tables.get("")!;
    for (const name of tables.names()) yield tables.get(name)!;
  }

  #updateDropped(): void {
    const { tables, store } = this.#ctx;
    store.dropKeyspaces(droppedKeyspaces([tables.get("")!, ...tables.all()]));
  }

  async #measure(id: number, ttlAttribute: string | undefined): Promise<KeyspaceSize> {
    const { store, now } = this.#ctx;
    const lsn = store.lastLsn;
    const nowMs = now();
    const second = ttlAttribute === undefined ? 0 : Math.floor(nowMs / 1000);
    const cached = this.#sizes.get(id);
    if (cached !== undefined && cached.lsn === lsn && cached.second === second) return cached.size;
    const size = await measureKeyspace(
      store,
      id,
      ttlAttribute === undefined ? undefined : { attributeName: ttlAttribute, nowMs },
    );
    this.#sizes.set(id, { lsn, second, size });
    return size;
  }

  /** Saves a change to a live table's current definition (no-op once the table is gone). */
  #change(
    tableId: number,
    change: (definition: TableDefinition) => TableDefinition,
  ): Promise<void> {
    const current = this.#ctx.tables.byId(tableId);
    if (current === undefined || current.status !== "ACTIVE") return Promise.resolve();
    const next = change(current);
    return next === current ? Promise.resolve() : this.#ctx.tables.save(next);
  }

  #track(tableId: number, job: Promise<void>): void {
    let jobs = this.#jobs.get(tableId);
    if (jobs === undefined) this.#jobs.set(tableId, jobs = new Set());
    jobs.add(job);
    const done = () => {
      jobs.delete(job);
      if (jobs.size === 0 && this.#jobs.get(tableId) === jobs) this.#jobs.delete(tableId);
    };
    // A failure (the store closed or failed) leaves the index as it was in the catalog; the
    // next open resumes it. waitForTable callers see the error.
    job.then(done, done);
  }

  #backfill(tableId: number, indexId: number, after: Promise<void> = Promise.resolve()): void {
    this.#track(
      tableId,
      (async () => {
        await after;
        const table = this.#ctx.tables.byId(tableId);
        const index = table?.indexes?.find((candidate) => candidate.id === indexId);
        if (table === undefined || index?.status !== "CREATING") return;
        await backfillIndex(this.#ctx.api(), table.name, index.name, {
          signal: this.#closing.signal,
        });
        await this.#change(tableId, (current) => setStatus(current, indexId, "ACTIVE"));
      })(),
    );
  }

  #remove(tableId: number, indexId: number, after: Promise<void>): void {
    this.#updateDropped();
    this.#track(
      tableId,
      (async () => {
        await after;
        await this.#change(tableId, (current) => {
          const indexes = current.indexes ?? [];
          if (!indexes.some((index) => index.id === indexId)) return current;
          const kept = indexes.filter((index) => index.id !== indexId);
          return {
            ...current,
            indexes: kept,
            attributeDefinitions: attributeDefinitionsOf(current.keySchema, kept),
            droppedIndexIds: [...(current.droppedIndexIds ?? []), indexId],
          };
        });
      })(),
    );
  }
}

function setStatus(
  definition: TableDefinition,
  indexId: number,
  status: IndexDefinition["status"],
): TableDefinition {
  const indexes = definition.indexes ?? [];
  const target = indexes.find((index) => index.id === indexId);
  if (target === undefined || target.status !== "CREATING") return definition;
  return {
    ...definition,
    indexes: indexes.map((index) => index === target ? { ...index, status } : index),
  };
}
