/**
 * The one place errors become HTTP answers: RFC 9457 problem+json for every 4xx and 5xx.
 * Unknown errors become a generic 500 (never a leaked stack); an unreachable database becomes 503.
 */
import { AppError, DependencyUnavailableError, TooManyRequestsError, VersionConflictError, type FieldError } from "../lib/errors";
import { isDatabaseDown } from "../db/database-down";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  retryAfterSeconds?: number;
  /** On a version conflict (409): the version now stored, to re-read and retry against. */
  currentVersion?: number;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  417: "Expectation Failed",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Builds a problem document. `code` becomes the `type` URI's last segment. */
export function problem(status: number, code: string, detail: string, errors?: FieldError[]): Problem {
  return { type: `https://coach.dev/problems/${code}`, title: TITLES[status] ?? "Error", status, detail, ...(errors?.length ? { errors } : {}) };
}

/** Maps any thrown value to a problem; `internal` is true when it should be logged as a bug. */
export function toProblem(error: unknown): { problem: Problem; internal: boolean } {
  if (error instanceof DependencyUnavailableError) {
    return { problem: { ...problem(503, error.code, error.message), retryAfterSeconds: error.retryAfterSeconds }, internal: false };
  }
  if (error instanceof TooManyRequestsError) {
    return { problem: { ...problem(429, error.code, error.message), retryAfterSeconds: error.retryAfterSeconds }, internal: false };
  }
  if (error instanceof VersionConflictError) {
    return { problem: { ...problem(409, error.code, error.message), currentVersion: error.currentVersion }, internal: false };
  }
  if (error instanceof AppError) {
    const errors = "errors" in error ? (error.errors as FieldError[]) : undefined;
    return { problem: problem(error.status, error.code, error.message, errors), internal: false };
  }
  const fromRequest = requestProblem(error);
  if (fromRequest) return fromRequest;
  if (isDatabaseDown(error)) {
    return { problem: { ...problem(503, "dependency-unavailable", "database is unavailable"), retryAfterSeconds: 5 }, internal: false };
  }
  return { problem: problem(500, "internal", "An unexpected error occurred; it has been logged."), internal: true };
}

/** What body-parser (and raw-body under it) raise, by `type`; all carry `status` too. */
const BODY_ERRORS: Record<string, { status: number; code: string; detail: (e: HttpishError) => string }> = {
  "entity.parse.failed": { status: 400, code: "malformed-json", detail: (e) => `Malformed JSON: ${e.message}` },
  "entity.too.large": { status: 413, code: "payload-too-large", detail: (e) => `The body is larger than ${formatLimit(e.limit)}` },
  "request.size.invalid": { status: 400, code: "bad-request", detail: () => "The body's length does not match its Content-Length" },
  // The client went away mid-body; nobody reads this answer, but it is the client's doing, not a 500 to alert on.
  "request.aborted": { status: 400, code: "bad-request", detail: () => "The request was aborted before its body was complete" },
  "charset.unsupported": { status: 415, code: "unsupported-media-type", detail: (e) => e.message ?? "Unsupported charset" },
  "encoding.unsupported": { status: 415, code: "unsupported-media-type", detail: (e) => `${e.message ?? "Unsupported content encoding"}: send gzip, deflate, br or identity` },
  "parameters.too.many": { status: 413, code: "payload-too-large", detail: () => "The body has too many parameters" },
};

interface HttpishError {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
  message?: string;
  limit?: unknown;
  code?: unknown;
}

/**
 * Errors raised while reading the request itself, before any route ran: body-parser's (by `type`), a body that
 * says `Content-Encoding: gzip` or `br` but is not (zlib's error, which body-parser marks 400 with no type), and
 * a path whose percent-encoding is not UTF-8 (the router's URIError). `stream.encoding.set` and
 * `stream.not.readable` stay 500: only our own code could cause them.
 */
function requestProblem(error: unknown): { problem: Problem; internal: boolean } | null {
  if (error === null || typeof error !== "object") return null;
  const e = error as HttpishError;
  if (typeof e.type === "string" && e.type in BODY_ERRORS) {
    const known = BODY_ERRORS[e.type];
    return { problem: problem(known.status, known.code, known.detail(e)), internal: false };
  }
  if (error instanceof URIError && e.status === 400) {
    return { problem: problem(400, "malformed-path", "The path is not valid percent-encoded UTF-8"), internal: false };
  }
  if (e.status === 400 && e.expose === true && typeof e.code === "string" && /^(Z_|ERR_)/.test(e.code)) {
    return { problem: problem(400, "malformed-body", `The body could not be decompressed as its Content-Encoding says (${e.message ?? e.code})`), internal: false };
  }
  return null;
}

function formatLimit(limit: unknown): string {
  if (typeof limit !== "number") return "the limit";
  return limit % (1024 * 1024) === 0 ? `${limit / (1024 * 1024)} MiB` : `${limit} bytes`;
}
