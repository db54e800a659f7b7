/**
 * A {@linkcode FileSystem} wrapper that injects faults, for tests of how the engine copes with a
 * full disk, a failing sync or a torn write (after Pebble's `errorfs`). Wrap any filesystem,
 * {@linkcode ErrorFileSystem.inject} rules, run the workload, and tell injected errors from real
 * ones with {@linkcode isInjectedFault}.
 *
 * @module
 */

import { ioError, KstoneError } from "../errors.ts";
import type { FileHandle, FileInfo, FileLock, FileSystem, OpenOptions } from "./file_system.ts";

/**
 * The operations a fault can target. `sync` covers `datasync` and `datasyncSync`; `read`,
 * `write`, `append`, `truncate` and `sync` are calls on open handles.
 */
export type FaultOp =
  | "open"
  | "read"
  | "write"
  | "append"
  | "truncate"
  | "sync"
  | "rename"
  | "remove"
  | "mkdir"
  | "syncDir"
  | "list"
  | "stat"
  | "readFile"
  | "lock";

/** Which calls fail, and how. */
export interface FaultRule {
  /** The operation to fail; `"any"` matches every operation. */
  op: FaultOp | "any";
  /** Only calls whose path contains this text (either path of a rename). @default undefined */
  path?: string;
  /** Fail the nth matching call from now, 1-based. @default 1 */
  nth?: number;
  /** How many matching calls fail, from the nth on; `Infinity` for all. @default 1 */
  times?: number;
  /** The POSIX error name to throw. @default "EIO" */
  errno?: string;
  /**
   * For `write` and `append`: write a prefix of the data before throwing (a torn write);
   * `true` writes half (rounded down), a number writes that many bytes. @default false
   */
  partial?: boolean | number;
}

/** A rule once injected: how often it has fired, and a way to take it back. */
export interface ActiveFault {
  /** How many calls it has failed so far. */
  readonly fired: number;
  /** Stops the rule from firing again. */
  cancel(): void;
}

/**
 * The `cause` of every injected error, naming the rule that fired.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InjectedFault } from "./error_fs.ts";
 * const fault = new InjectedFault({ op: "sync" }, "/db/wal.log");
 * assert.equal(fault.message, "Injected fault: sync /db/wal.log");
 * ```
 */
export class InjectedFault extends Error {
  /** The rule that fired. */
  readonly rule: Readonly<FaultRule>;

  /**
   * @param rule The rule that fired.
   * @param path The path of the failed call.
   */
  constructor(rule: Readonly<FaultRule>, path: string) {
    super(`Injected fault: ${rule.op} ${path}`);
    this.name = "InjectedFault";
    this.rule = rule;
  }
}

/**
 * Whether an error was injected by an {@linkcode ErrorFileSystem} (rather than a real failure).
 *
 * @param error Anything caught.
 * @returns `true` for an `IO_ERROR` whose cause is an {@linkcode InjectedFault}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ioError } from "../errors.ts";
 * import { InjectedFault, isInjectedFault } from "./error_fs.ts";
 * assert.equal(isInjectedFault(ioError("EIO", "/f", new InjectedFault({ op: "any" }, "/f"))), true);
 * assert.equal(isInjectedFault(ioError("EIO", "/f")), false);
 * ```
 */
export function isInjectedFault(error: unknown): boolean {
  return error instanceof KstoneError && error.cause instanceof InjectedFault;
}

interface RuleState {
  rule: Readonly<FaultRule>;
  seen: number;
  fired: number;
  cancelled: boolean;
}

/** What a fired rule asks of the caller. */
type Fault = { error: KstoneError; rule: Readonly<FaultRule> } | undefined;

/**
 * Wraps a filesystem, and the handles it opens, to fail chosen calls.
 *
 * @example A full disk on the second append
 * ```ts
 * import assert from "node:assert/strict";
 * import { ErrorFileSystem, isInjectedFault } from "./error_fs.ts";
 * import { MemoryFileSystem } from "./memory_fs.ts";
 * const fs = new ErrorFileSystem(new MemoryFileSystem());
 * const fault = fs.inject({ op: "append", nth: 2, errno: "ENOSPC" });
 * const file = await fs.open("/wal.log", { create: true });
 * file.append(new Uint8Array([1]));
 * assert.throws(() => file.append(new Uint8Array([2])), (error: unknown) => {
 *   assert.ok(isInjectedFault(error));
 *   assert.match(String(error), /No space left on device/);
 *   return true;
 * });
 * assert.equal(fault.fired, 1);
 * assert.equal(fs.calls("append"), 2);
 * assert.equal(file.size(), 1);
 * ```
 */
export class ErrorFileSystem implements FileSystem {
  /** `error(<inner name>)`. */
  readonly name: string;
  /** The wrapped filesystem. */
  readonly inner: FileSystem;
  #rules: RuleState[] = [];
  #calls = new Map<FaultOp, number>();

  /** @param inner The filesystem to wrap. */
  constructor(inner: FileSystem) {
    this.inner = inner;
    this.name = `error(${inner.name})`;
  }

  /**
   * Adds a rule. Rules are checked in the order injected; the first that fires wins, and every
   * matching rule counts the call toward its `nth`.
   *
   * @param rule Which calls fail, and how.
   * @returns The live rule, to read `fired` or `cancel()` it.
   * @throws {RangeError} when `nth` or `times` is not a positive count.
   */
  inject(rule: FaultRule): ActiveFault {
    const nth = rule.nth ?? 1;
    const times = rule.times ?? 1;
    if (!Number.isInteger(nth) || nth < 1 || !(times >= 1)) {
      throw new RangeError(`Cannot inject fault with nth ${nth} and times ${times}`);
    }
    const state: RuleState = { rule: { ...rule }, seen: 0, fired: 0, cancelled: false };
    this.#rules.push(state);
    return {
      get fired() {
        return state.fired;
      },
      cancel: () => {
        state.cancelled = true;
      },
    };
  }

  /** Removes every rule; the call counters keep counting. */
  clear(): void {
    for (const state of this.#rules) state.cancelled = true;
    this.#rules = [];
  }

  /**
   * How many calls of an operation went through this wrapper (failed ones included).
   *
   * @param op An operation, or `"any"` for all.
   * @returns The count since construction.
   */
  calls(op: FaultOp | "any"): number {
    if (op !== "any") return this.#calls.get(op) ?? 0;
    let total = 0;
    for (const count of this.#calls.values()) total += count;
    return total;
  }

  /** Counts a call and returns the fault to raise, if a rule fires. */
  #check(op: FaultOp, path: string, other?: string): Fault {
    this.#calls.set(op, (this.#calls.get(op) ?? 0) + 1);
    let fault: Fault;
    for (const state of this.#rules) {
      const { rule } = state;
      if (state.cancelled || (rule.op !== "any" && rule.op !== op)) continue;
      const filter = rule.path;
      if (filter !== undefined && !path.includes(filter) && !(other?.includes(filter))) continue;
      state.seen++;
      if (fault !== undefined || state.seen < (rule.nth ?? 1)) continue;
      if (state.fired >= (rule.times ?? 1)) continue;
      state.fired++;
      fault = { rule, error: ioError(rule.errno ?? "EIO", path, new InjectedFault(rule, path)) };
    }
    return fault;
  }

  #fail(op: FaultOp, path: string, other?: string): void {
    const fault = this.#check(op, path, other);
    if (fault !== undefined) throw fault.error;
  }

  async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    this.#fail("open", path);
    const check = (op: FaultOp, file: string) => this.#check(op, file);
    return new ErrorFileHandle(await this.inner.open(path, options), check);
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.#fail("readFile", path);
    return await this.inner.readFile(path);
  }

  async rename(from: string, to: string): Promise<void> {
    this.#fail("rename", from, to);
    await this.inner.rename(from, to);
  }

  async remove(path: string): Promise<void> {
    this.#fail("remove", path);
    await this.inner.remove(path);
  }

  async list(dir: string): Promise<string[]> {
    this.#fail("list", dir);
    return await this.inner.list(dir);
  }

  async mkdir(path: string, options?: { recursive?: boolean }): Promise<void> {
    this.#fail("mkdir", path);
    await this.inner.mkdir(path, options);
  }

  async stat(path: string): Promise<FileInfo> {
    this.#fail("stat", path);
    return await this.inner.stat(path);
  }

  async syncDir(path: string): Promise<void> {
    this.#fail("syncDir", path);
    await this.inner.syncDir(path);
  }

  async lock(path: string): Promise<FileLock> {
    this.#fail("lock", path);
    return await this.inner.lock(path);
  }
}

function tornLength(partial: boolean | number | undefined, length: number): number {
  if (partial === undefined || partial === false) return 0;
  if (partial === true) return Math.floor(length / 2);
  return Math.max(0, Math.min(length, Math.floor(partial)));
}

class ErrorFileHandle implements FileHandle {
  readonly path: string;
  #inner: FileHandle;
  #check: (op: FaultOp, path: string) => Fault;

  constructor(inner: FileHandle, check: (op: FaultOp, path: string) => Fault) {
    this.path = inner.path;
    this.#inner = inner;
    this.#check = check;
  }

  #fail(op: FaultOp): void {
    const fault = this.#check(op, this.path);
    if (fault !== undefined) throw fault.error;
  }

  size(): number {
    return this.#inner.size();
  }

  read(buffer: Uint8Array, position: number): number {
    this.#fail("read");
    return this.#inner.read(buffer, position);
  }

  write(data: Uint8Array, position: number): void {
    const fault = this.#check("write", this.path);
    if (fault === undefined) return this.#inner.write(data, position);
    const torn = tornLength(fault.rule.partial, data.length);
    if (torn > 0) this.#inner.write(data.subarray(0, torn), position);
    throw fault.error;
  }

  append(data: Uint8Array): void {
    const fault = this.#check("append", this.path);
    if (fault === undefined) return this.#inner.append(data);
    const torn = tornLength(fault.rule.partial, data.length);
    if (torn > 0) this.#inner.append(data.subarray(0, torn));
    throw fault.error;
  }

  truncate(size: number): void {
    this.#fail("truncate");
    this.#inner.truncate(size);
  }

  async datasync(): Promise<void> {
    this.#fail("sync");
    await this.#inner.datasync();
  }

  datasyncSync(): void {
    this.#fail("sync");
    this.#inner.datasyncSync();
  }

  close(): void {
    this.#inner.close();
  }
}
