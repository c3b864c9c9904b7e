/**
 * <studio-template-editor> (#/templates/new, #/templates/:key): a form per variant (title, body, call to
 * action, weight, translations) with Handlebars editors, the live preview of the unsaved draft beside it, its
 * problems flagged in place before saving and listed again before publishing, versions with diff and restore,
 * and where the template is used. Saving is disabled while a request runs; leaving with unsaved edits and
 * removing a variant or a translation ask first.
 */
import { html, nothing, type TemplateResult } from "lit";
import { ApiProblem } from "../../api";
import { StudioView } from "../studio-view";
import { confirmDialog } from "../../components/confirm-dialog";
import { describedBy, fieldError, formError } from "../../components/field-error";
import { renderTabs } from "../../components/tabs";
import type { CodeEditor } from "../../components/code-editor";
import { markUnsaved } from "../../shell/unsaved-changes";
import { KINDS, definitionOf, newTemplate, nextVariantKey, type TemplateDefinition, type TemplateView } from "./template-draft";
import { renderVariantPanel } from "./variant-fields";
import { renderResponseFields } from "./response-fields";
import type { CheckMark, DraftCheck, TemplatePreview } from "./template-preview";
import "./template-preview";
import "./template-history";

export class TemplateEditor extends StudioView {
  static override properties = {
    ...StudioView.properties,
    view: { state: true },
    draft: { state: true },
    selected: { state: true },
    locales: { state: true },
    busy: { state: true },
    problem: { state: true },
    check: { state: true },
    status: { state: true },
    loadProblem: { state: true },
    triggerTypes: { state: true },
  };

  declare view: TemplateView | null;
  declare draft: TemplateDefinition | null;
  declare selected: number;
  /** The language being edited, per variant index ("" = the template's own). */
  declare locales: Record<number, string>;
  declare busy: boolean;
  declare problem: unknown;
  declare check: DraftCheck;
  declare status: string;
  declare loadProblem: unknown;
  /** Event types the rules sending this template fire on (the preview's default sample event). */
  declare triggerTypes: string[];

  private savedJson = "";
  private lastEditor: CodeEditor | null = null;
  private loadedKey: string | null | undefined = undefined;

  constructor() {
    super();
    Object.assign(this, { view: null, draft: null, selected: 0, locales: {}, busy: false, problem: null, check: { byPath: {}, list: [] }, status: "", loadProblem: null, triggerTypes: [] });
  }

  private get isNew(): boolean {
    return !this.params.key;
  }

  private get owner(): string {
    return `template:${this.params.key ?? "new"}`;
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
    this.status = "";
    if (this.isNew) {
      this.view = null;
      this.setDraft(newTemplate());
      return;
    }
    try {
      this.view = await this.api.get<TemplateView>(`/v1/templates/${encodeURIComponent(this.params.key)}`);
      this.setDraft(definitionOf(this.view));
      const usage = await this.api.get<{ rules: Array<{ eventType: string | null }> }>(`/v1/templates/${encodeURIComponent(this.params.key)}/usage`).catch(() => ({ rules: [] }));
      this.triggerTypes = usage.rules.map((r) => r.eventType).filter((t): t is string => t !== null);
    } catch (error) {
      this.loadProblem = error;
    }
  }

  private setDraft(def: TemplateDefinition): void {
    this.draft = def;
    this.savedJson = JSON.stringify(def);
    this.selected = Math.min(this.selected, def.variants.length - 1);
    markUnsaved(this.owner, false);
  }

  private get dirty(): boolean {
    return this.draft !== null && JSON.stringify(this.draft) !== this.savedJson;
  }

  /** After any edit: a new object so Lit and the preview see the change, and the unsaved flag follows. */
  private edited(): void {
    this.draft = { ...this.draft! };
    markUnsaved(this.owner, this.dirty);
    if (this.problem instanceof ApiProblem && this.problem.status === 400) this.problem = null; // the fix may be in; the live check takes over
  }

  private marksFor = (path: string): CheckMark[] => {
    const saved = this.problem instanceof ApiProblem ? this.problem.errors.filter((e) => e.path === path).map((e) => ({ line: e.line ?? 1, column: e.column ?? 1, message: e.message.replace(/ \(line \d+, column \d+\)$/, ""), severity: "error" as const })) : [];
    return saved.length ? saved : this.check.byPath[path] ?? [];
  };

  private preview(): TemplatePreview | null {
    return this.querySelector("studio-template-preview");
  }

  override render(): TemplateResult {
    if (this.loadProblem) return html`<h1>Template ${this.params.key}</h1>${formError(this.loadProblem)}<p><a href="#/templates">Back to templates</a></p>`;
    if (!this.draft) return html`<h1>Template ${this.params.key ?? ""}</h1><p aria-busy="true">Loading…</p>`;
    const d = this.draft;
    const v = this.view;
    const readonly = !this.writable;
    const errors = this.check.list.filter((p) => p.severity === "error").length;
    const warnings = this.check.list.length - errors;
    return html`
      <div class="view-head">
        <h1>${this.isNew ? "New template" : html`Template <code>${d.key}</code>`}</h1>
        ${v ? html`<p class="badges"><span class="badge">latest v${v.latestVersion}</span> ${v.publishedVersion ? html`<span class="badge ok">published v${v.publishedVersion}</span>` : html`<span class="badge warn">not published</span>`}
          ${this.dirty ? html`<span class="badge warn">unsaved edits</span>` : nothing}</p>` : nothing}
      </div>
      <p class="status" role="status">${this.status}</p>
      ${formError(this.problem)}
      <div class="editor-layout">
        <form class="card editor" novalidate @submit=${(e: Event) => { e.preventDefault(); void this.save(); }}>
          ${this.renderMeta(readonly)}
          ${renderResponseFields(d, readonly, this.problem, () => this.edited())}
          <h2>Variants</h2>
          ${renderTabs("variant", "Variants", d.variants.map((x, i) => ({ id: String(i), label: `Variant ${x.key || "?"}` })), String(this.selected), (id) => { this.selected = Number(id); })}
          <div role="tabpanel" id="variant-panel" aria-labelledby="variant-tab-${this.selected}" class="tabpanel">
            ${renderVariantPanel({
              variant: d.variants[this.selected], index: this.selected, locale: this.locales[this.selected] ?? "", templateLocale: d.locale, readonly,
              canRemove: d.variants.length > 1, marksFor: this.marksFor,
              errorFor: (path) => (this.problem instanceof ApiProblem ? this.problem.fieldMessage(path) : undefined),
              onChange: () => this.edited(), onLocale: (l) => { this.locales = { ...this.locales, [this.selected]: l }; },
              onAddLocale: (tag) => this.addLocale(tag), onRemoveLocale: (l) => void this.removeLocale(l), onRemove: () => void this.removeVariant(),
              onFocusEditor: (editor) => { this.lastEditor = editor; },
            })}
          </div>
          ${readonly ? nothing : html`<button type="button" class="secondary" @click=${() => this.addVariant()}>Add a variant</button>`}
          ${this.check.list.length ? html`<div class="warnings" id="draft-problems"><p><strong>${errors ? `${errors} error${errors > 1 ? "s" : ""}` : ""}${errors && warnings ? " and " : ""}${warnings ? `${warnings} warning${warnings > 1 ? "s" : ""}` : ""} in this draft</strong> (with the preview's learner and event):</p>
            <ul>${this.check.list.map((p) => html`<li class=${p.severity}>${p.where}: ${p.message}</li>`)}</ul></div>` : html`<p class="ok">No unknown variables or syntax errors in this draft.</p>`}
          ${readonly ? html`<p class="hint">Your role can read templates but not change them.</p>` : html`<div class="actions sticky-actions">
            <button type="submit" class="primary" ?disabled=${this.busy || (!this.isNew && !this.dirty)} aria-describedby=${this.check.list.length ? "draft-problems" : nothing}>
              ${this.busy ? "Saving…" : this.isNew ? "Create and publish version 1" : "Save as a new version"}</button>
            ${v && !this.dirty && v.publishedVersion !== v.latestVersion ? html`<button type="button" class="primary" ?disabled=${this.busy} @click=${() => void this.publish(v.latestVersion)}>Publish version ${v.latestVersion}</button>` : nothing}
            ${this.dirty && !this.isNew ? html`<button type="button" class="secondary" ?disabled=${this.busy} @click=${() => void this.discard()}>Discard edits</button>` : nothing}
          </div>`}
        </form>
        <studio-template-preview .api=${this.api} .draft=${d} .templateKey=${v ? d.key : null} .versions=${v ? Array.from({ length: v.latestVersion }, (_, i) => v.latestVersion - i) : []}
          .variantKey=${d.variants[this.selected]?.key ?? "A"} .locale=${this.locales[this.selected] ?? ""} .suggestedEvent=${this.triggerTypes[0] ?? ""} .insertable=${this.writable}
          @draft-checked=${(e: CustomEvent<DraftCheck>) => { this.check = e.detail; }}
          @insert-variable=${(e: CustomEvent<string>) => this.insertVariable(e.detail)}></studio-template-preview>
      </div>
      ${v ? html`<studio-template-history .api=${this.api} .templateKey=${d.key} .publishedVersion=${v.publishedVersion} .latestVersion=${v.latestVersion} .writable=${this.writable}
        @restore-version=${(e: CustomEvent<number>) => void this.restore(e.detail)} @publish-version=${(e: CustomEvent<number>) => void this.publish(e.detail)}></studio-template-history>` : nothing}`;
  }

  private renderMeta(readonly: boolean): TemplateResult {
    const d = this.draft!;
    const input = (path: "key" | "name" | "locale", label: string, hint?: string) => html`<label>${label}
      <input .value=${d[path]} ?readonly=${readonly || (path === "key" && !this.isNew)} spellcheck="false" aria-invalid=${this.problem instanceof ApiProblem && this.problem.fieldMessage(path) ? "true" : "false"}
        aria-describedby=${describedBy(this.problem, path, `${path}-error`, hint ? `${path}-hint` : undefined) || nothing}
        @input=${(e: Event) => { d[path] = (e.target as HTMLInputElement).value; this.edited(); }}></label>
      ${hint ? html`<p class="hint" id="${path}-hint">${hint}</p>` : nothing}${fieldError(this.problem, path, `${path}-error`)}`;
    return html`<div class="grid-2">
      <div>${input("key", "Key", this.isNew ? "Lowercase letters, digits, - _ and . (used by rules; cannot change later)" : undefined)}</div>
      <div>${input("name", "Name")}</div>
      <div class="field"><label for="template-kind">Kind</label><select id="template-kind" ?disabled=${readonly} @change=${(e: Event) => this.setKind((e.target as HTMLSelectElement).value)}>
        ${KINDS.map((k) => html`<option value=${k.kind} ?selected=${k.kind === d.kind}>${k.label}</option>`)}</select>${fieldError(this.problem, "kind", "kind-error")}</div>
      <div>${input("locale", "Language of the copy", "A locale tag such as en or pt-BR; translations are added per variant")}</div>
    </div>`;
  }

  private setKind(kind: string): void {
    const spec = KINDS.find((k) => k.kind === kind)!;
    this.draft!.kind = spec.kind;
    this.draft!.response = spec.response ? JSON.parse(JSON.stringify(spec.response)) : null;
    this.edited();
  }

  private addVariant(): void {
    const d = this.draft!;
    const from = d.variants[this.selected];
    d.variants = [...d.variants, { key: nextVariantKey(d.variants), weight: 1, title: from.title, body: from.body, ...(from.cta ? { cta: { ...from.cta } } : {}) }];
    this.selected = d.variants.length - 1;
    this.edited();
  }

  private async removeVariant(): Promise<void> {
    const d = this.draft!;
    const variant = d.variants[this.selected];
    if (!(await confirmDialog({ title: `Remove variant ${variant.key}?`, body: "Its copy and translations leave this draft; the change takes effect when you save a new version.", confirmLabel: `Remove variant ${variant.key}`, danger: true }))) return;
    d.variants = d.variants.filter((_, i) => i !== this.selected);
    this.selected = Math.max(0, this.selected - 1);
    this.edited();
  }

  private addLocale(tag: string): void {
    const variant = this.draft!.variants[this.selected];
    if (!variant.locales?.[tag]) variant.locales = { ...(variant.locales ?? {}), [tag]: { title: variant.title, body: variant.body, ...(variant.cta ? { cta: { ...variant.cta } } : {}) } };
    this.locales = { ...this.locales, [this.selected]: tag };
    this.edited();
  }

  private async removeLocale(locale: string): Promise<void> {
    const variant = this.draft!.variants[this.selected];
    if (!(await confirmDialog({ title: `Remove the ${locale} translation?`, body: `Learners with locale ${locale} will get the template's own language once you save.`, confirmLabel: `Remove ${locale}`, danger: true }))) return;
    const { [locale]: _removed, ...rest } = variant.locales ?? {};
    variant.locales = Object.keys(rest).length ? rest : undefined;
    if (!variant.locales) delete variant.locales;
    this.locales = { ...this.locales, [this.selected]: "" };
    this.edited();
  }

  private insertVariable(text: string): void {
    if (this.lastEditor?.isConnected) this.lastEditor.insert(text);
    else this.querySelector<CodeEditor>("studio-code-editor")?.insert(text);
  }

  private async discard(): Promise<void> {
    if (!(await confirmDialog({ title: "Discard your edits?", body: "The draft goes back to the latest saved version.", confirmLabel: "Discard edits", danger: true }))) return;
    this.setDraft(definitionOf(this.view!));
  }

  /** The publish confirmation: what will reach learners, with the draft's problems listed again. */
  private async confirmPublish(version: number, def: TemplateDefinition): Promise<boolean> {
    const check = (await this.preview()?.checkDraft(undefined, def)) ?? this.check;
    const rules = this.isNew ? [] : (await this.api.get<{ rules: Array<{ key: string }> }>(`/v1/templates/${encodeURIComponent(def.key)}/usage`).catch(() => ({ rules: [] }))).rules;
    const body = html`<p>${rules.length ? `Rules ${rules.map((r) => r.key).join(", ")} will send version ${version} from now on.` : `Version ${version} becomes the one rules send.`}</p>
      ${check.list.length ? html`<p><strong>It has ${check.list.length} problem${check.list.length > 1 ? "s" : ""} learners would see:</strong></p><ul class="warnings">${check.list.map((p) => html`<li class=${p.severity}>${p.where}: ${p.message}</li>`)}</ul>`
        : html`<p>No unknown variables or objects printed as text (checked with the preview's learner and event).</p>`}`;
    return confirmDialog({ title: `Publish version ${version} of ${def.key}?`, body, confirmLabel: check.list.length ? `Publish anyway` : `Publish version ${version}`, danger: check.list.length > 0 });
  }

  private async save(): Promise<void> {
    if (this.busy || !this.draft) return;
    const def = JSON.parse(JSON.stringify(this.draft)) as TemplateDefinition;
    if (this.isNew && !(await this.confirmPublish(1, def))) return;
    this.busy = true;
    this.problem = null;
    try {
      if (this.isNew) {
        const created = await this.api.send<TemplateView>("POST", "/v1/templates", def);
        markUnsaved(this.owner, false);
        this.navigate(`/templates/${encodeURIComponent(created.key)}`);
        return;
      }
      this.view = await this.api.send<TemplateView>("PUT", `/v1/templates/${encodeURIComponent(def.key)}`, { ...def, latestVersion: this.view!.latestVersion });
      this.setDraft(definitionOf(this.view));
      this.status = `Saved as version ${this.view.latestVersion}. ${this.view.publishedVersion ? `Rules still send version ${this.view.publishedVersion} until you publish.` : ""}`;
    } catch (error) {
      this.problem = error;
    } finally {
      this.busy = false;
    }
  }

  private async publish(version: number): Promise<void> {
    if (this.busy || !this.view) return;
    const def = version === this.view.latestVersion && !this.dirty ? this.draft! : definitionOf(await this.api.get<TemplateView>(`/v1/templates/${encodeURIComponent(this.view.key)}?version=${version}`));
    if (!(await this.confirmPublish(version, def))) return;
    this.busy = true;
    try {
      await this.api.send("POST", `/v1/templates/${encodeURIComponent(this.view.key)}/publish`, { version });
      this.view = await this.api.get<TemplateView>(`/v1/templates/${encodeURIComponent(this.view.key)}`);
      if (!this.dirty) this.setDraft(definitionOf(this.view));
      this.status = `Version ${version} is published: rules send it from now on.`;
    } catch (error) {
      this.problem = error;
    } finally {
      this.busy = false;
    }
  }

  private async restore(version: number): Promise<void> {
    if (this.busy || !this.view) return;
    const next = this.view.latestVersion + 1;
    const warning = this.dirty ? " Your unsaved edits are discarded." : "";
    if (!(await confirmDialog({ title: `Restore version ${version}?`, body: `Its content is saved as version ${next}; version ${this.view.publishedVersion ?? "none"} stays published until you publish.${warning}`, confirmLabel: `Save v${version} as version ${next}`, danger: this.dirty }))) return;
    this.busy = true;
    try {
      const old = definitionOf(await this.api.get<TemplateView>(`/v1/templates/${encodeURIComponent(this.view.key)}?version=${version}`));
      this.view = await this.api.send<TemplateView>("PUT", `/v1/templates/${encodeURIComponent(this.view.key)}`, { ...old, latestVersion: this.view.latestVersion });
      this.setDraft(definitionOf(this.view));
      this.status = `Version ${version} restored as version ${this.view.latestVersion} (not published yet).`;
    } catch (error) {
      this.problem = error;
    } finally {
      this.busy = false;
    }
  }
}

if (!customElements.get("studio-template-editor")) customElements.define("studio-template-editor", TemplateEditor);
