/**
 * The one place errors become HTTP answers: RFC 9457 problem+json for every 4xx and 5xx.
 * Unknown errors become a generic 500 (never a leaked stack); an unreachable database becomes 503.
 */
import { AppError, DependencyUnavailableError, type FieldError } from "../lib/errors";
import { isDatabaseDown } from "../db/database-down";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  retryAfterSeconds?: number;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
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
  if (error instanceof AppError) {
    const errors = "errors" in error ? (error.errors as FieldError[]) : undefined;
    return { problem: problem(error.status, error.code, error.message, errors), internal: false };
  }
  const bodyParser = error as { type?: string; status?: number; message?: string };
  if (bodyParser?.type === "entity.parse.failed") return { problem: problem(400, "malformed-json", `Malformed JSON: ${bodyParser.message}`), internal: false };
  if (bodyParser?.type === "entity.too.large") return { problem: problem(413, "payload-too-large", "The body is larger than 1 MiB"), internal: false };
  if (bodyParser?.type === "charset.unsupported" || bodyParser?.type === "encoding.unsupported") {
    return { problem: problem(415, "unsupported-media-type", bodyParser.message ?? "Unsupported encoding"), internal: false };
  }
  if (isDatabaseDown(error)) {
    return { problem: { ...problem(503, "dependency-unavailable", "database is unavailable"), retryAfterSeconds: 5 }, internal: false };
  }
  return { problem: problem(500, "internal", "An unexpected error occurred; it has been logged."), internal: true };
}
