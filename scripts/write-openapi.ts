/**
 * Writes the engine's OpenAPI document to a file (default: stdout) without a database or Redis: the route
 * modules register their operations when mounted, and none of them touches the context until a request
 * arrives, so a stand-in context is enough. Used to generate the typed client (clients/node).
 */
import { writeFileSync } from "node:fs";
import { Router } from "express";
import { ROUTE_MODULES } from "../src/http/app";
import { buildOpenApiDocument } from "../src/http/openapi";
import type { AppContext } from "../src/http/app-context";

/** A context whose every property is another stand-in: reading it at mount time is fine, calling it is not. */
function standInContext(): AppContext {
  const handler: ProxyHandler<object> = {
    get: (_target, property) => (property === Symbol.toPrimitive ? () => "" : new Proxy(function () {}, handler)),
    apply: () => {
      throw new Error("write-openapi: a route module used the context while mounting");
    },
  };
  return new Proxy({}, handler) as AppContext;
}

const router = Router();
for (const mount of ROUTE_MODULES) mount(router, standInContext());
const document = JSON.stringify(buildOpenApiDocument("1.0.0"), null, 2) + "\n";
const target = process.argv[2];
if (target) writeFileSync(target, document);
else process.stdout.write(document);
