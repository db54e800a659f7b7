/**
 * The errors an SST reader throws, worded as the troubleshooting chapter quotes them
 * (`Corruption detected: SST file header invalid`, `Checksum mismatch in SST file`), each
 * followed by the file's name and carrying its path.
 *
 * @module
 */
import { corruption, KstoneError } from "../errors.ts";

/**
 * The last segment of a path: `042-5.sst` for `/db.keystone/042-5.sst`.
 *
 * @param path A path joined with `/`.
 * @returns The file name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileName } from "./_errors.ts";
 * assert.equal(fileName("/db.keystone/042-5.sst"), "042-5.sst");
 * ```
 */
export function fileName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * `CORRUPTION`: bad magic, a bad header or footer checksum, a file too short for both, or
 * block handles that do not tile the file.
 *
 * @param path The SST's path.
 * @returns `Corruption detected: SST file header invalid: <name>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headerInvalid } from "./_errors.ts";
 * assert.equal(headerInvalid("/d/001-2.sst").message, "Corruption detected: SST file header invalid: 001-2.sst");
 * ```
 */
export function headerInvalid(path: string): KstoneError {
  return corruption(`SST file header invalid: ${fileName(path)}`, path);
}

/**
 * `CORRUPTION`: a data, index, bloom or properties block failed its CRC-32C.
 *
 * @param path The SST's path.
 * @returns `Checksum mismatch in SST file <name>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumMismatch } from "./_errors.ts";
 * assert.equal(checksumMismatch("/d/001-2.sst").message, "Checksum mismatch in SST file 001-2.sst");
 * ```
 */
export function checksumMismatch(path: string): KstoneError {
  return new KstoneError("CORRUPTION", `Checksum mismatch in SST file ${fileName(path)}`, { path });
}

/**
 * `CORRUPTION`: a block passed its checksum but its contents break the format (a writer bug or
 * a deliberately forged block), or the contents contradict the properties.
 *
 * @param path The SST's path.
 * @param detail What is wrong, e.g. `index block: input ends`.
 * @returns `Corruption detected: Malformed SST file <name>: <detail>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { malformed } from "./_errors.ts";
 * assert.equal(malformed("/d/1-2.sst", "index block").code, "CORRUPTION");
 * ```
 */
export function malformed(path: string, detail: string): KstoneError {
  return corruption(`Malformed SST file ${fileName(path)}: ${detail}`, path);
}

/**
 * `NOT_SUPPORTED`: the file was written by a newer format version, or sets flags this version
 * does not know.
 *
 * @param path The SST's path.
 * @param detail What is newer, e.g. `format version 2 is newer than supported version 1`.
 * @returns `Cannot read SST file <name>: <detail>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notSupported } from "./_errors.ts";
 * assert.equal(notSupported("/d/1-2.sst", "x").code, "NOT_SUPPORTED");
 * ```
 */
export function notSupported(path: string, detail: string): KstoneError {
  return new KstoneError("NOT_SUPPORTED", `Cannot read SST file ${fileName(path)}: ${detail}`, {
    path,
  });
}
