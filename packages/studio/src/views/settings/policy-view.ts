/**
 * <studio-policy> (#/policy): the throttling policy as a form, each setting with what it does for learners.
 * PUT replaces the whole policy, so the form always sends every field.
 */
import { html, nothing, type TemplateResult } from "lit";
import { StudioView } from "../studio-view";
import { checkField, numberField, textField } from "../../components/form-fields";
import { fieldError, formError } from "../../components/field-error";
import { markUnsaved } from "../../shell/unsaved-changes";

interface Policy {
  maxPerDay: number;
  maxPerWeek: number;
  minGapMinutes: number;
  decisionWindowMinutes: number;
  quietHours: { start: string; end: string } | null;
  adaptive: { dismissStreak: number; backoffHours: number; unseenWindowHours: number; unseenPerCapStep: number };
  autoPause: { minVotes: number; minHelpfulRate: number };
  defaultTimezone: string;
}

const ZONES: string[] = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];

export class PolicyView extends StudioView {
  static override properties = { ...StudioView.properties, policy: { state: true }, busy: { state: true }, problem: { state: true }, status: { state: true } };
  declare policy: Policy | null;
  declare busy: boolean;
  declare problem: unknown;
  declare status: string;
  private savedJson = "";

  override connectedCallback(): void {
    super.connectedCallback();
    this.policy = null;
    this.api.get<Policy>("/v1/policy").then(
      (p) => this.setPolicy(p),
      (error) => {
        this.problem = error;
      },
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    markUnsaved("policy", false);
  }

  private setPolicy(p: Policy): void {
    this.policy = p;
    this.savedJson = JSON.stringify(p);
    markUnsaved("policy", false);
  }

  private changed = (): void => {
    this.policy = { ...this.policy! };
    markUnsaved("policy", JSON.stringify(this.policy) !== this.savedJson);
  };

  override render(): TemplateResult {
    if (!this.policy) return html`<h1>Policy</h1>${formError(this.problem)}${this.problem ? nothing : html`<p aria-busy="true">Loading…</p>`}`;
    const p = this.policy;
    const o = { readonly: !this.writable, problem: this.problem };
    const dirty = JSON.stringify(p) !== this.savedJson;
    const n = (label: string, path: string, value: number, set: (v: number) => void, hint: string, extra: { min?: number; max?: number; step?: number | "any" } = {}) =>
      numberField(
        label,
        path,
        value,
        (v) => {
          set(v ?? 0);
          this.changed();
        },
        { ...o, hint, min: 0, ...extra },
      );
    return html`<h1>Throttling policy</h1>
      <p class="lead">How much coaching a learner gets, whichever rules fire. Caps count delivered messages per learner across all courses, in the learner's own time zone.</p>
      <p class="status" role="status">${this.status}</p>
      ${formError(this.problem)}
      <form class="card" novalidate @submit=${(e: Event) => {
        e.preventDefault();
        void this.save();
      }}>
        <fieldset class="grid-2"><legend>Caps and spacing</legend>
          ${n(
            "Per day, at most",
            "maxPerDay",
            p.maxPerDay,
            (v) => {
              p.maxPerDay = v;
            },
            "Nudges per learner per local day. More are suppressed (cap.day); unseen messages lower it by itself (below).",
          )}
          ${n(
            "Per week, at most",
            "maxPerWeek",
            p.maxPerWeek,
            (v) => {
              p.maxPerWeek = v;
            },
            "Nudges per learner per local week (Monday to Sunday), suppressed beyond (cap.week).",
          )}
          ${n(
            "Minimum gap (minutes)",
            "minGapMinutes",
            p.minGapMinutes,
            (v) => {
              p.minGapMinutes = v;
            },
            "A nudge within this time of the previous one waits until the gap has passed (min_gap).",
            { max: 10080 },
          )}
          ${n(
            "Decision window (minutes)",
            "decisionWindowMinutes",
            p.decisionWindowMinutes,
            (v) => {
              p.decisionWindowMinutes = v;
            },
            "Nudges matched within this window compete: only the highest priority is sent. 0: per event only.",
            { max: 1440 },
          )}
        </fieldset>
        <fieldset><legend>Quiet hours</legend>
          ${checkField(
            "Hold nudges during quiet hours (in the learner's time zone)",
            "quietHours",
            p.quietHours !== null,
            (on) => {
              p.quietHours = on ? { start: "22:00", end: "08:00" } : null;
              this.changed();
            },
            o,
          )}
          ${
            p.quietHours
              ? html`<div class="grid-2">
            ${textField(
              "From",
              "quietHours.start",
              p.quietHours.start,
              (v) => {
                p.quietHours!.start = v;
                this.changed();
              },
              { ...o, type: "time" },
            )}
            ${textField(
              "Until",
              "quietHours.end",
              p.quietHours.end,
              (v) => {
                p.quietHours!.end = v;
                this.changed();
              },
              { ...o, type: "time", hint: "A nudge due inside the window waits until it ends (quiet_hours); the window may cross midnight." },
            )}
          </div>`
              : nothing
          }
          <div class="field"><label for="default-tz">Time zone of learners without one</label>
            <input id="default-tz" list="zones" .value=${p.defaultTimezone} ?readonly=${!this.writable} aria-describedby="default-tz-hint" @input=${(e: Event) => {
              p.defaultTimezone = (e.target as HTMLInputElement).value;
              this.changed();
            }}>
            <datalist id="zones">${ZONES.map((z) => html`<option value=${z}></option>`)}</datalist>
            <p class="hint" id="default-tz-hint">Used for caps and quiet hours when a learner's profile has no valid time zone.</p>${fieldError(this.problem, "defaultTimezone", "default-tz-error")}</div>
        </fieldset>
        <fieldset class="grid-2"><legend>Listening to learners</legend>
          ${n(
            "Dismissals in a row before a pause",
            "adaptive.dismissStreak",
            p.adaptive.dismissStreak,
            (v) => {
              p.adaptive.dismissStreak = v;
            },
            "After this many dismissed nudges in a row, the learner gets none for the pause below (adaptive.backoff). A helpful vote or an answer ends the streak.",
            { min: 1, max: 100 },
          )}
          ${n(
            "Pause (hours)",
            "adaptive.backoffHours",
            p.adaptive.backoffHours,
            (v) => {
              p.adaptive.backoffHours = v;
            },
            "How long the pause after a dismissal streak lasts.",
            { step: "any" },
          )}
          ${n(
            "Unseen after (hours)",
            "adaptive.unseenWindowHours",
            p.adaptive.unseenWindowHours,
            (v) => {
              p.adaptive.unseenWindowHours = v;
            },
            'A delivered message not seen within this long counts as a quiet "not now".',
            { min: 1, step: "any" },
          )}
          ${n(
            "Unseen messages per lower daily cap",
            "adaptive.unseenPerCapStep",
            p.adaptive.unseenPerCapStep,
            (v) => {
              p.adaptive.unseenPerCapStep = v;
            },
            "Every this many unseen messages in 7 days lowers the learner's daily cap by one (never below one).",
            { min: 1, max: 100 },
          )}
        </fieldset>
        <fieldset class="grid-2"><legend>Pausing unhelpful variants</legend>
          ${n(
            "Votes needed",
            "autoPause.minVotes",
            p.autoPause.minVotes,
            (v) => {
              p.autoPause.minVotes = v;
            },
            "A variant is judged only after this many helpful / not helpful votes.",
            { min: 1 },
          )}
          ${n(
            "Lowest helpful rate",
            "autoPause.minHelpfulRate",
            p.autoPause.minHelpfulRate,
            (v) => {
              p.autoPause.minHelpfulRate = v;
            },
            "0–1. A variant below this with 95% confidence is paused, and its rule sends the others.",
            { max: 1, step: 0.01 },
          )}
        </fieldset>
        ${
          this.writable
            ? html`<div class="actions"><button type="submit" class="primary" ?disabled=${this.busy || !dirty}>${this.busy ? "Saving…" : "Save the policy"}</button></div>`
            : html`<p class="hint">Your role can read the policy but not change it.</p>`
        }
      </form>`;
  }

  private async save(): Promise<void> {
    if (this.busy || !this.policy) return;
    this.busy = true;
    this.problem = null;
    try {
      this.setPolicy(await this.api.send<Policy>("PUT", "/v1/policy", this.policy));
      this.status = "Saved: the policy applies to the next decision.";
    } catch (error) {
      this.problem = error;
    } finally {
      this.busy = false;
    }
  }
}

if (!customElements.get("studio-policy")) customElements.define("studio-policy", PolicyView);
