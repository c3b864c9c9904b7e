/**
 * The data a template sees (contract: "Render context"), and the one way it is turned into what
 * Handlebars gets: plain JSON, so no prototype, getter, function or Date reaches a template.
 */
import { TemplateRenderError } from "./template-errors";

/** An insight from data science, as templates read it: `insights.<key>.value`. */
export interface RenderInsight {
  value: unknown;
  score: number | null;
  metadata: Record<string, unknown>;
}

/** Everything a template can read. Dates are ISO strings (what `formatDate` takes). */
export interface RenderContext {
  learner: {
    id: string;
    name: string | null;
    firstName: string | null;
    locale: string | null;
    timezone: string | null;
    attributes: Record<string, unknown>;
  };
  course: { id: string | null };
  module: { id: string | null };
  event: { type: string | null; properties: Record<string, unknown> };
  /** The learner's latest goal for the course, or null. */
  goal: { text: string; createdAt: string } | null;
  assessments: Record<string, unknown>;
  insights: Record<string, RenderInsight>;
  message: { id: string | null };
}

/** What callers may pass: any part may be missing (preview without a learner, an inactivity nudge without an event). */
export type RenderContextInput = { [K in keyof RenderContext]?: Partial<RenderContext[K]> | null };

/** Arrays in the context are cut to this length: `{{#each}}` over a huge list is never what the copy meant. */
export const MAX_CONTEXT_ARRAY_ITEMS = 1000;

/**
 * A JSON round-trip of the context: drops functions, class instances' prototypes and getters
 * (a template can only see data), turns Dates into ISO strings, and truncates long arrays.
 * `__proto__` keys are dropped too: harmless as own data, but nothing a template should see.
 * BigInts (database ids) become strings; a context that is not data at all (cycles) is an error.
 *
 * Contexts are nearly always plain data already (snapshots and events parsed from JSON), so those are
 * copied directly, giving what the round-trip gives at a fraction of its cost; anything else (a class
 * instance, a toJSON, nesting deeper than PLAIN_COPY_DEPTH, which may be a cycle) takes the round-trip.
 * tests/unit/templates/render-context.test.ts checks that the two agree.
 */
export function toPlainRenderData(context: unknown): Record<string, unknown> {
  let plain: unknown;
  try {
    plain = plainCopy(context ?? {}, 0);
  } catch {
    plain = NOT_PLAIN; // a getter threw: the round-trip meets it again and says so
  }
  if (plain === NOT_PLAIN || plain === OMITTED) return jsonRoundTrip(context);
  return typeof plain === "object" && plain !== null && !Array.isArray(plain) ? (plain as Record<string, unknown>) : {};
}

/** The round-trip itself (also the reference the plain copy is tested against). */
export function jsonRoundTrip(context: unknown): Record<string, unknown> {
  let json: string;
  try {
    // All in the replacer, none in a JSON.parse reviver: a reviver would double the cost of every render.
    json = JSON.stringify(context ?? {}, (key, value: unknown) => {
      if (key === "__proto__") return undefined;
      if (typeof value === "bigint") return value.toString();
      if (Array.isArray(value) && value.length > MAX_CONTEXT_ARRAY_ITEMS) return value.slice(0, MAX_CONTEXT_ARRAY_ITEMS);
      return value;
    });
  } catch (error) {
    throw new TemplateRenderError(`The render context is not plain data: ${(error as Error).message}`);
  }
  const plain: unknown = JSON.parse(json);
  return typeof plain === "object" && plain !== null && !Array.isArray(plain) ? (plain as Record<string, unknown>) : {};
}

const NOT_PLAIN = Symbol("not plain");
/** Deeper than this, the copy leaves the value to the round-trip (which also names a cycle as the error). */
const PLAIN_COPY_DEPTH = 64;
/** What a value the round-trip leaves out of an object (and makes null in an array) copies to. */
const OMITTED = Symbol("omitted");
const { toJSON: dateToJson } = Date.prototype;

/** What the round-trip makes of `value`, or NOT_PLAIN when the copy does not know (then the round-trip decides). */
function plainCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value + 0 : null; // -0 → 0, NaN and ±Infinity → null, as JSON writes them
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return OMITTED;
    default:
      break;
  }
  if (value === null) return null;
  if (depth >= PLAIN_COPY_DEPTH) return NOT_PLAIN;
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) return NOT_PLAIN;
    const length = Math.min(value.length, MAX_CONTEXT_ARRAY_ITEMS);
    const out: unknown[] = [];
    for (let i = 0; i < length; i++) {
      const item = plainCopy(value[i], depth + 1);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      out.push(item === OMITTED ? null : item);
    }
    return out;
  }
  if (proto === Date.prototype && Date.prototype.toJSON === dateToJson && !Object.prototype.hasOwnProperty.call(value, "toJSON")) {
    return (value as Date).toJSON(); // an ISO string, or null for an invalid date
  }
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const source = value as Record<string, unknown>;
  if (typeof source.toJSON === "function") return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    if (key === "__proto__") continue;
    const item = plainCopy(source[key], depth + 1);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    if (item !== OMITTED) out[key] = item;
  }
  return out;
}

/** Results of toRenderData: passed back in (a preview renders two fields and checks both), they are used as they are. */
const renderData = new WeakSet<object>();

/**
 * What templates (and the unknown-variable check) actually see: the plain data, with
 * `learner.firstName` derived from `learner.name` when the caller did not give one. Data this function
 * made is returned unchanged, so a caller converts a large context once however many fields it renders.
 */
export function toRenderData(context: unknown): Record<string, unknown> {
  if (typeof context === "object" && context !== null && renderData.has(context)) return context as Record<string, unknown>;
  const data = toPlainRenderData(context);
  renderData.add(data);
  const learner = data.learner;
  if (typeof learner === "object" && learner !== null && !Array.isArray(learner)) {
    const fields = learner as Record<string, unknown>;
    if (fields.firstName == null && typeof fields.name === "string") fields.firstName = firstNameOf(fields.name);
  }
  return data;
}

/** The first word of a display name: what "Hi {{learner.firstName}}" wants. */
export function firstNameOf(name: string | null | undefined): string | null {
  const first = name?.trim().split(/\s+/)[0];
  return first ? first : null;
}

/**
 * A plausible context for previews without a learner, covering every field the built-in templates
 * read. `now` is a parameter (the goal's date is derived from it) so previews and tests are stable.
 */
export function buildSampleContext(now: Date = new Date("2026-11-23T10:00:00Z")): RenderContext {
  const goalCreatedAt = new Date(now.getTime() - 3 * 24 * 3600 * 1000).toISOString();
  return {
    learner: {
      id: "sample-learner",
      name: "Ada Lovelace",
      firstName: "Ada",
      locale: "en",
      timezone: "Europe/London",
      attributes: { track: "paid", country: "GB" },
    },
    course: { id: "ml-101" },
    module: { id: "week-2" },
    event: { type: "quiz.submitted", properties: { score: 0.4, passed: false } },
    goal: { text: "Finish week 2 by Friday", createdAt: goalCreatedAt },
    assessments: { "week-1": { rating: 3, scaleMin: 1, scaleMax: 5 } },
    insights: {
      recommendedNextModule: { value: "Week 3: Decision trees", score: 0.82, metadata: { model: "sample" } },
    },
    message: { id: "00000000-0000-4000-8000-000000000000" },
  };
}
