/**
 * The wire shapes of CreateTable and UpdateTable, and the checks DynamoDB makes on them before
 * anything reaches the catalog: key schemas, AttributeDefinitions covering exactly the key
 * attributes used, projections, stream specifications.
 *
 * @module
 */
import type { GlobalIndexOptions, LocalIndexOptions } from "../../engine/db/admin_options.ts";
import type { Projection, StreamViewType } from "../../engine/db/catalog.ts";
import type { KeyAttribute, KeySchema } from "../../engine/db/key_schema.ts";
import type { KeyType } from "../../engine/model/attribute_value.ts";
import { validationError } from "../protocol.ts";
import { s, type Shape } from "../shapes.ts";

const INVALID = "One or more parameter values were invalid: ";

/** One KeySchemaElement. */
export interface KeySchemaElement {
  AttributeName: string;
  KeyType: "HASH" | "RANGE";
}
/** One AttributeDefinition. */
export interface AttributeDefinition {
  AttributeName: string;
  AttributeType: KeyType;
}
/** A Projection. */
export interface WireProjection {
  ProjectionType?: "ALL" | "KEYS_ONLY" | "INCLUDE";
  NonKeyAttributes?: string[];
}
/** A LocalSecondaryIndex or GlobalSecondaryIndex of a request. */
export interface WireIndex {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: WireProjection;
}
/** A StreamSpecification. */
export interface StreamSpecification {
  StreamEnabled: boolean;
  StreamViewType?: StreamViewType;
}

/** KeySchema: one HASH and an optional RANGE element. */
export const KEY_SCHEMA: Shape = s.list(
  s.struct("KeySchemaElement", {
    AttributeName: { shape: s.string({ minLength: 1, maxLength: 255 }), notNull: true },
    KeyType: { shape: s.string({ enum: ["HASH", "RANGE"] }), notNull: true },
  }),
  1,
  2,
);
/** AttributeDefinitions. */
export const ATTRIBUTE_DEFINITIONS: Shape = s.list(
  s.struct("AttributeDefinition", {
    AttributeName: { shape: s.string({ minLength: 1, maxLength: 255 }), notNull: true },
    AttributeType: { shape: s.string({ enum: ["B", "N", "S"] }), notNull: true },
  }),
);
/** ProvisionedThroughput. */
export const THROUGHPUT: Shape = s.struct("ProvisionedThroughput", {
  ReadCapacityUnits: { shape: s.integer(1), notNull: true },
  WriteCapacityUnits: { shape: s.integer(1), notNull: true },
});
const INDEX_NAME = s.string({ minLength: 3, maxLength: 255, pattern: "[a-zA-Z0-9_.-]+" });
const PROJECTION = s.struct("Projection", {
  ProjectionType: s.string({ enum: ["ALL", "KEYS_ONLY", "INCLUDE"] }),
  NonKeyAttributes: s.list(s.string({ minLength: 1, maxLength: 255 }), 1, 20),
});
/** A LocalSecondaryIndex or a GlobalSecondaryIndex (or a CreateGlobalSecondaryIndexAction). */
export const INDEX: Shape = s.struct("SecondaryIndex", {
  IndexName: { shape: INDEX_NAME, notNull: true },
  KeySchema: { shape: KEY_SCHEMA, notNull: true },
  Projection: { shape: PROJECTION, notNull: true },
  ProvisionedThroughput: THROUGHPUT,
  OnDemandThroughput: s.any,
  WarmThroughput: s.any,
});
/** StreamSpecification. */
export const STREAM_SPECIFICATION: Shape = s.struct("StreamSpecification", {
  StreamEnabled: { shape: s.boolean, notNull: true },
  StreamViewType: s.string({ enum: ["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"] }),
});

/**
 * The attribute types a request defines, checking each is defined once.
 *
 * @param definitions The request's AttributeDefinitions.
 * @returns Name to type, in request order.
 * @throws {DynamoError} ValidationException `Attribute Name is duplicated: <name>`.
 */
export function definedTypes(definitions: readonly AttributeDefinition[]): Map<string, KeyType> {
  const types = new Map<string, KeyType>();
  for (const definition of definitions) {
    if (types.has(definition.AttributeName)) {
      throw validationError(`Attribute Name is duplicated: ${definition.AttributeName}`);
    }
    types.set(definition.AttributeName, definition.AttributeType);
  }
  return types;
}

/**
 * Reads a KeySchema, checking its order and that its attributes are defined.
 *
 * @param elements The KeySchema.
 * @param types The defined attribute types.
 * @returns The key schema.
 * @throws {DynamoError} ValidationException with DynamoDB's wording.
 */
export function keySchemaOf(
  elements: readonly KeySchemaElement[],
  types: ReadonlyMap<string, KeyType>,
): KeySchema {
  const names = elements.map((key) => key.AttributeName);
  if (names.some((name) => !types.has(name))) {
    throw validationError(
      `${INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [${
        names.join(", ")
      }], AttributeDefinitions: [${[...types.keys()].join(", ")}]`,
    );
  }
  if (names[0] === names[1]) {
    throw validationError(
      "Both the Hash Key and the Range Key element in the KeySchema have the same name",
    );
  }
  if (elements[0]!.KeyType !== "HASH") {
    throw validationError("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  if (elements[1] !== undefined && elements[1].KeyType !== "RANGE") {
    throw validationError("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  }
  const attribute = (name: string): KeyAttribute => ({ name, type: types.get(name)! });
  return names[1] === undefined
    ? { partitionKey: attribute(names[0]!) }
    : { partitionKey: attribute(names[0]!), sortKey: attribute(names[1]) };
}

/**
 * Checks that AttributeDefinitions name exactly the key attributes used.
 *
 * @param types The defined attribute types.
 * @param used The key attributes of the table and its indexes, in order of use.
 * @throws {DynamoError} ValidationException `Some AttributeDefinitions are not used.`
 */
export function checkAllUsed(types: ReadonlyMap<string, KeyType>, used: readonly string[]): void {
  const keys = [...new Set(used)];
  if ([...types.keys()].some((name) => !keys.includes(name))) {
    throw validationError(
      `${INVALID}Some AttributeDefinitions are not used. AttributeDefinitions: [${
        [...types.keys()].join(", ")
      }], keys used: [${keys.join(", ")}]`,
    );
  }
}

/**
 * Reads a Projection.
 *
 * @param projection The wire projection.
 * @returns The projection (the engine checks NonKeyAttributes against the type).
 * @throws {DynamoError} ValidationException `Unknown ProjectionType: null`.
 */
export function projectionOf(projection: WireProjection): Projection {
  if (projection.ProjectionType === undefined) {
    throw validationError(`${INVALID}Unknown ProjectionType: null`);
  }
  return projection.NonKeyAttributes === undefined
    ? { type: projection.ProjectionType }
    : { type: projection.ProjectionType, nonKeyAttributes: projection.NonKeyAttributes };
}

/**
 * Reads a LocalSecondaryIndex.
 *
 * @param index The wire index.
 * @param table The table's key.
 * @param types The defined attribute types.
 * @returns The index options.
 * @throws {DynamoError} ValidationException with DynamoDB's wording.
 */
export function localIndexOf(
  index: WireIndex,
  table: KeySchema,
  types: ReadonlyMap<string, KeyType>,
): LocalIndexOptions {
  const schema = keySchemaOf(index.KeySchema, types);
  if (table.sortKey === undefined) {
    throw validationError(
      `${INVALID}Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex`,
    );
  }
  if (schema.partitionKey.name !== table.partitionKey.name) {
    throw validationError(
      `${INVALID}Index KeySchema does not have the same leading hash key as table KeySchema for index: ${index.IndexName}. index hash key: ${schema.partitionKey.name}, table hash key: ${table.partitionKey.name}`,
    );
  }
  if (schema.sortKey === undefined) {
    throw validationError(
      `${INVALID}Index KeySchema does not have a range key for index: ${index.IndexName}`,
    );
  }
  return {
    name: index.IndexName,
    sortKey: schema.sortKey,
    projection: projectionOf(index.Projection),
  };
}

/**
 * Reads a GlobalSecondaryIndex.
 *
 * @param index The wire index.
 * @param types The defined attribute types.
 * @returns The index options.
 * @throws {DynamoError} ValidationException with DynamoDB's wording.
 */
export function globalIndexOf(
  index: WireIndex,
  types: ReadonlyMap<string, KeyType>,
): GlobalIndexOptions {
  const schema = keySchemaOf(index.KeySchema, types);
  const options = { name: index.IndexName, projection: projectionOf(index.Projection) };
  return schema.sortKey === undefined
    ? { ...options, partitionKey: schema.partitionKey }
    : { ...options, partitionKey: schema.partitionKey, sortKey: schema.sortKey };
}
