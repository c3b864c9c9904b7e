/**
 * <studio-learner> (#/learners and #/learners/:learnerId): find a learner by id, then read everything the
 * engine decided for them — delivered, held out, suppressed and deferred messages with the reason in words —
 * beside their events, feedback, goals and self-assessments, newest first. "Why didn't this learner get
 * it?" is answered here without SQL.
 */
import { html, nothing, type PropertyValues } from "lit";
import { StudioView } from "../studio-view";
import { ApiProblem } from "../../api";
import { viewerTimeZone } from "./format";
import { learnerProfilePanel, type LearnerProfile } from "./learner-profile-panel";
import { TIMELINE_FILTERS, isRefusal, timelineItem, type TimelineEntry } from "./timeline-entry";

const PAGE = 50;
type FilterKey = (typeof TIMELINE_FILTERS)[number]["key"];

export class StudioLearner extends StudioView {
  static override properties = {
    ...StudioView.properties,
    query: { state: true },
    searchError: { state: true },
    profile: { state: true },
    profileNote: { state: true },
    entries: { state: true },
    nextCursor: { state: true },
    loading: { state: true },
    failure: { state: true },
    filters: { state: true },
  };

  declare query: string;
  declare searchError: string;
  declare profile: LearnerProfile | null;
  declare profileNote: string;
  declare entries: TimelineEntry[] | null;
  declare nextCursor: string | null;
  declare loading: boolean;
  declare failure: string;
  declare filters: Set<FilterKey>;
  private loaded: string | null = null;
  private request = 0;

  constructor() {
    super();
    this.query = "";
    this.searchError = "";
    this.profile = null;
    this.profileNote = "";
    this.entries = null;
    this.nextCursor = null;
    this.loading = false;
    this.failure = "";
    this.filters = new Set(TIMELINE_FILTERS.map((f) => f.key));
  }

  private get learnerId(): string {
    return this.params?.learnerId ?? "";
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has("params") || changed.has("api")) && this.api && this.learnerId !== this.loaded) {
      this.loaded = this.learnerId;
      this.query = this.learnerId;
      this.reset();
      if (this.learnerId) void this.load(false);
    }
  }

  private reset(): void {
    this.profile = null;
    this.profileNote = "";
    this.entries = null;
    this.nextCursor = null;
    this.failure = "";
    this.searchError = "";
  }

  private types(): string {
    return TIMELINE_FILTERS.filter((f) => this.filters.has(f.key))
      .flatMap((f) => f.types)
      .join(",");
  }

  /** The first page (with the profile), or the next one (`more`). */
  async load(more: boolean): Promise<void> {
    const id = this.learnerId;
    const types = this.types();
    const mine = ++this.request;
    this.loading = true;
    this.failure = "";
    const query = new URLSearchParams({ limit: String(PAGE), types });
    if (more && this.nextCursor) query.set("before", this.nextCursor);
    const path = `/v1/learners/${encodeURIComponent(id)}`;
    try {
      const [page, profile] = await Promise.all([
        this.api.get<{ entries: TimelineEntry[]; nextCursor: string | null }>(`${path}/timeline?${query}`),
        more ? Promise.resolve(undefined) : this.api.get<LearnerProfile>(path).catch((e: unknown) => e),
      ]);
      if (mine !== this.request) return;
      this.entries = more ? [...(this.entries ?? []), ...page.entries] : page.entries;
      this.nextCursor = page.nextCursor;
      if (!more) {
        if (profile instanceof ApiProblem)
          this.profileNote = profile.status === 403 ? "Your key's role may not read learner profiles; the timeline below is complete." : `The profile could not be loaded: ${profile.detail}`;
        else this.profile = (profile as LearnerProfile) ?? null;
      }
    } catch (error) {
      if (mine !== this.request) return;
      if (error instanceof ApiProblem && error.status === 404)
        this.searchError = `No learner with the id “${id}”: the engine has never received an event for them. Check the id (it is case-sensitive).`;
      else if (error instanceof ApiProblem) this.failure = error.status === 403 ? "Your key's role may not read learners." : error.detail;
      else this.failure = "The timeline could not be loaded. Try again.";
    } finally {
      if (mine === this.request) this.loading = false;
    }
  }

  private search(e: Event): void {
    e.preventDefault();
    const id = this.query.trim();
    if (!id) {
      this.searchError = "Type a learner id, e.g. L1.";
      return;
    }
    this.searchError = "";
    if (id === this.learnerId) void this.load(false);
    else this.navigate(`/learners/${encodeURIComponent(id)}`);
  }

  private toggle(key: FilterKey, on: boolean): void {
    const next = new Set(this.filters);
    if (on) next.add(key);
    else next.delete(key);
    if (next.size === 0) return; // at least one kind stays shown
    this.filters = next;
    if (this.learnerId) void this.load(false);
  }

  protected override render() {
    return html`
      <section class="an-view" aria-labelledby="lr-title">
        <h1 id="lr-title">Learners</h1>
        <form class="an-controls an-controls-inline" role="search" aria-label="Find a learner" @submit=${this.search} novalidate>
          <div class="an-field">
            <label for="lr-id">Learner id</label>
            <input id="lr-id" type="search" autocomplete="off" spellcheck="false" .value=${this.query}
              aria-invalid=${this.searchError ? "true" : "false"} aria-describedby=${this.searchError ? "lr-id-error lr-id-hint" : "lr-id-hint"}
              @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)} />
            <p class="an-hint" id="lr-id-hint">The id your course player sends as learnerId.</p>
            ${this.searchError ? html`<p class="an-error" id="lr-id-error">${this.searchError}</p>` : nothing}
          </div>
          <div class="an-actions"><button type="submit" class="an-primary">Open timeline</button></div>
        </form>
        ${this.learnerId ? this.renderLearner() : html`<p class="an-lead">Open a learner to see every message the engine sent, held out, suppressed or deferred for them and why, with their feedback, goals and self-assessments.</p>`}
      </section>`;
  }

  private renderLearner() {
    const entries = this.entries;
    const refusals = (entries ?? []).filter(isRefusal);
    return html`
      <p class="an-status" role="status" aria-live="polite">${this.loading ? "Loading the timeline…" : entries ? `${entries.length} ${entries.length === 1 ? "entry" : "entries"} shown.` : ""}</p>
      ${this.failure ? html`<p class="an-error" role="alert">${this.failure}</p>` : nothing}
      ${this.profile ? learnerProfilePanel(this.profile) : nothing}
      ${this.profileNote ? html`<p class="an-hint">${this.profileNote}</p>` : nothing}
      ${entries === null && !this.searchError ? (this.loading ? html`<p class="an-loading">Loading…</p>` : nothing) : nothing}
      ${
        entries === null
          ? nothing
          : html`
        <section class="an-panel" aria-labelledby="lr-timeline" aria-busy=${this.loading ? "true" : "false"}>
          <h2 id="lr-timeline">Timeline</h2>
          <p class="an-hint">Newest first. Times in your time zone, ${viewerTimeZone()}.</p>
          ${refusals.length ? html`<p class="an-why-summary">${refusals.length} ${refusals.length === 1 ? "decision" : "decisions"} not to send (or not yet) below; the latest: <strong>${refusals[0].reasonText ?? refusals[0].reason}</strong>${refusals[0].ruleKey ? html` for rule <code>${refusals[0].ruleKey}</code>` : nothing}.</p>` : nothing}
          <fieldset class="an-filters">
            <legend>Show</legend>
            ${TIMELINE_FILTERS.map(
              (f) => html`
              <label class="an-check"><input type="checkbox" .checked=${this.filters.has(f.key)} ?disabled=${this.filters.has(f.key) && this.filters.size === 1}
                @change=${(e: Event) => this.toggle(f.key, (e.target as HTMLInputElement).checked)} /> ${f.label}</label>`,
            )}
          </fieldset>
          ${
            entries.length
              ? html`<ol class="tl-list">${entries.map((e) => timelineItem(e, this.profile?.throttle?.timezone ?? this.profile?.timezone ?? null))}</ol>`
              : html`<p class="an-empty">Nothing of these kinds recorded for this learner yet.</p>`
          }
          ${this.nextCursor ? html`<button type="button" @click=${() => this.load(true)} ?disabled=${this.loading}>Show older entries</button>` : entries.length ? html`<p class="an-hint">That is the whole timeline.</p>` : nothing}
        </section>`
      }`;
  }
}
