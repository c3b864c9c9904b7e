/**
 * <studio-experiments> (#/experiments): every rule running an experiment, picked from a list (never typed as a
 * rule key), each with its verdict in words, the sample-ratio check and the holdout lift as figures.
 */
import { html, nothing, type PropertyValues } from "lit";
import { StudioView } from "../studio-view";
import { ApiProblem } from "../../api";
import { experimentCard, type ExperimentReport } from "./experiment-card";

export class StudioExperiments extends StudioView {
  static override properties = {
    ...StudioView.properties,
    experiments: { state: true },
    loading: { state: true },
    failure: { state: true },
    shown: { state: true },
  };

  declare experiments: ExperimentReport[] | null;
  declare loading: boolean;
  declare failure: string;
  /** The rule key shown alone, or "" for all. */
  declare shown: string;

  constructor() {
    super();
    this.experiments = null;
    this.loading = false;
    this.failure = "";
    this.shown = "";
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!(changed.has("params") || changed.has("api")) || !this.api) return;
    this.shown = this.params?.rule ?? new URLSearchParams(location.hash.split("?")[1] ?? "").get("rule") ?? "";
    if (this.experiments === null && !this.loading) void this.load();
  }

  /** Reads the list again (the figures move as votes arrive). */
  async load(): Promise<void> {
    this.loading = true;
    this.failure = "";
    try {
      this.experiments = (await this.api.get<{ experiments: ExperimentReport[] }>("/v1/analytics/experiments")).experiments;
    } catch (error) {
      this.failure = error instanceof ApiProblem ? (error.status === 403 ? "Your key's role may not read analytics." : error.detail) : "The experiments could not be loaded. Try again.";
    } finally {
      this.loading = false;
    }
  }

  private choose(ruleKey: string): void {
    this.shown = ruleKey;
    history.replaceState(history.state, "", ruleKey ? `#/experiments?${new URLSearchParams({ rule: ruleKey })}` : "#/experiments");
  }

  protected override render() {
    const list = this.experiments ?? [];
    const visible = this.shown ? list.filter((e) => e.ruleKey === this.shown) : list;
    return html`
      <section class="an-view" aria-labelledby="ex-title">
        <h1 id="ex-title">Experiments</h1>
        <p class="an-lead">Rules that compare variants or hold learners out to measure lift. A verdict needs at least 30 votes per variant and a 95% chance of being best.</p>
        <div class="an-controls an-controls-inline">
          ${
            list.length
              ? html`
                <div class="an-field">
                  <label for="ex-rule">Show</label>
                  <select id="ex-rule" @change=${(e: Event) => this.choose((e.target as HTMLSelectElement).value)}>
                    <option value="" ?selected=${!this.shown}>All ${list.length} experiments</option>
                    ${list.map((e) => html`<option value=${e.ruleKey} ?selected=${e.ruleKey === this.shown}>${e.ruleName} (${e.ruleKey})</option>`)}
                  </select>
                </div>`
              : nothing
          }
          <div class="an-actions"><button type="button" @click=${() => this.load()} ?disabled=${this.loading}>Refresh figures</button></div>
        </div>
        <p class="an-status" role="status" aria-live="polite">${this.loading ? "Loading the experiments…" : this.experiments ? `${list.length} ${list.length === 1 ? "experiment" : "experiments"} loaded.` : ""}</p>
        ${this.failure ? html`<p class="an-error" role="alert">${this.failure}</p>` : nothing}
        ${
          this.experiments === null
            ? this.loading
              ? html`<p class="an-loading">Loading…</p>`
              : nothing
            : list.length === 0
              ? html`<p class="an-empty">No rule is running an experiment. A rule runs one when its template has two or more published variants, or when it has an experiment or a holdout setting.</p>`
              : visible.length === 0
                ? html`<p class="an-empty">No experiment for the rule ${this.shown}. <button type="button" class="an-link" @click=${() => this.choose("")}>Show all experiments</button></p>`
                : html`<div class="an-cards" aria-busy=${this.loading ? "true" : "false"}>${visible.map((e, i) => experimentCard(e, `ex-${i}`))}</div>`
        }
      </section>`;
  }
}
