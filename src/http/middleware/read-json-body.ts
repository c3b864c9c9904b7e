/**
 * Reads a JSON body the way senders of the learning-record standards send it, for routes that read their own
 * body (see SELF_CHECKED_BODY_PREFIXES): after access is decided; gzip or deflate whatever the content type
 * says (RudderStack's node SDK gzips and says application/x-www-form-urlencoded), and gzip recognised by its
 * magic bytes even without Content-Encoding; a size limit on the body as decompressed (so a small bomb cannot
 * inflate past it); strict UTF-8; nesting refused past MAX_JSON_DEPTH before JSON.parse recurses.
 *
 * A body over the limit is read to its end and discarded (up to DRAIN_LIMIT) before the 413, so the sender
 * reads the answer rather than a reset connection.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import type { Request } from "express";
import { PayloadTooLargeError, ValidationError } from "../../lib/errors";
import { MAX_JSON_DEPTH, scanJsonText, type ItemsOf } from "../../lib/json-text-scan";

/** Past this many bytes on the wire, an oversize body is not drained any more: the connection is closed. */
const DRAIN_LIMIT = 16 * 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export interface JsonBody {
  value: unknown;
  /** Bytes of JSON (after decompression). */
  bytes: number;
  /** False only when no string of the body can hold NUL or a lone surrogate (no such escape in its text). */
  mayHoldUnsafeText: boolean;
  /** The JSON as sent (decompressed; valid UTF-8), for routes that keep originals as they came. */
  raw: Buffer;
  /** With `itemsOf`: where each item of that array lies in `raw` (see scanJsonText); null otherwise. */
  items: number[] | null;
}

/**
 * Reads, decompresses, decodes and parses the body; 413 past `limit` bytes of JSON, 400 for anything unreadable.
 * `wholeBodyErrors`: a body nested too deep is refused as a whole (error path ""), its location in the message —
 * for Segment's semantics, where only the body as a whole is ever refused. `itemsOf`: locate that array's items.
 */
export async function readJsonBody(req: Request, limit: number, options: { wholeBodyErrors?: boolean; itemsOf?: ItemsOf } = {}): Promise<JsonBody> {
  const encoding = String(req.headers["content-encoding"] ?? "identity")
    .trim()
    .toLowerCase();
  if (!["identity", "gzip", "x-gzip", "deflate", "br"].includes(encoding)) {
    throw Object.assign(new Error(`unsupported content encoding "${encoding}"`), { status: 415, type: "encoding.unsupported" });
  }
  const wire = await readWire(req, limit);
  const json = decompress(wire, encoding, limit);
  if (json.length > limit) throw tooLarge(limit);
  let text: string;
  try {
    text = utf8.decode(json);
  } catch {
    throw new ValidationError("The body is not valid UTF-8; nothing was stored", [{ path: "", message: "must be UTF-8 text" }]);
  }
  const scan = scanJsonText(json, MAX_JSON_DEPTH, options.itemsOf);
  if (scan.tooDeepAt !== null) {
    const error = options.wholeBodyErrors
      ? { path: "", message: `nests deeper than the limit of ${MAX_JSON_DEPTH} levels at ${scan.tooDeepAt || "the top"}` }
      : { path: scan.tooDeepAt, message: `nests deeper than the limit of ${MAX_JSON_DEPTH} levels` };
    throw new ValidationError(`The body nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays`, [error]);
  }
  if (text.trim() === "") throw new ValidationError("The body is empty", [{ path: "", message: "must be a JSON document" }]);
  try {
    return { value: JSON.parse(text), bytes: json.length, mayHoldUnsafeText: scan.mayHoldUnsafeText, raw: json, items: scan.items };
  } catch (error) {
    throw Object.assign(new Error((error as Error).message), { status: 400, type: "entity.parse.failed" });
  }
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `The body is larger than ${limit >= 1024 * 1024 && limit % (1024 * 1024) === 0 ? `${limit / (1024 * 1024)} MiB` : `${Math.round(limit / 1024)} KB`}; nothing was stored`,
  );
}

/**
 * The bytes as sent. Compressed bodies are bounded on the wire by `limit` too: JSON compresses several-fold,
 * so a compressed body larger than the limit cannot inflate to less.
 */
function readWire(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let over = false;
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > DRAIN_LIMIT) {
      req.destroy();
      reject(tooLarge(limit));
      return;
    }
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) over = true;
      if (received > DRAIN_LIMIT) {
        req.destroy();
        reject(tooLarge(limit));
        return;
      }
      if (!over) chunks.push(chunk);
    });
    req.on("end", () => (over ? reject(tooLarge(limit)) : resolve(Buffer.concat(chunks, received))));
    req.on("close", () => {
      if (!req.complete) reject(Object.assign(new Error("request aborted"), { status: 400, type: "request.aborted" }));
    });
    req.on("error", (error) => reject(Object.assign(error, { status: 400, type: "request.aborted" })));
  });
}

function decompress(wire: Buffer, encoding: string, limit: number): Buffer {
  const gzipped = encoding === "gzip" || encoding === "x-gzip" || (encoding === "identity" && wire[0] === GZIP_MAGIC[0] && wire[1] === GZIP_MAGIC[1]);
  if (!gzipped && encoding === "identity") return wire;
  // One byte over the limit is enough to know it is too large, and no more is ever inflated.
  const options = { maxOutputLength: limit + 1 };
  try {
    if (gzipped) return gunzipSync(wire, options);
    if (encoding === "deflate") return inflateSync(wire, options);
    return brotliDecompressSync(wire, options);
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) throw tooLarge(limit);
    throw new ValidationError(`The body could not be decompressed as ${gzipped ? "gzip" : encoding} (${(error as Error).message}); nothing was stored`, [
      { path: "", message: "must be a complete compressed body" },
    ]);
  }
}
