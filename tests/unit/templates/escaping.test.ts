import fc from "fast-check";
import { renderMessage, renderTemplateSource, safeCtaUrl } from "../../../src/templates/render";

describe("escaping learner-supplied data", () => {
  it("when a learner's name contains a script tag, then the rendered body shows it escaped", () => {
    const body = renderTemplateSource("Hi {{learner.name}}!", { learner: { name: '<script>alert("x")</script>' } });
    expect(body).toBe("Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;!");
  });

  it("when a helper returns learner data, then it is escaped as well", () => {
    expect(renderTemplateSource('{{default learner.firstName "there"}}', { learner: { firstName: "<img src=x onerror=1>" } })).toBe(
      "&lt;img src&#x3D;x onerror&#x3D;1&gt;",
    );
  });

  it("when a triple-stash outputs an insight the author marked as HTML, then that output is not escaped", () => {
    const insights = { html: { value: "<b>bold</b>", score: null, metadata: { html: true } } };
    expect(renderTemplateSource("{{{insights.html.value}}}", { insights })).toBe("<b>bold</b>");
  });

  it("when a triple-stash outputs an insight not marked as HTML, then it is escaped all the same", () => {
    const insights = { html: { value: "<b>bold</b>", score: null, metadata: {} } };
    expect(renderTemplateSource("{{{insights.html.value}}}", { insights })).toBe("&lt;b&gt;bold&lt;/b&gt;");
  });

  it("whatever a learner's name is, then escaped output never contains raw HTML-significant characters", () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const out = renderTemplateSource("{{learner.name}}", { learner: { name } });
        expect(out).not.toMatch(/[<>"'`=]/);
      }),
    );
  });
});

describe("CTA links", () => {
  const template = (url: string) => ({
    templateKey: "t",
    version: 1,
    locale: "en",
    variants: [{ key: "A", title: "T", body: "B", cta: { label: "Go", url }, weight: 1 }],
  });

  it("when the URL renders to https with learner data in the query, then the data is kept verbatim and quotes are encoded", () => {
    const rendered = renderMessage(template("https://lms.example/c/{{course.id}}?q={{learner.name}}"), "A", {
      course: { id: "ml-101" },
      learner: { name: 'a&b "c"' },
    });
    expect(rendered.cta).toEqual({ label: "Go", url: "https://lms.example/c/ml-101?q=a&b%20%22c%22" });
    expect(rendered.warnings).toEqual([]);
  });

  it("when the URL renders to a javascript: link, then the CTA is dropped with a warning", () => {
    const rendered = renderMessage(template("{{learner.attributes.link}}"), "A", { learner: { attributes: { link: "javascript:alert(1)" } } });
    expect(rendered.cta).toBeNull();
    expect(rendered.warnings[0]).toMatch(/CTA URL/);
  });

  it.each([
    ["javascript:alert(1)", null],
    ["JaVaScRiPt:alert(1)", null],
    ["java\tscript:alert(1)", null],
    ["data:text/html,<script>", null],
    ["//evil.example/x", null],
    ["/\\evil.example", null],
    ["https://", null],
    ["http://lms.example/a?b=1#c", "http://lms.example/a?b=1#c"],
    ["/courses/ml-101", "/courses/ml-101"],
    ["modules/week-2", "modules/week-2"],
    ["?tab=notes", "?tab=notes"],
    ["#top", "#top"],
    ["  /padded  ", "/padded"],
    ["", null],
  ])("when the rendered URL is %j, then the kept URL is %j", (input, expected) => {
    expect(safeCtaUrl(input)).toBe(expected);
  });
});
