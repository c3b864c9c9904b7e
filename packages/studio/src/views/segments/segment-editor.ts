/**
 * <studio-segment-editor> (#/segments/new, #/segments/:key): a segment's definition by type. Static segments
 * take CSV uploads; attribute segments use the condition builder with a live count of who matches now; SQL
 * segments use a SQL editor and show the last refresh's status, time and error. Members are listed a page at
 * a time. Deleting and leaving with unsaved edits ask first.
 */
import { html, nothing, type TemplateResult } from "lit";
import { StudioView } from "../studio-view";
import { confirmDialog } from "../../components/confirm-dialog";
import { describedBy, fieldError, formError } from "../../components/field-error";
import { numberField, textField } from "../../components/form-fields";
import { formatWhen } from "../../components/format";
import "../../components/condition-builder";
import "../../components/code-editor";
import type { Condition } from "../../components/condition-model";
import { markUnsaved } from "../../shell/unsaved-changes";
import "./segment-members";

export interface SegmentView {
  key: string;
  name: string;
  type: "static" | "attributes" | "sql";
  conditions: Condition | null;
  sql: string | null;
  refreshIntervalMinutes: number | null;
  memberCount: number;
  lastRefreshedAt: string | null;
  lastRefreshStatus: string | null;
  lastRefreshError: string | null;
  version: number;
}

type Draft = Pick<SegmentView, "key" | "name" | "type" | "conditions" | "sql" | "refreshIntervalMinutes">;

const ATTRIBUTE_FIELDS = ["learner.locale", "learner.timezone", "learner.attributes.", "state.eventCount", "state.eventCounts.", "state.daysSinceLastActivity", "state.lastActivityAt", "insights."];

export class SegmentEditor extends StudioView {
  static override properties = {
    ...StudioView.properties,
    view: { state: true },
    draft: { state: true },
    busy: { state: true },
    problem: { state: true },
    status: { state: true },
    count: { state: true },
    loadProblem: { state: true },
    membersVersion: { state: true },
  };

  declare view: SegmentView | null;
  declare draft: Draft | null;
  declare busy: boolean;
  declare problem: unknown;
  declare status: string;
  declare count: { count: number | null; capped: boolean; timedOut: boolean } | { error: string } | null;
  declare loadProblem: unknown;
  declare membersVersion: number;

  private savedJson = "";
  private loadedKey: string | null | undefined = undefined;
  private countTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    Object.assign(this, { view: null, draft: null, busy: false, problem: null, status: "", count: null, loadProblem: null, membersVersion: 0 });
  }

  private get isNew(): boolean {
    return !this.params.key;
  }

  private get owner(): string {
    return `segment:${this.params.key ?? "new"}`;
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
    if (this.isNew) {
      this.view = null;
      this.setDraft({ key: "", name: "", type: "static", conditions: null, sql: null, refreshIntervalMinutes: null });
      return;
    }
    try {
      this.view = await this.api.get<SegmentView>(`/v1/segments/${encodeURIComponent(this.params.key)}`);
      const { key, name, type, conditions, sql, refreshIntervalMinutes } = this.view;
      this.setDraft({ key, name, type, conditions, sql, refreshIntervalMinutes });
    } catch (error) {
      this.loadProblem = error;
    }
  }

  private setDraft(draft: Draft): void {
    this.draft = draft;
    this.savedJson = JSON.stringify(draft);
    markUnsaved(this.owner, false);
    if (draft.type === "attributes") this.scheduleCount();
  }

  private get dirty(): boolean {
    return this.draft !== null && JSON.stringify(this.draft) !== this.savedJson;
  }

  private changed = (): void => {
    this.draft = { ...this.draft! };
    markUnsaved(this.owner, this.dirty);
    if (this.draft.type === "attributes") this.scheduleCount();
  };

  /** The live count, a moment after the last edit of the conditions. */
  private scheduleCount(): void {
    clearTimeout(this.countTimer);
    this.countTimer = setTimeout(async () => {
      if (!this.draft?.conditions) {
        this.count = null;
        return;
      }
      try {
        this.count = await this.api.send("POST", "/v1/segments/count", { conditions: this.draft.conditions });
      } catch (error) {
        this.count = { error: (error as Error).message };
      }
    }, 500);
  }

  override render(): TemplateResult {
    if (this.loadProblem) return html`<h1>Segment ${this.params.key}</h1>${formError(this.loadProblem)}<p><a href="#/segments">Back to segments</a></p>`;
    if (!this.draft) return html`<h1>Segment</h1><p aria-busy="true">Loading…</p>`;
    const d = this.draft;
    const readonly = !this.writable;
    const o = { readonly, problem: this.problem };
    return html`
      <div class="view-head"><h1>${this.isNew ? "New segment" : html`Segment <code>${d.key}</code>`}</h1>
        ${this.view ? html`<p class="badges"><span class="badge">${d.type === "attributes" ? "conditions" : d.type}</span>${this.dirty ? html` <span class="badge warn">unsaved edits</span>` : nothing}</p>` : nothing}</div>
      <p class="status" role="status">${this.status}</p>
      ${formError(this.problem)}
      <form class="card" novalidate @submit=${(e: Event) => {
        e.preventDefault();
        void this.save();
      }}>
        <div class="grid-2">
          ${textField(
            "Key",
            "key",
            d.key,
            (v) => {
              d.key = v;
              this.changed();
            },
            { readonly: readonly || !this.isNew, problem: this.problem },
          )}
          ${textField(
            "Name",
            "name",
            d.name,
            (v) => {
              d.name = v;
              this.changed();
            },
            o,
          )}
        </div>
        ${
          this.isNew
            ? html`<fieldset><legend>Type</legend>
          ${(
            [
              ["static", "A list of learners you upload"],
              ["attributes", "Learners matching conditions (always current)"],
              ["sql", "A SQL query over the analyst relations (refreshed on a schedule)"],
            ] as const
          ).map(
            ([type, label]) => html`
            <label class="inline-check"><input type="radio" name="segment-type" .checked=${d.type === type} @change=${() => {
              d.type = type;
              d.conditions = type === "attributes" ? { all: [{ field: "learner.locale", op: "eq", value: "en" }] } : null;
              d.sql = type === "sql" ? "SELECT id AS learner_id FROM learners WHERE locale = 'en'" : null;
              this.changed();
            }}> ${label}</label>`,
          )}
        </fieldset>`
            : nothing
        }
        ${d.type === "attributes" ? this.renderAttributes(d, readonly) : nothing}
        ${d.type === "sql" ? this.renderSql(d, readonly) : nothing}
        ${
          readonly
            ? html`<p class="hint">Your role can read segments but not change them.</p>`
            : html`<div class="actions">
          <button type="submit" class="primary" ?disabled=${this.busy || (!this.isNew && !this.dirty)}>${this.busy ? "Saving…" : this.isNew ? "Create the segment" : "Save the segment"}</button>
          ${!this.isNew && d.type === "sql" ? html`<button type="button" class="secondary" ?disabled=${this.busy || this.dirty} @click=${() => void this.refresh()}>Refresh now</button>` : nothing}
          ${this.isNew ? nothing : html`<button type="button" class="secondary danger" ?disabled=${this.busy} @click=${() => void this.deleteSegment()}>Delete the segment</button>`}
        </div>`
        }
      </form>
      ${
        this.view
          ? html`<studio-segment-members .api=${this.api} .segmentKey=${this.view.key} .type=${this.view.type} .writable=${this.writable} .version=${this.membersVersion}
        @members-changed=${() => void this.reloadView()}></studio-segment-members>`
          : nothing
      }`;
  }

  private renderAttributes(d: Draft, readonly: boolean): TemplateResult {
    const c = this.count;
    const text = !c
      ? ""
      : "error" in c
        ? `The count failed: ${c.error}`
        : c.timedOut
          ? "Counting took too long; the segment still works at match time."
          : `${c.count!.toLocaleString()}${c.capped ? "+" : ""} learner${c.count === 1 ? "" : "s"} match now`;
    return html`<studio-condition-builder .value=${d.conditions} .fields=${ATTRIBUTE_FIELDS} .pathPrefix=${"conditions"} .problem=${this.problem} .readonly=${readonly}
        .label=${"Learners who match"} @condition-change=${(e: CustomEvent<Condition | null>) => {
          d.conditions = e.detail;
          this.changed();
        }}></studio-condition-builder>
      <p class="live-count" role="status" aria-live="polite">${text}</p>`;
  }

  private renderSql(d: Draft, readonly: boolean): TemplateResult {
    const v = this.view;
    return html`<div class="field">
        <span class="label" id="sql-label">Query</span>
        <p class="hint" id="sql-hint">One SELECT returning learner_id, over the analyst relations (docs/data.md). Checked by PostgreSQL's parser when you save.</p>
        <studio-code-editor .language=${"sql"} .label=${"SQL query of the segment"} .value=${d.sql ?? ""} .readonly=${readonly}
          .describedBy=${describedBy(this.problem, "sql", "sql-error", "sql-hint")} @editor-input=${(e: CustomEvent<string>) => {
            d.sql = e.detail;
            this.changed();
          }}></studio-code-editor>
        ${fieldError(this.problem, "sql", "sql-error")}
      </div>
      ${numberField(
        "Refresh every (minutes)",
        "refreshIntervalMinutes",
        d.refreshIntervalMinutes,
        (m) => {
          d.refreshIntervalMinutes = m;
          this.changed();
        },
        { readonly, problem: this.problem, nullable: true, min: 5, hint: "Empty: the default schedule." },
      )}
      ${
        v
          ? html`<div class="refresh-status ${v.lastRefreshStatus === "error" || v.lastRefreshStatus === "failed" ? "invalid" : ""}">
        <p><strong>Last refresh:</strong> ${v.lastRefreshStatus ?? "never"}${v.lastRefreshedAt ? `, ${formatWhen(v.lastRefreshedAt)}` : ""}; ${v.memberCount.toLocaleString()} members.</p>
        ${v.lastRefreshError ? html`<p class="field-error">Error: ${v.lastRefreshError}</p>` : nothing}
      </div>`
          : nothing
      }`;
  }

  private async reloadView(): Promise<void> {
    if (!this.view) return;
    this.view = await this.api.get<SegmentView>(`/v1/segments/${encodeURIComponent(this.view.key)}`);
  }

  private async save(): Promise<void> {
    if (this.busy || !this.draft) return;
    this.busy = true;
    this.problem = null;
    const d = this.draft;
    const body = { name: d.name, refreshIntervalMinutes: d.refreshIntervalMinutes, ...(d.type === "attributes" ? { conditions: d.conditions } : {}), ...(d.type === "sql" ? { sql: d.sql } : {}) };
    try {
      if (this.isNew) {
        const created = await this.api.send<SegmentView>("POST", "/v1/segments", { key: d.key, type: d.type, ...body });
        markUnsaved(this.owner, false);
        this.navigate(`/segments/${encodeURIComponent(created.key)}`);
        return;
      }
      this.view = await this.api.send<SegmentView>("PUT", `/v1/segments/${encodeURIComponent(d.key)}`, { ...body, version: this.view!.version });
      this.setDraft({ key: d.key, name: this.view.name, type: this.view.type, conditions: this.view.conditions, sql: this.view.sql, refreshIntervalMinutes: this.view.refreshIntervalMinutes });
      this.membersVersion++;
      this.status = `Saved (version ${this.view.version}).`;
    } catch (error) {
      this.problem = error;
    } finally {
      this.busy = false;
    }
  }

  private async refresh(): Promise<void> {
    if (this.busy || !this.view) return;
    this.busy = true;
    try {
      const r = await this.api.send<{ status: string; added: number; removed: number; memberCount: number }>("POST", `/v1/segments/${encodeURIComponent(this.view.key)}/refresh`, {});
      this.status = `Refreshed: ${r.added} added, ${r.removed} removed; ${r.memberCount.toLocaleString()} members.`;
      this.membersVersion++;
    } catch (error) {
      this.problem = error;
    } finally {
      this.busy = false;
      await this.reloadView().catch(() => undefined);
    }
  }

  private async deleteSegment(): Promise<void> {
    if (this.busy || !this.view) return;
    const key = this.view.key;
    if (
      !(await confirmDialog({
        title: `Delete segment ${key}?`,
        body: "Its definition and members are deleted. Rules that target it then reach nobody until you change them.",
        confirmLabel: `Delete ${key}`,
        danger: true,
      }))
    )
      return;
    this.busy = true;
    try {
      await this.api.send("DELETE", `/v1/segments/${encodeURIComponent(key)}`, undefined, { "If-Match": `"${this.view.version}"` });
      markUnsaved(this.owner, false);
      this.navigate("/segments");
    } catch (error) {
      this.problem = error;
    } finally {
      this.busy = false;
    }
  }
}

if (!customElements.get("studio-segment-editor")) customElements.define("studio-segment-editor", SegmentEditor);
