/**
 * Declares an HTTP route once: Express wiring, authentication, zod parsing and its OpenAPI entry
 * all come from the same spec, so the documented API cannot drift from the served one.
 */
import type { Request, Response, Router } from "express";
import { z } from "zod";
import { ForbiddenError, ValidationError } from "../lib/errors";
import { hasRole, type Principal, type Role } from "../auth/principal";
import { zodFieldErrors } from "../lib/zod-errors";
import { authenticate } from "./middleware/authenticate";
import { rejectUnsafeInput } from "./middleware/unsafe-input";
import { throwDeferredBodyError } from "./middleware/deferred-body-error";
import type { AppContext } from "./app-context";
import { registerOperation } from "./openapi";

/** Who may call: `public`, or roles (admin always may); `learnerParam` also admits that learner's token. */
export type Access =
  | "public"
  /** `queryToken`: a learner token may also come as ?access_token= (the stream: EventSource cannot send headers). */
  | { roles: readonly Role[]; learnerParam?: string; learnerBodyField?: string; queryToken?: boolean };

export interface RouteInput<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
  principal: Principal;
  req: Request;
  res: Response;
}

export interface RouteSpec<B, Q> {
  method: "get" | "post" | "put" | "delete";
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Status for a returned value (default 200). Return `undefined` after writing `res` yourself. */
  status?: number;
  responseDescription?: string;
  /** OpenAPI only: a stable operation name (default: derived from method and path, see openapi.ts). */
  operationId?: string;
  /** OpenAPI only: the body a handler parses itself (e.g. events, validated as a batch by the domain), or what `body` checks more cheaply than it documents. */
  requestBody?: z.ZodType;
  /** OpenAPI only: the success answer's shape. */
  response?: z.ZodType;
  /** OpenAPI only: a success answer that is not JSON. */
  produces?: "text/event-stream" | "text/csv";
  /** OpenAPI only: versioned content (rules, segments, templates) answers an ETag and takes If-Match on writes. */
  versioned?: boolean;
  handler: (input: RouteInput<B, Q>) => Promise<unknown>;
}

const PUBLIC: Principal = { kind: "key", keyId: "public", name: "public", role: "ingest" };

/** Adds a route to the router and the OpenAPI document. */
export function route<B = undefined, Q = Record<string, never>>(router: Router, ctx: AppContext, spec: RouteSpec<B, Q>): void {
  registerOperation(spec);
  router[spec.method](spec.path, async (req: Request, res: Response) => {
    const principal = spec.access === "public" ? PUBLIC : await authenticate(req, ctx, { queryToken: spec.access.queryToken });
    // A page on an allowed origin (learner-facing CORS) must hold a learner token, never a server key.
    if (res.locals.crossOrigin && principal.kind === "key") throw new ForbiddenError("A browser must call with a learner token (POST /v1/learner-tokens), never a server key");
    const params = req.params as Record<string, string>;
    // Access is decided before the body is looked at: a wrong role is 403 whatever the body holds.
    const rawBody: unknown = spec.access === "public" ? req.body : authorize(principal, spec.access, params, req.body);
    throwDeferredBodyError(res); // a body the parsers could not read (malformed, too large, too deep) answers only now
    rejectUnsafeInput(req); // NUL and lone surrogates: 400 with their paths, before any schema or store sees them
    const body = spec.body ? parseOrThrow(spec.body, rawBody, "") : (undefined as B);
    const query = spec.query ? parseOrThrow(spec.query, req.query, "query.") : ({} as Q);
    const result = await spec.handler({ body, query, params, principal, req, res });
    if (result !== undefined && !res.headersSent) res.status(spec.status ?? 200).json(result);
  });
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ValidationError(prefix ? "Invalid query parameters" : "The request body is invalid", zodFieldErrors(parsed.error, prefix.replace(/\.$/, "")));
  return parsed.data;
}

/**
 * 403 unless the principal may call the route; returns the body to validate. A learner token acts only for its
 * own learner and only where the route names one (path parameter or body field). The body field is read from
 * the raw body, before any schema: left out, it is the token's learner (browsers need not repeat it); given,
 * it must be the token's. A `learnerId` in the body of a path-scoped route must be the token's as well.
 */
function authorize(principal: Principal, access: Exclude<Access, "public">, params: Record<string, string>, rawBody: unknown): unknown {
  if (principal.kind === "key") {
    if (!hasRole(principal, access.roles)) throw new ForbiddenError(`This key's role (${principal.role}) may not do this`);
    return rawBody;
  }
  if (!access.learnerParam && !access.learnerBodyField) throw new ForbiddenError("A learner token may not do this");
  if (access.learnerParam && params[access.learnerParam] !== principal.learnerId) throw new ForbiddenError("A learner token acts only for its own learner");
  if (rawBody === null || typeof rawBody !== "object" || Array.isArray(rawBody)) return rawBody; // the schema answers 400
  const field = access.learnerBodyField ?? "learnerId";
  const given = (rawBody as Record<string, unknown>)[field];
  if (given === undefined) return access.learnerBodyField ? { ...rawBody, [field]: principal.learnerId } : rawBody;
  if (given !== principal.learnerId) throw new ForbiddenError("A learner token acts only for its own learner");
  return rawBody;
}
