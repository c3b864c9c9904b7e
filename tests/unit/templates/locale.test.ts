import { pickLocale } from "../../../src/templates/locale";
import { loadBuiltinTemplates } from "../../../src/templates/builtin-library";
import { renderMessage } from "../../../src/templates/render";
import { buildSampleContext } from "../../../src/templates/render-context";

const variant = {
  title: "Welcome",
  body: "Hi",
  locales: { pt: { title: "Bem-vindo", body: "Olá" }, "pt-BR": { title: "Boas-vindas", body: "Oi" } },
};

describe("picking a locale", () => {
  it.each([
    ["pt-BR", "pt-BR", "Boas-vindas"],
    ["pt-br", "pt-BR", "Boas-vindas"],
    ["pt_BR", "pt-BR", "Boas-vindas"],
    ["pt-PT", "pt", "Bem-vindo"],
    ["pt", "pt", "Bem-vindo"],
    ["fr", "en", "Welcome"],
    ["en-GB", "en", "Welcome"],
    [null, "en", "Welcome"],
  ])("when the learner's locale is %j, then the %s copy is used", (learnerLocale, locale, title) => {
    const picked = pickLocale(variant, learnerLocale);
    expect(picked.locale).toBe(locale);
    expect(picked.content.title).toBe(title);
  });

  it("when the template's default locale is not English, then the fallback is labelled with it", () => {
    expect(pickLocale({ title: "Hallo", body: "x" }, "fr", "de")).toEqual({ locale: "de", content: { title: "Hallo", body: "x", cta: undefined } });
  });

  it("when the built-in welcome is rendered for pt-BR, pt and fr learners, then each gets the right language", () => {
    const welcome = loadBuiltinTemplates().find((template) => template.key === "welcome")!;
    const version = { templateKey: welcome.key, version: 1, locale: welcome.locale, variants: welcome.variants };
    const renderFor = (locale: string) => {
      const context = buildSampleContext();
      return renderMessage(version, "A", { ...context, learner: { ...context.learner, locale } });
    };
    expect(renderFor("pt-BR")).toMatchObject({ locale: "pt-BR", title: "Boas-vindas ao curso, Ada!" });
    expect(renderFor("pt")).toMatchObject({ locale: "pt", title: "Bem-vindo ao curso, Ada!" });
    expect(renderFor("fr")).toMatchObject({ locale: "en", title: "Welcome, Ada!" });
    expect(renderFor("pt-BR").body).toMatch(/^Oi, Ada!/);
  });
});
