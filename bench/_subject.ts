/**
 * What the workload drives: kstone or a peer, each behind the same small interface so the
 * phases run identically on all of them.
 *
 * @module
 */

/** One store under test. `R` is an item prepared the way this store takes it. */
export interface Subject<R> {
  /** The name printed in the tables, e.g. `kstone`, `Deno KV`, `bun:sqlite`. */
  readonly name: string;
  /**
   * Prepares item `i` (done outside the timed sections where the workload batches).
   *
   * @param i The item index.
   */
  row(i: number): R;
  /** Creates a fresh store in the empty directory `dir`. */
  create(dir: string): Promise<void>;
  /** Opens the store made by {@linkcode Subject.create} in `dir` again. */
  open(dir: string): Promise<void>;
  /** One durable write, acknowledged once synced. */
  putOne(row: R): Promise<void>;
  /** Durable writes issued together (100 in flight), resolved when all are synced. */
  putInFlight(rows: readonly R[]): Promise<void>;
  /** A batch of the bulk load (1,000 items). */
  putBatch(rows: readonly R[]): Promise<void>;
  /** Whether the item `(pk, sk)` exists; the value is read (and decoded) as a user would. */
  get(pk: string, sk: string): Promise<boolean> | boolean;
  /** The document stored under `(pk, sk)`, for verification. */
  read(pk: string, sk: string): Promise<Record<string, unknown> | undefined>;
  /** Closes the store. */
  close(): Promise<void>;
  /** Store-specific figures for the JSON output (e.g. kstone's stats). */
  details?(): Promise<Record<string, unknown>>;
}
