/** The learner's own say: GET/PUT /v1/learners/{id}/preferences (learner token or ingest). */
import type { Router } from "express";
import { getPreferences, putPreferences, putPreferencesSchema } from "../../preferences/learner-preferences";
import { ValidationError } from "../../lib/errors";
import { route } from "../route";
import type { AppContext } from "../app-context";

/** Adds /v1/learners/:learnerId/preferences. */
export function preferenceRoutes(router: Router, ctx: AppContext): void {
  const access = { roles: ["ingest"] as const, learnerParam: "learnerId" };
  route(router, ctx, {
    method: "get",
    path: "/v1/learners/:learnerId/preferences",
    tag: "Learners",
    access: { roles: ["ingest", "analyst"], learnerParam: "learnerId" },
    summary: "The learner's snooze and opted-out message kinds",
    handler: async ({ params }) => getPreferences(ctx.database.pool, params.learnerId),
  });
  route(router, ctx, {
    method: "put",
    path: "/v1/learners/:learnerId/preferences",
    tag: "Learners",
    access,
    body: putPreferencesSchema,
    summary: "Snooze coaching ({snoozeHours} or {snoozedUntil}) or opt out of kinds ({optedOutKinds})",
    handler: async ({ params, body }) => {
      if (body.learnerId !== undefined && body.learnerId !== params.learnerId) {
        throw new ValidationError("The body's learnerId is not the path's", [{ path: "learnerId", message: "must be the learner named in the path" }]);
      }
      return putPreferences(ctx.database.pool, params.learnerId, body, ctx.clock.now());
    },
  });
}
