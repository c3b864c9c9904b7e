/**
 * One experiment as an analyst reads it, top to bottom: the verdict in a sentence, whether the traffic split
 * can be trusted (sample-ratio check), the holdout's lift in points with its interval, then each variant's
 * figures in a sortable table.
 */
import { html, nothing, type TemplateResult } from "lit";
import type { Column } from "./sortable-table";
import { formatCount, formatPoints, formatProbability, formatPValue, formatRate, formatRateWithInterval } from "./format";

export interface VariantReport {
  variant: string;
  control: boolean;
  paused: boolean;
  pause: { reason: string; pausedAt: string } | null;
  assigned: number;
  delivered: number;
  engaged: number;
  engagementRate: number | null;
  engagementRateCI: [number, number];
  helpful: number;
  notHelpful: number;
  votes: number;
  helpfulRate: number | null;
  helpfulRateCI: [number, number];
  vsControl: { difference: number; z: number; pValue: number } | null;
  probabilityBest: number;
}

interface Arm {
  learners: number;
  converted: number;
  rate: number | null;
  rateCI: [number, number];
}

export interface ExperimentReport {
  ruleKey: string;
  ruleName: string;
  enabled: boolean;
  templateKey: string;
  mode: "split" | "bandit";
  control: string | null;
  variants: VariantReport[];
  sampleRatio: { chiSquare: number; degreesOfFreedom: number; pValue: number; flagged: boolean } | null;
  verdict: { status: "broken_split" | "single_variant" | "not_enough_data" | "no_clear_winner" | "winner"; text: string; winner?: string };
  holdout: {
    share: number;
    lift: { followUp: { eventType: string; withinDays: number }; sent: Arm; heldOut: Arm; lift: number | null; liftCI: [number, number] | null; verdict: string } | null;
  } | null;
}

const STATUS_LABEL: Record<ExperimentReport["verdict"]["status"], string> = {
  winner: "Winner",
  no_clear_winner: "No clear winner yet",
  not_enough_data: "Not enough data yet",
  single_variant: "Nothing to compare",
  broken_split: "Traffic split broken",
};

/** The verdict sentence with a capital letter and a full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  return t ? `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? "" : "."}` : "";
}

/** The sample-ratio check in words. */
export function sampleRatioText(report: ExperimentReport): string {
  const srm = report.sampleRatio;
  if (!srm)
    return report.mode === "bandit"
      ? "Not checked: a bandit moves traffic on purpose, so only split assignments can be checked, and there are none yet."
      : "Not checked yet: fewer than two variants have split assignments.";
  const p = formatPValue(srm.pValue);
  return srm.flagged
    ? `Broken: the variants did not get the traffic their weights promise (chi-square ${srm.chiSquare.toFixed(1)}, ${p}). Fix assignment before reading any other figure.`
    : `Looks right: the variants got the traffic their weights promise (${p}; flagged below p = 0.001).`;
}

/** The holdout's lift in words and figures. */
function holdoutBlock(report: ExperimentReport): TemplateResult | typeof nothing {
  const holdout = report.holdout;
  if (!holdout) return nothing;
  const share = formatRate(holdout.share);
  if (!holdout.lift) {
    return html`<div class="an-fact"><dt>Holdout</dt><dd>${share} of learners are held out. No follow-up event is set on this rule, so no lift is measured; set the rule's holdout follow-up (for example module.completed within 7 days).</dd></div>`;
  }
  const { followUp, sent, heldOut, lift, liftCI, verdict } = holdout.lift;
  const arm = (label: string, a: Arm) =>
    a.learners ? html`${label}: <strong>${formatRate(a.rate)}</strong> (${formatCount(a.converted)} of ${formatCount(a.learners)} learners)` : html`${label}: <strong>no learners yet</strong>`;
  return html`
    <div class="an-fact">
      <dt>Holdout lift</dt>
      <dd>
        <p>${share} of learners held out. Did the learner do <code>${followUp.eventType}</code> within ${followUp.withinDays} days?</p>
        <p>${arm("Sent", sent)}; ${arm("held out", heldOut)}.</p>
        ${lift !== null && liftCI ? html`<p>Lift: <strong>${formatPoints(lift)}</strong> (95% CI ${formatPoints(liftCI[0])} to ${formatPoints(liftCI[1])}).</p>` : nothing}
        <p>${sentence(verdict)}</p>
      </dd>
    </div>`;
}

/** The variants table's columns; with a single variant there is nothing to be best against. */
export function variantColumns(single = false): Column<VariantReport>[] {
  return [
    {
      key: "variant",
      label: "Variant",
      render: (v) => html`${v.variant}${v.control ? html` <span class="an-badge">control</span>` : nothing}${v.paused ? html` <span class="an-badge an-badge-warn">paused</span>` : nothing}`,
    },
    { key: "delivered", label: "Delivered", numeric: true, render: (v) => formatCount(v.delivered) },
    { key: "engagementRate", label: "Engagement rate (95% CI)", numeric: true, render: (v) => formatRateWithInterval(v.engagementRate, v.delivered ? v.engagementRateCI : null, "nothing delivered") },
    { key: "votes", label: "Votes", numeric: true, render: (v) => formatCount(v.votes) },
    { key: "helpfulRate", label: "Helpful rate (95% CI)", numeric: true, render: (v) => formatRateWithInterval(v.helpfulRate, v.votes ? v.helpfulRateCI : null, "no votes yet") },
    {
      key: "vsControl",
      label: "Versus control",
      numeric: true,
      sortValue: (v) => v.vsControl?.difference,
      render: (v) => (v.control ? "is the control" : v.vsControl ? `${formatPoints(v.vsControl.difference)} (${formatPValue(v.vsControl.pValue)})` : "not enough votes"),
    },
    { key: "probabilityBest", label: "Chance of being best", numeric: true, render: (v) => (single ? "n/a (one variant)" : formatProbability(v.probabilityBest)) },
  ];
}

/** The whole card. */
export function experimentCard(report: ExperimentReport, headingId: string): TemplateResult {
  const status = report.verdict.status;
  return html`
    <article class="an-card" aria-labelledby=${headingId}>
      <h2 id=${headingId}>${report.ruleName} <span class="an-key">(${report.ruleKey})</span></h2>
      <p class="an-meta">
        ${report.enabled ? "Enabled" : "Disabled"} · template <code>${report.templateKey}</code> ·
        ${report.mode === "bandit" ? "bandit (traffic moves toward the most helpful variant)" : "split by the variants' weights"}
        ${report.control ? html` · control ${report.control}` : nothing}
      </p>
      <p class=${`an-verdict an-verdict-${status}`}><strong>${STATUS_LABEL[status]}:</strong> ${sentence(report.verdict.text)}</p>
      <dl class="an-facts">
        <div class="an-fact"><dt>Traffic split (sample-ratio check)</dt><dd>${sampleRatioText(report)}</dd></div>
        ${holdoutBlock(report)}
      </dl>
      ${
        report.variants.length
          ? html`<analytics-table .caption=${`Variants of ${report.ruleName}`} .columns=${variantColumns(report.variants.length < 2)} .rows=${report.variants}></analytics-table>`
          : html`<p class="an-empty">The rule's template has no published variant yet.</p>`
      }
    </article>`;
}
