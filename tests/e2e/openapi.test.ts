/**
 * /openapi.json is a valid, complete OpenAPI 3.1 document: a real validator accepts it, every operation has an
 * operationId and its answers, the stream is text/event-stream, and the typed client's generated types are the
 * ones openapi-typescript makes from it today (so the committed types cannot drift from the API).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestEngine, type TestEngine } from "../setup/test-engine";

describe("the OpenAPI document", () => {
  let engine: TestEngine;
  let document: Record<string, unknown>;
  let checked: { valid: boolean; error: string | null; types: string | null };

  beforeAll(async () => {
    engine = await startTestEngine();
    const res = await engine.http.get("/openapi.json");
    expect(res.status).toBe(200);
    document = res.body;
    const file = join(mkdtempSync(join(tmpdir(), "openapi-")), "openapi.json");
    writeFileSync(file, JSON.stringify(document));
    checked = JSON.parse(execFileSync(process.execPath, [join(__dirname, "../../scripts/check-openapi.mjs"), file], { encoding: "utf8", maxBuffer: 64 << 20 }));
  });
  afterAll(async () => engine.close());

  it("is valid OpenAPI 3.1 for swagger-parser, every $ref resolving", async () => {
    expect(checked).toMatchObject({ valid: true, error: null });
    const text = JSON.stringify(document);
    for (const [, ref] of text.matchAll(/"\$ref":"([^"]+)"/g)) {
      expect(ref).toMatch(/^#\/components\/schemas\/[A-Za-z0-9_]+$/);
      const name = ref.split("/").pop()!;
      expect((document.components as { schemas: Record<string, unknown> }).schemas[name]).toBeDefined();
    }
  });

  it("gives every operation a unique operationId, a body where it takes one, and success and problem answers", () => {
    const ids = new Set<string>();
    const paths = document.paths as Record<string, Record<string, { operationId: string; requestBody?: unknown; responses: Record<string, { content?: Record<string, unknown> }> }>>;
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(operations)) {
        expect(op.operationId).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        const codes = Object.keys(op.responses);
        expect(codes.some((c) => /^2\d\d$/.test(c))).toBe(true);
        expect(op.responses.default.content?.["application/problem+json"]).toBeDefined();
        if ((method === "post" || method === "put") && !/\/(refresh|publish|retry)$/.test(path) && !path.startsWith("/xapi")) {
          expect({ path, method, body: Boolean(op.requestBody) }).toEqual({ path, method, body: true });
        }
      }
    }
    expect(ids.size).toBeGreaterThan(25);
  });

  it("passes what Redocly's recommended rules ask beyond validity: a license, a described tag for each group, every security scheme used", () => {
    const info = document.info as { license?: { name: string } };
    expect(info.license?.name).toBe("MIT");
    const tags = document.tags as Array<{ name: string; description?: string }>;
    const used = new Set(Object.values(document.paths as Record<string, Record<string, { tags: string[] }>>).flatMap((ops) => Object.values(ops).flatMap((op) => op.tags)));
    expect(tags.map((t) => t.name).sort()).toEqual([...used].sort());
    expect(tags.filter((t) => !t.description || t.description === t.name)).toEqual([]);
    const schemes = Object.keys((document.components as { securitySchemes: Record<string, unknown> }).securitySchemes);
    const referenced = new Set((document.security as Array<Record<string, unknown>>).flatMap((requirement) => Object.keys(requirement)));
    expect(schemes.filter((name) => !referenced.has(name))).toEqual([]);
  });

  it("declares the learner stream as text/event-stream with access_token and lastEventId", () => {
    const stream = (document.paths as Record<string, Record<string, { responses: Record<string, { content: Record<string, unknown> }>; parameters: Array<{ name: string }> }>>)[
      "/v1/learners/{learnerId}/stream"
    ].get;
    expect(Object.keys(stream.responses["200"].content)).toEqual(["text/event-stream"]);
    expect(stream.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["learnerId", "courseId", "access_token", "lastEventId"]));
  });

  it("generates the typed client's types exactly as committed (npm --prefix clients/node run generate)", () => {
    const generated = checked.types!;
    const committed = readFileSync(join(__dirname, "../../clients/node/src/generated/api.d.ts"), "utf8");
    // The CLI adds a banner; compare the declarations.
    const body = (text: string) => text.slice(text.indexOf("export interface paths"));
    expect(body(committed)).toBe(body(generated));
  });
});
