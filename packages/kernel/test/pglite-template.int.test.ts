import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../src/db/database.ts";
import { ensurePgliteTemplate, hasDataDirectory, pgliteTemplatePath } from "../src/db/pglite-template.ts";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "pglite-template-"));

describe("PGlite template", () => {
  it("is made once per data directory and gives new databases that work and persist", async () => {
    const dataDir = tmp();
    const file = await ensurePgliteTemplate(dataDir);
    expect(file).toBe(pgliteTemplatePath(dataDir));
    const made = fs.statSync(file).mtimeMs;
    await ensurePgliteTemplate(dataDir);
    expect(fs.statSync(file).mtimeMs).toBe(made);

    const serviceDir = path.join(dataDir, "wallet");
    const db = await openDatabase({ schema: "wallet", dataDir: serviceDir, templateFile: file });
    await db.sql.exec("CREATE TABLE t (id int primary key); INSERT INTO t VALUES (7);");
    await db.close();
    expect(hasDataDirectory(serviceDir)).toBe(true);

    const reopened = await openDatabase({ schema: "wallet", dataDir: serviceDir, templateFile: file });
    await expect(reopened.sql.query<{ id: number }>("SELECT id FROM t")).resolves.toEqual([{ id: 7 }]);
    await reopened.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("falls back to initdb when the template is damaged", async () => {
    const dataDir = tmp();
    const file = path.join(dataDir, "broken.tar");
    fs.writeFileSync(file, "not a tar archive");
    const db = await openDatabase({ schema: "x", dataDir: path.join(dataDir, "x"), templateFile: file });
    await expect(db.sql.query<{ one: number }>("SELECT 1 AS one")).resolves.toEqual([{ one: 1 }]);
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);
});
