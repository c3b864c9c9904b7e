/** Chooses which translation of a variant a learner sees. */
import type { LocalizedContent, TemplateVariant } from "./template.schema";

/** The content picked for a learner and the locale it is written in. */
export interface PickedContent {
  locale: string;
  content: LocalizedContent;
}

/** Case and separator differences ("pt_br", "PT-br") are the client's spelling, not a different locale. */
function normalize(tag: string): string {
  return tag.trim().replace(/_/g, "-").toLowerCase();
}

/**
 * Exact tag (`pt-BR`), then the learner's language (`pt`), then the variant's own copy in the
 * template's default locale. A learner without a locale gets the default.
 */
export function pickLocale(
  variant: Pick<TemplateVariant, "title" | "body" | "cta" | "locales">,
  learnerLocale: string | null | undefined,
  defaultLocale = "en",
): PickedContent {
  const fallback: PickedContent = { locale: defaultLocale, content: { title: variant.title, body: variant.body, cta: variant.cta } };
  if (!learnerLocale || !variant.locales) return fallback;
  const wanted = normalize(learnerLocale);
  const language = wanted.split("-")[0];
  const entries = Object.entries(variant.locales);
  const exact = entries.find(([tag]) => normalize(tag) === wanted);
  if (exact) return { locale: exact[0], content: exact[1] };
  const sameLanguage = entries.find(([tag]) => normalize(tag) === language);
  if (sameLanguage) return { locale: sameLanguage[0], content: sameLanguage[1] };
  return fallback;
}
