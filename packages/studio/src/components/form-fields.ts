/**
 * Labelled form fields that show the API's error for their body path under them (and point at it with
 * aria-describedby), with an optional hint saying what the setting does. Used by the rule, segment and
 * policy forms so every field behaves the same.
 */
import { html, nothing, type TemplateResult } from "lit";
import { describedBy, fieldError } from "./field-error";

export interface FieldOptions {
  hint?: string;
  readonly?: boolean;
  problem?: unknown;
}

const idOf = (path: string) => `fld-${path.replace(/[^A-Za-z0-9]+/g, "-")}`;

function parts(path: string, o: FieldOptions) {
  const id = idOf(path);
  return {
    id,
    describedby: describedBy(o.problem, path, `${id}-error`, o.hint ? `${id}-hint` : undefined) || nothing,
    invalid: describedBy(o.problem, path, `${id}-error`).length > 0 ? "true" : "false",
    after: html`${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : nothing}${fieldError(o.problem, path, `${id}-error`)}`,
  };
}

/** A number field; empty means null when `nullable` (e.g. "no cooldown"). */
export function numberField(
  label: string,
  path: string,
  value: number | null | undefined,
  onChange: (value: number | null) => void,
  o: FieldOptions & { nullable?: boolean; min?: number; max?: number; step?: number | "any" } = {},
): TemplateResult {
  const p = parts(path, o);
  return html`<div class="field"><label for=${p.id}>${label}</label>
    <input id=${p.id} type="number" inputmode="decimal" .value=${value === null || value === undefined ? "" : String(value)} ?readonly=${o.readonly}
      min=${o.min ?? nothing} max=${o.max ?? nothing} step=${o.step ?? 1} aria-describedby=${p.describedby} aria-invalid=${p.invalid}
      @input=${(e: Event) => {
        const raw = (e.target as HTMLInputElement).value;
        onChange(raw === "" ? (o.nullable ? null : 0) : Number(raw));
      }}>
    ${p.after}</div>`;
}

/** A one-line text field. */
export function textField(label: string, path: string, value: string, onChange: (value: string) => void, o: FieldOptions & { placeholder?: string; type?: string } = {}): TemplateResult {
  const p = parts(path, o);
  return html`<div class="field"><label for=${p.id}>${label}</label>
    <input id=${p.id} type=${o.type ?? "text"} .value=${value} ?readonly=${o.readonly} placeholder=${o.placeholder ?? nothing} spellcheck="false"
      aria-describedby=${p.describedby} aria-invalid=${p.invalid} @input=${(e: Event) => onChange((e.target as HTMLInputElement).value)}>
    ${p.after}</div>`;
}

export interface Choice {
  value: string;
  label: string;
  group?: string;
}

/** A dropdown; choices with a `group` are put in optgroups of that name, in order of first appearance. */
export function selectField(label: string, path: string, value: string, choices: Choice[], onChange: (value: string) => void, o: FieldOptions = {}): TemplateResult {
  const p = parts(path, o);
  const groups = [...new Set(choices.map((c) => c.group ?? ""))];
  const option = (c: Choice) => html`<option value=${c.value} ?selected=${c.value === value}>${c.label}</option>`;
  return html`<div class="field"><label for=${p.id}>${label}</label>
    <select id=${p.id} ?disabled=${o.readonly} aria-describedby=${p.describedby} aria-invalid=${p.invalid} @change=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}>
      ${groups.map((g) => (g ? html`<optgroup label=${g}>${choices.filter((c) => c.group === g).map(option)}</optgroup>` : choices.filter((c) => !c.group).map(option)))}
    </select>${p.after}</div>`;
}

/** A checkbox with its label beside it. */
export function checkField(label: string, path: string, checked: boolean, onChange: (checked: boolean) => void, o: FieldOptions = {}): TemplateResult {
  const p = parts(path, o);
  return html`<div class="field check"><label class="inline-check"><input id=${p.id} type="checkbox" .checked=${checked} ?disabled=${o.readonly}
    aria-describedby=${p.describedby} @change=${(e: Event) => onChange((e.target as HTMLInputElement).checked)}> ${label}</label>${p.after}</div>`;
}
