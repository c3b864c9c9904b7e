/**
 * <studio-template-preview>: the live preview beside the editor. It renders the unsaved draft (or any stored
 * version) for the chosen variant and language, for a real learner or sample data, in a course, with a sample
 * event the course has seen (its latest properties). It also checks every copy of the draft with the same
 * context and reports, per field, syntax errors, unknown variables and objects printed as text
 * (`draft-checked`), and lists the variables the context offers, with the learner's real values.
 */
import { LitElement, html, nothing, type TemplateResult } from "lit";
import { ApiProblem, type StudioApi } from "../../api";
import { sanitizeBody } from "../../../../coach-inbox/src/sanitize";
import { copyOf, everyCopy, fieldPath, type LocalizedCopy, type TemplateDefinition, type TemplateView } from "./template-draft";
import { variablesOf } from "./variables";

interface PreviewAnswer {
  title: string;
  body: string;
  cta: { label: string; url: string } | null;
  warnings: string[];
  problems?: Array<{ field: string; kind: "unknown" | "object"; variable: string; line: number; column: number }>;
  context?: Record<string, unknown>;
}

interface SeenType {
  type: string;
  lastSeenAt: string;
  latest: { id: string; moduleId: string | null; courseId: string | null; properties: Record<string, unknown> };
}

/** A mark for an editor: where, what, and whether it blocks saving (an error) or only warns. */
export interface CheckMark {
  line: number;
  column: number;
  message: string;
  severity: "error" | "warning";
}

export interface DraftCheck {
  /** By body path (e.g. "variants[1].body"). */
  byPath: Record<string, CheckMark[]>;
  /** Every warning and error in words, with the copy it is in. */
  list: Array<{ path: string; where: string; message: string; severity: "error" | "warning" }>;
}

const FIELDS = ["title", "body", "cta.label", "cta.url"] as const;

export class TemplatePreview extends LitElement {
  static override properties = {
    api: { attribute: false },
    draft: { attribute: false },
    templateKey: { attribute: false },
    versions: { attribute: false },
    variantKey: { attribute: false },
    locale: { attribute: false },
    suggestedEvent: { attribute: false },
    insertable: { attribute: false },
    learnerId: { state: true },
    courseId: { state: true },
    eventType: { state: true },
    version: { state: true },
    courses: { state: true },
    eventTypes: { state: true },
    learners: { state: true },
    answer: { state: true },
    problem: { state: true },
  };

  declare api: StudioApi;
  declare draft: TemplateDefinition;
  declare templateKey: string | null;
  declare versions: number[];
  declare variantKey: string;
  declare locale: string;
  /** The event type the template's rules fire on: the sample event until the user picks another. */
  declare suggestedEvent: string;
  /** False for a read-only role: no "Insert" buttons. */
  declare insertable: boolean;
  declare learnerId: string;
  declare courseId: string;
  declare eventType: string;
  declare version: string;
  declare courses: string[];
  declare eventTypes: SeenType[];
  declare learners: Array<{ id: string; name: string | null }>;
  declare answer: PreviewAnswer | null;
  declare problem: unknown;

  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticket = 0;
  private stored = new Map<number, TemplateView>();
  /** Once the user chose a sample event (even "none"), suggestions no longer replace it. */
  private eventPicked = false;

  constructor() {
    super();
    Object.assign(this, { templateKey: null, versions: [], suggestedEvent: "", insertable: true, variantKey: "A", locale: "", learnerId: "", courseId: "", eventType: "", version: "draft", courses: [], eventTypes: [], learners: [], answer: null, problem: null });
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadPickers();
  }

  private async loadPickers(): Promise<void> {
    const [courses, learners] = await Promise.all([
      this.api.get<{ courses: Array<{ courseId: string }> }>("/v1/courses").catch(() => ({ courses: [] })),
      this.api.get<{ learners: Array<{ id: string; name: string | null }> }>("/v1/learners?limit=50").catch(() => ({ learners: [] })),
    ]);
    this.courses = courses.courses.map((c) => c.courseId);
    this.learners = learners.learners;
    await this.loadEventTypes();
  }

  private async loadEventTypes(): Promise<void> {
    const query = this.courseId ? `?courseId=${encodeURIComponent(this.courseId)}` : "";
    this.eventTypes = (await this.api.get<{ eventTypes: SeenType[] }>(`/v1/event-types${query}`).catch(() => ({ eventTypes: [] }))).eventTypes;
    if (this.eventType && !this.eventTypes.some((t) => t.type === this.eventType)) this.eventType = "";
    if (!this.eventType && !this.eventPicked && this.eventTypes.some((t) => t.type === this.suggestedEvent)) this.eventType = this.suggestedEvent;
    this.schedule();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("suggestedEvent") && this.suggestedEvent && this.eventTypes.length) void this.loadEventTypes();
    if (changed.has("draft") || changed.has("variantKey") || changed.has("locale")) this.schedule();
  }

  /** Re-renders shortly after the last change: typing does not send a request per keystroke. */
  schedule(delay = 300): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  private requestContext(): Record<string, unknown> {
    const sample = this.eventTypes.find((t) => t.type === this.eventType);
    const context: Record<string, unknown> = {};
    // The course picked, else the sample event's own course: its links and ids then agree with the event.
    const courseId = this.courseId || sample?.latest.courseId;
    if (courseId) context.course = { id: courseId };
    if (sample) {
      context.event = { type: sample.type, properties: sample.latest.properties };
      context.module = { id: sample.latest.moduleId };
    }
    return {
      ...(this.learnerId ? { learnerId: this.learnerId } : {}),
      ...(this.courseId ? { courseId: this.courseId } : {}),
      ...(Object.keys(context).length ? { context } : {}),
    };
  }

  private async preview(copy: LocalizedCopy): Promise<PreviewAnswer> {
    return this.api.send<PreviewAnswer>("POST", "/v1/templates/preview", { source: { title: copy.title, body: copy.body, ...(copy.cta ? { cta: copy.cta } : {}) }, ...this.requestContext() });
  }

  private async refresh(): Promise<void> {
    const ticket = ++this.ticket;
    const def = await this.shownDefinition();
    if (ticket !== this.ticket) return;
    const variant = def?.variants.find((v) => v.key === this.variantKey) ?? def?.variants[0];
    const copy = variant ? copyOf(variant, this.locale) ?? variant : null;
    try {
      this.answer = copy ? await this.preview(copy) : null;
      if (ticket === this.ticket) this.problem = null;
    } catch (error) {
      if (ticket === this.ticket) {
        this.problem = error;
        this.answer = null;
      }
    }
    if (ticket === this.ticket) await this.checkDraft(ticket);
  }

  /** The draft, or the stored version picked (fetched once: versions never change). */
  private async shownDefinition(): Promise<TemplateDefinition | null> {
    if (this.version === "draft" || !this.templateKey) return this.draft;
    const number = Number(this.version);
    if (!this.stored.has(number)) this.stored.set(number, await this.api.get<TemplateView>(`/v1/templates/${encodeURIComponent(this.templateKey)}?version=${number}`));
    return this.stored.get(number) ?? null;
  }

  /** Checks every copy of the draft with this context; the editor shows the result in place and on publish. */
  async checkDraft(ticket = this.ticket, def: TemplateDefinition = this.draft): Promise<DraftCheck> {
    const check: DraftCheck = { byPath: {}, list: [] };
    const add = (path: string, where: string, mark: CheckMark) => {
      (check.byPath[path] ??= []).push(mark);
      check.list.push({ path, where, message: `${mark.message} (line ${mark.line}, column ${mark.column})`, severity: mark.severity });
    };
    await Promise.all(everyCopy(def).map(async ({ variantIndex, variantKey, locale, copy }) => {
      const where = `variant ${variantKey}${locale ? `, ${locale}` : ""}`;
      try {
        const answer = await this.preview(copy);
        for (const p of answer.problems ?? []) {
          const message = p.kind === "unknown" ? `Unknown variable ${p.variable}: it would print nothing` : `${p.variable} is an object: it would print as [object Object]`;
          add(fieldPath(variantIndex, locale, p.field as (typeof FIELDS)[number]), `${where}, ${p.field}`, { line: p.line, column: p.column, message, severity: "warning" });
        }
      } catch (error) {
        if (!(error instanceof ApiProblem)) return;
        for (const e of error.errors) {
          const field = e.path.replace(/^source\./, "") as (typeof FIELDS)[number];
          if (!FIELDS.includes(field)) continue;
          add(fieldPath(variantIndex, locale, field), `${where}, ${field}`, { line: e.line ?? 1, column: e.column ?? 1, message: e.message.replace(/ \(line \d+, column \d+\)$/, ""), severity: "error" });
        }
      }
    }));
    if (ticket === this.ticket && def === this.draft) this.dispatchEvent(new CustomEvent("draft-checked", { detail: check, bubbles: true }));
    return check;
  }

  private async searchLearners(prefix: string): Promise<void> {
    const query = prefix ? `?q=${encodeURIComponent(prefix)}&limit=20` : "?limit=50";
    this.learners = (await this.api.get<{ learners: Array<{ id: string; name: string | null }> }>(`/v1/learners${query}`).catch(() => ({ learners: [] }))).learners;
  }

  override render(): TemplateResult {
    const def = this.version === "draft" || !this.templateKey ? this.draft : this.stored.get(Number(this.version)) ?? this.draft;
    const variant = def.variants.find((v) => v.key === this.variantKey) ?? def.variants[0];
    const learnerError = this.problem instanceof ApiProblem ? this.problem.fieldMessage("learnerId") : undefined;
    return html`<section class="preview card" aria-labelledby="preview-heading">
      <h2 id="preview-heading">Preview</h2>
      <div class="picker-grid">
        <div class="field"><label for="pv-version">Version</label><select id="pv-version" @change=${(e: Event) => { this.version = (e.target as HTMLSelectElement).value; this.schedule(0); }}>
          <option value="draft" ?selected=${this.version === "draft"}>Unsaved draft</option>
          ${this.versions.map((v) => html`<option value=${String(v)} ?selected=${this.version === String(v)}>Version ${v}</option>`)}
        </select></div>
        <div class="field"><label for="pv-variant">Variant</label><select id="pv-variant" @change=${(e: Event) => { this.variantKey = (e.target as HTMLSelectElement).value; }}>
          ${def.variants.map((v) => html`<option value=${v.key} ?selected=${v.key === variant?.key}>${v.key}</option>`)}
        </select></div>
        <div class="field"><label for="pv-language">Language</label><select id="pv-language" @change=${(e: Event) => { this.locale = (e.target as HTMLSelectElement).value; }}>
          <option value="" ?selected=${this.locale === ""}>${def.locale} (the template's own)</option>
          ${Object.keys(variant?.locales ?? {}).map((l) => html`<option value=${l} ?selected=${this.locale === l}>${l}</option>`)}
        </select></div>
        <div class="field"><label for="pv-learner">Learner</label><input id="pv-learner" type="search" list="preview-learners" .value=${this.learnerId} placeholder="sample data" aria-describedby=${learnerError ? "preview-learner-error" : nothing}
          aria-invalid=${learnerError ? "true" : "false"} @input=${(e: Event) => void this.searchLearners((e.target as HTMLInputElement).value)}
          @change=${(e: Event) => { this.learnerId = (e.target as HTMLInputElement).value.trim(); this.schedule(0); }}></div>
        <datalist id="preview-learners">${this.learners.map((l) => html`<option value=${l.id}>${l.name ?? ""}</option>`)}</datalist>
        <div class="field"><label for="pv-course">Course</label><select id="pv-course" @change=${(e: Event) => { this.courseId = (e.target as HTMLSelectElement).value; void this.loadEventTypes(); }}>
          <option value="" ?selected=${this.courseId === ""}>None (sample)</option>
          ${this.courses.map((c) => html`<option value=${c} ?selected=${c === this.courseId}>${c}</option>`)}
        </select></div>
        <div class="field"><label for="pv-event">Sample event</label><select id="pv-event" @change=${(e: Event) => { this.eventType = (e.target as HTMLSelectElement).value; this.eventPicked = true; this.schedule(0); }}>
          <option value="" ?selected=${this.eventType === ""}>${this.learnerId ? "None" : "Sample (quiz.submitted)"}</option>
          ${this.eventTypes.map((t) => html`<option value=${t.type} ?selected=${t.type === this.eventType}>${t.type} (latest ${new Date(t.lastSeenAt).toLocaleDateString()})</option>`)}
        </select></div>
      </div>
      ${learnerError ? html`<p class="field-error" id="preview-learner-error">${learnerError}</p>` : nothing}
      ${this.renderOutput()}
      ${this.renderVariables()}
    </section>`;
  }

  private renderOutput(): TemplateResult {
    if (this.problem instanceof ApiProblem && this.problem.status === 400 && this.problem.errors.some((e) => e.path.startsWith("source."))) {
      return html`<div class="preview-output invalid" role="status"><p><strong>Cannot render:</strong></p>
        <ul>${this.problem.errors.map((e) => html`<li>${e.path.replace("source.", "")}: ${e.message}</li>`)}</ul></div>`;
    }
    if (this.problem) return html`<p class="form-error" role="alert">${(this.problem as Error).message}</p>`;
    if (!this.answer) return html`<p aria-busy="true">Rendering…</p>`;
    const a = this.answer;
    const title = sanitizeBody(a.title).textContent ?? "";
    return html`<div class="preview-output" aria-live="polite">
      <article class="message-card">
        <h3>${title}</h3>
        <div class="message-body" .innerHTML=${bodyHtml(a.body)}></div>
        ${a.cta ? html`<p><span class="cta-preview">${a.cta.label}</span> <span class="sub">→ ${a.cta.url}</span></p>` : nothing}
      </article>
      ${a.warnings.length ? html`<div class="warnings"><p><strong>${a.warnings.length === 1 ? "1 warning" : `${a.warnings.length} warnings`} in this copy:</strong></p>
        <ul>${a.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>` : html`<p class="ok">No unknown variables in this copy.</p>`}
    </div>`;
  }

  private renderVariables(): TemplateResult {
    const vars = variablesOf(this.answer?.context ?? {});
    return html`<details class="variables">
      <summary>Variables ${this.learnerId ? `of ${this.learnerId}` : "(sample data)"}</summary>
      ${this.insertable ? html`<p class="hint">Insert puts <code>{{path}}</code> at the cursor of the field you edited last.</p>` : nothing}
      <dl>${vars.map((v) => html`<div class="variable"><dt><code>${v.path}</code></dt><dd><span class="value">${v.value}</span>
        ${this.insertable ? html`<button type="button" class="link" aria-label="Insert ${v.path}" @click=${() => this.dispatchEvent(new CustomEvent("insert-variable", { detail: `{{${v.path}}}`, bubbles: true }))}>Insert</button>` : nothing}</dd></div>`)}</dl>
    </details>`;
  }
}

function bodyHtml(body: string): string {
  const holder = document.createElement("div");
  holder.append(sanitizeBody(body));
  return holder.innerHTML;
}

if (!customElements.get("studio-template-preview")) customElements.define("studio-template-preview", TemplatePreview);
