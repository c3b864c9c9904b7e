/**
 * A single linear pass over a JSON body's bytes before it is parsed. JSON.parse and everything after it
 * (zod, the walk for bad text) recurse, so a body 100,000 levels deep would overflow the stack (a 500) or hold
 * the event loop; this scan never recurses and stops at the first container past the limit, naming its path.
 * It also notes whether the body escapes NUL or a surrogate (`\u0000`, `\ud800`): the only ways a parsed JSON
 * string can hold them, so a body without such an escape needs no walk for unstorable text; and, when asked,
 * where each item of the body's array lies (the root array, or the array under a top-level key), so a route can
 * keep each item's bytes as they arrived without serializing it again.
 */
import { unsafeTextReason } from "./unsafe-text";

/** Containers (objects and arrays) a request body may nest. */
export const MAX_JSON_DEPTH = 64;

export interface JsonTextScan {
  /** The path of the first container deeper than the limit (e.g. `events[0].properties.a`), or null. */
  tooDeepAt: string | null;
  /** True when some string escapes NUL or a UTF-16 surrogate; false guarantees no parsed string holds one. */
  mayHoldUnsafeText: boolean;
  /**
   * With `itemsOf`: the byte ranges of the array's items, flat (`[start0, end0, start1, end1, …]`, end exclusive,
   * surrounding whitespace left out), as JSON.parse reads that array (the last one when its key repeats); null
   * when there is no such array, or the text is malformed or too deep. Without `itemsOf`: null.
   */
  items: number[] | null;
}

/** Which array's items to locate: the root array, or the array under this key of the root object. */
export type ItemsOf = { root: true } | { key: string };

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
export function scanJsonText(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH, itemsOf?: ItemsOf): JsonTextScan {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Frame[] = [];
  let mayHoldUnsafeText = false;
  // The items of the wanted array: found while its frame is open (at depth itemsDepth), done once it closes.
  const wantedKey = itemsOf && "key" in itemsOf ? Buffer.from(JSON.stringify(itemsOf.key).slice(1, -1)) : null;
  let items: number[] | null = null;
  let collecting: number[] | null = null;
  let itemsDepth = -1;
  let itemStart = 0;
  const endItem = (end: number) => {
    let start = itemStart;
    while (start < end && isSpace(buf[start])) start++;
    while (end > start && isSpace(buf[end - 1])) end--;
    if (start < end) collecting!.push(start, end);
  };
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
          if (nextQuote === -1) return { tooDeepAt: null, mayHoldUnsafeText, items: null }; // unterminated: JSON.parse says so
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
        if (frames.length >= maxDepth) return { tooDeepAt: pathOf(frames, buf), mayHoldUnsafeText, items: null };
        if (b === OPEN_ARRAY && itemsOf && isWantedArray(frames, buf, wantedKey)) {
          collecting = [];
          itemsDepth = frames.length + 1;
          itemStart = i + 1;
        }
        frames.push({ isObject: b === OPEN_OBJECT, index: 0, awaitingKey: b === OPEN_OBJECT, keyStart: 0, keyEnd: 0 });
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        if (frames.length === itemsDepth && collecting) {
          endItem(i);
          items = collecting; // a later array under the same key replaces it, as in JSON.parse
          collecting = null;
        }
        frames.pop();
        break;
      case COMMA: {
        const top = frames[frames.length - 1];
        if (top) {
          top.index++;
          top.awaitingKey = top.isObject;
        }
        if (frames.length === itemsDepth && collecting) {
          endItem(i);
          itemStart = i + 1;
        }
        break;
      }
    }
  }
  return { tooDeepAt: null, mayHoldUnsafeText, items: frames.length === 0 ? items : null };
}

/**
 * An array opening now is the wanted one: the root (no key wanted, nothing open), or the value of the wanted key
 * (compared as written: a key spelled with escapes is not recognised, and the caller falls back) in the root object.
 */
function isWantedArray(frames: Frame[], buf: Buffer, wantedKey: Buffer | null): boolean {
  if (wantedKey === null) return frames.length === 0;
  if (frames.length !== 1 || !frames[0].isObject) return false;
  const { keyStart, keyEnd } = frames[0];
  return keyEnd - keyStart === wantedKey.length && buf.compare(wantedKey, 0, wantedKey.length, keyStart, keyEnd) === 0;
}

/** The range of a whole JSON text without its surrounding whitespace and byte order mark, as `items` gives one. */
export function trimmedRange(bytes: Uint8Array): [start: number, end: number] {
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let end = bytes.length;
  while (start < end && isSpace(bytes[start])) start++;
  while (end > start && isSpace(bytes[end - 1])) end--;
  return [start, end];
}

/**
 * Each item's bytes as views of `raw` (no copies), from ranges as scanJsonText's `items` or trimmedRange give
 * them; null when there are none or they do not hold exactly `count` items (the caller then serializes instead).
 */
export function itemBytes(raw: Buffer | undefined, ranges: readonly number[] | null, count: number): Buffer[] | null {
  if (raw === undefined || ranges === null || ranges.length !== 2 * count) return null;
  const views: Buffer[] = [];
  for (let i = 0; i < ranges.length; i += 2) views.push(raw.subarray(ranges[i], ranges[i + 1]));
  return views;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
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
