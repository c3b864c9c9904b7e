// Bundles the studio (Lit, CodeMirror 6, uPlot and the views) into dist/: studio.js, studio.css and index.html,
// served by the engine at /admin (src/http/admin-ui.ts). Run by scripts/bootstrap.sh when the sources are newer
// than the bundle, so `npm start` and `npm test` serve it on a fresh clone; built files are not committed.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });
const { version } = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
await build({
  entryPoints: { studio: join(here, "src", "index.ts"), styles: join(here, "static", "studio.css") },
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: true,
  legalComments: "none",
  define: { __STUDIO_VERSION__: JSON.stringify(version) },
  banner: { js: `/* @coach/studio ${version}, MIT; includes Lit (BSD-3-Clause), CodeMirror (MIT), uPlot (MIT) */` },
  outdir: dist,
  logLevel: "warning",
});
copyFileSync(join(here, "static", "index.html"), join(dist, "index.html"));
if (process.argv.includes("--report")) {
  const js = readFileSync(join(dist, "studio.js"));
  console.log(`studio.js: ${(statSync(join(dist, "studio.js")).size / 1024).toFixed(0)} KB, ${(gzipSync(js).length / 1024).toFixed(0)} KB gzipped`);
}
