/**
 * Deno KV as the workload's peer under Deno: key `[pk, sk]`, value the document's JSON text.
 * Needs `--unstable-kv`; the workload's parent process passes it to the child it spawns.
 *
 * @module
 */
import type { ItemSet } from "./_items.ts";
import type { Subject } from "./_subject.ts";

/** The part of `Deno.Kv` the workload uses (typed here: `Deno.openKv` is unstable). */
interface Kv {
  set(key: readonly string[], value: unknown): Promise<unknown>;
  get(key: readonly string[]): Promise<{ value: unknown }>;
  atomic(): KvAtomic;
  close(): void;
}
interface KvAtomic {
  set(key: readonly string[], value: unknown): KvAtomic;
  commit(): Promise<{ ok: boolean }>;
}
type OpenKv = (path: string) => Promise<Kv>;

/** An item as Deno KV takes it. */
export interface KvRow {
  /** `[pk, sk]`. */
  readonly key: readonly string[];
  /** The JSON text. */
  readonly value: string;
}

/** Deno KV's limit of mutations in one atomic operation. */
export const KV_MAX_MUTATIONS = 1000;

/** The Deno KV subject. */
export class DenoKvSubject implements Subject<KvRow> {
  readonly name = "Deno KV";
  readonly #items: ItemSet;
  readonly #openKv: OpenKv;
  #kv: Kv | undefined;

  /** @param items The workload's items. */
  constructor(items: ItemSet) {
    this.#items = items;
    const openKv = (globalThis as { Deno?: { openKv?: OpenKv } }).Deno?.openKv;
    if (openKv === undefined) {
      throw new Error("Deno.openKv is missing: run the peer with `deno run -A --unstable-kv`");
    }
    this.#openKv = openKv;
  }

  get #open(): Kv {
    if (this.#kv === undefined) throw new Error("Deno KV: not open");
    return this.#kv;
  }

  row(i: number): KvRow {
    return { key: [this.#items.pk(i), this.#items.sk(i)], value: this.#items.json(i) };
  }

  async create(dir: string): Promise<void> {
    this.#kv = await this.#openKv(`${dir}/kv.sqlite`);
  }

  open(dir: string): Promise<void> {
    return this.create(dir);
  }

  async putOne(row: KvRow): Promise<void> {
    await this.#open.set(row.key, row.value);
  }

  async putInFlight(rows: readonly KvRow[]): Promise<void> {
    const kv = this.#open;
    await Promise.all(rows.map((row) => kv.set(row.key, row.value)));
  }

  async putBatch(rows: readonly KvRow[]): Promise<void> {
    for (let start = 0; start < rows.length; start += KV_MAX_MUTATIONS) {
      const atomic = this.#open.atomic();
      for (const row of rows.slice(start, start + KV_MAX_MUTATIONS)) atomic.set(row.key, row.value);
      const result = await atomic.commit();
      if (!result.ok) throw new Error("Deno KV: atomic commit failed");
    }
  }

  async get(pk: string, sk: string): Promise<boolean> {
    return (await this.#open.get([pk, sk])).value !== null;
  }

  async read(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const { value } = await this.#open.get([pk, sk]);
    return typeof value === "string" ? JSON.parse(value) : undefined;
  }

  close(): Promise<void> {
    this.#kv?.close();
    this.#kv = undefined;
    return Promise.resolve();
  }
}
