/** Analytics for analysts and authors: message rates and suppressions, as JSON or CSV (Accept: text/csv). */
import type { Response, Router } from "express";
import { z } from "zod";
import { MESSAGE_GROUPS, SUPPRESSION_GROUPS, messageRates, suppressionCounts, type MessageGroup, type SuppressionGroup } from "../../analytics/message-rates";
import { toCsv } from "../../analytics/csv";
import { experimentReport } from "../../analytics/experiment-report";
import { listExperiments } from "../../analytics/experiment-list";
import { DEFAULT_REPORT_TIMEZONE, boundInstant, reportBound, reportTimeZone } from "../../analytics/report-window";
import { EVENT_TYPE_PATTERN } from "../../ingest/event.schema";
import { route } from "../route";
import type { AppContext } from "../app-context";

function groupList<T extends string>(allowed: readonly T[]) {
  return z
    .string()
    .optional()
    .transform((s) =>
      s
        ? s
            .split(",")
            .map((x) => x.trim())
            .filter(Boolean)
        : [],
    )
    .refine((list) => list.every((g) => (allowed as readonly string[]).includes(g)), { message: `must be a comma-separated list of ${allowed.join(", ")}` })
    .transform((list) => [...new Set(list)] as T[]);
}
/**
 * The report's window: `from` inclusive, `to` exclusive; a date-only bound is that day's midnight in `timezone`
 * (default UTC), which is also the zone whose local days `day` groups by.
 */
function reportQuery<T extends string>(groups: readonly T[]) {
  return z
    .object({
      groupBy: groupList(groups),
      from: reportBound.describe("Inclusive: an instant with offset, or a date (its midnight in `timezone`)"),
      to: reportBound.describe("Exclusive: an instant with offset, or a date (its midnight in `timezone`); for an inclusive last day send the next day"),
      courseId: z.string().min(1).optional(),
      timezone: reportTimeZone.describe("IANA zone of date-only bounds and of `day` groups (default UTC)"),
    })
    .transform((q) => {
      const timeZone = q.timezone ?? DEFAULT_REPORT_TIMEZONE;
      return { groupBy: q.groupBy, courseId: q.courseId, timeZone, from: boundInstant(q.from, timeZone), to: boundInstant(q.to, timeZone) };
    });
}
const messagesQuery = reportQuery(Object.keys(MESSAGE_GROUPS) as MessageGroup[]);
const suppressionsQuery = reportQuery(Object.keys(SUPPRESSION_GROUPS) as SuppressionGroup[]);

const experimentQuery = z.object({
  followUpEvent: z.string().regex(EVENT_TYPE_PATTERN, "must be an event type like module.completed").optional(),
  withinDays: z.coerce.number().int().min(1).max(90).default(7),
});

function send(res: Response, accept: string | undefined, rows: Array<Record<string, unknown>>) {
  if (accept?.includes("text/csv")) {
    res.type("text/csv").send(toCsv(rows));
    return undefined;
  }
  return { rows };
}

/** Adds /v1/analytics/messages, /v1/analytics/suppressions, /v1/analytics/experiments and /v1/analytics/experiments/{ruleKey}. */
export function analyticsRoutes(router: Router, ctx: AppContext): void {
  const access = { roles: ["author", "analyst"] as const };
  route(router, ctx, {
    method: "get",
    path: "/v1/analytics/messages",
    tag: "Analytics",
    access,
    query: messagesQuery,
    summary: "Delivered, seen, clicked, dismissed, responded, helpful, notHelpful, engagementRate, helpfulRate (+ Wilson 95% CI) per group",
    handler: async ({ query, req, res }) => send(res, req.header("accept"), await messageRates(ctx.database.pool, query)),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/analytics/suppressions",
    tag: "Analytics",
    access,
    query: suppressionsQuery,
    summary: "Suppressions and deferrals counted by reason (and outcome, rule, course, day)",
    handler: async ({ query, req, res }) => send(res, req.header("accept"), await suppressionCounts(ctx.database.pool, query)),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/analytics/experiments",
    tag: "Analytics",
    access,
    operationId: "listExperiments",
    summary: "Every live rule running an experiment (an experiment setting, a holdout, or two or more published variants), each with its report as GET /v1/analytics/experiments/{ruleKey} gives it",
    handler: async () => ({ experiments: await listExperiments(ctx.prisma, ctx.database.pool, ctx.clock.now()) }),
  });
  route(router, ctx, {
    method: "get",
    path: "/v1/analytics/experiments/:ruleKey",
    tag: "Analytics",
    access,
    query: experimentQuery,
    summary: "A rule's experiment: per-variant rates with Wilson CIs, z-test vs control, probability best, sample-ratio check, holdout lift, verdict",
    handler: async ({ params, query }) =>
      experimentReport(ctx.prisma, ctx.database.pool, params.ruleKey, {
        followUp: query.followUpEvent ? { eventType: query.followUpEvent, withinDays: query.withinDays } : undefined,
        asOf: ctx.clock.now(),
      }),
  });
}
