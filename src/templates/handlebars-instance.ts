/**
 * Our own Handlebars environment: created with `Handlebars.create()` so nothing another module
 * registers on the global Handlebars reaches templates, and stripped to the helpers we vetted.
 * Staff-authored templates are untrusted code; what they can reach is decided here.
 */
import Handlebars from "handlebars";
import { TemplateRenderError } from "./template-errors";
import { TEMPLATE_HELPERS } from "./template-helpers";
import { RAW_INSIGHT_HELPER, rawInsight } from "./raw-output";

/** Block helpers a template may open with `{{#…}}`. */
export const BLOCK_HELPERS: readonly string[] = ["if", "unless", "each", "with"];

/** Helpers a template may call in `{{helper …}}` or `(helper …)`. */
export const INLINE_HELPERS: readonly string[] = Object.keys(TEMPLATE_HELPERS);

/** Every helper name a template may use. */
export const ALLOWED_HELPERS: ReadonlySet<string> = new Set([...BLOCK_HELPERS, ...INLINE_HELPERS]);

/**
 * The compiler's `knownHelpers`: ours on, and Handlebars' `lookup` and `log` explicitly off, so
 * with `knownHelpersOnly` a template using them fails to compile even if validation were skipped.
 * The raw-insight helper is known to the compiler (the renderer inserts it) but not to validation.
 */
export const KNOWN_HELPERS: Record<string, boolean> = {
  ...Object.fromEntries([...ALLOWED_HELPERS].map((name) => [name, true])),
  [RAW_INSIGHT_HELPER]: true,
  lookup: false,
  log: false,
};

/**
 * Runtime options for every render. These are Handlebars' defaults since 4.6, spelled out so an
 * upgrade or a copy-paste elsewhere cannot quietly turn prototype access back on.
 */
export const RUNTIME_OPTIONS = Object.freeze({
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
});

/** Where the per-render loop budget travels: in `@data`, which each iteration's frame copies. */
export const BUDGET_DATA_KEY = "coachRenderBudget";

/** Counts `{{#each}}` iterations and their output for one render of one field. */
export interface RenderBudget {
  iterations: number;
  output: number;
  readonly maxIterations: number;
  readonly maxOutput: number;
}

/** The isolated Handlebars environment every template is compiled with. */
export const templateEngine = Handlebars.create();

// Handlebars' built-ins we do not offer: `lookup` reads arbitrary keys (dynamic `__proto__`),
// `log` writes to our logs, and the `inline` decorator defines partials.
templateEngine.unregisterHelper("lookup");
templateEngine.unregisterHelper("log");
templateEngine.unregisterDecorator("inline");
for (const [name, helper] of Object.entries(TEMPLATE_HELPERS)) templateEngine.registerHelper(name, helper);
templateEngine.registerHelper(RAW_INSIGHT_HELPER, rawInsight);

type EachHelper = (this: unknown, context: unknown, options: EachOptions) => string;
interface EachOptions {
  fn: (value: unknown, options?: unknown) => string;
  data?: Record<string, unknown>;
}

const builtinEach = templateEngine.helpers.each as EachHelper;

// `each` is the only way a template multiplies work (no partials, no recursion). Wrapping it lets a
// render stop as soon as loops run away, instead of building megabytes and checking afterwards.
templateEngine.registerHelper("each", function countedEach(this: unknown, context: unknown, options: EachOptions) {
  const budget = options?.data?.[BUDGET_DATA_KEY] as RenderBudget | undefined;
  if (!budget) return builtinEach.call(this, context, options);
  const fn = options.fn;
  const counted = Object.assign((value: unknown, iterationOptions?: unknown) => {
    budget.iterations += 1;
    if (budget.iterations > budget.maxIterations) throw new TemplateRenderError(`Template loops ran more than ${budget.maxIterations} times`);
    const out = fn(value, iterationOptions);
    budget.output += out.length;
    if (budget.output > budget.maxOutput) throw new TemplateRenderError("Template output inside loops is too large");
    return out;
  }, fn);
  return builtinEach.call(this, context, { ...options, fn: counted });
});
