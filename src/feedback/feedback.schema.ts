/** POST /v1/messages/{id}/feedback. */
import { z } from "zod";

export const FEEDBACK_TYPES = ["seen", "clicked", "dismissed", "helpful", "not_helpful", "response"] as const;

export const feedbackSchema = z.strictObject({
  learnerId: z.string().min(1).max(128),
  type: z.enum(FEEDBACK_TYPES),
  value: z.json().optional(),
});
export type FeedbackInput = z.infer<typeof feedbackSchema>;
