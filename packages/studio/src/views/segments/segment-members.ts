/**
 * <studio-segment-members>: a segment's members a page at a time (Next and Previous keep a stack of cursors),
 * and for static segments a CSV upload (add, replace or remove) that says how many ids it found before sending.
 */
import { LitElement, html, nothing, type TemplateResult } from "lit";
import type { StudioApi } from "../../api";
import { formError } from "../../components/field-error";
import { formatWhen } from "../../components/format";
import { learnerIdsFromCsv } from "./member-csv";

const PAGE = 50;
const MAX_PER_REQUEST = 100_000;

export class SegmentMembers extends LitElement {
  static override properties = {
    api: { attribute: false },
    segmentKey: { attribute: false },
    type: { attribute: false },
    writable: { attribute: false },
    version: { attribute: false },
    page: { state: true },
    cursors: { state: true },
    nextCursor: { state: true },
    upload: { state: true },
    mode: { state: true },
    busy: { state: true },
    status: { state: true },
    problem: { state: true },
  };

  declare api: StudioApi;
  declare segmentKey: string;
  declare type: string;
  declare writable: boolean;
  /** Bumped by the editor after a refresh or save: the page reloads. */
  declare version: number;
  declare page: Array<{ learnerId: string; addedAt: string | null }> | null;
  declare cursors: string[];
  declare nextCursor: string | null;
  declare upload: { ids: string[]; header: string | null; file: string } | null;
  declare mode: "add" | "replace" | "remove";
  declare busy: boolean;
  declare status: string;
  declare problem: unknown;

  constructor() {
    super();
    Object.assign(this, { page: null, cursors: [], nextCursor: null, upload: null, mode: "add", busy: false, status: "", problem: null, writable: false, version: 0 });
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("segmentKey") || changed.has("version")) {
      this.cursors = [];
      void this.load(undefined);
    }
  }

  private async load(cursor: string | undefined): Promise<void> {
    const query = new URLSearchParams({ limit: String(PAGE), ...(cursor ? { cursor } : {}) });
    try {
      const answer = await this.api.get<{ members: Array<{ learnerId: string; addedAt: string | null }>; nextCursor: string | null }>(
        `/v1/segments/${encodeURIComponent(this.segmentKey)}/members?${query}`,
      );
      this.page = answer.members;
      this.nextCursor = answer.nextCursor;
    } catch (error) {
      this.problem = error;
      this.page = [];
    }
  }

  private async readFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    const { ids, header } = learnerIdsFromCsv(await file.text());
    this.upload = { ids, header, file: file.name };
  }

  private async send(): Promise<void> {
    if (!this.upload || this.busy) return;
    this.busy = true;
    this.problem = null;
    try {
      const ids = this.upload.ids;
      let result = { added: 0, removed: 0, memberCount: 0 };
      for (let i = 0; i < Math.max(1, ids.length); i += MAX_PER_REQUEST) {
        // A replace of more than one request: the first replaces, the rest add.
        const mode = this.mode === "replace" && i > 0 ? "add" : this.mode;
        const part = await this.api.send<{ added: number; removed: number; memberCount: number }>("PUT", `/v1/segments/${encodeURIComponent(this.segmentKey)}/members`, {
          learnerIds: ids.slice(i, i + MAX_PER_REQUEST),
          mode,
        });
        result = { added: result.added + part.added, removed: result.removed + part.removed, memberCount: part.memberCount };
      }
      this.status = `Uploaded: ${result.added} added, ${result.removed} removed; ${result.memberCount.toLocaleString()} members now.`;
      this.upload = null;
      this.cursors = [];
      await this.load(undefined);
      this.dispatchEvent(new CustomEvent("members-changed", { bubbles: true }));
    } catch (error) {
      this.problem = error;
    } finally {
      this.busy = false;
    }
  }

  override render(): TemplateResult {
    return html`<section class="card" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      ${this.type === "static" && this.writable ? this.renderUpload() : nothing}
      <p class="status" role="status">${this.status}</p>
      ${formError(this.problem)}
      ${
        this.page === null
          ? html`<p aria-busy="true">Loading members…</p>`
          : this.page.length === 0
            ? html`<p>No members${this.cursors.length ? " on this page" : ""}.</p>`
            : html`
        <div class="table-scroll" tabindex="0" role="region" aria-label="Members, page ${this.cursors.length + 1}"><table>
          <thead><tr><th scope="col">Learner</th><th scope="col">Added</th></tr></thead>
          <tbody>${this.page.map((m) => html`<tr><td><a href="#/learners/${encodeURIComponent(m.learnerId)}">${m.learnerId}</a></td><td>${m.addedAt ? formatWhen(m.addedAt) : "—"}</td></tr>`)}</tbody>
        </table></div>`
      }
      <div class="pager">
        <button type="button" class="secondary" ?disabled=${this.cursors.length === 0} @click=${() => {
          const stack = [...this.cursors];
          stack.pop();
          this.cursors = stack;
          void this.load(stack[stack.length - 1]);
        }}>Previous page</button>
        <span>Page ${this.cursors.length + 1}</span>
        <button type="button" class="secondary" ?disabled=${!this.nextCursor} @click=${() => {
          this.cursors = [...this.cursors, this.nextCursor!];
          void this.load(this.nextCursor!);
        }}>Next page</button>
      </div>
    </section>`;
  }

  private renderUpload(): TemplateResult {
    return html`<form class="upload" @submit=${(e: Event) => {
      e.preventDefault();
      void this.send();
    }}>
      <div class="row">
        <div class="field"><label for="members-file">CSV file of learner ids</label>
          <input id="members-file" type="file" accept=".csv,text/csv,text/plain" aria-describedby="members-file-hint" @change=${(e: Event) => void this.readFile(e.target as HTMLInputElement)}>
          <p class="hint" id="members-file-hint">The column named learnerId (or learner_id, id), else the first column.</p></div>
        <div class="field"><label for="members-mode">What to do</label>
          <select id="members-mode" @change=${(e: Event) => {
            this.mode = (e.target as HTMLSelectElement).value as "add" | "replace" | "remove";
          }}>
            <option value="add" ?selected=${this.mode === "add"}>Add them</option>
            <option value="replace" ?selected=${this.mode === "replace"}>Replace all members with them</option>
            <option value="remove" ?selected=${this.mode === "remove"}>Remove them</option>
          </select></div>
      </div>
      ${this.upload ? html`<p>${this.upload.file}: ${this.upload.ids.length.toLocaleString()} learner ids${this.upload.header ? ` (column ${this.upload.header})` : " (first column)"}.</p>` : nothing}
      <button type="submit" class="primary" ?disabled=${!this.upload || this.busy || (this.upload.ids.length === 0 && this.mode !== "replace")}>${this.busy ? "Uploading…" : "Upload"}</button>
    </form>`;
  }
}

if (!customElements.get("studio-segment-members")) customElements.define("studio-segment-members", SegmentMembers);
