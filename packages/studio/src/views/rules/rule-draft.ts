/**
 * A rule as the editor holds it (the contract's rule JSON) and the body a save sends: read-only fields out,
 * the legacy `holdoutShare` folded into `holdout`, a new rule's skeleton built on a template that exists.
 */
import type { Condition } from "../../components/condition-model";

export interface EventTrigger {
  eventType: string;
  courseId?: string | null;
  where?: Condition | null;
}

export interface InactivityTrigger {
  inactiveDays: number;
  courseId?: string | null;
}

export interface Experiment {
  mode: "split" | "bandit";
  minExplorationShare?: number;
  reward?: "helpful" | "engagement";
  control?: string;
  seed?: string;
}

export interface Holdout {
  share: number;
  followUp?: { eventType: string; withinDays: number };
}

export interface Gate {
  enabled: boolean;
  minHistory?: number;
  priorStrength?: number;
  explorationShare?: number;
  values?: { helpful: number; notHelpful: number; noInteraction: number };
}

export interface RuleDefinition {
  key: string;
  name: string;
  enabled: boolean;
  trigger: EventTrigger | InactivityTrigger;
  segmentKey: string | null;
  templateKey: string;
  delaySeconds: number;
  priority: number;
  cooldownHours: number | null;
  maxPerLearner: number | null;
  expiresAfterHours: number | null;
  essential: boolean;
  experiment: Experiment | null;
  holdout: Holdout | null;
  gate: Gate | null;
}

/** GET /v1/rules/{key}. */
export interface RuleView extends RuleDefinition {
  version: number;
  holdoutShare?: number;
  createdAt: string;
  updatedAt: string;
}

/** Event types the built-in templates use (contract: "Events"): offered after the types actually seen. */
export const KNOWN_EVENT_TYPES = ["course.enrolled", "module.started", "module.completed", "video.completed", "quiz.submitted", "assignment.submitted", "course.completed"];

/** "New rule": a rule that can be saved at once, on the first template that exists and the first event type seen. */
export function newRule(templateKey: string, eventType: string): RuleDefinition {
  return {
    key: "",
    name: "",
    enabled: true,
    trigger: { eventType, courseId: null, where: null },
    segmentKey: null,
    templateKey,
    delaySeconds: 0,
    priority: 0,
    cooldownHours: 24,
    maxPerLearner: null,
    expiresAfterHours: null,
    essential: false,
    experiment: null,
    holdout: null,
    gate: null,
  };
}

/** The editable definition of a GET answer, deep-copied. */
export function definitionOf(view: RuleView): RuleDefinition {
  const holdout = view.holdout ?? (view.holdoutShare ? { share: view.holdoutShare } : null);
  const { key, name, enabled, trigger, segmentKey, templateKey, delaySeconds, priority, cooldownHours, maxPerLearner, expiresAfterHours, essential, experiment, gate } = view;
  return JSON.parse(
    JSON.stringify({ key, name, enabled, trigger, segmentKey, templateKey, delaySeconds, priority, cooldownHours, maxPerLearner, expiresAfterHours, essential, experiment, holdout, gate }),
  );
}

export function isEventTrigger(trigger: RuleDefinition["trigger"]): trigger is EventTrigger {
  return "eventType" in trigger;
}
