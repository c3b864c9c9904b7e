/**
 * <studio-condition-builder>: conditions as nested groups of rows (field, operator, value), for rules and
 * attribute segments. Every control is a labelled form field, reachable by keyboard; the API's error for a row
 * shows under that row. Properties: value (a condition or null), fields (suggestions), pathPrefix (where the
 * condition sits in the request body), problem (the last ApiProblem), readonly. Fires `condition-change`.
 */
import { LitElement, html, nothing, type TemplateResult } from "lit";
import { ApiProblem } from "../api";
import { BASE_FIELDS, OPERATORS, fromTree, newGroup, newLeaf, pathsOf, toTree, type Condition, type GroupNode, type LeafNode, type Operator, type TreeNode } from "./condition-model";

let instances = 0;

export class ConditionBuilder extends LitElement {
  static override properties = {
    value: { attribute: false },
    fields: { attribute: false },
    pathPrefix: { attribute: false },
    problem: { attribute: false },
    readonly: { type: Boolean },
    label: {},
    tree: { state: true },
  };

  declare value: Condition | null;
  declare fields: string[];
  declare pathPrefix: string;
  declare problem: unknown;
  declare readonly: boolean;
  declare label: string;
  declare tree: GroupNode;

  private readonly uid = `cb${++instances}`;
  /** The JSON this element last emitted or was given: a new `value` equal to it keeps the tree (and focus). */
  private lastJson = "null";

  constructor() {
    super();
    this.value = null;
    this.fields = [];
    this.pathPrefix = "";
    this.readonly = false;
    this.label = "Conditions";
    this.tree = newGroup();
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("value")) {
      const json = JSON.stringify(this.value ?? null);
      if (json !== this.lastJson) {
        this.tree = toTree(this.value);
        this.lastJson = json;
      }
    }
  }

  private changed(): void {
    this.tree = { ...this.tree };
    const condition = fromTree(this.tree);
    this.lastJson = JSON.stringify(condition);
    this.dispatchEvent(new CustomEvent("condition-change", { detail: condition, bubbles: true }));
  }

  override render(): TemplateResult {
    const paths = pathsOf(this.tree, this.pathPrefix);
    const suggestions = [...new Set([...this.fields, ...BASE_FIELDS])];
    return html`<fieldset class="condition-root">
      <legend>${this.label}</legend>
      <datalist id="${this.uid}-fields">${suggestions.map((f) => html`<option value=${f}></option>`)}</datalist>
      ${this.renderGroup(this.tree, null, paths, "1")}
    </fieldset>`;
  }

  private errorFor(path: string | undefined): string | undefined {
    if (!path || !(this.problem instanceof ApiProblem)) return undefined;
    return this.problem.errors.find((e) => e.path === path || e.path.startsWith(`${path}.`))?.message;
  }

  private renderGroup(group: GroupNode, parent: GroupNode | null, paths: Map<TreeNode, string>, label: string): TemplateResult {
    const modeValue = `${group.negate ? "not-" : ""}${group.mode}`;
    const setMode = (value: string) => {
      group.negate = value.startsWith("not-");
      group.mode = value.endsWith("any") ? "any" : "all";
      this.changed();
    };
    const id = `${this.uid}-g${label.replace(/\./g, "-")}`;
    return html`<div class="condition-group" role="group" aria-labelledby="${id}-mode-label">
      <div class="condition-group-head">
        <label id="${id}-mode-label" for="${id}-mode">${parent ? `Group ${label}: match` : "Match"}</label>
        <select id="${id}-mode" .value=${modeValue} ?disabled=${this.readonly} @change=${(e: Event) => setMode((e.target as HTMLSelectElement).value)}>
          <option value="all" ?selected=${modeValue === "all"}>all of these</option>
          <option value="any" ?selected=${modeValue === "any"}>any of these</option>
          <option value="not-any" ?selected=${modeValue === "not-any"}>none of these</option>
          <option value="not-all" ?selected=${modeValue === "not-all"}>not all of these</option>
        </select>
        ${parent && !this.readonly ? html`<button type="button" class="link danger" @click=${() => this.removeNode(parent, group)}>Remove group ${label}</button>` : nothing}
      </div>
      ${group.children.length === 0 ? html`<p class="hint">No conditions: ${parent ? "this group is left out." : "every event of the trigger matches."}</p>` : nothing}
      <ol class="condition-list">
        ${group.children.map((child, i) => html`<li>${child.kind === "group" ? this.renderGroup(child, group, paths, `${label}.${i + 1}`) : this.renderLeaf(child, group, paths, `${label}.${i + 1}`)}</li>`)}
      </ol>
      ${
        this.readonly
          ? nothing
          : html`<div class="condition-actions">
        <button type="button" class="secondary" @click=${() => this.add(group, newLeaf())}>Add condition${parent ? ` to group ${label}` : ""}</button>
        <button type="button" class="secondary" @click=${() => this.add(group, { ...newGroup("any"), children: [newLeaf()] })}>Add group${parent ? ` to group ${label}` : ""}</button>
      </div>`
      }
    </div>`;
  }

  private renderLeaf(leaf: LeafNode, parent: GroupNode, paths: Map<TreeNode, string>, label: string): TemplateResult {
    const id = `${this.uid}-l${label.replace(/\./g, "-")}`;
    const error = this.errorFor(paths.get(leaf));
    const set = (patch: Partial<LeafNode>) => {
      Object.assign(leaf, patch);
      this.changed();
    };
    const valueHint = leaf.op === "in" || leaf.op === "nin" ? "Comma-separated values" : "Numbers, true, false and null are read as such; put text in double quotes to keep it text";
    return html`<div class="condition-row ${error ? "invalid" : ""}">
      <span class="row-number" aria-hidden="true">${label}</span>
      <label class="inline-check"><input type="checkbox" .checked=${leaf.negate} ?disabled=${this.readonly} aria-label="Condition ${label}: not"
        @change=${(e: Event) => set({ negate: (e.target as HTMLInputElement).checked })}>not</label>
      <input class="cond-field" list="${this.uid}-fields" .value=${leaf.field} ?readonly=${this.readonly} aria-label="Condition ${label}: field"
        aria-describedby=${error ? `${id}-error` : nothing} aria-invalid=${error ? "true" : "false"} spellcheck="false"
        @input=${(e: Event) => set({ field: (e.target as HTMLInputElement).value })}>
      <select aria-label="Condition ${label}: operator" ?disabled=${this.readonly} @change=${(e: Event) => set({ op: (e.target as HTMLSelectElement).value as Operator })}>
        ${OPERATORS.map((o) => html`<option value=${o.op} ?selected=${o.op === leaf.op}>${o.label}</option>`)}
      </select>
      ${
        leaf.op === "exists"
          ? html`<select aria-label="Condition ${label}: exists" ?disabled=${this.readonly} @change=${(e: Event) => set({ text: (e.target as HTMLSelectElement).value })}>
            <option value="true" ?selected=${leaf.text !== "false"}>yes</option><option value="false" ?selected=${leaf.text === "false"}>no</option></select>`
          : html`<input class="value" .value=${leaf.text} ?readonly=${this.readonly} aria-label="Condition ${label}: value" title=${valueHint} spellcheck="false"
            @input=${(e: Event) => set({ text: (e.target as HTMLInputElement).value })}>`
      }
      ${this.readonly ? nothing : html`<button type="button" class="link danger" @click=${() => this.removeNode(parent, leaf)}>Remove condition ${label}</button>`}
      ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : nothing}
    </div>`;
  }

  private add(group: GroupNode, node: TreeNode): void {
    group.children = [...group.children, node];
    this.changed();
  }

  private removeNode(parent: GroupNode, node: TreeNode): void {
    parent.children = parent.children.filter((c) => c !== node);
    this.changed();
  }
}

if (!customElements.get("studio-condition-builder")) customElements.define("studio-condition-builder", ConditionBuilder);
