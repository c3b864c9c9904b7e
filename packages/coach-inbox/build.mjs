// Bundles the widget (and Lit) into one minified ES module: dist/coach-inbox.js, plus its gzipped size.
// Run by scripts/bootstrap.sh when the sources are newer than the bundle, so `npm start` and `npm test` serve it.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "dist", "coach-inbox.js");
const { version } = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
await build({
  entryPoints: [join(here, "src", "index.ts")],
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  legalComments: "none",
  define: { __COACH_INBOX_VERSION__: JSON.stringify(version) },
  banner: { js: `/* @coach/inbox ${version} — <coach-inbox> web component, MIT; includes Lit (BSD-3-Clause) */` },
  outfile,
  logLevel: "warning",
});
const bytes = readFileSync(outfile);
const gz = gzipSync(bytes, { level: 9 }).length;
writeFileSync(join(here, "dist", "size.json"), JSON.stringify({ version, bytes: bytes.length, gzipBytes: gz }) + "\n");
if (process.argv.includes("--report")) console.log(`coach-inbox.js: ${(bytes.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped`);
