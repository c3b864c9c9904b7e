/**
 * The originals (xAPI statements, Caliper events, Segment calls) of a group's events as recordEvents sends them
 * to PostgreSQL: a few columns per event, every original's JSON as a slice of one buffer, sent as a binary
 * bytea parameter, and the group's few distinct kinds once each, which events point at by number. An original
 * that arrived in a request body is not serialized again or escaped: its bytes are sent as they came, and
 * PostgreSQL stores them as json after checking the text (recordEvents).
 */
import type { NormalizedEvent } from "./parse-events";

/** Columns aligned with the group's events (null where an event has no original), and the bytes their offsets point into. */
export interface SourceColumns {
  format: Array<string | null>;
  /** Stored whole or not at all with its request (see recordEvents). */
  exclusive: boolean[];
  mappingKey: Array<string | null>;
  /** 1-based positions in `kinds`, as PostgreSQL subscripts an array. */
  kindIndex: Array<number | null>;
  /** The distinct kinds' JSON: a handful per group, so PostgreSQL builds each kind's jsonb once, not once per event. */
  kinds: string[];
  /** 1-based offsets into `bytes`, as substr counts. */
  bodyAt: Array<number | null>;
  bodyLength: Array<number | null>;
  bytes: Buffer;
}

/**
 * The columns for `events`, or null when none has an original. Originals that are views into one request's
 * body are sent as one span of that body (its items and the commas between them), not copied piece by piece.
 */
export function sourceColumns(events: readonly NormalizedEvent[], exclusive: ReadonlySet<string> | undefined): SourceColumns | null {
  if (!events.some((e) => e.source)) return null;
  const pieces: Uint8Array[] = [];
  let length = 0;
  const append = (piece: Uint8Array): number => {
    pieces.push(piece);
    length += piece.length;
    return length - piece.length + 1;
  };
  const spanAt = spansOfRequestBodies(events, append);
  const kindIndex = new Map<string, number>();
  const columns: SourceColumns = { format: [], exclusive: [], mappingKey: [], kindIndex: [], kinds: [], bodyAt: [], bodyLength: [], bytes: Buffer.alloc(0) };
  for (const e of events) {
    const source = e.source;
    if (!source) {
      columns.format.push(null);
      columns.exclusive.push(false);
      columns.mappingKey.push(null);
      columns.kindIndex.push(null);
      columns.bodyAt.push(null);
      columns.bodyLength.push(null);
      continue;
    }
    const kindText = JSON.stringify(source.kind);
    let kind = kindIndex.get(kindText);
    if (kind === undefined) kindIndex.set(kindText, (kind = columns.kinds.push(kindText)));
    const body = source.bodyBytes ?? Buffer.from(JSON.stringify(source.body));
    const span = spanAt.get(body.buffer);
    columns.format.push(source.format);
    columns.exclusive.push(exclusive !== undefined && exclusive.has(e.id));
    columns.mappingKey.push(source.mappingKey);
    columns.kindIndex.push(kind);
    columns.bodyAt.push(span === undefined ? append(body) : span + body.byteOffset);
    columns.bodyLength.push(body.length);
  }
  columns.bytes = Buffer.concat(pieces, length);
  return columns;
}

/**
 * For each request body the originals are views into, the offset to add to a view's byteOffset. Only memory of
 * its own (larger than Node's shared buffer pool, whose other bytes are none of ours) is sent as a span.
 */
function spansOfRequestBodies(events: readonly NormalizedEvent[], append: (piece: Uint8Array) => number): Map<ArrayBufferLike, number> {
  const spans = new Map<ArrayBufferLike, [start: number, end: number]>();
  for (const e of events) {
    const view = e.source?.bodyBytes;
    if (!view || view.buffer.byteLength <= Buffer.poolSize) continue;
    const span = spans.get(view.buffer);
    if (!span) spans.set(view.buffer, [view.byteOffset, view.byteOffset + view.byteLength]);
    else {
      span[0] = Math.min(span[0], view.byteOffset);
      span[1] = Math.max(span[1], view.byteOffset + view.byteLength);
    }
  }
  const at = new Map<ArrayBufferLike, number>();
  for (const [buffer, [start, end]] of spans) at.set(buffer, append(new Uint8Array(buffer, start, end - start)) - start);
  return at;
}
