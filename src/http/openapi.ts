/** Builds /openapi.json from the same zod schemas the routes parse with (see route.ts). */
import { z } from "zod";

interface OperationSpec {
  method: string;
  path: string;
  summary: string;
  tag: string;
  access: unknown;
  body?: z.ZodType;
  query?: z.ZodType;
  status?: number;
  responseDescription?: string;
}

const operations = new Map<string, OperationSpec>();

/** Records a route for the document; the latest registration of a method+path wins. */
export function registerOperation(spec: OperationSpec): void {
  operations.set(`${spec.method} ${spec.path}`, spec);
}

function toJsonSchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  } catch {
    return {}; // a schema with transforms JSON Schema cannot express is documented as "any"
  }
}

/** The whole OpenAPI 3.1 document. */
export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations.values()) {
    const path = op.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const parameters = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    const querySchema = op.query ? (toJsonSchema(op.query) as { properties?: Record<string, unknown>; required?: string[] }) : undefined;
    for (const [name, schema] of Object.entries(querySchema?.properties ?? {})) {
      parameters.push({ name, in: "query", required: querySchema?.required?.includes(name) ?? false, schema: schema as { type: string } });
    }
    const roles = op.access === "public" ? "public" : (op.access as { roles: string[] }).roles.join(", ");
    (paths[path] ??= {})[op.method] = {
      summary: op.summary,
      description: `Access: ${roles}${op.access !== "public" ? " (admin always)" : ""}.`,
      tags: [op.tag],
      parameters,
      ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: toJsonSchema(op.body) } } } } : {}),
      responses: {
        [String(op.status ?? 200)]: { description: op.responseDescription ?? "OK" },
        default: { description: "Problem", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } },
      },
      ...(op.access === "public" ? { security: [] } : {}),
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Coaching engine API", version, description: "Events in, personalized in-course nudges out, feedback closes the loop." },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" }, basic: { type: "http", scheme: "basic" } },
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status", "detail"],
          properties: {
            type: { type: "string" }, title: { type: "string" }, status: { type: "integer" }, detail: { type: "string" },
            errors: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } } },
          },
        },
      },
    },
  };
}
