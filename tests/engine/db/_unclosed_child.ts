/**
 * A script that opens a database with a table that has time to live and a stream (so the
 * sweeper and stream trimming have timers armed), writes, and ends without closing it.
 */
import { Database } from "../../../mod.ts";

const db = await Database.memory();
const sessions = await db.createTable("sessions", { partitionKey: { name: "id", type: "S" } }, {
  ttl: { attributeName: "expires" },
  stream: { viewType: "KEYS_ONLY" },
});
await sessions.put({ id: "s1", expires: Math.floor(Date.now() / 1000) + 3600 });
console.log("written");
