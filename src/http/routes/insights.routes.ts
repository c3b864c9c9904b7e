/** PUT /v1/insights (author): data-science results that templates and conditions read as `insights.<key>`. */
import type { Router } from "express";
import { putInsightsSchema } from "../../insights/insight.schema";
import { upsertInsights } from "../../insights/upsert-insights";
import { route } from "../route";
import type { AppContext } from "../app-context";

/** Adds /v1/insights. */
export function insightRoutes(router: Router, ctx: AppContext): void {
  route(router, ctx, {
    method: "put",
    path: "/v1/insights",
    tag: "Insights",
    access: { roles: ["author"] },
    body: putInsightsSchema,
    summary: "Upsert up to 10,000 insights: [{learnerId, courseId?, key, value, score?, metadata?}]",
    handler: async ({ body }) => upsertInsights(ctx.database.pool, Array.isArray(body) ? body : body.insights, ctx.clock.now()),
  });
}
