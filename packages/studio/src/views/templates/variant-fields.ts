/**
 * One variant's form in the template editor: its key and weight, the language being edited (the template's
 * own or a translation), and the title, body and call to action as Handlebars editors, each with its problems
 * (syntax errors from the API, unknown variables and objects printed as text) listed under it and marked at
 * their line and column inside the editor.
 */
import { html, nothing, type TemplateResult } from "lit";
import "../../components/code-editor";
import type { CodeEditor } from "../../components/code-editor";
import type { CheckMark } from "./template-preview";
import { copyOf, fieldPath, type LocalizedCopy, type Variant } from "./template-draft";

export interface VariantPanelContext {
  variant: Variant;
  index: number;
  /** "" = the template's own language. */
  locale: string;
  templateLocale: string;
  readonly: boolean;
  canRemove: boolean;
  /** Problems by body path: the last save's errors first, then the live check's. */
  marksFor(path: string): CheckMark[];
  /** The API's error for a non-source field (key, weight). */
  errorFor(path: string): string | undefined;
  onChange(): void;
  onLocale(locale: string): void;
  onAddLocale(tag: string): void;
  onRemoveLocale(locale: string): void;
  onRemove(): void;
  onFocusEditor(editor: CodeEditor): void;
}

const cssId = (path: string) => `f-${path.replace(/[^A-Za-z0-9]+/g, "-")}`;

/** The variant's panel (inside the variant tabs' tabpanel). */
export function renderVariantPanel(c: VariantPanelContext): TemplateResult {
  const v = c.variant;
  const copy = copyOf(v, c.locale) ?? v;
  const keyError = c.errorFor(`variants[${c.index}].key`);
  const weightError = c.errorFor(`variants[${c.index}].weight`);
  const set = (patch: Partial<Variant>) => {
    Object.assign(v, patch);
    c.onChange();
  };
  const setCopy = (patch: Partial<LocalizedCopy>) => {
    Object.assign(copy, patch);
    for (const [k, value] of Object.entries(patch)) if (value === undefined) delete (copy as unknown as Record<string, unknown>)[k];
    c.onChange();
  };
  return html`
    <div class="row">
      <label>Variant key
        <input .value=${v.key} ?readonly=${c.readonly} maxlength="16" required aria-invalid=${keyError ? "true" : "false"} aria-describedby=${keyError ? "variant-key-error" : nothing}
          @input=${(e: Event) => set({ key: (e.target as HTMLInputElement).value })}></label>
      <label>Weight
        <input type="number" min="0" step="any" .value=${String(v.weight)} ?readonly=${c.readonly} aria-describedby="weight-hint${weightError ? " variant-weight-error" : ""}"
          aria-invalid=${weightError ? "true" : "false"} @input=${(e: Event) => set({ weight: Number((e.target as HTMLInputElement).value) })}></label>
      ${c.canRemove && !c.readonly ? html`<button type="button" class="secondary danger" @click=${c.onRemove}>Remove variant ${v.key}</button>` : nothing}
    </div>
    ${keyError ? html`<p class="field-error" id="variant-key-error">${keyError}</p>` : nothing}
    ${weightError ? html`<p class="field-error" id="variant-weight-error">${weightError}</p>` : nothing}
    <p class="hint" id="weight-hint">Split experiments send variants in proportion to their weights; 0 stops sending this variant.</p>
    ${renderLocaleBar(c)}
    ${editorField(c, "title", `Title of variant ${v.key}${c.locale ? ` (${c.locale})` : ""}`, copy.title, true, (text) => setCopy({ title: text }))}
    ${editorField(c, "body", `Body of variant ${v.key}${c.locale ? ` (${c.locale})` : ""}`, copy.body, false, (text) => setCopy({ body: text }))}
    <fieldset class="cta-fields">
      <legend>Call to action</legend>
      <label class="inline-check"><input type="checkbox" .checked=${Boolean(copy.cta)} ?disabled=${c.readonly}
        @change=${(e: Event) => setCopy({ cta: (e.target as HTMLInputElement).checked ? { label: "Continue", url: "/courses/{{course.id}}" } : undefined })}> Show a button</label>
      ${copy.cta ? html`
        ${editorField(c, "cta.label", `Button label of variant ${v.key}`, copy.cta.label, true, (text) => setCopy({ cta: { ...copy.cta!, label: text } }))}
        ${editorField(c, "cta.url", `Button link of variant ${v.key}`, copy.cta.url, true, (text) => setCopy({ cta: { ...copy.cta!, url: text } }))}` : nothing}
    </fieldset>`;
}

function renderLocaleBar(c: VariantPanelContext): TemplateResult {
  const locales = Object.keys(c.variant.locales ?? {});
  const add = (e: Event) => {
    const input = (e.target as HTMLElement).closest(".locale-bar")?.querySelector<HTMLInputElement>("input");
    if (input?.value.trim()) c.onAddLocale(input.value.trim());
  };
  return html`<div class="locale-bar row">
    <div class="field"><label for="editing-language">Editing language</label>
      <select id="editing-language" @change=${(e: Event) => c.onLocale((e.target as HTMLSelectElement).value)}>
        <option value="" ?selected=${c.locale === ""}>${c.templateLocale} (the template's own)</option>
        ${locales.map((l) => html`<option value=${l} ?selected=${l === c.locale}>${l} (translation)</option>`)}
      </select></div>
    ${c.readonly ? nothing : html`
      <label>New translation <input placeholder="e.g. pt-BR" size="8" spellcheck="false" @keydown=${(e: KeyboardEvent) => { if (e.key === "Enter") { e.preventDefault(); add(e); } }}></label>
      <button type="button" class="secondary" @click=${add}>Add translation</button>
      ${c.locale ? html`<button type="button" class="secondary danger" @click=${() => c.onRemoveLocale(c.locale)}>Remove ${c.locale}</button>` : nothing}`}
  </div>`;
}

function editorField(c: VariantPanelContext, field: "title" | "body" | "cta.label" | "cta.url", label: string, value: string, singleLine: boolean, onInput: (text: string) => void): TemplateResult {
  const path = fieldPath(c.index, c.locale, field);
  const marks = c.marksFor(path);
  const id = cssId(path);
  return html`<div class="field ${marks.some((m) => m.severity === "error") ? "invalid" : ""}">
    <span class="label" id="${id}-label">${label}</span>
    <studio-code-editor .language=${"handlebars"} .singleLine=${singleLine} .label=${label} .value=${value} .readonly=${c.readonly}
      .marks=${marks} .describedBy=${marks.length ? `${id}-problems` : ""}
      @editor-input=${(e: CustomEvent<string>) => onInput(e.detail)} @focusin=${(e: Event) => c.onFocusEditor(e.currentTarget as CodeEditor)}></studio-code-editor>
    ${marks.length ? html`<ul class="problems" id="${id}-problems">${marks.map((m) => html`<li class=${m.severity}>
      <strong>${m.severity === "error" ? "Error" : "Warning"}</strong>, line ${m.line}, column ${m.column}: ${m.message}</li>`)}</ul>` : nothing}
  </div>`;
}
