/**
 * What the author of a SQL segment is told when it is refused or fails. Never PostgreSQL's own text: its
 * messages can name relations, columns and settings the author may not read. A SQLSTATE becomes a plain
 * sentence; the only thing quoted is the author's own SQL, at the position PostgreSQL or the parser reported.
 */
import { ValidationError } from "../lib/errors";
import { isDatabaseDown } from "../db/database-down";

/** The one shape of a segment-SQL refusal: 400 with the reason at `sql`. */
export function invalidSegmentSql(message: string): ValidationError {
  return new ValidationError(`The segment's SQL ${message}`, [{ path: "sql", message }]);
}

/** Where the author's text sits inside the statement that was sent, to map PostgreSQL's error position back. */
export interface SentStatement {
  /** The author's SQL as checked and stored. */
  text: string;
  /** Characters of the statement before the author's text. */
  offset: number;
  timeoutMs: number;
}

interface PgError {
  code?: string;
  position?: string;
}

/** Plain sentences for the SQLSTATEs an author can cause; `%s` is replaced by " near <their token>" when known. */
const BY_SQLSTATE: Record<string, string> = {
  "42P01": "reads a relation that does not exist%s",
  "42883": "calls a function or operator that does not exist for these argument types%s",
  "42725": "calls a function or operator that is ambiguous for these argument types%s (add a cast)",
  "42702": "refers to a column name that is ambiguous%s (qualify it with its table)",
  "42803": "uses a column that must appear in GROUP BY or inside an aggregate%s",
  "42804": "mixes values of types that do not match%s",
  "42846": "casts a value to a type it cannot become%s",
  "42P18": "uses a value whose type cannot be determined%s (add a cast)",
  "42601": "has a syntax error%s",
  "42501": "reads a relation or calls a function that segment SQL may not use%s",
  "25006": "must not modify data (segment SQL runs read-only)",
  "21000": "uses a subquery as a value, and it returned more than one row",
  "22012": "divides by zero",
  "22003": "computes a number out of its type's range",
  "22P02": "converts a value that is not of the target type (e.g. text to a number)%s",
  "22007": "reads or builds a date or time that is not valid%s",
  "22008": "computes a date or time out of range",
  "22001": "builds a string too long for its type",
  "2201W": "has a negative LIMIT",
  "2201X": "has a negative OFFSET",
  "40001": "conflicted with concurrent changes; refresh it again",
  "40P01": "conflicted with concurrent changes; refresh it again",
  "55P03": "waited too long for a lock while the tables were being changed; refresh it again",
  "53100": "needed more temporary disk than segment queries may use",
  "53200": "needed more memory than segment queries may use",
  "53400": "needed more memory or temporary disk than segment queries may use",
  "54001": "is too complex (nested too deeply)",
  "54000": "is too complex for PostgreSQL to run",
};

/**
 * Turns a failure of the author's statement into a ValidationError for `sql`. An outage is returned as it is
 * (it is not the author's fault, and the caller answers 503 or retries).
 */
export function describeQueryFailure(error: unknown, sent: SentStatement): unknown {
  if (isDatabaseDown(error)) return error;
  const e = error as PgError;
  const code = typeof e.code === "string" ? e.code : "";
  const at = authorPosition(e.position, sent);
  if (code === "57014") return invalidSegmentSql(`ran longer than the ${sent.timeoutMs / 1000} s statement timeout`);
  // Errors inside the statement around the author's text are about its result columns.
  if (at === "wrapper" && code === "42703") return invalidSegmentSql("must return a column named learner_id");
  if (at === "wrapper" && code === "42702") return invalidSegmentSql("returns more than one column named learner_id");
  const near = typeof at === "number" ? nearText(sent.text, at) : "";
  const known = BY_SQLSTATE[code];
  if (known) return invalidSegmentSql(known.replace("%s", near));
  if (code === "42703") return invalidSegmentSql(`refers to a column that does not exist${near}`);
  if (code.startsWith("22")) return invalidSegmentSql(`failed on a value in the data (SQLSTATE ${code})${near}`);
  return invalidSegmentSql(`could not be run (SQLSTATE ${code || "unknown"})${near}`);
}

/** A character index into the author's text, "wrapper" when PostgreSQL pointed outside it, null when it gave none. */
function authorPosition(position: string | undefined, sent: SentStatement): number | "wrapper" | null {
  const n = Number(position);
  if (!Number.isInteger(n) || n < 1) return null;
  const index = n - 1 - sent.offset;
  return index >= 0 && index < sent.text.length ? index : "wrapper";
}

/** ` near "word" (line L, column C)`: the author's own token at `index`, with where it is. */
export function nearText(text: string, index: number): string {
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  const column = index - before.lastIndexOf("\n");
  const word = /^(?:"[^"\n]{1,60}"|[\p{L}\p{N}_$.]{1,60}|\S)/u.exec(text.slice(index))?.[0];
  return `${word ? ` near ${JSON.stringify(word)}` : ""} (line ${line}, column ${column})`;
}
