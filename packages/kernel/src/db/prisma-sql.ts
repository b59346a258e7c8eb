/**
 * Drafts migration SQL from Prisma schemas, offline.
 *
 * Prisma 7 cannot diff schemas without its native schema engine, which cannot be downloaded here.
 * The Prisma 6 CLI (installed as `prisma6`) can, through its WebAssembly schema engine and a
 * driver adapter, so it is fed a temporary copy of the schema made acceptable to it:
 * - Prisma 6 requires `url` in the datasource block, which Prisma 7 forbids: one is added (the
 *   diff never connects to it);
 * - generator blocks are dropped: the diff does not need them, and Prisma 7 generator settings are
 *   not all known to Prisma 6.
 *
 * Used by `scripts/prisma-sql.ts` (a developer drafting a migration) and by the drift check.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);

const OFFLINE_URL = "postgresql://offline@localhost/offline";

/**
 * Returns the SQL that takes a database from `fromSchemaPath` (or from empty) to `schemaPath`.
 * An unchanged schema gives Prisma's `-- This is an empty migration.` comment.
 */
export async function draftSchemaSql(schemaPath: string, fromSchemaPath?: string): Promise<string> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "prisma-sql-"));
  try {
    const toFile = path.join(tmp, "schema.prisma");
    fs.writeFileSync(toFile, toPrisma6Schema(fs.readFileSync(schemaPath, "utf8"), schemaPath));
    let fromArgs = ["--from-empty"];
    if (fromSchemaPath !== undefined) {
      const fromFile = path.join(tmp, "from.prisma");
      fs.writeFileSync(fromFile, toPrisma6Schema(fs.readFileSync(fromSchemaPath, "utf8"), fromSchemaPath));
      fromArgs = ["--from-schema-datamodel", fromFile];
    }
    const configFile = path.join(tmp, "prisma.config.ts");
    fs.writeFileSync(configFile, configSource(toFile));
    // The CLI insists on locating engines before it looks at the command. With `engine: "js"`
    // neither is used; pointing both at existing files stops it from trying to download them.
    const emptyLibrary = path.join(tmp, "no-query-engine.node");
    fs.writeFileSync(emptyLibrary, "");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PRISMA_QUERY_ENGINE_LIBRARY: emptyLibrary,
      PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    };
    const args = [
      require.resolve("prisma6/build/index.js"),
      "migrate",
      "diff",
      "--config",
      configFile,
      ...fromArgs,
      "--to-schema-datamodel",
      toFile,
      "--script",
      // With --exit-code the CLI ends with process.exit(2) as soon as a non-empty diff is printed.
      // Without it, it returns normally and the process stays up until the PGlite it was given
      // (which the CLI never closes) fires PostgreSQL's 10 s idle statistics timer. An empty diff
      // still takes that path and returns after about 10 s; rare, and only when drafting.
      "--exit-code",
    ];
    const { code, stdout, stderr } = await run(process.execPath, args, { cwd: tmp, env });
    if (code !== 0 && code !== 2) {
      throw new Error(`prisma migrate diff failed (exit code ${code}) for ${schemaPath}:\n${stderr.trim() || stdout.trim()}`);
    }
    return cleanSql(stdout);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Prisma 7 schema text -> the same schema as Prisma 6 accepts it; see the file comment. */
export function toPrisma6Schema(source: string, label = "schema"): string {
  const blocks = topLevelBlocks(source);
  const datasources = blocks.filter((b) => b.kind === "datasource");
  if (datasources.length !== 1) throw new Error(`${label}: expected one datasource block, found ${datasources.length}`);
  let out = "";
  let at = 0;
  for (const block of blocks) {
    if (block.kind === "generator") {
      out += source.slice(at, block.start);
      at = source[block.end] === "\n" ? block.end + 1 : block.end;
    } else if (block.kind === "datasource") {
      const body = source
        .slice(block.bodyStart, block.end - 1)
        .split("\n")
        .filter((line) => !/^\s*(url|directUrl|shadowDatabaseUrl)\s*=/.test(line))
        .join("\n");
      out += source.slice(at, block.bodyStart) + `${body.replace(/\s*$/, "")}\n  url = ${JSON.stringify(OFFLINE_URL)}\n}`;
      at = block.end;
    }
  }
  return out + source.slice(at);
}

interface Block {
  kind: string;
  start: number;
  /** Just after the opening brace. */
  bodyStart: number;
  /** Just after the closing brace. */
  end: number;
}

/** Finds `keyword name { ... }` blocks, skipping comments and strings, which may hold braces. */
function topLevelBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  let depth = 0;
  let current: Omit<Block, "end"> | undefined;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === "/" && source[i + 1] === "/") {
      const nl = source.indexOf("\n", i);
      i = nl === -1 ? source.length : nl - 1;
    } else if (ch === '"') {
      for (i++; i < source.length && source[i] !== '"'; i++) if (source[i] === "\\") i++;
    } else if (ch === "{") {
      if (depth++ === 0) {
        const lineStart = source.lastIndexOf("\n", i) + 1;
        const kind = /^\s*(\w+)\s+\w+\s*$/.exec(source.slice(lineStart, i))?.[1];
        if (kind) current = { kind, start: lineStart, bodyStart: i + 1 };
      }
    } else if (ch === "}" && --depth === 0 && current) {
      blocks.push({ ...current, end: i + 1 });
      current = undefined;
    }
  }
  return blocks;
}

function cleanSql(stdout: string): string {
  // Prisma creates the `public` schema it assumes; a service's tables live in its own schema,
  // chosen by the search_path, and must not name one.
  const sql = stdout.replace(/-- CreateSchema\r?\nCREATE SCHEMA IF NOT EXISTS "public";\r?\n(\r?\n)?/, "");
  return sql.trimEnd() + "\n";
}

function configSource(schemaFile: string): string {
  // Absolute paths, so the temporary config resolves the same packages wherever it is written.
  // PGlite is the kernel's own (0.5): the 0.4 that npm hoists for the adapter sets exit code 99
  // when its runtime stops and so cannot tell success from failure.
  const modules = {
    config: require.resolve("prisma6/config"),
    pglite: require.resolve("@electric-sql/pglite"),
    adapter: require.resolve("pglite-prisma-adapter"),
  };
  return `import { defineConfig } from ${JSON.stringify(modules.config)};
import { PGlite } from ${JSON.stringify(modules.pglite)};
import { PrismaPGlite } from ${JSON.stringify(modules.adapter)};

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: ${JSON.stringify(schemaFile)},
  adapter: async () => new PrismaPGlite(new PGlite()),
} as any);
`;
}

function run(
  file: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { ...opts, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" }, (err, stdout, stderr) => {
      // A non-zero exit is an answer here (2 = a diff was printed); only a failure to run is an error.
      if (err && typeof (err as NodeJS.ErrnoException).code === "string") reject(err);
      else resolve({ code: child.exitCode, stdout, stderr });
    });
  });
}
