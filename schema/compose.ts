/**
 * Composes schema/supergraph.graphql from the six subgraphs' SDL with @apollo/composition (the rover
 * CLI downloads binaries, which cannot happen here). `--check` fails when the committed file is stale.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { DEFAULT_PORTS, SERVICES } from "@casino/kernel/config";

export const SUBGRAPHS = SERVICES;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SUPERGRAPH_PATH = path.join(root, "schema", "supergraph.graphql");

export interface CompositionResult {
  supergraphSdl?: string;
  errors: string[];
  hints: string[];
}

export function composeSupergraph(): CompositionResult {
  const services = SUBGRAPHS.map((name) => ({
    name,
    // The committed file carries default URLs; the gateway overrides them from its configuration.
    url: `http://localhost:${DEFAULT_PORTS[name]}/graphql`,
    typeDefs: parse(fs.readFileSync(path.join(root, "subgraphs", name, "schema.graphql"), "utf8")),
  }));
  const result = composeServices(services);
  const hints = (result.hints ?? []).map((h) => h.toString());
  if (result.errors) return { errors: result.errors.map((e) => e.message), hints };
  return { supergraphSdl: result.supergraphSdl, errors: [], hints };
}

function main(): void {
  const check = process.argv.includes("--check");
  const result = composeSupergraph();
  for (const hint of result.hints) process.stderr.write(`hint: ${hint}\n`);
  if (!result.supergraphSdl) {
    process.stderr.write(`composition failed:\n${result.errors.map((e) => `  - ${e}`).join("\n")}\n`);
    process.exit(1);
  }
  const current = fs.existsSync(SUPERGRAPH_PATH) ? fs.readFileSync(SUPERGRAPH_PATH, "utf8") : "";
  if (check) {
    if (current !== result.supergraphSdl) {
      process.stderr.write("schema/supergraph.graphql is stale: run `npm run compose` and commit it\n");
      process.exit(1);
    }
    process.stdout.write("supergraph is up to date\n");
    return;
  }
  if (current !== result.supergraphSdl) fs.writeFileSync(SUPERGRAPH_PATH, result.supergraphSdl);
  process.stdout.write(`wrote ${path.relative(root, SUPERGRAPH_PATH)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
