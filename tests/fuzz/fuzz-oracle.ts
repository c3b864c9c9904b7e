/**
 * What every answer to a fuzzed request must satisfy (the contract's Errors and Authentication sections, and
 * the standards' answer semantics). Returns the violations; an empty list is a pass.
 */
import type { RawAnswer } from "./raw-exchange";
import type { Credential, FuzzCase } from "./fuzz-inputs";
import type { FuzzOperation } from "./fuzz-targets";
import { FIXTURES, type SeedState } from "./fuzz-seeds";

const SEGMENT_ENDPOINTS = new Set(["/v1/batch", "/v1/track", "/v1/identify", "/v1/page", "/v1/screen", "/v1/group", "/v1/alias"]);

export interface ParsedProblem {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  errors?: Array<{ path?: unknown; message?: unknown }>;
}

/** The answer's JSON body, or undefined. */
export function answerJson(answer: RawAnswer): unknown {
  try {
    return JSON.parse(answer.body.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** The answer's problem document when it is a 4xx/5xx, else null. */
function problemOf(answer: RawAnswer): ParsedProblem | null {
  const body = answerJson(answer);
  return body && typeof body === "object" ? (body as ParsedProblem) : null;
}

/**
 * Whether the case lied about its own framing, so the server rightly waits for bytes that never come (or hangs
 * up): a Content-Length past its body, or chunked framing on a body that is not. Only such requests may go
 * unanswered; their request never completes, so the server never acts on it.
 */
export function liesAboutFraming(c: FuzzCase, bodyLength: number): boolean {
  return c.headers.some(([name, value]) => {
    const n = name.toLowerCase();
    if (n === "content-length") return !(Number(value) <= bodyLength);
    return n === "transfer-encoding";
  });
}

/** The status route() must answer before it looks at the body, or null when the credential may call. */
export function expectedRefusal(op: FuzzOperation, credential: Credential): 401 | 403 | null {
  if (op.access === "public") return null;
  if (credential === "none" || credential === "bad") return 401;
  if (credential === "learner") return null; // depends on the route's learner scope: checked by learnerLeak
  return op.access.includes(credential) ? null : 403;
}

/** Violations of the contract by one answer. */
export function judge(op: FuzzOperation, c: FuzzCase, answer: RawAnswer, bodyLength: number, state: SeedState): string[] {
  const v: string[] = [];
  const lying = liesAboutFraming(c, bodyLength);
  if (answer.timedOut && !lying) v.push("no answer within the timeout (a hang)");
  if (answer.status === 0) {
    if (!lying && !answer.timedOut) v.push("connection closed without an answer");
    return v;
  }
  if (answer.status >= 500) v.push(`answered ${answer.status}`);
  const contentType = answer.headers["content-type"] ?? "";
  if (answer.status >= 400) {
    const problem = problemOf(answer);
    if (!/^application\/problem\+json/.test(contentType)) v.push(`${answer.status} with content type "${contentType}", not application/problem+json`);
    else if (!problem || problem.status !== answer.status || typeof problem.type !== "string" || typeof problem.title !== "string" || typeof problem.detail !== "string") {
      v.push(`${answer.status} whose problem document is malformed: ${answer.body.toString("utf8").slice(0, 200)}`);
    }
    if ((answer.status === 429 || answer.status === 503) && !answer.headers["retry-after"]) v.push(`${answer.status} without Retry-After`);
  }
  const expressAnswered = answer.headers["x-content-type-options"] !== undefined; // helmet: the app, not Node's parser, answered
  if (op.path.startsWith("/xapi") && expressAnswered && answer.headers["x-experience-api-version"] === undefined) v.push("an xAPI answer without X-Experience-API-Version");
  v.push(...accessViolations(op, c, answer));
  v.push(...learnerLeak(op, c, answer, state));
  if (SEGMENT_ENDPOINTS.has(op.path) && answer.status === 400) v.push(...segmentRefusals(answer));
  return v;
}

/** Access is decided before the body: a caller without the right gets 401/403, never a body's 400/413/415, never a 2xx. */
function accessViolations(op: FuzzOperation, c: FuzzCase, answer: RawAnswer): string[] {
  const expected = expectedRefusal(op, c.credential);
  if (expected === null) return [];
  if (answer.status < 400) return [`answered ${answer.status} to a caller that should get ${expected}`];
  if (answer.status === expected || answer.status === 404 || answer.status === 429 || answer.status === 431) return [];
  if (answer.status === 403 && c.headers.some(([n]) => n.toLowerCase() === "origin")) return []; // CORS refuses first
  const type = String(problemOf(answer)?.type ?? "");
  // Refusals of the request itself (its path, its framing) come before any route and say nothing about the body.
  if (/\/(malformed-path|bad-request|http-parse|request-header-fields-too-large|expectation-failed)$/.test(type)) return [];
  if (answer.status === 400 && answer.headers["x-content-type-options"] === undefined) return [];
  return [`answered ${answer.status} (${type}) before refusing a caller that should get ${expected}`];
}

/** A learner token acts only for its own learner: never a 2xx on another learner's path or message. */
function learnerLeak(op: FuzzOperation, c: FuzzCase, answer: RawAnswer, state: SeedState): string[] {
  if (c.credential !== "learner" || answer.status >= 300 || op.access === "public") return [];
  const path = c.target.split("?")[0];
  const learnerIndex = op.path.split("/").indexOf("{learnerId}");
  if (learnerIndex >= 0) {
    let learner: string;
    try {
      learner = decodeURIComponent(path.split("/")[learnerIndex] ?? "");
    } catch {
      learner = "";
    }
    if (learner !== FIXTURES.learner) return [`a learner token got ${answer.status} on ${path}, another learner's`];
  }
  if (path.includes(state.otherMessageId)) return [`a learner token got ${answer.status} on another learner's message`];
  if (learnerIndex < 0 && !op.path.startsWith("/v1/messages/")) return [`a learner token got ${answer.status} on ${op.method} ${op.path}, which is not a learner's`];
  return [];
}

/**
 * Segment's semantics: a well-formed body is 200 however bad its calls; only the body as a whole may be refused.
 * A body nested past 64 levels is refused whole, wherever the depth is (the contract's limit for every body,
 * found by a scan of the bytes before anything is parsed).
 */
function segmentRefusals(answer: RawAnswer): string[] {
  const problem = problemOf(answer);
  if (/nests deeper than/.test(String(problem?.detail))) return [];
  const errors = problem?.errors ?? [];
  const inside = errors.map((e) => String(e.path)).filter((p) => p !== "" && p !== "batch" && !/^(query|params|headers|If-Match)/.test(p));
  return inside.length ? [`a Segment body refused for one call's field(s) ${inside.slice(0, 3).join(", ")} instead of dropping the call`] : [];
}
