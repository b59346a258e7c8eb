import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { draftSchemaSql, toPrisma6Schema } from "../src/db/prisma-sql.ts";

const SCHEMA = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "drift", "prisma", "shop", "schema.prisma");

describe("toPrisma6Schema", () => {
  it("adds a url to the datasource and drops generators, whatever braces comments and strings hold", () => {
    const source = [
      `// leading comment with a brace {`,
      `generator client {`,
      `  provider = "prisma-client"`,
      `  output   = "../x" // }`,
      `}`,
      ``,
      `datasource db {`,
      `  provider = "postgresql"`,
      `  url      = env("OLD")`,
      `}`,
      ``,
      `model A {`,
      `  id   Int    @id`,
      `  json Json   @default("{\\"a\\": \\"}\\"}")`,
      `}`,
      ``,
    ].join("\n");

    expect(toPrisma6Schema(source)).toBe(
      [
        `// leading comment with a brace {`,
        ``,
        `datasource db {`,
        `  provider = "postgresql"`,
        `  url = "postgresql://offline@localhost/offline"`,
        `}`,
        ``,
        `model A {`,
        `  id   Int    @id`,
        `  json Json   @default("{\\"a\\": \\"}\\"}")`,
        `}`,
        ``,
      ].join("\n"),
    );
  });

  it("refuses a schema without a datasource", () => {
    expect(() => toPrisma6Schema(`model A {\n  id Int @id\n}\n`, "a.prisma")).toThrow("a.prisma: expected one datasource block, found 0");
  });
});

describe("draftSchemaSql", () => {
  let tmp: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "prisma-sql-test-"));
  });

  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("drafts the SQL creating a schema from scratch, without creating the public schema", async () => {
    const sql = await draftSchemaSql(SCHEMA);

    expect(sql).toContain(`CREATE TYPE "OrderStatus" AS ENUM ('PENDING', 'PAID', 'CANCELLED');`);
    expect(sql).toContain(`CREATE UNIQUE INDEX "customer_email_key" ON "customer"("email");`);
    expect(sql).toMatch(/^-- CreateEnum\n/);
    expect(sql).not.toMatch(/CREATE SCHEMA|"public"/);
  });

  it("drafts the SQL from an older version of a schema to the current one", async () => {
    const older = path.join(tmp, "older.prisma");
    const source = fs.readFileSync(SCHEMA, "utf8");
    const withoutName = source.replace(/^\s*name\s+String\?\n/m, "");
    expect(withoutName).not.toBe(source);
    fs.writeFileSync(older, withoutName);

    const sql = await draftSchemaSql(SCHEMA, older);

    expect(sql).toBe(`-- AlterTable\nALTER TABLE "customer" ADD COLUMN     "name" TEXT;\n`);
  });

  it("reports Prisma's own error for an invalid schema", async () => {
    const invalid = path.join(tmp, "invalid.prisma");
    fs.writeFileSync(invalid, `datasource db {\n  provider = "postgresql"\n}\n\nmodel A {\n  id Strin @id\n}\n`);

    await expect(draftSchemaSql(invalid)).rejects.toThrow(/prisma migrate diff failed \(exit code 1\)[\s\S]*Strin/);
  });
});
