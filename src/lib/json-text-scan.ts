/**
 * A single linear pass over a JSON body's bytes before it is parsed. JSON.parse and everything after it
 * (zod, the walk for bad text) recurse, so a body 100,000 levels deep would overflow the stack (a 500) or hold
 * the event loop; this scan never recurses and stops at the first container past the limit, naming its path.
 * It also notes whether the body escapes NUL or a surrogate (`\u0000`, `\ud800`): the only ways a parsed JSON
 * string can hold them, so a body without such an escape needs no walk for unstorable text.
 */
import { unsafeTextReason } from "./unsafe-text";

/** Containers (objects and arrays) a request body may nest. */
export const MAX_JSON_DEPTH = 64;

export interface JsonTextScan {
  /** The path of the first container deeper than the limit (e.g. `events[0].properties.a`), or null. */
  tooDeepAt: string | null;
  /** True when some string escapes NUL or a UTF-16 surrogate; false guarantees no parsed string holds one. */
  mayHoldUnsafeText: boolean;
}

interface Frame {
  isObject: boolean;
  index: number;
  awaitingKey: boolean;
  keyStart: number;
  keyEnd: number;
}

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  COMMA = 0x2c,
  U = 0x75;
const OPEN_OBJECT = 0x7b,
  CLOSE_OBJECT = 0x7d,
  OPEN_ARRAY = 0x5b,
  CLOSE_ARRAY = 0x5d;
const MAX_KEY_IN_PATH = 64;

/**
 * Scans UTF-8 JSON text (malformed text too: JSON.parse reports that afterwards) in O(n) time and O(limit)
 * memory. Multi-byte UTF-8 sequences never contain ASCII bytes, so brackets and quotes are found byte-wise;
 * strings, most of a body, are crossed with native searches for the next quote and backslash.
 * A raw NUL byte needs no look: JSON.parse refuses control characters that are not escaped.
 */
export function scanJsonText(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): JsonTextScan {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Frame[] = [];
  let mayHoldUnsafeText = false;
  // The next quote and backslash at or after the last search, -1 when there is none: each found once, so
  // a string of a million escapes stays linear.
  let nextQuote = -2;
  let nextBackslash = -2;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    switch (b) {
      case QUOTE: {
        const start = i + 1;
        let j = start;
        for (;;) {
          if (nextQuote !== -1 && nextQuote < j) nextQuote = buf.indexOf(QUOTE, j);
          if (nextBackslash !== -1 && nextBackslash < j) nextBackslash = buf.indexOf(BACKSLASH, j);
          if (nextQuote === -1) return { tooDeepAt: null, mayHoldUnsafeText }; // unterminated: JSON.parse says so
          if (nextBackslash === -1 || nextBackslash > nextQuote) break;
          if (buf[nextBackslash + 1] === U && escapesUnsafeUnit(buf, nextBackslash + 2)) mayHoldUnsafeText = true;
          j = nextBackslash + 2; // the escaped character, whatever it is, cannot end the string
        }
        const top = frames[frames.length - 1];
        if (top?.isObject && top.awaitingKey) {
          top.keyStart = start;
          top.keyEnd = nextQuote;
          top.awaitingKey = false;
        }
        i = nextQuote;
        break;
      }
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (frames.length >= maxDepth) return { tooDeepAt: pathOf(frames, buf), mayHoldUnsafeText };
        frames.push({ isObject: b === OPEN_OBJECT, index: 0, awaitingKey: b === OPEN_OBJECT, keyStart: 0, keyEnd: 0 });
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        frames.pop();
        break;
      case COMMA: {
        const top = frames[frames.length - 1];
        if (top) {
          top.index++;
          top.awaitingKey = top.isObject;
        }
        break;
      }
    }
  }
  return { tooDeepAt: null, mayHoldUnsafeText };
}

/** `\u0000` or `\uD800`–`\uDFFF` starting at `at` (the four hex digits). */
function escapesUnsafeUnit(bytes: Uint8Array, at: number): boolean {
  const hex = String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  if (!/^[0-9a-fA-F]{4}$/.test(hex)) return false;
  const unit = parseInt(hex, 16);
  return unit === 0 || (unit >= 0xd800 && unit <= 0xdfff);
}

function pathOf(frames: Frame[], bytes: Uint8Array): string {
  let out = "";
  for (const frame of frames) {
    if (!frame.isObject) {
      out += `[${frame.index}]`;
      continue;
    }
    const key = decodeKey(bytes.subarray(frame.keyStart, frame.keyEnd));
    // Spelled as findUnsafeText spells paths: plain keys dotted, unstorable (or very long) ones quoted and escaped.
    if (key.length <= MAX_KEY_IN_PATH && unsafeTextReason(key) === null) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(key.length > MAX_KEY_IN_PATH ? `${key.slice(0, MAX_KEY_IN_PATH)}…` : key)}]`;
  }
  return out;
}

function decodeKey(raw: Uint8Array): string {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8");
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text; // malformed: JSON.parse names the real problem; the depth error shows the raw key
  }
}
