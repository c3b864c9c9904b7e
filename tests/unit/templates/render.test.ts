import { LruCache } from "../../../src/templates/lru-cache";
import { clearTemplateCache, compileTemplate, renderMessage, renderTemplateSource } from "../../../src/templates/render";
import { MAX_CONTEXT_ARRAY_ITEMS, buildSampleContext, toPlainRenderData } from "../../../src/templates/render-context";
import { TemplateRenderError } from "../../../src/templates/template-errors";

const key = { templateKey: "quiz-retry", version: 3, variantKey: "B", locale: "en", field: "body" };

describe("compiling and rendering", () => {
  beforeEach(() => clearTemplateCache());

  it("when the same field is compiled twice, then the cache returns the same function", () => {
    const first = compileTemplate(key, "Hi {{learner.name}}");
    expect(compileTemplate({ ...key }, "Hi {{learner.name}}")).toBe(first);
    expect(compileTemplate({ ...key, version: 4 }, "Hi {{learner.name}}")).not.toBe(first);
    expect(compileTemplate({ ...key, field: "title" }, "Hi {{learner.name}}")).not.toBe(first);
  });

  it("when a key is reused for different text, then the new text is compiled rather than the stale one returned", () => {
    compileTemplate(key, "old {{x}}");
    expect(compileTemplate(key, "new {{x}}")({ x: 1 })).toBe("new 1");
  });

  it("when the LRU is full, then the least recently used entry is evicted", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.get("a");
    cache.set("c", 3);
    expect([cache.get("a"), cache.get("b"), cache.get("c"), cache.size]).toEqual([1, undefined, 3, 2]);
  });

  it("when a variant is rendered, then title, body and CTA come back rendered and trimmed", () => {
    const template = {
      templateKey: "t",
      version: 1,
      locale: "en",
      variants: [{ key: "A", title: " Hi {{learner.firstName}} ", body: "\n{{#if goal}}Goal: {{goal.text}}{{/if}}\n", cta: { label: "Open {{course.id}}", url: "/c/{{course.id}}" }, weight: 1 }],
    };
    expect(renderMessage(template, "A", buildSampleContext())).toEqual({
      title: "Hi Ada",
      body: "Goal: Finish week 2 by Friday",
      cta: { label: "Open ml-101", url: "/c/ml-101" },
      locale: "en",
      warnings: [],
    });
  });

  it("when the variant does not exist, then a render error says which", () => {
    const template = { templateKey: "t", version: 2, locale: "en", variants: [{ key: "A", title: "t", body: "b", weight: 1 }] };
    expect(() => renderMessage(template, "Z", {})).toThrow(new TemplateRenderError('Template t v2 has no variant "Z"'));
  });

  it("when only the learner's full name is known, then firstName is derived from it", () => {
    expect(renderTemplateSource("{{learner.firstName}}", { learner: { name: "  Grace   Hopper " } })).toBe("Grace");
  });

  it("when the context has Dates and long arrays, then the template sees ISO strings and at most 1000 items", () => {
    const data = toPlainRenderData({ goal: { createdAt: new Date("2026-01-02T03:04:05Z") }, list: Array.from({ length: 5000 }, (_, i) => i) });
    expect((data.goal as { createdAt: unknown }).createdAt).toBe("2026-01-02T03:04:05.000Z");
    expect((data.list as unknown[]).length).toBe(MAX_CONTEXT_ARRAY_ITEMS);
    expect(renderTemplateSource("{{#each list}}{{#if @last}}{{this}}{{/if}}{{/each}}", data)).toBe("999");
  });

  it("when each runs through the loop budget wrapper, then else, @index, @first and object keys still work", () => {
    const source = "{{#each list}}{{@index}}{{#if @first}}!{{/if}}{{this}},{{else}}empty{{/each}}|{{#each obj as |v k|}}{{k}}={{v}};{{/each}}";
    expect(renderTemplateSource(source, { list: ["a", "b"], obj: { x: 1, y: 2 } })).toBe("0!a,1b,|x=1;y=2;");
    expect(renderTemplateSource(source, { list: [], obj: {} })).toBe("empty|");
  });

  it("when the context holds BigInts, then they render as digits; when it is circular, then rendering fails cleanly", () => {
    expect(renderTemplateSource("{{id}}", { id: BigInt("9007199254740993") })).toBe("9007199254740993");
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => renderTemplateSource("x", circular)).toThrow(TemplateRenderError);
  });

  it("when the context is empty, then missing values render as nothing, never 'undefined'", () => {
    expect(renderTemplateSource("[{{learner.name}}][{{goal.text}}][{{insights.x.value}}]", {})).toBe("[][][]");
  });
});
