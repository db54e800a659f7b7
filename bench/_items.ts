/**
 * The workload's items: `partitions × sortKeys` items with pk `user#NNNNNN`, sk `item#NNNN` and a
 * ~200-byte JSON-like document, all derived from a seed. Item `i` is partition `i / sortKeys`,
 * sort key `i % sortKeys`; its document is generated on demand from `(seed, i)`, so the set
 * costs no memory beyond the 2,100 key strings and the insert order.
 *
 * @module
 */

/** A document of the workload: six attributes whose JSON is ~200 bytes. */
export type Doc = {
  /** A person's name. */
  name: string;
  /** An e-mail address. */
  email: string;
  /** An integer 18..90. */
  age: number;
  /** A number with two decimals, 0..1000. */
  score: number;
  /** Two to four words. */
  tags: string[];
  /** Filler words that bring the JSON to its drawn length. */
  bio: string;
};

/**
 * A small, fast seeded PRNG (mulberry32).
 *
 * @param seed Any 32-bit integer.
 * @returns A function returning floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Leslie", "Radia", "Ken"];
const LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Lamport", "Ritchie"];
const WORDS = [
  "storage",
  "engine",
  "stripe",
  "durable",
  "compaction",
  "bloom",
  "filter",
  "memtable",
  "query",
  "partition",
  "sorted",
  "write",
  "read",
  "cache",
  "block",
  "index",
];

/** Text to cut bios from: seeded picks of {@linkcode WORDS}, 1 KiB. */
const FILLER = ((random) => {
  const words: string[] = [];
  while (words.join(" ").length < 1024) words.push(WORDS[Math.floor(random() * WORDS.length)]!);
  return words.join(" ");
})(mulberry32(7));

/** The items of one workload run. */
export class ItemSet {
  /** Number of items. */
  readonly count: number;
  /** The partition key of each partition. */
  readonly pks: readonly string[];
  /** The sort key of each position within a partition. */
  readonly sks: readonly string[];
  /** The seeded random insert order: a permutation of `0..count-1`. */
  readonly order: Uint32Array;
  readonly #seed: number;
  readonly #sortKeys: number;

  /**
   * @param partitions Number of partitions.
   * @param sortKeys Sort keys per partition.
   * @param seed The seed of the documents and the insert order.
   */
  constructor(partitions: number, sortKeys: number, seed: number) {
    this.count = partitions * sortKeys;
    this.#seed = seed;
    this.#sortKeys = sortKeys;
    this.pks = Array.from({ length: partitions }, (_, p) => `user#${String(p).padStart(6, "0")}`);
    this.sks = Array.from({ length: sortKeys }, (_, s) => `item#${String(s).padStart(4, "0")}`);
    this.order = shuffled(this.count, seed);
  }

  /** The partition key of item `i`. */
  pk(i: number): string {
    return this.pks[Math.floor(i / this.#sortKeys)]!;
  }

  /** The sort key of item `i`. */
  sk(i: number): string {
    return this.sks[i % this.#sortKeys]!;
  }

  /**
   * The document of item `i` (a fresh object each call).
   *
   * @param i The item index.
   * @returns The document.
   */
  doc(i: number): Doc {
    const random = mulberry32(Math.imul(this.#seed ^ 0x5bd1e995, 0x9e3779b1) ^ i);
    const first = FIRST[Math.floor(random() * FIRST.length)]!;
    const last = LAST[Math.floor(random() * LAST.length)]!;
    const tags: string[] = [];
    for (let n = 2 + Math.floor(random() * 3); n > 0; n--) {
      tags.push(WORDS[Math.floor(random() * WORDS.length)]!);
    }
    const doc: Doc = {
      name: `${first} ${last}`,
      email: `${first.toLowerCase()}.${last.toLowerCase()}${i}@example.com`,
      age: 18 + Math.floor(random() * 73),
      score: Math.round(random() * 100_000) / 100,
      tags,
      bio: "",
    };
    const room = 180 + Math.floor(random() * 41) - JSON.stringify(doc).length;
    const from = Math.floor(random() * (FILLER.length - 256));
    doc.bio = FILLER.slice(from, from + Math.max(0, room));
    return doc;
  }

  /** The JSON text of item `i`'s document. */
  json(i: number): string {
    return JSON.stringify(this.doc(i));
  }

  /** Raw bytes of the whole set: the sum of pk, sk and JSON document lengths (all ASCII). */
  rawBytes(): number {
    let total = 0;
    for (let i = 0; i < this.count; i++) {
      total += this.pk(i).length + this.sk(i).length + this.json(i).length;
    }
    return total;
  }
}

/**
 * A seeded Fisher-Yates permutation.
 *
 * @param count Its length.
 * @param seed The seed.
 * @returns `0..count-1` in random order.
 */
export function shuffled(count: number, seed: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const random = mulberry32(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * `count` seeded random item indices in `[0, items)`, with repeats.
 *
 * @param count How many.
 * @param items The number of items.
 * @param seed The seed.
 * @returns The indices.
 */
export function randomIndices(count: number, items: number, seed: number): Uint32Array {
  const random = mulberry32(seed);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(random() * items);
  return out;
}
