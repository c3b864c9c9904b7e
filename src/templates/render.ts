/**
 * Renders a template version for a learner: pick the variant's locale, compile (cached), render
 * each field with a loop and output budget, and keep only CTA links that are safe to click.
 */
import type { TemplateDelegate } from "handlebars";
import { BUDGET_DATA_KEY, KNOWN_HELPERS, RUNTIME_OPTIONS, templateEngine, type RenderBudget } from "./handlebars-instance";
import { LruCache } from "./lru-cache";
import { pickLocale } from "./locale";
import { enforceRawOutputPolicy } from "./raw-output";
import { toRenderData, type RenderContextInput } from "./render-context";
import { TemplateRenderError } from "./template-errors";
import type { Cta, TemplateVariant } from "./template.schema";
import { inspectTemplateSource, type InspectedTemplate } from "./validate-template";

/** A rendered field above this many bytes is an error: no nudge is that long on purpose. */
export const MAX_RENDERED_FIELD_BYTES = 64 * 1024;

/** `{{#each}}` iterations allowed per field render (arrays are already cut to 1,000 items). */
export const MAX_LOOP_ITERATIONS = 10_000;

/**
 * Iterations × template tokens allowed per field render. Each iteration runs at most every token of the
 * template once, so this bounds the work of a render whatever its loops hold: a small template keeps
 * its loops (4,000 iterations for a 10-token one), a 1,000-token one may loop 40 times.
 */
export const RENDER_WORK_BUDGET = 40_000;

/**
 * Loop output is counted once per enclosing `{{#each}}` (inner output is part of the outer's), so the
 * loop cap allows for the nesting limit before the exact check on the finished field.
 */
const MAX_LOOP_OUTPUT = 4 * MAX_RENDERED_FIELD_BYTES;

/** Which compiled function a source belongs to; versions are immutable, so this identifies the source. */
export interface CompileKey {
  templateKey: string;
  version: number;
  variantKey: string;
  locale: string;
  /** e.g. "title", "body", "cta.label", "cta.url". */
  field: string;
}

/** The parts of a stored template version rendering needs. */
export interface RenderableTemplate {
  templateKey: string;
  version: number;
  /** The locale the variants' own copy is written in. */
  locale: string;
  variants: readonly TemplateVariant[];
}

/** A rendered message: HTML-escaped title and body, a checked CTA, and what was dropped on the way. */
export interface RenderedMessage {
  title: string;
  body: string;
  cta: Cta | null;
  /** The locale the copy came from (the learner's, their language's, or the template default). */
  locale: string;
  warnings: string[];
}

interface CompiledField {
  render: TemplateDelegate;
  /** The source's token count (template-prescan.ts), which sets its loop allowance. */
  tokens: number;
}

interface CacheEntry extends CompiledField {
  source: string;
}

const compiled = new LruCache<string, CacheEntry>(2000);

/** URLs are not HTML: escaping `&` to `&amp;` would break query strings, so CTA URLs are checked instead. */
function isUrlField(field: string): boolean {
  return field === "url" || field.endsWith(".url");
}

/**
 * Compiles after validating again: stored versions were checked on save, but a rule added since
 * (or a row written by hand) must not let a template reach the renderer. Raw output that the rules no
 * longer allow is not an error here but escaped (raw-output.ts), so an old version still renders, safely.
 * The AST the checks parsed is the one compiled. Cached, so this runs once per version.
 */
function compileSource(source: string | InspectedTemplate, field: string): CompiledField {
  const { ast, issues, tokens } = typeof source === "string" ? inspectTemplateSource(source) : source;
  const [issue] = issues;
  if (issue || !ast) {
    throw new TemplateRenderError(`Invalid ${field} (line ${issue?.line ?? 1}, column ${issue?.column ?? 1}): ${issue?.message ?? "does not parse"}`, field);
  }
  // URL fields are not HTML (noEscape); safeCtaUrl checks what they render to instead.
  if (!isUrlField(field)) enforceRawOutputPolicy(ast);
  const render = templateEngine.compile(ast, { knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true, strict: false, noEscape: isUrlField(field) });
  return { render, tokens };
}

/** The cached compiled field for one field of one variant (see compileTemplate). */
function compiledField(key: CompileKey, source: string): CompiledField {
  const cacheKey = JSON.stringify([key.templateKey, key.version, key.variantKey, key.locale, key.field]);
  const hit = compiled.get(cacheKey);
  if (hit && hit.source === source) return hit;
  const field = compileSource(source, key.field);
  compiled.set(cacheKey, { source, ...field });
  return field;
}

/**
 * The compiled function for one field of one variant, from a bounded LRU cache. The source is
 * compared too, so a caller reusing a key for different text (a preview) never gets stale output.
 */
export function compileTemplate(key: CompileKey, source: string): TemplateDelegate {
  return compiledField(key, source).render;
}

/** Empties the compile cache (tests; or to free memory after bulk edits). */
export function clearTemplateCache(): void {
  compiled.clear();
}

/** Loop iterations allowed for a template of this many tokens (RENDER_WORK_BUDGET), at least one pass over a short list. */
export function loopAllowance(tokens: number): number {
  return Math.max(10, Math.min(MAX_LOOP_ITERATIONS, Math.floor(RENDER_WORK_BUDGET / Math.max(1, tokens))));
}

/** Runs one compiled field over plain data with a fresh budget; every failure becomes a TemplateRenderError. */
function runField({ render, tokens }: CompiledField, data: Record<string, unknown>, field: string): string {
  const budget: RenderBudget = { iterations: 0, output: 0, maxIterations: loopAllowance(tokens), maxOutput: MAX_LOOP_OUTPUT };
  let output: string;
  try {
    output = render(data, { ...RUNTIME_OPTIONS, data: { [BUDGET_DATA_KEY]: budget } });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TemplateRenderError(`Could not render ${field}: ${reason}`, field);
  }
  if (Buffer.byteLength(output, "utf8") > MAX_RENDERED_FIELD_BYTES) {
    throw new TemplateRenderError(`Rendered ${field} is larger than ${MAX_RENDERED_FIELD_BYTES / 1024} KB`, field);
  }
  return output;
}

/**
 * Renders a single source without caching: previews of unsaved copy. A preview that has already inspected
 * the source passes the result, so the text is parsed once; the compiler then consumes (mutates) that AST.
 */
export function renderTemplateSource(source: string | InspectedTemplate, context: RenderContextInput | Record<string, unknown>, field = "body"): string {
  return runField(compileSource(source, field), toRenderData(context), field);
}

/**
 * Renders one variant of a template version for a context. Title and body are HTML-escaped
 * (except where the template uses `{{{ }}}`); a CTA whose URL does not render to an http(s) or
 * relative link is dropped with a warning rather than failing the whole message.
 */
export function renderMessage(template: RenderableTemplate, variantKey: string, context: RenderContextInput | Record<string, unknown>): RenderedMessage {
  const variant = template.variants.find((candidate) => candidate.key === variantKey);
  if (!variant) throw new TemplateRenderError(`Template ${template.templateKey} v${template.version} has no variant "${variantKey}"`);
  const data = toRenderData(context);
  const learner = data.learner as { locale?: unknown } | undefined;
  const learnerLocale = typeof learner?.locale === "string" ? learner.locale : null;
  const { locale, content } = pickLocale(variant, learnerLocale, template.locale);
  const field = (name: string, source: string): string => {
    const key = { templateKey: template.templateKey, version: template.version, variantKey, locale, field: name };
    return runField(compiledField(key, source), data, name);
  };

  const warnings: string[] = [];
  const title = field("title", content.title).trim();
  const body = field("body", content.body).trim();
  let cta: Cta | null = null;
  if (content.cta) {
    const label = field("cta.label", content.cta.label).trim();
    const url = safeCtaUrl(field("cta.url", content.cta.url));
    if (!label) warnings.push("The CTA label rendered empty; the CTA was dropped");
    else if (url === null) warnings.push("The CTA URL did not render to an http(s) or relative URL; the CTA was dropped");
    else cta = { label, url };
  }
  return { title, body, cta, locale, warnings };
}

/** Characters that would end an HTML attribute or split a URL; percent-encoded so the link stays one link. */
const URL_UNSAFE = /["'<>`\s]/g;

/**
 * The URL if it is absolute http(s) with a host, or relative (`/path`, `path`, `?q`, `#frag`);
 * otherwise null. `javascript:`, `data:`, protocol-relative `//host` and anything with control
 * characters or backslashes (which browsers quietly "repair" into other URLs) are refused.
 */
export function safeCtaUrl(rendered: string): string | null {
  const url = rendered.trim();
  if (!url || /[\u0000-\u001f\u007f\\]/.test(url) || url.startsWith("//")) return null;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  if (scheme) {
    if (!/^https?$/i.test(scheme[1])) return null;
    try {
      if (!new URL(url).hostname) return null;
    } catch {
      return null;
    }
  }
  return url.replace(URL_UNSAFE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}
