/**
 * <studio-rule-editor> (#/rules/new, #/rules/:key): the rule as a form. Dropdowns for the template, segment,
 * event type (types seen first) and course; conditions in a builder over the contract's fields, with the JSON
 * kept for power users in a second tab; experiment, holdout and gate as fields; a test against a stored event.
 * Saving is disabled while a request runs; deleting and leaving with unsaved edits ask first.
 */
import { html, nothing, type TemplateResult } from "lit";
import { ApiProblem } from "../../api";
import { StudioView } from "../studio-view";
import { confirmDialog } from "../../components/confirm-dialog";
import { formError } from "../../components/field-error";
import { checkField, selectField, textField } from "../../components/form-fields";
import { renderTabs } from "../../components/tabs";
import "../../components/condition-builder";
import "../../components/code-editor";
import type { Condition } from "../../components/condition-model";
import { markUnsaved } from "../../shell/unsaved-changes";
import { definitionOf, isEventTrigger, newRule, type RuleDefinition, type RuleView } from "./rule-draft";
import { renderLearningLoop, renderLimits, renderTrigger, type SectionContext } from "./rule-fields";
import "./rule-test";

interface SeenType {
  type: string;
  latest: { properties: Record<string, unknown> };
}

export class RuleEditor extends StudioView {
  static override properties = {
    ...StudioView.properties,
    view: { state: true },
    draft: { state: true },
    busy: { state: true },
    problem: { state: true },
    status: { state: true },
    templates: { state: true },
    segments: { state: true },
    courses: { state: true },
    seen: { state: true },
    variants: { state: true },
    conditionTab: { state: true },
    jsonText: { state: true },
    jsonError: { state: true },
    customType: { state: true },
    loadProblem: { state: true },
  };

  declare view: RuleView | null;
  declare draft: RuleDefinition | null;
  declare busy: boolean;
  declare problem: unknown;
  declare status: string;
  declare templates: Array<{ key: string; name: string }>;
  declare segments: Array<{ key: string; name: string }>;
  declare courses: string[];
  declare seen: SeenType[];
  declare variants: string[];
  declare conditionTab: string;
  declare jsonText: string;
  declare jsonError: string;
  declare customType: boolean;
  declare loadProblem: unknown;

  private savedJson = "";
  private loadedKey: string | null | undefined = undefined;

  constructor() {
    super();
    Object.assign(this, {
      view: null,
      draft: null,
      busy: false,
      problem: null,
      status: "",
      templates: [],
      segments: [],
      courses: [],
      seen: [],
      variants: [],
      conditionTab: "builder",
      jsonText: "",
      jsonError: "",
      customType: false,
      loadProblem: null,
    });
  }

  private get isNew(): boolean {
    return !this.params.key;
  }

  private get owner(): string {
    return `rule:${this.params.key ?? "new"}`;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    markUnsaved(this.owner, false);
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("params") && this.loadedKey !== (this.params.key ?? null)) void this.load();
  }

  private async load(): Promise<void> {
    this.loadedKey = this.params.key ?? null;
    this.problem = null;
    try {
      const [templates, segments, courses] = await Promise.all([
        this.api.get<{ templates: Array<{ key: string; name: string }> }>("/v1/templates"),
        this.api.get<{ segments: Array<{ key: string; name: string }> }>("/v1/segments"),
        this.api.get<{ courses: Array<{ courseId: string }> }>("/v1/courses").catch(() => ({ courses: [] })),
      ]);
      this.templates = templates.templates;
      this.segments = segments.segments;
      this.courses = courses.courses.map((c) => c.courseId);
      if (this.isNew) {
        await this.loadSeen(null);
        this.view = null;
        this.setDraft(newRule(this.templates[0]?.key ?? "", this.seen[0]?.type ?? "course.enrolled"));
      } else {
        this.view = await this.api.get<RuleView>(`/v1/rules/${encodeURIComponent(this.params.key)}`);
        await this.loadSeen(this.view.trigger.courseId ?? null);
        this.setDraft(definitionOf(this.view));
      }
      void this.loadVariants();
    } catch (error) {
      this.loadProblem = error;
    }
  }

  private async loadSeen(courseId: string | null): Promise<void> {
    this.seen = (await this.api.get<{ eventTypes: SeenType[] }>(`/v1/event-types${courseId ? `?courseId=${encodeURIComponent(courseId)}` : ""}`).catch(() => ({ eventTypes: [] }))).eventTypes;
  }

  private async loadVariants(): Promise<void> {
    const key = this.draft?.templateKey;
    this.variants = key ? (await this.api.get<{ variants: Array<{ key: string }> }>(`/v1/templates/${encodeURIComponent(key)}`).catch(() => ({ variants: [] }))).variants.map((v) => v.key) : [];
  }

  private setDraft(rule: RuleDefinition): void {
    this.draft = rule;
    this.savedJson = JSON.stringify(rule);
    this.jsonText = JSON.stringify(isEventTrigger(rule.trigger) ? (rule.trigger.where ?? null) : null, null, 2);
    this.customType = false;
    markUnsaved(this.owner, false);
  }

  private get dirty(): boolean {
    return this.draft !== null && JSON.stringify(this.draft) !== this.savedJson;
  }

  private changed = (): void => {
    const before = this.draft;
    this.draft = { ...this.draft! };
    markUnsaved(this.owner, this.dirty);
    if (before && isEventTrigger(before.trigger)) this.jsonText = JSON.stringify(before.trigger.where ?? null, null, 2);
  };

  private setWhere(where: Condition | null): void {
    if (!this.draft || !isEventTrigger(this.draft.trigger)) return;
    this.draft.trigger = { ...this.draft.trigger, where };
    this.changed();
  }

  override render(): TemplateResult {
    if (this.loadProblem) return html`<h1>Rule ${this.params.key ?? ""}</h1>${formError(this.loadProblem)}<p><a href="#/rules">Back to rules</a></p>`;
    if (!this.draft) return html`<h1>${this.isNew ? "New rule" : html`Rule <code>${this.params.key}</code>`}</h1><p aria-busy="true">Loading…</p>`;
    const r = this.draft;
    const readonly = !this.writable;
    const o = { readonly, problem: this.problem };
    const c: SectionContext = { rule: r, readonly, problem: this.problem, seenTypes: this.seen.map((s) => s.type), courses: this.courses, variants: this.variants, changed: this.changed };
    return html`
      <div class="view-head"><h1>${this.isNew ? "New rule" : html`Rule <code>${r.key}</code>`}</h1>
        ${this.view ? html`<p class="badges"><span class="badge">version ${this.view.version}</span>${this.dirty ? html` <span class="badge warn">unsaved edits</span>` : nothing}</p>` : nothing}</div>
      <p class="status" role="status">${this.status}</p>
      ${formError(this.problem)}
      ${this.templates.length === 0 ? html`<p class="form-error">There is no template yet: <a href="#/templates/new">create one</a> first; a rule sends a template.</p>` : nothing}
      <form class="card" novalidate @submit=${(e: Event) => {
        e.preventDefault();
        void this.save();
      }}>
        <div class="grid-2">
          ${textField(
            "Key",
            "key",
            r.key,
            (v) => {
              r.key = v;
              this.changed();
            },
            { readonly: readonly || !this.isNew, problem: this.problem, hint: this.isNew ? "Lowercase letters, digits, - _ and .; cannot change later" : undefined },
          )}
          ${textField(
            "Name",
            "name",
            r.name,
            (v) => {
              r.name = v;
              this.changed();
            },
            o,
          )}
          ${selectField(
            "Template to send",
            "templateKey",
            r.templateKey,
            this.templates.map((t) => ({ value: t.key, label: `${t.key}: ${t.name}` })),
            (v) => {
              r.templateKey = v;
              this.changed();
              void this.loadVariants();
            },
            o,
          )}
          ${selectField(
            "Who",
            "segmentKey",
            r.segmentKey ?? "",
            [{ value: "", label: "Everyone" }, ...this.segments.map((s) => ({ value: s.key, label: `Segment ${s.key}: ${s.name}` }))],
            (v) => {
              r.segmentKey = v || null;
              this.changed();
            },
            o,
          )}
        </div>
        ${checkField(
          "Enabled",
          "enabled",
          r.enabled,
          (v) => {
            r.enabled = v;
            this.changed();
          },
          o,
        )}
        ${renderTrigger(c, this.customType, (on) => {
          this.customType = on;
        })}
        ${isEventTrigger(r.trigger) ? this.renderConditions(r, readonly) : nothing}
        ${renderLimits(c)}
        ${renderLearningLoop(c)}
        ${
          readonly
            ? html`<p class="hint">Your role can read rules but not change them.</p>`
            : html`<div class="actions sticky-actions">
          <button type="submit" class="primary" ?disabled=${this.busy || (!this.isNew && !this.dirty) || Boolean(this.jsonError)}>${this.busy ? "Saving…" : this.isNew ? "Create the rule" : "Save the rule"}</button>
          ${this.isNew ? nothing : html`<button type="button" class="secondary danger" ?disabled=${this.busy} @click=${() => void this.deleteRule()}>Delete the rule</button>`}
        </div>`
        }
      </form>
      ${
        !this.isNew && this.view && isEventTrigger(this.view.trigger)
          ? html`${this.dirty ? html`<p class="hint">The test uses the saved rule: save your edits to test them.</p>` : nothing}
        <studio-rule-test .api=${this.api} .ruleKey=${this.view.key} .eventType=${this.view.trigger.eventType} .courseId=${this.view.trigger.courseId ?? null}></studio-rule-test>`
          : nothing
      }`;
  }

  private renderConditions(r: RuleDefinition, readonly: boolean): TemplateResult {
    const trigger = r.trigger as { eventType: string; where?: Condition | null };
    const sample = this.seen.find((s) => s.type === trigger.eventType);
    const fields = Object.keys(sample?.latest.properties ?? {}).map((p) => `event.properties.${p}`);
    const jsonProblem = this.problem instanceof ApiProblem ? this.problem.fieldErrors("trigger.where") : [];
    return html`<fieldset><legend>Only when (conditions)</legend>
      ${renderTabs(
        "cond",
        "Conditions editor",
        [
          { id: "builder", label: "Builder" },
          { id: "json", label: "JSON" },
        ],
        this.conditionTab,
        (id) => this.switchTab(id),
      )}
      <div role="tabpanel" id="cond-panel" aria-labelledby="cond-tab-${this.conditionTab}" class="tabpanel">
        ${
          this.conditionTab === "builder"
            ? html`<studio-condition-builder .value=${trigger.where ?? null} .fields=${fields} .pathPrefix=${"trigger.where"} .problem=${this.problem} .readonly=${readonly}
              .label=${`Conditions on the ${trigger.eventType} event`} @condition-change=${(e: CustomEvent<Condition | null>) => this.setWhere(e.detail)}></studio-condition-builder>`
            : html`<p class="hint" id="cond-json-hint">The condition as JSON: {"all": […]}, {"any": […]}, {"not": …} and {"field", "op", "value"}; null for none.</p>
            <studio-code-editor .language=${"json"} .label=${"Conditions as JSON"} .value=${this.jsonText} .readonly=${readonly} .describedBy=${this.jsonError || jsonProblem.length ? "cond-json-hint cond-json-error" : "cond-json-hint"}
              @editor-input=${(e: CustomEvent<string>) => this.editJson(e.detail)}></studio-code-editor>
            ${this.jsonError || jsonProblem.length ? html`<p class="field-error" id="cond-json-error">${this.jsonError || jsonProblem.map((p) => `${p.path}: ${p.message}`).join("; ")}</p>` : nothing}`
        }
      </div>
    </fieldset>`;
  }

  private switchTab(id: string): void {
    if (this.jsonError && id === "builder") return; // fix the JSON first: the builder cannot show what does not parse
    this.conditionTab = id;
    const trigger = this.draft!.trigger as { where?: Condition | null };
    if (id === "json") this.jsonText = JSON.stringify(trigger.where ?? null, null, 2);
  }

  private editJson(text: string): void {
    this.jsonText = text;
    try {
      const value = text.trim() === "" ? null : (JSON.parse(text) as Condition | null);
      this.jsonError = "";
      const trigger = this.draft!.trigger as { where?: Condition | null };
      trigger.where = value;
      this.draft = { ...this.draft! };
      markUnsaved(this.owner, this.dirty);
    } catch (error) {
      this.jsonError = `The JSON does not parse: ${(error as Error).message}`;
    }
  }

  private async save(): Promise<void> {
    if (this.busy || !this.draft) return;
    this.busy = true;
    this.problem = null;
    this.status = "";
    try {
      if (this.isNew) {
        const created = await this.api.send<RuleView>("POST", "/v1/rules", this.draft);
        markUnsaved(this.owner, false);
        this.navigate(`/rules/${encodeURIComponent(created.key)}`);
        return;
      }
      const { key, ...body } = this.draft;
      this.view = await this.api.send<RuleView>("PUT", `/v1/rules/${encodeURIComponent(key)}`, { ...body, version: this.view!.version });
      this.setDraft(definitionOf(this.view));
      this.status = `Saved (version ${this.view.version}). It applies to the next matching event.`;
    } catch (error) {
      this.problem = error;
    } finally {
      this.busy = false;
    }
  }

  private async deleteRule(): Promise<void> {
    if (this.busy || !this.view) return;
    const key = this.view.key;
    if (!(await confirmDialog({ title: `Delete rule ${key}?`, body: "It stops firing at once. Its messages stay in the analytics.", confirmLabel: `Delete ${key}`, danger: true }))) return;
    this.busy = true;
    try {
      await this.api.send("DELETE", `/v1/rules/${encodeURIComponent(key)}`, undefined, { "If-Match": `"${this.view.version}"` });
      markUnsaved(this.owner, false);
      this.navigate("/rules");
    } catch (error) {
      this.problem = error;
    } finally {
      this.busy = false;
    }
  }
}

if (!customElements.get("studio-rule-editor")) customElements.define("studio-rule-editor", RuleEditor);
