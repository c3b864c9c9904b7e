/** Checks a learner's answer against the message's response spec: a goal text, or a rating inside the scale. */
import type { Message } from "../generated/prisma/client";
import { ValidationError } from "../lib/errors";

export type Answer = { kind: "goal"; text: string } | { kind: "rating"; rating: number; min: number; max: number };

/** The validated answer; 400 at `value` for anything else. */
export function validateResponse(message: Message, value: unknown): Answer {
  const spec = message.responseSpec as { type?: string; maxLength?: number; min?: number; max?: number } | null;
  const fail = (why: string) => new ValidationError(`Invalid response: ${why}`, [{ path: "value", message: why }]);
  if (message.kind === "goal_prompt") {
    const max = spec?.maxLength ?? 500;
    if (typeof value !== "string") throw fail("must be the goal's text");
    const text = value.trim();
    if (text.length < 1 || text.length > Math.min(max, 500)) throw fail(`must be 1 to ${Math.min(max, 500)} characters`);
    return { kind: "goal", text };
  }
  if (message.kind === "self_assessment" && spec?.type === "scale" && typeof spec.min === "number" && typeof spec.max === "number") {
    if (typeof value !== "number" || !Number.isInteger(value) || value < spec.min || value > spec.max) throw fail(`must be an integer from ${spec.min} to ${spec.max}`);
    return { kind: "rating", rating: value, min: spec.min, max: spec.max };
  }
  throw fail(`a ${message.kind} message does not take a response`);
}
