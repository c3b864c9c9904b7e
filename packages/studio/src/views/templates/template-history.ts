/**
 * <studio-template-history>: a template's versions (author, time, which is published), a diff of any version
 * against the published one, restore and publish buttons (the editor asks before either), and where the
 * template is used: the rules that send it and its latest deliveries.
 */
import { LitElement, html, nothing, type TemplateResult } from "lit";
import type { StudioApi } from "../../api";
import { diffLines, type DiffLine } from "../../components/line-diff";
import { formatWhen } from "../../components/format";
import { definitionText, type TemplateView } from "./template-draft";

interface VersionRow {
  version: number;
  author: string;
  createdAt: string;
}

interface Usage {
  rules: Array<{ key: string; name: string; enabled: boolean; eventType: string | null; inactiveDays: number | null }>;
  deliveries: Array<{ messageId: string; learnerId: string; courseId: string | null; ruleKey: string; templateVersion: number; variant: string; status: string; deliveredAt: string }>;
}

export class TemplateHistory extends LitElement {
  static override properties = {
    api: { attribute: false },
    templateKey: { attribute: false },
    publishedVersion: { attribute: false },
    latestVersion: { attribute: false },
    writable: { attribute: false },
    versions: { state: true },
    usage: { state: true },
    compared: { state: true },
    diff: { state: true },
  };

  declare api: StudioApi;
  declare templateKey: string;
  declare publishedVersion: number | null;
  declare latestVersion: number;
  declare writable: boolean;
  declare versions: VersionRow[];
  declare usage: Usage | null;
  declare compared: number | null;
  declare diff: DiffLine[] | null;

  private cache = new Map<number, TemplateView>();

  constructor() {
    super();
    Object.assign(this, { versions: [], usage: null, compared: null, diff: null, writable: false, publishedVersion: null, latestVersion: 0 });
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("latestVersion") || changed.has("publishedVersion") || changed.has("templateKey")) void this.load();
  }

  private async load(): Promise<void> {
    const key = encodeURIComponent(this.templateKey);
    const [versions, usage] = await Promise.all([
      this.api.get<{ versions: VersionRow[] }>(`/v1/templates/${key}/versions`).catch(() => ({ versions: [] })),
      this.api.get<Usage>(`/v1/templates/${key}/usage`).catch(() => null),
    ]);
    this.versions = versions.versions;
    this.usage = usage;
    if (this.compared !== null) await this.compare(this.compared);
  }

  private async version(n: number): Promise<TemplateView> {
    if (!this.cache.has(n)) this.cache.set(n, await this.api.get<TemplateView>(`/v1/templates/${encodeURIComponent(this.templateKey)}?version=${n}`));
    return this.cache.get(n)!;
  }

  private async compare(n: number): Promise<void> {
    const base = this.publishedVersion ?? 1;
    const [before, after] = await Promise.all([this.version(base), this.version(n)]);
    this.compared = n;
    this.diff = diffLines(definitionText(before), definitionText(after));
    await this.updateComplete;
    this.querySelector<HTMLElement>("#diff-heading")?.focus();
  }

  private ask(name: "restore-version" | "publish-version", version: number): void {
    this.dispatchEvent(new CustomEvent(name, { detail: version, bubbles: true }));
  }

  override render(): TemplateResult {
    return html`<section class="card" aria-labelledby="versions-heading">
        <h2 id="versions-heading">Versions</h2>
        <div class="table-scroll" tabindex="0" role="region" aria-label="Versions table"><table>
          <thead><tr><th scope="col">Version</th><th scope="col">Author</th><th scope="col">Saved</th><th scope="col">Actions</th></tr></thead>
          <tbody>${this.versions.map((v) => html`<tr>
            <th scope="row">v${v.version}${v.version === this.publishedVersion ? html` <span class="badge ok">published</span>` : nothing}${v.version === this.latestVersion ? html` <span class="badge">latest</span>` : nothing}</th>
            <td>${v.author}</td><td>${formatWhen(v.createdAt)}</td>
            <td class="actions-cell">
              ${v.version !== (this.publishedVersion ?? 1) ? html`<button type="button" class="link" @click=${() => void this.compare(v.version)}>Compare v${v.version} with published</button>` : nothing}
              ${this.writable && v.version !== this.latestVersion ? html`<button type="button" class="link" @click=${() => this.ask("restore-version", v.version)}>Restore v${v.version} as a new version</button>` : nothing}
              ${this.writable && v.version !== this.publishedVersion ? html`<button type="button" class="link" @click=${() => this.ask("publish-version", v.version)}>Publish v${v.version}</button>` : nothing}
            </td></tr>`)}</tbody>
        </table></div>
        ${this.diff ? this.renderDiff() : nothing}
      </section>
      ${this.renderUsage()}`;
  }

  private renderDiff(): TemplateResult {
    const changes = this.diff!.filter((l) => l.kind !== "same").length;
    return html`<div class="diff">
      <h3 id="diff-heading" tabindex="-1">Version ${this.compared} against the published version ${this.publishedVersion ?? 1}: ${changes === 0 ? "no differences" : `${changes} changed lines`}</h3>
      <p class="hint">Lines starting with + are only in version ${this.compared}; lines starting with − are only in the published version.</p>
      <ol class="diff-lines">${this.diff!.map((l) => l.kind === "same" ? html`<li class="same"><span aria-hidden="true">  </span>${l.text}</li>`
        : l.kind === "added" ? html`<li class="added"><ins><span class="visually-hidden">added: </span><span aria-hidden="true">+ </span>${l.text}</ins></li>`
        : html`<li class="removed"><del><span class="visually-hidden">removed: </span><span aria-hidden="true">− </span>${l.text}</del></li>`)}</ol>
      <button type="button" class="secondary" @click=${() => { this.diff = null; this.compared = null; }}>Close the comparison</button>
    </div>`;
  }

  private renderUsage(): TemplateResult {
    const u = this.usage;
    return html`<section class="card" aria-labelledby="usage-heading">
      <h2 id="usage-heading">Where it is used</h2>
      ${!u ? html`<p aria-busy="true">Loading…</p>` : html`
        <h3>Rules that send it</h3>
        ${u.rules.length === 0 ? html`<p>No rule sends this template yet.</p>` : html`<ul>${u.rules.map((r) => html`<li>
          <a href="#/rules/${encodeURIComponent(r.key)}">${r.key}</a>: ${r.name} (${r.eventType ? `on ${r.eventType}` : `after ${r.inactiveDays} inactive days`}${r.enabled ? "" : ", disabled"})</li>`)}</ul>`}
        <h3>Latest deliveries</h3>
        ${u.deliveries.length === 0 ? html`<p>Not delivered to anyone yet.</p>` : html`<div class="table-scroll" tabindex="0" role="region" aria-label="Latest deliveries"><table>
          <thead><tr><th scope="col">Learner</th><th scope="col">Version</th><th scope="col">Variant</th><th scope="col">Rule</th><th scope="col">Delivered</th><th scope="col">Status</th></tr></thead>
          <tbody>${u.deliveries.map((d) => html`<tr><td><a href="#/learners/${encodeURIComponent(d.learnerId)}">${d.learnerId}</a></td><td>v${d.templateVersion}</td><td>${d.variant}</td>
            <td>${d.ruleKey}</td><td>${formatWhen(d.deliveredAt)}</td><td>${d.status}</td></tr>`)}</tbody></table></div>`}`}
    </section>`;
  }
}

if (!customElements.get("studio-template-history")) customElements.define("studio-template-history", TemplateHistory);
