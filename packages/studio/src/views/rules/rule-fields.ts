/**
 * The rule form's sections as render functions: the trigger (event type with the types seen first, course,
 * or inactivity) and the learning loop (experiment, holdout, gate) as form fields, each saying what it does.
 */
import { html, nothing, type TemplateResult } from "lit";
import { checkField, numberField, selectField, textField, type Choice } from "../../components/form-fields";
import { KNOWN_EVENT_TYPES, isEventTrigger, type RuleDefinition } from "./rule-draft";

export interface SectionContext {
  rule: RuleDefinition;
  readonly: boolean;
  problem: unknown;
  /** Event types seen (newest first) in the rule's course, or anywhere. */
  seenTypes: string[];
  courses: string[];
  /** The rule's template's variant keys (experiment control). */
  variants: string[];
  changed(): void;
}

const OTHER = "__other__";

/** Event type choices: the types seen first, then the contract's known types, then "another type". */
export function eventTypeChoices(seen: string[], current: string): Choice[] {
  const seenSet = new Set(seen);
  const known = KNOWN_EVENT_TYPES.filter((t) => !seenSet.has(t));
  const extra = current && !seenSet.has(current) && !known.includes(current) ? [current] : [];
  return [
    ...seen.map((t) => ({ value: t, label: t, group: "Seen in your data" })),
    ...[...known, ...extra].map((t) => ({ value: t, label: t, group: "Other event types" })),
    { value: OTHER, label: "Another type…", group: "Other event types" },
  ];
}

/** When the rule fires. */
export function renderTrigger(c: SectionContext, customType: boolean, setCustomType: (on: boolean) => void): TemplateResult {
  const r = c.rule;
  const o = { readonly: c.readonly, problem: c.problem };
  const onEvent = isEventTrigger(r.trigger);
  const course = r.trigger.courseId ?? "";
  const courseChoices: Choice[] = [{ value: "", label: "Every course" }, ...[...new Set([...c.courses, ...(course ? [course] : [])])].map((id) => ({ value: id, label: id }))];
  return html`<fieldset><legend>When it fires</legend>
    <div class="radio-row" role="radiogroup" aria-label="Trigger kind">
      <label class="inline-check"><input type="radio" name="trigger-kind" .checked=${onEvent} ?disabled=${c.readonly}
        @change=${() => {
          r.trigger = { eventType: c.seenTypes[0] ?? "course.enrolled", courseId: r.trigger.courseId ?? null, where: null };
          c.changed();
        }}> When an event arrives</label>
      <label class="inline-check"><input type="radio" name="trigger-kind" .checked=${!onEvent} ?disabled=${c.readonly}
        @change=${() => {
          r.trigger = { inactiveDays: 7, courseId: r.trigger.courseId ?? null };
          c.changed();
        }}> When a learner has been inactive</label>
    </div>
    <div class="grid-2">
      ${
        isEventTrigger(r.trigger)
          ? html`<div>
        ${selectField(
          "Event type",
          "trigger.eventType",
          customType ? OTHER : r.trigger.eventType,
          eventTypeChoices(c.seenTypes, r.trigger.eventType),
          (value) => {
            const t = r.trigger as { eventType: string };
            if (value === OTHER) setCustomType(true);
            else {
              setCustomType(false);
              t.eventType = value;
            }
            c.changed();
          },
          { ...o, hint: c.seenTypes.length ? "Types your course player has sent come first." : "No events stored yet: these are the types the built-in templates use." },
        )}
        ${
          customType
            ? textField(
                "Other event type",
                "trigger.eventType",
                r.trigger.eventType,
                (v) => {
                  (r.trigger as { eventType: string }).eventType = v;
                  c.changed();
                },
                { ...o, placeholder: "e.g. forum.posted" },
              )
            : nothing
        }
      </div>`
          : numberField(
              "Days without any event",
              "trigger.inactiveDays",
              r.trigger.inactiveDays,
              (v) => {
                (r.trigger as { inactiveDays: number }).inactiveDays = v ?? 7;
                c.changed();
              },
              { ...o, min: 1, max: 365, hint: "Fires once per learner and course when nothing arrived for this long." },
            )
      }
      ${selectField(
        "Course",
        "trigger.courseId",
        course,
        courseChoices,
        (v) => {
          r.trigger.courseId = v || null;
          c.changed();
        },
        o,
      )}
    </div>
  </fieldset>`;
}

/** Timing and per-learner limits. */
export function renderLimits(c: SectionContext): TemplateResult {
  const r = c.rule;
  const o = { readonly: c.readonly, problem: c.problem };
  const set =
    <K extends keyof RuleDefinition>(key: K) =>
    (value: RuleDefinition[K]) => {
      r[key] = value;
      c.changed();
    };
  return html`<fieldset class="grid-2"><legend>Timing and limits</legend>
    ${numberField("Priority", "priority", r.priority, (v) => set("priority")(v ?? 0), { ...o, min: -1000, max: 1000, hint: "When an event matches several rules, the highest priority the throttle allows is sent." })}
    ${numberField("Delay (seconds)", "delaySeconds", r.delaySeconds, (v) => set("delaySeconds")(v ?? 0), { ...o, min: 0, hint: "Wait this long after the event before sending." })}
    ${numberField("Cooldown (hours)", "cooldownHours", r.cooldownHours, set("cooldownHours"), { ...o, nullable: true, min: 0, hint: "Not again to the same learner within this many hours. Empty: no cooldown." })}
    ${numberField("At most per learner", "maxPerLearner", r.maxPerLearner, set("maxPerLearner"), { ...o, nullable: true, min: 1, hint: "Lifetime cap for this rule. Empty: no cap." })}
    ${numberField("Expires after (hours)", "expiresAfterHours", r.expiresAfterHours, set("expiresAfterHours"), { ...o, nullable: true, min: 1, hint: "Leaves the inbox after this long. Empty: never." })}
    ${checkField("Essential (not held back by caps, gap or backoff; still respects quiet hours and the learner's choices)", "essential", r.essential, set("essential"), o)}
  </fieldset>`;
}

/** Experiment, holdout and gate. */
export function renderLearningLoop(c: SectionContext): TemplateResult {
  const r = c.rule;
  const o = { readonly: c.readonly, problem: c.problem };
  return html`<fieldset><legend>Experiment, holdout and gate</legend>
    ${checkField(
      "Run an experiment between the template's variants",
      "experiment",
      r.experiment !== null,
      (on) => {
        r.experiment = on ? { mode: "split" } : null;
        c.changed();
      },
      o,
    )}
    ${
      r.experiment
        ? html`<div class="grid-2 nested">
      ${selectField(
        "Assignment",
        "experiment.mode",
        r.experiment.mode,
        [
          { value: "split", label: "Fixed split by weight" },
          { value: "bandit", label: "Bandit (sends more of what works)" },
        ],
        (v) => {
          r.experiment!.mode = v as "split" | "bandit";
          c.changed();
        },
        { ...o, hint: "A split keeps each learner on one variant; a bandit shifts traffic towards the best helpful rate." },
      )}
      ${selectField(
        "Control variant",
        "experiment.control",
        r.experiment.control ?? "",
        [{ value: "", label: "The first variant" }, ...c.variants.map((v) => ({ value: v, label: v }))],
        (v) => {
          if (v) r.experiment!.control = v;
          else delete r.experiment!.control;
          c.changed();
        },
        { ...o, hint: "What the others are compared with." },
      )}
      ${
        r.experiment.mode === "bandit"
          ? html`
        ${selectField(
          "Bandit reward",
          "experiment.reward",
          r.experiment.reward ?? "helpful",
          [
            { value: "helpful", label: "Helpful votes" },
            { value: "engagement", label: "Engagement (clicks, answers, votes)" },
          ],
          (v) => {
            r.experiment!.reward = v as "helpful" | "engagement";
            c.changed();
          },
          o,
        )}
        ${numberField(
          "Exploration share",
          "experiment.minExplorationShare",
          r.experiment.minExplorationShare ?? 0.05,
          (v) => {
            r.experiment!.minExplorationShare = v ?? 0.05;
            c.changed();
          },
          { ...o, min: 0, max: 1, step: 0.01, hint: "Share of traffic spread evenly so no variant is starved (0–1)." },
        )}`
          : nothing
      }
    </div>`
        : nothing
    }
    ${checkField(
      "Hold out some learners to measure the lift",
      "holdout",
      r.holdout !== null,
      (on) => {
        r.holdout = on ? { share: 0.1 } : null;
        c.changed();
      },
      o,
    )}
    ${
      r.holdout
        ? html`<div class="grid-2 nested">
      ${numberField(
        "Held-out share",
        "holdout.share",
        r.holdout.share,
        (v) => {
          r.holdout!.share = v ?? 0.1;
          c.changed();
        },
        { ...o, min: 0, max: 0.5, step: 0.01, hint: "0–0.5: this share of matching learners is recorded but never sent the nudge." },
      )}
      ${textField(
        "Follow-up event type (lift)",
        "holdout.followUp.eventType",
        r.holdout.followUp?.eventType ?? "",
        (v) => {
          if (v) r.holdout!.followUp = { eventType: v, withinDays: r.holdout!.followUp?.withinDays ?? 7 };
          else delete r.holdout!.followUp;
          c.changed();
        },
        { ...o, placeholder: "e.g. module.completed", hint: "Lift = did learners do this within the days below, sent versus held out." },
      )}
      ${
        r.holdout.followUp
          ? numberField(
              "Within days",
              "holdout.followUp.withinDays",
              r.holdout.followUp.withinDays,
              (v) => {
                r.holdout!.followUp!.withinDays = v ?? 7;
                c.changed();
              },
              { ...o, min: 1, max: 90 },
            )
          : nothing
      }
    </div>`
        : nothing
    }
    ${checkField(
      "Ask the helpfulness gate first",
      "gate",
      r.gate !== null,
      (on) => {
        r.gate = on ? { enabled: true } : null;
        c.changed();
      },
      { ...o, hint: "Skips learners for whom this message is predicted to be unhelpful, from their own votes and everyone's." },
    )}
    ${
      r.gate
        ? html`<div class="grid-2 nested">
      ${numberField(
        "Always send below this many settled messages",
        "gate.minHistory",
        r.gate.minHistory ?? 2,
        (v) => {
          r.gate!.minHistory = v ?? 2;
          c.changed();
        },
        { ...o, min: 0, max: 100 },
      )}
      ${numberField(
        "Prior strength",
        "gate.priorStrength",
        r.gate.priorStrength ?? 4,
        (v) => {
          r.gate!.priorStrength = v ?? 4;
          c.changed();
        },
        { ...o, min: 0.1, max: 100, step: "any", hint: "How much everyone's outcomes weigh against the learner's own (in messages)." },
      )}
      ${numberField(
        "Exploration share",
        "gate.explorationShare",
        r.gate.explorationShare ?? 0.05,
        (v) => {
          r.gate!.explorationShare = v ?? 0.05;
          c.changed();
        },
        { ...o, min: 0, max: 1, step: 0.01, hint: "Share of 'no' decisions sent anyway, so the estimate can recover." },
      )}
    </div>`
        : nothing
    }
  </fieldset>`;
}
