/**
 * Text PostgreSQL cannot store faithfully: NUL (text and jsonb refuse it, failing the whole statement) and lone
 * UTF-16 surrogates (the driver encodes them as U+FFFD, so two different ids, "\ud800" and "\ud801", would be
 * stored as one). Such strings are refused where they enter, with the path of the field, never sent on.
 */
import type { FieldError } from "./errors";

/** NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSAFE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Errors past this many are not listed: one is enough to refuse, a few help the caller fix them all. */
export const MAX_LISTED_UNSAFE = 20;

/** Why a string cannot be stored, or null when it can. Linear in the string's length. */
export function unsafeTextReason(text: string): string | null {
  const found = UNSAFE.exec(text);
  if (!found) return null;
  return found[0] === "\0" ? "must not contain NUL (\\u0000)" : `must not contain a lone surrogate (${JSON.stringify(found[0]).slice(1, -1)})`;
}

/**
 * Every string of a parsed JSON value (object keys included) that cannot be stored, each with its path, e.g.
 * `events[3].properties.note`, or `properties["a\u0000b"]` for a bad key (shown escaped, so the answer is
 * itself clean text). Iterative, so any depth is safe; stops after `limit` findings. Exported for routes that
 * check sub-documents themselves (a Segment batch drops one bad call, not the whole batch).
 */
export function findUnsafeText(value: unknown, basePath = "", limit = MAX_LISTED_UNSAFE): FieldError[] {
  if (typeof value === "string") {
    const reason = unsafeTextReason(value);
    return reason ? [{ path: basePath, message: reason }] : [];
  }
  if (value === null || typeof value !== "object") return [];
  const errors: FieldError[] = [];
  // Depth-first in document order with one frame per container (strings are checked where they are met, not
  // queued). Paths are linked segments spelled out only for a finding: a clean 8 MB body builds no path strings.
  const frames: Frame[] = [frameOf(value, { parent: null, text: basePath })];
  while (frames.length > 0 && errors.length < limit) {
    const frame = frames[frames.length - 1];
    if (frame.next >= frame.length) {
      frames.pop();
      continue;
    }
    const i = frame.next++;
    const key = frame.keys === null ? null : frame.keys[i];
    const child: unknown = key === null ? (frame.value as unknown[])[i] : (frame.value as Record<string, unknown>)[key];
    if (key !== null) {
      const keyReason = unsafeTextReason(key);
      if (keyReason) errors.push({ path: spell(childNode(frame, i)), message: `the key ${keyReason}` });
    }
    if (typeof child === "string") {
      const reason = unsafeTextReason(child);
      if (reason && errors.length < limit) errors.push({ path: spell(childNode(frame, i)), message: reason });
    } else if (child !== null && typeof child === "object") {
      frames.push(frameOf(child, childNode(frame, i)));
    }
  }
  return errors.slice(0, limit);
}

interface Frame {
  value: object;
  /** null for an array. */
  keys: string[] | null;
  length: number;
  next: number;
  at: PathNode;
}

/** The path node of a container's i-th child: `[i]`, `.key`, or `["key"]` escaped when the key is unstorable. */
function childNode(frame: Frame, i: number): PathNode {
  if (frame.keys === null) return { parent: frame.at, text: `[${i}]` };
  const key = frame.keys[i];
  return unsafeTextReason(key) ? { parent: frame.at, text: `[${JSON.stringify(key)}]` } : { parent: frame.at, text: key, dotted: true };
}

function frameOf(value: object, at: PathNode): Frame {
  const keys = Array.isArray(value) ? null : Object.keys(value);
  return { value, keys, length: keys ? keys.length : (value as unknown[]).length, next: 0, at };
}

interface PathNode {
  parent: PathNode | null;
  text: string;
  /** A plain key, joined with a dot unless it comes first. */
  dotted?: boolean;
}

function spell(node: PathNode): string {
  const parts: PathNode[] = [];
  for (let n: PathNode | null = node; n; n = n.parent) parts.push(n);
  let out = "";
  for (let i = parts.length - 1; i >= 0; i--) out += parts[i].dotted && out ? `.${parts[i].text}` : parts[i].text;
  return out;
}
