/**
 * The helpers a template may call. Each takes plain values and returns a string, number or boolean:
 * never HTML (no SafeString), so Handlebars escapes whatever a helper returns in `{{ }}`.
 */
import { isValidTimeZone } from "../lib/timezones";
import { LruCache } from "./lru-cache";

/** What Handlebars passes as the last argument; we only read the render root from it. */
interface HelperOptions {
  data?: { root?: unknown };
}

type Helper = (...args: unknown[]) => unknown;

/** Splits Handlebars' `(...params, options)` call into params and options. */
function split(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  const options = (args[args.length - 1] ?? {}) as HelperOptions;
  return { params: args.slice(0, -1), options };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The learner's locale and timezone from the render root, with safe fallbacks for missing or bad values. */
function learnerSettings(options: HelperOptions): { locale: string; timeZone: string } {
  const root = options.data?.root;
  const learner = isRecord(root) && isRecord(root.learner) ? root.learner : {};
  const locale = typeof learner.locale === "string" && isSupportedLocale(learner.locale) ? learner.locale : "en";
  const timeZone = typeof learner.timezone === "string" && isValidTimeZone(learner.timezone) ? learner.timezone : "UTC";
  return { locale, timeZone };
}

const supportedLocales = new LruCache<string, boolean>(500);

/** Asked once per tag: the Intl lookup costs tens of microseconds, and a loop may format thousands of dates. */
function isSupportedLocale(tag: string): boolean {
  let supported = supportedLocales.get(tag);
  if (supported === undefined) {
    try {
      supported = Intl.DateTimeFormat.supportedLocalesOf(tag).length > 0;
    } catch {
      supported = false;
    }
    supportedLocales.set(tag, supported);
  }
  return supported;
}

/**
 * Intl formatters by locale, zone and style. Constructing one costs about 50 µs, using one about 1 µs:
 * without this, `{{formatDate}}` inside a loop was the slowest thing a template could do.
 */
const formatters = new LruCache<string, Intl.DateTimeFormat | Intl.NumberFormat>(500);

function cachedFormatter<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, create: () => T): T {
  let formatter = formatters.get(key) as T | undefined;
  if (!formatter) {
    formatter = create();
    formatters.set(key, formatter);
  }
  return formatter;
}

/** Handlebars' own idea of "empty" (as `{{#if}}` sees it), so `and`/`or`/`not` agree with `if`. */
function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

/** Named formats only: free-form patterns would be a second template language to validate. */
const DATE_FORMATS: Record<string, Intl.DateTimeFormatOptions> = {
  short: { dateStyle: "short", timeStyle: "short" },
  long: { dateStyle: "long", timeStyle: "short" },
  date: { dateStyle: "medium" },
  time: { timeStyle: "short" },
};

/** The date formats `formatDate` understands; anything else falls back to "date". */
export const DATE_FORMAT_NAMES = Object.keys(DATE_FORMATS);

function toDate(value: unknown): Date | null {
  if (typeof value !== "string" && typeof value !== "number") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const formatDate: Helper = (...args) => {
  const { params, options } = split(args);
  const date = toDate(params[0]);
  if (!date) return "";
  const format = typeof params[1] === "string" && Object.hasOwn(DATE_FORMATS, params[1]) ? params[1] : "date";
  const { locale, timeZone } = learnerSettings(options);
  return cachedFormatter(`date|${locale}|${timeZone}|${format}`, () => new Intl.DateTimeFormat(locale, { ...DATE_FORMATS[format], timeZone })).format(date);
};

const fallback: Helper = (...args) => {
  const { params } = split(args);
  const [value, otherwise] = params;
  return value === undefined || value === null || value === "" ? (otherwise ?? "") : value;
};

/** Returns the word only, so the template decides how (and whether) to show the count. */
const pluralize: Helper = (...args) => {
  const { params } = split(args);
  const [count, singular, plural] = params;
  if (typeof singular !== "string") return "";
  const isOne = Math.abs(Number(count)) === 1;
  if (isOne) return singular;
  return typeof plural === "string" ? plural : `${singular}s`;
};

const percent: Helper = (...args) => {
  const { params, options } = split(args);
  const value = typeof params[0] === "string" ? Number(params[0]) : params[0];
  if (typeof value !== "number" || !Number.isFinite(value)) return "";
  const digits = typeof params[1] === "number" && params[1] >= 0 && params[1] <= 4 ? params[1] : 0;
  const { locale } = learnerSettings(options);
  return cachedFormatter(`percent|${locale}|${digits}`, () => new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: digits })).format(value);
};

/** Ordering only between two numbers or two strings; mixed types compare as false rather than coerce. */
function ordered(compare: (a: number | string, b: number | string) => boolean): Helper {
  return (...args) => {
    const [a, b] = split(args).params;
    const comparable = (typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string");
    return comparable ? compare(a, b) : false;
  };
}

/** Our helpers by name; handlebars-instance.ts registers exactly these. */
export const TEMPLATE_HELPERS: Readonly<Record<string, Helper>> = Object.freeze({
  default: fallback,
  formatDate,
  pluralize,
  percent,
  eq: (...args: unknown[]) => {
    const [a, b] = split(args).params;
    return a === b;
  },
  ne: (...args: unknown[]) => {
    const [a, b] = split(args).params;
    return a !== b;
  },
  lt: ordered((a, b) => a < b),
  lte: ordered((a, b) => a <= b),
  gt: ordered((a, b) => a > b),
  gte: ordered((a, b) => a >= b),
  and: (...args: unknown[]) => split(args).params.every(isTruthy),
  or: (...args: unknown[]) => split(args).params.some(isTruthy),
  not: (...args: unknown[]) => !isTruthy(split(args).params[0]),
});
