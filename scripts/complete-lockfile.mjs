#!/usr/bin/env node
/**
 * The npm registry mirror this project is built against does not serve every platform build of
 * packages that ship native binaries as optional dependencies (@swc/core-darwin-*, @turbo/windows-*,
 * ...). `npm install` then leaves them out of package-lock.json, and `npm ci` refuses the lock file
 * as out of sync. This adds the missing entries, marked optional and restricted to their platform
 * (read from the package name), so `npm ci` skips them here and installs them where they exist.
 * Run it after every `npm install` that changes the lock file: `node scripts/complete-lockfile.mjs`.
 */
import fs from "node:fs";

const LOCK = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(fs.readFileSync(LOCK, "utf8"));
const packages = lock.packages;

const OS = { darwin: "darwin", linux: "linux", win32: "win32", windows: "win32", android: "android", freebsd: "freebsd", openharmony: "openharmony", sunos: "sunos", openbsd: "openbsd", netbsd: "netbsd", aix: "aix" };
const CPU = { x64: "x64", "64": "x64", arm64: "arm64", arm: "arm", ia32: "ia32", ppc64: "ppc64", s390x: "s390x", riscv64: "riscv64", loong64: "loong64" };

function platformOf(name) {
  const parts = name.split("/").pop().split("-");
  const os = parts.map((p) => OS[p]).find(Boolean);
  const cpu = parts.map((p) => CPU[p] ?? (p.startsWith("arm") ? "arm" : undefined)).filter(Boolean).pop();
  const libc = parts.includes("musl") || parts.includes("musleabihf") ? "musl" : parts.includes("gnu") || parts.includes("gnueabihf") ? "glibc" : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === "" ? "node_modules" : `${path}/node_modules`;
    const candidates = [`${base}/${dep}`, `node_modules/${dep}`];
    if (candidates.some((c) => packages[c])) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os || !cpu) continue;
    packages[`node_modules/${dep}`] = {
      version: String(version).replace(/^[\^~=]/, ""),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
      cpu: [cpu],
      ...(libc ? { libc: [libc] } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)));
fs.writeFileSync(LOCK, JSON.stringify(lock, null, 2) + "\n");
process.stdout.write(`complete-lockfile: added ${added} platform entries\n`);
