/**
 * The built-in template library in the top-level `templates/` folder, one `.hbs` file per template:
 *
 *   ---
 *   { "key": "quiz-retry", "name": "…", "kind": "nudge", "response": null,
 *     "variants": [ { "key": "A", "title": "…", "cta": {…}, "weight": 1, "locales": { "pt": { "title": "…" } } } ],
 *     "rule": { "trigger": { "eventType": "quiz.submitted" }, "priority": 20, "cooldownHours": 24 } }
 *   ---
 *   {{!-- variant: A --}}
 *   Body of variant A…
 *   {{!-- variant: A locale: pt --}}
 *   Body of variant A in Portuguese…
 *
 * JSON front-matter (no YAML dependency); bodies live outside the JSON so they read as templates.
 * Each file becomes a validated TemplateDefinition plus the rule the engine seeds for it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { z } from "zod";
import { formatPath } from "../lib/zod-errors";
import { templateDefinitionSchema, type TemplateDefinition } from "./template.schema";
import { validateTemplateDefinition } from "./validate-template";

/** The rule seeded with a built-in template; key, name and templateKey default to the template's. */
export interface BuiltinRule {
  key: string;
  name: string;
  templateKey: string;
  trigger: Record<string, unknown>;
  priority: number;
  delaySeconds: number;
  cooldownHours?: number;
  maxPerLearner?: number;
  expiresAfterHours?: number;
}

/** Everything the library holds: templates and the rules that send them. */
export interface BuiltinLibrary {
  templates: TemplateDefinition[];
  rules: BuiltinRule[];
}

/**
 * Only the shape of a suggested rule is checked here; conditions are the rules engine's language,
 * so the seeder runs the rule through the rules schema like any posted rule.
 */
const ruleSchema = z.strictObject({
  trigger: z.union([
    z.strictObject({ eventType: z.string().min(1), courseId: z.string().optional(), where: z.record(z.string(), z.unknown()).optional() }),
    z.strictObject({ inactiveDays: z.number().int().positive(), courseId: z.string().optional() }),
  ]),
  priority: z.number().int().default(0),
  delaySeconds: z.number().int().min(0).default(0),
  cooldownHours: z.number().int().positive().optional(),
  maxPerLearner: z.number().int().positive().optional(),
  expiresAfterHours: z.number().int().positive().optional(),
});

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/;
const SECTION_MARKER = /^\{\{!--\s*variant:\s*(\S+?)(?:\s+locale:\s*(\S+?))?\s*--\}\}\s*$/;

/** `templates/` at the repository root, from src/templates or from the compiled dist/src/templates. */
function defaultDirectory(): string {
  const candidates = [resolve(__dirname, "../../templates"), resolve(__dirname, "../../../templates")];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0];
}

/** Reads and validates every `.hbs` file in `dir` (sorted by name); throws naming the file on any error. */
export function loadBuiltinLibrary(dir: string = defaultDirectory()): BuiltinLibrary {
  const library: BuiltinLibrary = { templates: [], rules: [] };
  const files = readdirSync(dir).filter((name) => name.endsWith(".hbs")).sort();
  for (const file of files) {
    const { template, rule } = parseBuiltinTemplateFile(readFileSync(join(dir, file), "utf8"), file);
    library.templates.push(template);
    library.rules.push(rule);
  }
  return library;
}

/** The built-in templates as validated definitions. */
export function loadBuiltinTemplates(dir?: string): TemplateDefinition[] {
  return loadBuiltinLibrary(dir).templates;
}

/** The suggested rule for each built-in template (one per template, same key). */
export function loadBuiltinRules(dir?: string): BuiltinRule[] {
  return loadBuiltinLibrary(dir).rules;
}

/** Parses one library file; `file` only names it in errors. */
export function parseBuiltinTemplateFile(text: string, file: string): { template: TemplateDefinition; rule: BuiltinRule } {
  const fail = (message: string): never => {
    throw new Error(`Built-in template ${file}: ${message}`);
  };
  const match = FRONT_MATTER.exec(text);
  if (!match) return fail("expected JSON front-matter between '---' lines");
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(match[1]) as Record<string, unknown>;
  } catch (error) {
    return fail(`front-matter is not JSON: ${(error as Error).message}`);
  }
  const { rule: rawRule, ...definition } = header;
  attachBodies(definition, splitSections(match[2], fail), fail);

  const parsed = templateDefinitionSchema.safeParse(definition);
  if (!parsed.success) {
    return fail(parsed.error.issues.map((issue) => `${formatPath(issue.path) || "(root)"}: ${issue.message}`).join("; "));
  }
  const issues = validateTemplateDefinition(parsed.data);
  if (issues.length > 0) {
    return fail(issues.map((issue) => `${issue.path} line ${issue.line} column ${issue.column}: ${issue.message}`).join("; "));
  }
  if (basename(file, ".hbs") !== parsed.data.key) fail(`key "${parsed.data.key}" does not match the file name`);

  const rule = ruleSchema.safeParse(rawRule);
  if (!rule.success) return fail(`rule: ${rule.error.issues.map((issue) => `${formatPath(issue.path)} ${issue.message}`).join("; ")}`);
  const key = parsed.data.key;
  return { template: parsed.data, rule: { key, name: parsed.data.name, templateKey: key, ...rule.data } };
}

/** Body sections keyed "A" or "A@pt-BR"; text before the first marker must be blank. */
function splitSections(body: string, fail: (message: string) => never): Map<string, string> {
  const sections = new Map<string, string>();
  let current: string | null = null;
  let lines: string[] = [];
  const close = (): void => {
    if (current !== null) sections.set(current, lines.join("\n").trim());
  };
  for (const line of body.split(/\r?\n/)) {
    const marker = SECTION_MARKER.exec(line);
    if (marker) {
      close();
      current = marker[2] ? `${marker[1]}@${marker[2]}` : marker[1];
      if (sections.has(current)) fail(`section "${current}" appears twice`);
      lines = [];
    } else if (current === null) {
      if (line.trim()) fail("text before the first {{!-- variant: … --}} marker");
    } else {
      lines.push(line);
    }
  }
  close();
  return sections;
}

/** Puts each section's text into the variant (or its locale override) it names; every one must be used once. */
function attachBodies(definition: Record<string, unknown>, sections: Map<string, string>, fail: (message: string) => never): void {
  const variants = Array.isArray(definition.variants) ? (definition.variants as Array<Record<string, unknown>>) : [];
  const used = new Set<string>();
  const take = (target: Record<string, unknown>, section: string): void => {
    if ("body" in target) fail(`${section}: put the body in its section, not in the front-matter`);
    const text = sections.get(section);
    if (text === undefined) return fail(`missing body section {{!-- variant: ${section.replace("@", " locale: ")} --}}`);
    target.body = text;
    used.add(section);
  };
  for (const variant of variants) {
    take(variant, String(variant.key));
    const locales = (variant.locales ?? {}) as Record<string, Record<string, unknown>>;
    for (const [tag, content] of Object.entries(locales)) take(content, `${String(variant.key)}@${tag}`);
  }
  const unused = [...sections.keys()].filter((section) => !used.has(section));
  if (unused.length > 0) fail(`body sections without a variant: ${unused.join(", ")}`);
}
