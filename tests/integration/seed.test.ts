import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { seedBuiltins } from "../../src/seed/seed-builtins";
import { loadBuiltinLibrary } from "../../src/templates/builtin-library";

describe("seeding the built-in library", () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine.close());

  it("seeds every built-in template and rule once, even when two processes seed at the same time", async () => {
    const { templates, rules } = loadBuiltinLibrary();
    const [a, b] = await Promise.all([seedBuiltins(engine.ctx), seedBuiltins(engine.ctx)]);
    expect(a.templates + b.templates).toBe(templates.length);
    expect(a.rules + b.rules).toBe(rules.length);
    expect(await engine.ctx.prisma.templateVersion.count()).toBe(templates.length);
    expect(await seedBuiltins(engine.ctx)).toEqual({ templates: 0, rules: 0 });
    const retry = await engine.ctx.prisma.template.findUniqueOrThrow({ where: { key: "quiz-retry" } });
    expect(retry).toMatchObject({ publishedVersion: 1, latestVersion: 1 });
  });

  it("never overwrites a template staff edited, nor resurrects a built-in rule they deleted", async () => {
    const author = `Bearer ${engine.keys.author}`;
    const current = (await engine.http.get("/v1/templates/welcome").set("Authorization", author)).body;
    const edited = await engine.http
      .put("/v1/templates/welcome")
      .set("Authorization", author)
      .send({ name: "Our welcome", kind: current.kind, locale: current.locale, variants: current.variants, response: current.response, publish: true });
    expect(edited.status).toBe(200);
    expect((await engine.http.delete("/v1/rules/quiz-retry").set("Authorization", author)).status).toBe(204);
    await seedBuiltins(engine.ctx);
    const welcome = await engine.ctx.prisma.template.findUniqueOrThrow({ where: { key: "welcome" } });
    expect(welcome).toMatchObject({ name: "Our welcome", latestVersion: 2, publishedVersion: 2 });
    expect((await engine.http.get("/v1/rules/quiz-retry").set("Authorization", author)).status).toBe(404);
  });
});
