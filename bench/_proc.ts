/**
 * Process and disk measurements shared by Deno and Bun: resident memory (Linux `VmHWM`, with a
 * sampled fallback), bytes written to storage (`/proc/self/io`), directory sizes and the
 * filesystem type of a path.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Samples `process.memoryUsage().rss` on a timer, for systems without `/proc`. */
export class RssSampler {
  #peak = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Starts sampling every `ms` milliseconds. */
  start(ms = 20): void {
    this.sample();
    this.#timer = setInterval(() => this.sample(), ms);
  }

  /** Takes one sample now (call it at phase boundaries too). */
  sample(): void {
    const rss = process.memoryUsage().rss;
    if (rss > this.#peak) this.#peak = rss;
  }

  /** Stops the timer. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The peak resident set size of this process in bytes: `VmHWM` when Linux reports it. */
  peak(): number {
    this.sample();
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readText("/proc/self/status") ?? "");
    return hwm ? Math.max(Number(hwm[1]) * 1024, this.#peak) : this.#peak;
  }
}

/**
 * Bytes this process caused to be written to storage so far (`write_bytes` of
 * `/proc/self/io`, which counts every thread), or `undefined` where there is no such file.
 */
export function storageBytesWritten(): number | undefined {
  const match = /write_bytes:\s+(\d+)/.exec(readText("/proc/self/io") ?? "");
  return match ? Number(match[1]) : undefined;
}

/**
 * The summed size of the files under a directory.
 *
 * @param dir The directory.
 * @returns Bytes (apparent sizes), 0 when it does not exist.
 */
export function directoryBytes(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      const info = statSync(path);
      total += info.isDirectory() ? directoryBytes(path) : info.size;
    } catch {
      // removed meanwhile (a compaction's input, a temp file)
    }
  }
  return total;
}

/**
 * The filesystem type holding a path, from `/proc/mounts` (the longest mount point prefix).
 *
 * @param path An existing path.
 * @returns E.g. `ext4` or `tmpfs`; `unknown` off Linux.
 */
export function filesystemType(path: string): string {
  const mounts = readText("/proc/mounts");
  if (mounts === undefined) return "unknown";
  const target = resolve(path);
  let best = "";
  let type = "unknown";
  for (const line of mounts.split("\n")) {
    const [, mountPoint, fsType] = line.split(" ");
    if (mountPoint === undefined || fsType === undefined) continue;
    const prefix = mountPoint.endsWith("/") ? mountPoint : `${mountPoint}/`;
    if ((target === mountPoint || target.startsWith(prefix)) && mountPoint.length >= best.length) {
      best = mountPoint;
      type = fsType;
    }
  }
  return type;
}

/** The 1-minute load average (`/proc/loadavg`), or `undefined` off Linux. */
export function loadAverage(): number | undefined {
  const text = readText("/proc/loadavg");
  return text === undefined ? undefined : Number(text.split(" ")[0]);
}
