/** PUT /v1/insights: data-science output per learner (and optionally course). */
import { z } from "zod";

export const MAX_INSIGHTS_PER_REQUEST = 10_000;

export const insightSchema = z.strictObject({
  learnerId: z.string().min(1).max(128),
  courseId: z.string().min(1).max(128).nullable().optional(),
  key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "must be an identifier (letters, digits, _) so templates can read insights.<key>"),
  value: z.json(),
  score: z.number().finite().nullable().optional(),
  /**
   * Free-form, except `html`: `true` marks a string `value` as HTML written by staff, which templates may
   * then output raw with `{{{insights.<key>.value}}}` (anything else is escaped; see templates/raw-output.ts).
   */
  metadata: z
    .record(z.string(), z.json())
    .refine((metadata) => metadata.html === undefined || typeof metadata.html === "boolean", { message: "html must be true or false", path: ["html"] })
    .optional(),
});

export const putInsightsSchema = z.union([z.array(insightSchema).min(1).max(MAX_INSIGHTS_PER_REQUEST), z.strictObject({ insights: z.array(insightSchema).min(1).max(MAX_INSIGHTS_PER_REQUEST) })]);
export type InsightInput = z.infer<typeof insightSchema>;
