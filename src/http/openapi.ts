/**
 * Builds /openapi.json from the same zod schemas the routes parse with (see route.ts), so the documented API
 * cannot drift from the served one. The document is valid OpenAPI 3.1: every operation has an operationId,
 * its request body and its answers (success and problem+json); the definitions zod emits for recursive values
 * (JSON properties) are hoisted into components so every $ref resolves.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

interface OperationSpec {
  method: string;
  path: string;
  summary: string;
  tag: string;
  access: unknown;
  operationId?: string;
  body?: z.ZodType;
  /** Documents a body the handler parses itself (e.g. events, whose batch validation is its own). */
  requestBody?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  /** A success answer that is not JSON: the stream (text/event-stream) or a CSV export. */
  produces?: "text/event-stream" | "text/csv";
  status?: number;
  responseDescription?: string;
  /** Versioned content: the answer carries `ETag: "<version>"`, and a write takes an optional `If-Match`. */
  versioned?: boolean;
}

const operations = new Map<string, OperationSpec>();

/** Records a route for the document; the latest registration of a method+path wins. */
export function registerOperation(spec: OperationSpec): void {
  operations.set(`${spec.method} ${spec.path}`, spec);
}

type Json = Record<string, unknown>;

/** What each group of operations is for, as the document's tags say it. */
const TAG_DESCRIPTIONS: Record<string, string> = {
  "API keys": "Server keys per role (ingest, author, analyst, admin): create, list, revoke, and which key is calling.",
  Analytics: "Engagement and helpfulness rates, suppressions, experiment reports (JSON or CSV).",
  Demo: "A demo learner to try rules and templates from /admin: send events, see what arrives.",
  Events: "Learner events from the course player (native batches and Segment-style calls), what was dropped, and the event types seen.",
  Feedback: "A message and what its learner did with it: seen, clicked, dismissed, answered, helpful or not.",
  Insights: "Per-learner data from data science that templates and rules read.",
  Learners: "Learners and courses: profiles, inboxes, timelines, goals, preferences, learner tokens for browsers and the delivery stream.",
  "Learning-record standards": "xAPI statements, Caliper envelopes and Segment-style calls, and the mappings that turn them into events.",
  Operations: "Deliveries that failed for good, and retrying them.",
  Policy: "The throttle: how many nudges a learner may get, when, and how feedback backs it off.",
  Rules: "Which event, course, segment and data send which template.",
  Segments: "Groups of learners defined by conditions or SQL, refreshed and versioned.",
  Templates: "Versioned, localized message copy with variants, and previews for a real learner.",
};

/** Collects the definitions of every schema into components, deduplicated by content. */
class SchemaComponents {
  readonly schemas: Record<string, unknown> = {};
  private readonly names = new Map<string, string>();

  /** The JSON Schema of a zod type, its local $defs moved into components and refs rewritten. */
  add(schema: z.ZodType, io: "input" | "output"): Json {
    let json: Json;
    try {
      json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
    } catch {
      return {}; // a schema with transforms JSON Schema cannot express is documented as "any"
    }
    const defs = (json.$defs ?? {}) as Record<string, unknown>;
    delete json.$defs;
    delete json.$schema;
    const renamed = new Map<string, string>();
    for (const [local, def] of Object.entries(defs)) renamed.set(local, this.nameFor(def));
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (!value || typeof value !== "object") return value;
      const out: Json = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === "$ref" && typeof v === "string" && v.startsWith("#/$defs/")) out[k] = `#/components/schemas/${renamed.get(v.slice("#/$defs/".length))}`;
        else if (k === "$ref" && v === "#") out[k] = "#/components/schemas/JsonValue";
        else out[k] = rewrite(v);
      }
      return out;
    };
    for (const [local, def] of Object.entries(defs)) this.schemas[renamed.get(local)!] ??= rewrite(def);
    return rewrite(json) as Json;
  }

  private nameFor(def: unknown): string {
    const text = JSON.stringify(def);
    let name = this.names.get(text);
    if (!name) {
      const isJson = /"anyOf"/.test(text) && /"boolean"/.test(text) && /"null"/.test(text) && /"additionalProperties":\{"\$ref"/.test(text);
      name = isJson && !this.schemas.JsonValue ? "JsonValue" : `Def_${createHash("sha1").update(text).digest("hex").slice(0, 10)}`;
      this.names.set(text, name);
    }
    return name;
  }
}

/** `get /v1/learners/:learnerId/messages` → `getLearnersByLearnerIdMessages`. */
export function defaultOperationId(method: string, path: string): string {
  const words = path
    .split("/")
    .filter((s) => s && s !== "v1")
    .map((s) => (s.startsWith(":") ? `by-${s.slice(1)}` : s))
    .join("-")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return method + words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

const PROBLEM = { $ref: "#/components/schemas/Problem" };
const PROBLEM_ANSWERS: Record<string, string> = {
  "400": "The request is invalid (errors[] names the fields)",
  "401": "Missing, unknown or expired credentials",
  "403": "The credentials may not do this",
  "404": "Not found",
  "409": "Conflicts with the current state",
  "413": "The body is too large",
  "429": "Too many failed authentications from this client (see Retry-After)",
  "503": "A dependency is unavailable (see Retry-After)",
};

/** The whole OpenAPI 3.1 document. */
export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const components = new SchemaComponents();
  const paths: Record<string, Record<string, unknown>> = {};
  const usedIds = new Set<string>();
  for (const op of operations.values()) {
    const path = op.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const parameters: Json[] = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    const querySchema = op.query ? (components.add(op.query, "input") as { properties?: Record<string, unknown>; required?: string[] }) : undefined;
    for (const [name, schema] of Object.entries(querySchema?.properties ?? {})) {
      parameters.push({ name, in: "query", required: querySchema?.required?.includes(name) ?? false, schema });
    }
    let operationId = op.operationId ?? defaultOperationId(op.method, op.path);
    while (usedIds.has(operationId)) operationId += "Alt";
    usedIds.add(operationId);
    if (op.versioned && op.method !== "get" && op.method !== "post") {
      parameters.push({
        name: "If-Match",
        in: "header",
        required: false,
        schema: { type: "string", examples: ['"3"'] },
        description: "Apply only if the stored version is still this one (the ETag a GET gave); else 409 with `currentVersion`.",
      });
    }
    const bodySchema = op.requestBody ?? op.body;
    const roles = op.access === "public" ? "public" : (op.access as { roles: string[] }).roles.join(", ");
    const status = String(op.status ?? 200);
    const success: Json = { description: op.responseDescription ?? (status === "204" ? "No content" : "OK") };
    if (op.versioned && status !== "204") success.headers = { ETag: { description: "The version, quoted: send it back as If-Match", schema: { type: "string" } } };
    if (status !== "204") {
      if (op.produces) success.content = { [op.produces]: { schema: { type: "string" } } };
      else success.content = { "application/json": { schema: op.response ? components.add(op.response, "output") : { type: "object" } } };
    }
    const problems = Object.fromEntries(
      Object.entries(PROBLEM_ANSWERS)
        .filter(([code]) => (op.access === "public" ? !["401", "403", "429"].includes(code) : true))
        .filter(([code]) => code !== "413" || bodySchema)
        .map(([code, description]) => [code, { description, content: { "application/problem+json": { schema: PROBLEM } } }]),
    );
    (paths[path] ??= {})[op.method] = {
      operationId,
      summary: op.summary,
      description: `Access: ${roles}${op.access !== "public" ? " (admin always)" : ""}.`,
      tags: [op.tag],
      parameters,
      ...(bodySchema ? { requestBody: { required: true, content: { "application/json": { schema: components.add(bodySchema, "input") } } } } : {}),
      responses: {
        [status]: success,
        ...problems,
        default: { description: "Problem", content: { "application/problem+json": { schema: PROBLEM } } },
      },
      ...(op.access === "public" ? { security: [] } : {}),
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Coaching engine API", version, description: "Events in, personalized in-course nudges out, feedback closes the loop.", license: { name: "MIT", identifier: "MIT" } },
    servers: [{ url: "/" }],
    // Every key is accepted as a bearer token or as HTTP Basic's user name (Segment's and LRS clients' way).
    security: [{ bearer: [] }, { basic: [] }],
    tags: [...new Set([...operations.values()].map((o) => o.tag))].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" }, basic: { type: "http", scheme: "basic" } },
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status", "detail"],
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            instance: { type: "string" },
            errors: { type: "array", items: { type: "object", required: ["path", "message"], properties: { path: { type: "string" }, message: { type: "string" } } } },
            currentVersion: { type: "integer", description: "On a version conflict (409): the version now stored" },
          },
        },
        ...components.schemas,
      },
    },
  };
}
