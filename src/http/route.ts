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
import type { AppContext } from "./app-context";
import { registerOperation } from "./openapi";

/** Who may call: `public`, or roles (admin always may); `learnerParam` also admits that learner's token. */
export type Access = "public" | { roles: readonly Role[]; learnerParam?: string; learnerBodyField?: string };

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
  handler: (input: RouteInput<B, Q>) => Promise<unknown>;
}

const PUBLIC: Principal = { kind: "key", keyId: "public", name: "public", role: "ingest" };

/** Adds a route to the router and the OpenAPI document. */
export function route<B = undefined, Q = Record<string, never>>(router: Router, ctx: AppContext, spec: RouteSpec<B, Q>): void {
  registerOperation(spec);
  router[spec.method](spec.path, async (req: Request, res: Response) => {
    const principal = spec.access === "public" ? PUBLIC : await authenticate(req, ctx);
    const params = req.params as Record<string, string>;
    const body = spec.body ? parseOrThrow(spec.body, req.body, "") : (undefined as B);
    if (spec.access !== "public") authorize(principal, spec.access, params, body);
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

function authorize(principal: Principal, access: Exclude<Access, "public">, params: Record<string, string>, body: unknown): void {
  if (principal.kind === "key") {
    if (!hasRole(principal, access.roles)) throw new ForbiddenError(`This key's role (${principal.role}) may not do this`);
    return;
  }
  // A learner token acts only for its own learner, and only where the route allows it.
  const target = access.learnerParam ? params[access.learnerParam] : access.learnerBodyField ? (body as Record<string, unknown> | undefined)?.[access.learnerBodyField] : undefined;
  if (target === undefined) throw new ForbiddenError("A learner token may not do this");
  if (target !== principal.learnerId) throw new ForbiddenError("A learner token acts only for its own learner");
}
