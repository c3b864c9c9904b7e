/**
 * The JSON body parser every route uses: express.json with a look at the raw bytes first, so a body nested
 * past MAX_JSON_DEPTH is refused (400 naming the limit and the path) before the recursive JSON.parse can
 * overflow the stack, and a body that cannot hold NUL or a lone surrogate skips the walk for them.
 */
import type { IncomingMessage } from "node:http";
import express, { type RequestHandler } from "express";
import { ValidationError } from "../../lib/errors";
import { MAX_JSON_DEPTH, scanJsonText, type JsonTextScan } from "../../lib/json-text-scan";

const scans = new WeakMap<IncomingMessage, JsonTextScan>();

/** express.json with the depth check; options as express.json's. */
export function jsonBody(options: { limit: string; type?: string[]; strict?: boolean }): RequestHandler {
  return express.json({ ...options, verify: (req, _res, buf, encoding) => inspectJsonBody(req, buf, encoding) });
}

/** False only when the parsed body is known to hold no NUL and no surrogate (see scanJsonText). */
export function bodyMayHoldUnsafeText(req: IncomingMessage): boolean {
  return scans.get(req)?.mayHoldUnsafeText ?? true;
}

function inspectJsonBody(req: IncomingMessage, buf: Buffer, encoding: string): void {
  const utf8 = isUtf8Label(encoding);
  const scan = scanJsonText(utf8 ? buf : toUtf8(buf, encoding));
  if (scan.tooDeepAt !== null) {
    throw new ValidationError(`The body nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays`, [
      { path: scan.tooDeepAt, message: `nests deeper than the limit of ${MAX_JSON_DEPTH} levels` },
    ]);
  }
  // UTF-16 text can hold a lone surrogate unescaped (re-encoding hid it from the scan): always walk those bodies.
  scans.set(req, utf8 ? scan : { ...scan, mayHoldUnsafeText: true });
}

function isUtf8Label(encoding: string): boolean {
  const label = encoding.toLowerCase();
  return label === "utf-8" || label === "utf8";
}

/** body-parser accepts any `utf-*` charset; the scan reads UTF-8, so UTF-16 bodies are re-encoded first. */
function toUtf8(buf: Buffer, encoding: string): Uint8Array {
  let text: string;
  try {
    text = new TextDecoder(encoding.toLowerCase()).decode(buf);
  } catch {
    // Raised through body-parser, which keeps this status and type: answered as 415 like any other charset it refuses.
    throw Object.assign(new Error(`unsupported charset "${encoding.toUpperCase()}": send JSON as UTF-8`), { status: 415, type: "charset.unsupported" });
  }
  return Buffer.from(text, "utf8");
}
