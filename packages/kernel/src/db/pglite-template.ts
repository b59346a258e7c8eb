import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";

/**
 * Creating a PGlite database runs initdb in WebAssembly: about 2 s of CPU, six times over on a
 * fresh `npm start`. Restoring the data directory of an empty database from a dump takes about
 * 0.4 s, so the supervisor makes one such dump first and every new embedded database starts from it.
 */

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  let dir = path.dirname(entry);
  while (!fs.existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }).version;
}

/** Where the template for databases under `dataDir` lives; the PGlite version is part of the name. */
export function pgliteTemplatePath(dataDir: string): string {
  return path.join(dataDir, `.pglite-template-${pgliteVersion()}.tar`);
}

/** Makes the template once per data directory and PGlite version; later calls find it. */
export async function ensurePgliteTemplate(dataDir: string): Promise<string> {
  const file = pgliteTemplatePath(dataDir);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create();
  try {
    const dump = await db.dumpDataDir("none");
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(tmp, file);
  } finally {
    await db.close();
  }
  return file;
}

/** True when `dir` already holds a PGlite/PostgreSQL data directory. */
export function hasDataDirectory(dir: string): boolean {
  return fs.existsSync(path.join(dir, "PG_VERSION"));
}
