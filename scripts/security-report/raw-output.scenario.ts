/**
 * Issue 12, item 6: `{{{learner.name}}}` and `{{{event.properties.x}}}` delivered `<script>` and `onerror=`
 * into the inbox. Triple-stash (and `{{& …}}`) on data learners and course players control is refused on save,
 * in every field; and a version stored before that rule (written straight to the database) still delivers
 * the markup escaped.
 */
import { randomUUID } from "node:crypto";
import { withEngineContext, type ReportEngine } from "./report-engine";
import { call, Tally, type ReportRow } from "./report-row";

const SCRIPT = "<script>alert(1)</script>";
const IMG = "<img src=x onerror=alert(1)>";

/** Runs the item-6 scenario; needs the engine's workers (COACH_PROCESS=all) to deliver. */
export async function rawOutputScenario(engine: ReportEngine): Promise<ReportRow[]> {
  const run = randomUUID().slice(0, 8);
  const raw = ["{{{learner.name}}}", "{{{event.properties.x}}}", "{{& learner.name}}", "{{{goal.text}}}", "{{{learner.attributes.bio}}}", "{{#each event.properties.list}}{{{this}}}{{/each}}"];
  const fields = (source: string) => [
    { title: source, body: "b" },
    { title: "t", body: `Hi ${source}` },
    { title: "t", body: "b", cta: { label: source, url: "/x" } },
  ];
  const tally = new Tally();
  const named = new Set<string>();
  for (const source of raw) {
    for (const variant of fields(source)) {
      const res = await call(engine, "POST", "/v1/templates", {
        role: "author",
        body: { key: `raw-${randomUUID().slice(0, 8)}`, name: "raw", kind: "nudge", variants: [{ key: "A", weight: 1, ...variant }] },
      });
      tally.count(res.status, res.status === 400);
      if (res.status === 400) named.add(String(res.json?.errors?.[0]?.path ?? "?"));
    }
  }

  // A version written before the rule: stored as is, rendered with the engine's escaping.
  const key = `legacy-${run}`;
  await withEngineContext(engine, async (ctx) => {
    await ctx.prisma.template.create({ data: { key, name: "legacy", kind: "nudge", latestVersion: 1, publishedVersion: 1 } });
    await ctx.prisma.templateVersion.create({
      data: {
        templateKey: key,
        version: 1,
        name: "legacy",
        kind: "nudge",
        locale: "en",
        variants: [{ key: "A", weight: 1, title: "Hi {{{learner.name}}}", body: "{{{learner.name}}} said {{{event.properties.x}}}" }],
        author: "legacy",
        checksum: "x",
      },
    });
  });
  await call(engine, "PUT", "/v1/policy", { role: "author", body: { maxPerDay: 100, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null } });
  const rule = await call(engine, "POST", "/v1/rules", {
    role: "author",
    body: { key, name: "legacy", templateKey: key, priority: 1000, trigger: { eventType: "xss.probe", courseId: `xss-${run}` } },
  });
  const learnerId = `xss-${run}`;
  const event = await call(engine, "POST", "/v1/events", {
    role: "ingest",
    body: { id: `xss-${run}`, type: "xss.probe", learnerId, courseId: `xss-${run}`, occurredAt: new Date().toISOString(), properties: { x: IMG }, learner: { name: SCRIPT } },
  });
  let delivered: { title?: string; body?: string } | undefined;
  const deadline = Date.now() + 60_000;
  while (!delivered && Date.now() < deadline) {
    const inbox = await call(engine, "GET", `/v1/learners/${learnerId}/messages`, { role: "ingest" });
    delivered = (inbox.json?.messages as Array<{ title?: string; body?: string }> | undefined)?.[0];
    if (!delivered) await new Promise((r) => setTimeout(r, 250));
  }
  const text = `${delivered?.title ?? ""} ${delivered?.body ?? ""}`;
  const escaped = delivered !== undefined && text.includes("&lt;script&gt;") && !text.includes("<");
  return [
    tally.row(
      "6",
      `Raw output: ${raw.length} triple-stash/\`{{& }}\` uses on learner and event data, each in a title, a body and a CTA label`,
      `refused on save naming the field (${[...named].join(", ")}); a version stored before the rule (rule ${rule.status}, event ${event.status}) delivered ${delivered ? `"${text.slice(0, 90)}"` : "nothing within 60 s"}: ${escaped ? "escaped" : "NOT escaped"}`,
      tally.refused === tally.tried && escaped,
    ),
  ];
}
