/**
 * Drafts migration SQL for one service from its Prisma schema, offline (see
 * packages/kernel/src/db/prisma-sql.ts for how).
 *
 *   node --import tsx scripts/prisma-sql.ts <service>                   SQL creating everything
 *   node --import tsx scripts/prisma-sql.ts <service> --from <old.prisma>  SQL from old to current
 *   ... --write <name>   writes prisma/<service>/migrations/<UTC yyyymmddHHMMSS>_<name>/migration.sql
 *
 * For the next migration, take the schema as of the last migration, e.g.
 *   git show HEAD:prisma/wallet/schema.prisma > /tmp/old.prisma
 * then `--from /tmp/old.prisma --write add_something`. Review the draft before committing it: it
 * holds what Prisma can express, not the CHECKs, triggers or data changes a migration may need.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { draftSchemaSql } from "../packages/kernel/src/db/prisma-sql.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const usage = "usage: node --import tsx scripts/prisma-sql.ts <service> [--from <old schema.prisma>] [--write <name>]";

function fail(message: string): never {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { from: { type: "string" }, write: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
} catch (err) {
  fail((err as Error).message);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const [service, ...extra] = positionals;
if (!service || extra.length > 0) fail("expected exactly one service name");
const schemaFile = path.join(root, "prisma", service, "schema.prisma");
if (!fs.existsSync(schemaFile)) fail(`no ${path.relative(root, schemaFile)}`);
if (values.from !== undefined && !fs.existsSync(values.from)) fail(`no such file: ${values.from}`);
// Lower-case words only, as Prisma names them: the folder name is the migration's permanent id.
if (values.write !== undefined && !/^[a-z0-9]+(_[a-z0-9]+)*$/.test(values.write)) {
  fail(`--write expects a name in snake_case (a-z, 0-9, _), got "${values.write}"`);
}

const sql = await draftSchemaSql(schemaFile, values.from);
const empty = !/^\s*[^-\s]/m.test(sql);

if (values.write === undefined) {
  process.stdout.write(sql);
} else if (empty) {
  process.stderr.write(`no changes between ${values.from ?? "an empty database"} and ${path.relative(root, schemaFile)}; nothing written\n`);
  process.exit(1);
} else {
  const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const dir = path.join(root, "prisma", service, "migrations", `${stamp}_${values.write}`);
  if (fs.existsSync(dir)) fail(`${path.relative(root, dir)} already exists`);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "migration.sql");
  fs.writeFileSync(file, sql);
  process.stdout.write(`wrote ${path.relative(root, file)}\n`);
}
