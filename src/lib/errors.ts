/**
 * The engine's few error classes. Domain code throws these; src/http/middleware/problem.ts turns them
 * into RFC 9457 problem+json and src/queue/run-job.ts into retry-or-give-up. Anything else is a bug
 * and becomes a generic 500 without leaking its message.
 */

/** One problem inside a request body, e.g. `{path: "events[3].occurredAt", message: "…"}`. */
export interface FieldError {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is malformed or breaks a rule of the contract; nothing of it was stored. */
export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = "validation";
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

/** The thing does not exist, or the caller may not know that it does (no hint which). */
export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = "not-found";
}

/** The request conflicts with current state (e.g. creating a key that exists). */
export class ConflictError extends AppError {
  readonly status = 409;
  readonly code = "conflict";
}

/**
 * A conditional write (`If-Match`, or `version` in the body) named a version that is no longer current:
 * someone changed the thing since the caller read it. 409 carrying `currentVersion`, so the client can
 * re-read and merge instead of silently overwriting the other change.
 */
export class VersionConflictError extends AppError {
  readonly status = 409;
  readonly code = "version-conflict";
  constructor(
    message: string,
    readonly currentVersion: number,
  ) {
    super(message);
  }
}

/** No credentials, or unknown or expired ones. */
export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = "unauthorized";
}

/** Known credentials without the right role or scope. */
export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = "forbidden";
}

/**
 * Too many failed attempts from one client (authentication): answered 429 with Retry-After. Exists so a
 * client guessing keys is slowed down without the answer telling a right guess from a wrong one.
 */
export class TooManyRequestsError extends AppError {
  readonly status = 429;
  readonly code = "too-many-requests";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The body is larger than the contract allows. */
export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = "payload-too-large";
}

/**
 * The body is in a type the endpoint cannot read (form-encoded, multipart, XML, none at all): refused rather
 * than read as empty, which for a PUT would silently mean "all defaults".
 */
export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly code = "unsupported-media-type";
}

/**
 * A dependency (PostgreSQL, Redis) is down. Callers answer 503 with Retry-After; workers retry.
 * Exists so an outage is never mistaken for bad input or swallowed.
 */
export class DependencyUnavailableError extends AppError {
  readonly status = 503;
  readonly code = "dependency-unavailable";
  constructor(
    readonly dependency: "database" | "redis",
    message = `${dependency} is unavailable`,
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}
