/**
 * <studio-try-learner> (#/try): try the engine as a learner. A demo learner (minted with the signed-in staff
 * key, living where it is daytime now) enrolls in a mock course, and the lesson's buttons post the events a
 * course player would: course.enrolled, video.completed, a failed quiz.submitted, module.completed. Beside it the
 * real <coach-inbox> widget, loaded from /sdk/coach-inbox.js, shows what arrives; below, what the engine decided
 * about each event and why (a second nudge waits for the policy's minimum gap, and the page says so).
 */
import { html, nothing, type TemplateResult } from "lit";
import { StudioView } from "../studio-view";
import { formError } from "../../components/field-error";

interface DemoLearner {
  learnerId: string;
  name: string;
  courseId: string;
  timeZone: string;
  localTime: string;
  token: string;
}

interface Activity {
  events: Array<{ id: string; type: string; occurredAt: string; matched: boolean }>;
  messages: Array<{
    id: string;
    ruleKey: string;
    templateKey: string;
    title: string | null;
    status: string;
    dueAt: string;
    deliveredAt: string | null;
    reason: string | null;
    explanation: string | null;
  }>;
  skipped: Array<{ ruleKey: string | null; eventId: string | null; reason: string; explanation: string | null; at: string }>;
}

interface Policy {
  minGapMinutes: number;
  maxPerDay: number;
  quietHours: { start: string; end: string } | null;
}

const STORAGE = "coach.studio.demoLearner";
const BUTTONS: Array<{ type: string; label: string; what: string }> = [
  { type: "course.enrolled", label: "Enroll in the course", what: "course.enrolled: the built-in welcome nudge" },
  { type: "video.completed", label: "Finish the intro video", what: "video.completed" },
  { type: "quiz.submitted", label: "Fail the quiz (40%)", what: "quiz.submitted with score 0.4, passed false: the retry nudge" },
  { type: "module.completed", label: "Complete module 1", what: "module.completed: the self-assessment" },
];

const time = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export class TryLearner extends StudioView {
  static override properties = {
    ...StudioView.properties,
    learner: { state: true },
    activity: { state: true },
    policy: { state: true },
    busy: { state: true },
    problem: { state: true },
    status: { state: true },
  };
  declare learner: DemoLearner | null;
  declare activity: Activity | null;
  declare policy: Policy | null;
  declare busy: string;
  declare problem: unknown;
  declare status: string;
  private poll: ReturnType<typeof setInterval> | undefined;
  /** One function for the widget's whole life: a new one would make it reconnect. */
  private readonly tokenProvider = async (): Promise<string> => (await this.api.send<DemoLearner>("POST", "/v1/demo/learner", { learnerId: this.learner!.learnerId })).token;

  override connectedCallback(): void {
    super.connectedCallback();
    Object.assign(this, { learner: null, activity: null, policy: null, busy: "", problem: null, status: "" });
    void this.start(sessionStorage.getItem(STORAGE) ?? undefined);
    this.poll = setInterval(() => void this.refresh(), 2000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.poll);
  }

  /** Mints (or re-mints) the demo learner, loads the widget, and enrolls a new learner at once. */
  private async start(learnerId?: string): Promise<void> {
    this.problem = null;
    try {
      const [learner, policy] = await Promise.all([
        this.api.send<DemoLearner>("POST", "/v1/demo/learner", learnerId ? { learnerId } : {}).catch((error) => {
          if (learnerId) return this.api.send<DemoLearner>("POST", "/v1/demo/learner", {}); // a stale id from another engine: start afresh
          throw error;
        }),
        this.api.get<Policy>("/v1/policy"),
        import(/* the widget as course pages load it */ new URL("/sdk/coach-inbox.js", location.href).href),
      ]);
      const isNew = learner.learnerId !== learnerId;
      sessionStorage.setItem(STORAGE, learner.learnerId);
      this.learner = learner;
      this.policy = policy;
      if (isNew) await this.post("course.enrolled");
      await this.refresh();
    } catch (error) {
      this.problem = error;
    }
  }

  private async post(type: string): Promise<void> {
    if (!this.learner || this.busy) return;
    this.busy = type;
    try {
      await this.api.send("POST", "/v1/demo/events", { learnerId: this.learner.learnerId, type });
      this.status = `Sent ${type}. Watch the inbox on the right.`;
      await this.refresh();
    } catch (error) {
      this.problem = error;
    } finally {
      this.busy = "";
    }
  }

  private async refresh(): Promise<void> {
    if (!this.learner || document.hidden) return;
    try {
      this.activity = await this.api.get<Activity>(`/v1/demo/learners/${encodeURIComponent(this.learner.learnerId)}`);
    } catch {
      // the next poll tries again; a failed post shows its own error
    }
  }

  private async fresh(): Promise<void> {
    sessionStorage.removeItem(STORAGE);
    this.learner = null;
    this.activity = null;
    await this.start();
  }

  override render(): TemplateResult {
    const l = this.learner;
    return html`<h1>Try it as a learner</h1>
      <p class="lead">A mock lesson for a demo learner: each button posts the event a course player would send, and the real learner widget on the right shows what the engine delivers.</p>
      ${formError(this.problem)}
      ${
        !l
          ? this.problem
            ? nothing
            : html`<p aria-busy="true">Creating a demo learner…</p>`
          : html`
      ${this.renderExplanation(l)}
      <div class="try-layout">
        <div>
          <section class="card" aria-labelledby="lesson-heading">
            <h2 id="lesson-heading">Lesson 1: Gradients</h2>
            <p>Watch the intro, take the quiz, finish the module. Each button sends one event for ${l.name}.</p>
            <ul class="lesson-buttons">${BUTTONS.map(
              (
                b,
              ) => html`<li><button type="button" class="secondary" ?disabled=${this.busy !== ""} aria-describedby="what-${b.type.replace(".", "-")}" @click=${() => void this.post(b.type)}>${this.busy === b.type ? "Sending…" : b.label}</button>
              <span class="hint" id="what-${b.type.replace(".", "-")}">${b.what}</span></li>`,
            )}</ul>
            <p class="status" role="status">${this.status}</p>
            <button type="button" class="link" @click=${() => void this.fresh()}>Start over with a new demo learner</button>
          </section>
          ${this.renderActivity()}
        </div>
        <aside class="card widget-host" aria-label="The learner's coaching inbox">
          <h2>${l.name}'s inbox</h2>
          <coach-inbox engine-url=${location.origin} course-id=${l.courseId} .token=${l.token}
            .tokenProvider=${this.tokenProvider}></coach-inbox>
        </aside>
      </div>`
      }`;
  }

  private renderExplanation(l: DemoLearner): TemplateResult {
    const p = this.policy;
    return html`<div class="card explain">
      <p>Your demo learner is <strong>${l.name}</strong> (<code>${l.learnerId}</code>) in course <code>${l.courseId}</code>. They live in <strong>${l.timeZone}</strong>, where it is <strong>${l.localTime}</strong> now${p?.quietHours ? html`: daytime, outside the quiet hours ${p.quietHours.start}–${p.quietHours.end}, so nothing waits for the morning` : ""}.</p>
      ${p && p.minGapMinutes > 0 ? html`<p>The policy keeps at least <strong>${p.minGapMinutes} minutes</strong> between two nudges to the same learner, real or demo: after the welcome, a second nudge waits, and the list below says until when. <strong>Start over with a new demo learner</strong> to see another nudge at once.</p>` : nothing}
    </div>`;
  }

  private renderActivity(): TemplateResult {
    const a = this.activity;
    return html`<section class="card" aria-labelledby="decided-heading">
      <h2 id="decided-heading">What the engine decided</h2>
      ${
        !a
          ? html`<p aria-busy="true">Loading…</p>`
          : a.events.length === 0
            ? html`<p>No events yet.</p>`
            : html`
      <ul class="activity">
        ${a.messages.map((m) => html`<li class=${m.status}>${this.describeMessage(m)}</li>`)}
        ${a.skipped.map((s) => html`<li class="skipped"><strong>Not sent</strong>: rule ${s.ruleKey ?? "?"}, ${s.reason}${s.explanation ? html` (${s.explanation})` : nothing}, ${time(s.at)}</li>`)}
      </ul>
      <h3>Events sent</h3>
      <ul class="activity">${a.events.map((e) => html`<li><code>${e.type}</code> at ${time(e.occurredAt)}: ${e.matched ? "matched" : "waiting for the matcher…"}</li>`)}</ul>`
      }
    </section>`;
  }

  private describeMessage(m: Activity["messages"][number]): TemplateResult {
    const what = html`<code>${m.templateKey}</code>${m.title ? html`: “${m.title}”` : nothing}`;
    if (m.status === "delivered" || m.status === "dismissed") return html`<strong>Delivered</strong> at ${time(m.deliveredAt!)}: ${what}`;
    if (m.status === "scheduled") return html`<strong>Waiting until ${time(m.dueAt)}</strong>: ${what}${m.reason ? html` (${m.reason}${m.explanation ? `: ${m.explanation}` : ""})` : nothing}`;
    if (m.status === "held_out") return html`<strong>Held out</strong> (the rule's holdout): ${what}`;
    return html`<strong>${m.status.replace("_", " ")}</strong>: ${what}${m.reason ? html` (${m.reason}${m.explanation ? `: ${m.explanation}` : ""})` : nothing}`;
  }
}

if (!customElements.get("studio-try-learner")) customElements.define("studio-try-learner", TryLearner);
