/** What conditions read: plain JSON per root (`event`, `learner`, `goal`, `assessments`, `insights`, `state`). */
export interface MatchContext {
  event: Record<string, unknown> | null;
  learner: Record<string, unknown> | null;
  goal: Record<string, unknown> | null;
  assessments: Record<string, unknown> | null;
  insights: Record<string, unknown> | null;
  state: Record<string, unknown> | null;
}

export const CONDITION_ROOTS = ["event", "learner", "goal", "assessments", "insights", "state"] as const;
