/**
 * Setting an attribute on a plain object safely: an attribute may be named `__proto__`, which a
 * plain assignment would take as the object's prototype.
 *
 * @module
 */

/**
 * Sets a property, even one named `__proto__`, as an own enumerable property, without touching
 * the prototype.
 *
 * @param target The object.
 * @param key The property name.
 * @param value The value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setProperty } from "./set_property.ts";
 * const item: Record<string, unknown> = {};
 * setProperty(item, "__proto__", 1);
 * assert.equal(Object.getPrototypeOf(item), Object.prototype);
 * assert.deepEqual(Object.keys(item), ["__proto__"]);
 * ```
 */
export function setProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}
