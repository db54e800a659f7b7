/**
 * Every DynamoDB and engine limit kstone enforces, one named constant each, with its source.
 * Sizes are in bytes; DynamoDB counts 1 KB = 1024 bytes. "Constraints" means the DynamoDB
 * Developer Guide page "Constraints in Amazon DynamoDB"; "Item sizes" means "DynamoDB item
 * sizes and formats".
 *
 * Validation errors name the limit and the actual value (see `engine/errors.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_ITEM_SIZE, MAX_PARTITION_KEY_SIZE } from "./limits.ts";
 * assert.equal(MAX_ITEM_SIZE, 400 * 1024);
 * assert.equal(MAX_PARTITION_KEY_SIZE, 2048);
 * ```
 *
 * @module
 */

// --- Items and attributes -------------------------------------------------------------------

/** Largest item: 400 KB, names plus values by DynamoDB's item size rules (Constraints, Items). */
export const MAX_ITEM_SIZE = 409_600;

/** Largest partition key value: 2048 bytes (Constraints, Partition key length). */
export const MAX_PARTITION_KEY_SIZE = 2048;

/** Largest sort key value: 1024 bytes (Constraints, Sort key length). */
export const MAX_SORT_KEY_SIZE = 1024;

/** Smallest key value: 1 byte, so no empty S or B key (Constraints, Partition key length). */
export const MIN_KEY_SIZE = 1;

/** Longest attribute name: under 64 KB (Constraints, Naming rules). */
export const MAX_ATTRIBUTE_NAME_SIZE = 65_535;

/** Longest name of a key, index key or projected attribute: 255 bytes (Naming rules). */
export const MAX_KEY_ATTRIBUTE_NAME_SIZE = 255;

/** Deepest nesting of L and M values: 32 levels (Constraints, Attributes, Nested levels). */
export const MAX_NESTING_DEPTH = 32;

// --- Numbers ---------------------------------------------------------------------------------

/** Most significant digits of an N value: 38 (Constraints, Data types, Number). */
export const MAX_NUMBER_PRECISION = 38;

/** Largest decimal exponent of an N value's leading digit: 9.99…E+125 (Data types, Number). */
export const MAX_NUMBER_EXPONENT = 125;

/** Smallest decimal exponent of a non-zero N value's leading digit: 1E-130 (Number). */
export const MIN_NUMBER_EXPONENT = -130;

// --- Tables -----------------------------------------------------------------------------------

/** Shortest table or index name: 3 characters (Constraints, Naming rules). */
export const MIN_TABLE_NAME_LENGTH = 3;

/** Longest table or index name: 255 characters of `[a-zA-Z0-9_.-]` (Naming rules). */
export const MAX_TABLE_NAME_LENGTH = 255;

/** Most global secondary indexes per table: 20, the default quota (Secondary indexes). */
export const MAX_GLOBAL_SECONDARY_INDEXES = 20;

/** Most local secondary indexes per table: 5 (Constraints, Secondary indexes). */
export const MAX_LOCAL_SECONDARY_INDEXES = 5;

/** Most projected non-key attributes over all of a table's indexes: 100 (Secondary indexes). */
export const MAX_PROJECTED_ATTRIBUTES = 100;

// --- Operations -------------------------------------------------------------------------------

/** Most put or delete requests in one BatchWriteItem: 25 (Constraints, API-specific). */
export const MAX_BATCH_WRITE_ITEMS = 25;

/** Largest BatchWriteItem request: 16 MB (Constraints, API-specific). */
export const MAX_BATCH_WRITE_SIZE = 16 * 1024 * 1024;

/** Most keys in one BatchGetItem: 100 (Constraints, API-specific). */
export const MAX_BATCH_GET_ITEMS = 100;

/** Largest BatchGetItem response: 16 MB (Constraints, API-specific). */
export const MAX_BATCH_GET_RESPONSE_SIZE = 16 * 1024 * 1024;

/** Most actions in one TransactWriteItems: 100 (Constraints, DynamoDB transactions). */
export const MAX_TRANSACT_WRITE_ITEMS = 100;

/** Most actions in one TransactGetItems: 100 (Constraints, DynamoDB transactions). */
export const MAX_TRANSACT_GET_ITEMS = 100;

/** Largest aggregate item size of one transaction: 4 MB (Constraints, DynamoDB transactions). */
export const MAX_TRANSACTION_SIZE = 4 * 1024 * 1024;

/** Most data a Query or Scan reads for one page before it stops: 1 MB (Query, Scan). */
export const MAX_PAGE_SIZE = 1024 * 1024;

/** Most statements in one PartiQL BatchExecuteStatement: 25 (Constraints, API-specific). */
export const MAX_BATCH_STATEMENTS = 25;

/** Most statements in one PartiQL ExecuteTransaction: 100 (Constraints, API-specific). */
export const MAX_TRANSACTION_STATEMENTS = 100;

// --- Expressions ------------------------------------------------------------------------------

/** Longest expression string: 4 KB (Constraints, Expression parameters). */
export const MAX_EXPRESSION_LENGTH = 4096;

/** Longest `#name` or `:value` placeholder: 255 characters (Expression parameters). */
export const MAX_EXPRESSION_PLACEHOLDER_LENGTH = 255;

/** Largest total of ExpressionAttributeNames and ExpressionAttributeValues: 2 MB (Expression). */
export const MAX_EXPRESSION_ATTRIBUTES_SIZE = 2 * 1024 * 1024;

/** Most operators and functions in one expression: 300 (Constraints, Expression parameters). */
export const MAX_EXPRESSION_OPERATORS = 300;

/** Most operands of an IN comparator: 100 (Constraints, Expression parameters). */
export const MAX_IN_OPERANDS = 100;

// --- Engine -----------------------------------------------------------------------------------

/** Number of stripes; a key's stripe is `crc32(partition key bytes) % STRIPE_COUNT` (design.md). */
export const STRIPE_COUNT = 256;

/** Table id of the catalog of tables (design.md, One keyspace). */
export const CATALOG_TABLE_ID = 0;

/** Table id of the default table with `pk` and optional `sk` (design.md, One keyspace). */
export const DEFAULT_TABLE_ID = 1;

/** First table id given to a user table (design.md, One keyspace). */
export const FIRST_USER_TABLE_ID = 2;

/** Largest table id: it is stored as a u32 at the front of every key (key_encoding.md). */
export const MAX_TABLE_ID = 0xffff_ffff;
