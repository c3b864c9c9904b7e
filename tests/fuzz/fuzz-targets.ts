/**
 * What the fuzzer attacks, read from the engine's own /openapi.json: every operation with its path
 * parameters and the roles its description grants, so an endpoint added tomorrow is fuzzed without
 * anyone remembering to list it here.
 */
import type { Role } from "../../src/auth/principal";

export interface FuzzOperation {
  method: "get" | "post" | "put" | "delete";
  /** As the document writes it: /v1/rules/{key}. */
  path: string;
  params: string[];
  /** Roles the route grants (admin always may); "public" for routes without credentials. */
  access: readonly Role[] | "public";
  /** POST, PUT and DELETE: what changes state and takes a body. */
  write: boolean;
}

interface OpenApiOperation {
  description?: string;
  security?: unknown[];
}

/** The operations of an OpenAPI document, in its order. */
export function operationsOf(document: { paths: Record<string, Record<string, OpenApiOperation>> }): FuzzOperation[] {
  const operations: FuzzOperation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!["get", "post", "put", "delete"].includes(method)) continue;
      const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      operations.push({ method: method as FuzzOperation["method"], path, params, access: accessOf(op), write: method !== "get" });
    }
  }
  return operations;
}

/** "Access: author, analyst (admin always)." → ["author", "analyst", "admin"]; "Access: public." → "public". */
function accessOf(op: OpenApiOperation): FuzzOperation["access"] {
  const text = /Access: ([^.(]+)/.exec(op.description ?? "")?.[1]?.trim() ?? "";
  if (text === "public" || (Array.isArray(op.security) && op.security.length === 0)) return "public";
  const roles = text
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean) as Role[];
  if (roles.length === 0) throw new Error(`cannot read the access of an operation: ${op.description}`);
  return [...new Set<Role>([...roles, "admin"])];
}
