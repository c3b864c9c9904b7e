/**
 * The learner widget's bundle, served at /sdk/coach-inbox.js (and /sdk/coach-inbox@<version>.js): a public,
 * cacheable ES module any course page may load from another origin. Built from packages/coach-inbox by
 * scripts/bootstrap.sh; the versioned URL is immutable, the plain one revalidates with its ETag.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Router, type Response } from "express";

const BUNDLE = resolve(__dirname, "../../packages/coach-inbox/dist/coach-inbox.js");
const PACKAGE = resolve(__dirname, "../../packages/coach-inbox/package.json");

interface Bundle {
  code: Buffer;
  etag: string;
  version: string;
}

function loadBundle(): Bundle | null {
  if (!existsSync(BUNDLE)) return null;
  const code = readFileSync(BUNDLE);
  const { version } = JSON.parse(readFileSync(PACKAGE, "utf8")) as { version: string };
  return { code, version, etag: `"${createHash("sha256").update(code).digest("base64url").slice(0, 22)}"` };
}

/** Serves the widget; 503 problem when the bundle was not built (run `npm run build:sdk`). */
export function sdkAssets(): Router {
  const bundle = loadBundle();
  const router = Router();
  const send = (res: Response, cacheControl: string) => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
    res.setHeader("Cache-Control", cacheControl);
    res.setHeader("ETag", bundle!.etag);
    res.type("text/javascript; charset=utf-8").send(bundle!.code);
  };
  router.get(/^\/coach-inbox(@[0-9A-Za-z.-]+)?\.js$/, (req, res, next) => {
    if (!bundle) return next();
    const requested = /@([0-9A-Za-z.-]+)\.js$/.exec(req.path)?.[1];
    if (requested && requested !== bundle.version) return next();
    if (req.headers["if-none-match"] === bundle.etag) return void res.status(304).end();
    send(res, requested ? "public, max-age=31536000, immutable" : "public, max-age=300, must-revalidate");
  });
  return router;
}

/** The bundle's version, for pages that want the immutable URL. */
export function sdkVersion(): string | null {
  return loadBundle()?.version ?? null;
}
