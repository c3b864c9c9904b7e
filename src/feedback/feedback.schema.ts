/** POST /v1/messages/{id}/feedback. */
import { z } from "zod";

export const FEEDBACK_TYPES = ["seen", "clicked", "dismissed", "helpful", "not_helpful", "response"] as const;

export const feedbackSchema = z.strictObject({
  // Required here; with a learner token route() fills it in from the token when it is left out (the contract's "Browsers").
  learnerId: z.string().min(1).max(128).describe("The message's learner. With a learner token it may be left out; given, it must be the token's"),
  type: z.enum(FEEDBACK_TYPES),
  value: z.json().optional(),
});
export type FeedbackInput = z.infer<typeof feedbackSchema>;
