/**
 * What the table management methods of `Database` take and give: the secondary indexes, stream
 * and time to live a table is created with, the changes UpdateTable makes, and the description
 * DescribeTable reads.
 *
 * @module
 */
import type { Projection, StreamViewType } from "./catalog.ts";
import type { KeyAttribute, KeySchema } from "./key_schema.ts";

/** A local secondary index: the table's partition key with another sort key. */
export interface LocalIndexOptions {
  /** 3 to 255 letters, digits, `_`, `-` or `.`, unique within the table. */
  readonly name: string;
  /** The index's sort key (not the table's). */
  readonly sortKey: KeyAttribute;
  /** What the index stores. @default { type: "ALL" } */
  readonly projection?: Projection;
}

/** A global secondary index: any partition key and an optional sort key. */
export interface GlobalIndexOptions {
  /** 3 to 255 letters, digits, `_`, `-` or `.`, unique within the table. */
  readonly name: string;
  /** The index's partition key. */
  readonly partitionKey: KeyAttribute;
  /** The index's sort key. @default none */
  readonly sortKey?: KeyAttribute;
  /** What the index stores. @default { type: "ALL" } */
  readonly projection?: Projection;
}

/** Options of `Database.createTable`. */
export interface CreateTableOptions {
  /** Up to 5 local secondary indexes (the table needs a sort key). @default none */
  readonly localIndexes?: readonly LocalIndexOptions[];
  /** Up to 20 global secondary indexes. @default none */
  readonly globalIndexes?: readonly GlobalIndexOptions[];
  /** A change stream, enabled from the start. @default none */
  readonly stream?: { readonly viewType: StreamViewType };
  /** Time to live, enabled from the start on this attribute. @default none */
  readonly ttl?: { readonly attributeName: string };
}

/** One global secondary index change of `Database.updateTable`. */
export type GlobalIndexUpdate =
  | { readonly create: GlobalIndexOptions }
  | { readonly delete: string };

/** The changes of `Database.updateTable`. */
export interface UpdateTableChanges {
  /**
   * At most one index to create (backfilled online: `CREATING`, then `ACTIVE`) or delete, and
   * none while another index is being created or deleted. @default none
   */
  readonly globalIndexUpdates?: readonly GlobalIndexUpdate[];
  /**
   * Enables a new stream (none may be enabled) or disables the enabled one (which stays
   * readable). @default no change
   */
  readonly stream?:
    | { readonly enabled: true; readonly viewType: StreamViewType }
    | { readonly enabled: false };
}

/** A secondary index as `Database.describeTable` reports it. */
export interface IndexDescription {
  /** The index name. */
  readonly name: string;
  /** The index's key. */
  readonly keySchema: KeySchema;
  /** What the index stores. */
  readonly projection: Projection;
  /** `CREATING` while backfilled, `ACTIVE`, or `DELETING`. */
  readonly status: "CREATING" | "ACTIVE" | "DELETING";
  /** The number of entries in the index. */
  readonly itemCount: number;
  /** The size of the entries, DynamoDB's item size rules. */
  readonly sizeBytes: number;
}

/** A table's latest stream as `Database.describeTable` reports it. */
export interface StreamDescription {
  /** The stream's keyspace id. */
  readonly id: number;
  /** Whether writes still add records to it. */
  readonly enabled: boolean;
  /** What each record carries. */
  readonly viewType: StreamViewType;
  /** The stream label, the ISO time of its creation without zone (as DynamoDB's). */
  readonly label: string;
}

/** A table's time-to-live setting as reported. */
export interface TimeToLiveDescription {
  /** `ENABLED` or `DISABLED`. */
  readonly status: "ENABLED" | "DISABLED";
  /** The attribute, once time to live was enabled. */
  readonly attributeName?: string;
}

/** What `Database.describeTable` reports of a table. */
export interface TableDescription {
  /** The table's keyspace id. */
  readonly id: number;
  /** The table's name (`""` for the default table). */
  readonly name: string;
  /** The table's key. */
  readonly keySchema: KeySchema;
  /** Every key attribute of the table and its indexes, with its type. */
  readonly attributeDefinitions: readonly KeyAttribute[];
  /** `ACTIVE`, or `UPDATING` while an index is being created or deleted. */
  readonly status: "ACTIVE" | "UPDATING";
  /** Creation time, milliseconds since the epoch. */
  readonly createdAt: number;
  /** The number of items, expired ones left out. */
  readonly itemCount: number;
  /** The size of those items, DynamoDB's item size rules. */
  readonly sizeBytes: number;
  /** The local secondary indexes. */
  readonly localIndexes: readonly IndexDescription[];
  /** The global secondary indexes. */
  readonly globalIndexes: readonly IndexDescription[];
  /** Time to live. */
  readonly ttl: TimeToLiveDescription;
  /** The latest stream, enabled or not, when the table ever had one. */
  readonly stream?: StreamDescription;
}
