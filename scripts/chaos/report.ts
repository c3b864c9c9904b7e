/** The table a chaos run prints (and the README keeps): one row per scenario, then what failed, in words. */
import { passed } from "./run-scenarios";
import type { ScenarioResult } from "./bench";

const HEADER = ["scenario", "sent", "stored", "matched", "delivered", "lost", "duplicated", "5xx", "recover", "checks", "result"];

const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);

/** A Markdown table (readable in a terminal too). */
export function formatTable(results: ScenarioResult[]): string {
  const rows = results.map((r) => [
    r.name,
    String(r.tally.sent),
    String(r.tally.stored),
    String(r.tally.matched),
    String(r.tally.delivered),
    String(r.tally.lost),
    String(r.tally.duplicated),
    String(r.status5xx),
    seconds(r.recoverMs),
    r.checks.map((c) => `${c.ok ? "" : "✘ "}${c.label}`).join("; ") || "—",
    r.error ? "error" : passed(r) ? "pass" : "FAIL",
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(HEADER), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** What went wrong, per failed scenario: the error, or the numbers behind lost and duplicated. */
export function formatFailures(results: ScenarioResult[]): string {
  return results
    .filter((r) => !passed(r))
    .map((r) => {
      if (r.error) return `${r.name}: ${r.error}`;
      const t = r.tally;
      return `${r.name}: acknowledged ${t.acknowledged}, not stored ${t.notStored}, unmatched ${t.unmatched}, undelivered ${t.undelivered}, still scheduled ${t.scheduled}, isolated ${t.isolated}, duplicated ${t.duplicated}; failed checks: ${
        r.checks
          .filter((c) => !c.ok)
          .map((c) => c.label)
          .join(", ") || "none"
      }`;
    })
    .join("\n");
}
