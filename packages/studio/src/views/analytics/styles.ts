/**
 * The analyst views' stylesheet, adopted by the document once (the views render in light DOM, as the whole
 * studio does): uPlot's own rules, then ours, every selector scoped under the analyst elements. Colours keep
 * a contrast of at least 4.5:1 on white; nothing is wider than the viewport at 390 px — tables scroll inside
 * their own region.
 */
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };

const scope = ":is(studio-analytics, studio-experiments, studio-learner)";

const css = `
${scope} { display: block; min-width: 0; max-width: 100%; }
${scope} .an-view { min-width: 0; }
${scope} .an-view h1 { margin: 0 0 .75rem; }
${scope} .an-panel { margin: 1.5rem 0; min-width: 0; }
${scope} .an-panel h2, ${scope} .an-card h2 { font-size: 1.2rem; margin: 0 0 .5rem; }
${scope} .an-panel-head { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: baseline; justify-content: space-between; }
${scope} .an-controls { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: flex-end; margin: 0 0 .75rem; }
${scope} .an-field { display: flex; flex-direction: column; gap: .25rem; min-width: 0; max-width: 100%; }
${scope} .an-field label { font-weight: 600; }
${scope} .an-field input, ${scope} .an-field select { font: inherit; padding: .35rem .5rem; border: 1px solid #6b6b6b; border-radius: 4px; min-height: 2.25rem; max-width: 100%; box-sizing: border-box; background: #fff; color: #111; }
${scope} .an-field input[type="search"], ${scope} .an-field input[type="text"] { width: 16rem; }
${scope} .an-field input[aria-invalid="true"] { border-color: #b00020; border-width: 2px; }
${scope} .an-actions { display: flex; flex-wrap: wrap; gap: .5rem; }
${scope} button { font: inherit; min-height: 2.25rem; padding: .35rem .8rem; border-radius: 4px; border: 1px solid #1f4e8c; background: #fff; color: #1f4e8c; cursor: pointer; }
${scope} button.an-primary { background: #1f4e8c; color: #fff; }
${scope} button:disabled { opacity: .6; cursor: not-allowed; }
${scope} button:focus-visible, ${scope} input:focus-visible, ${scope} select:focus-visible, ${scope} summary:focus-visible, ${scope} .an-table-scroll:focus-visible { outline: 3px solid #1f4e8c; outline-offset: 2px; }
${scope} button.an-link { border: 0; padding: 0; min-height: 0; text-decoration: underline; background: none; }
${scope} .an-hint { color: #4a4a4a; font-size: .9rem; margin: 0; }
${scope} .an-error { color: #b00020; font-weight: 600; margin: .25rem 0 0; }
${scope} .an-empty, ${scope} .an-loading { color: #4a4a4a; font-style: italic; }
${scope} .an-status:empty { display: none; }
${scope} .an-status { color: #4a4a4a; font-size: .9rem; margin: .25rem 0; }
${scope} .an-range { margin: .5rem 0; }
${scope} .an-lead { max-width: 48rem; }
${scope} .an-key { color: #4a4a4a; font-weight: normal; font-size: .9em; }
${scope} code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; overflow-wrap: anywhere; }
${scope} .an-visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; padding: 0; }
${scope} .an-table-scroll { overflow-x: auto; max-width: 100%; border: 1px solid #d0d0d0; border-radius: 4px; margin: .5rem 0; }
${scope} .an-table { border-collapse: collapse; width: 100%; font-size: .92rem; }
${scope} .an-table caption { text-align: left; padding: .5rem; font-weight: 600; caption-side: top; }
${scope} .an-table th, ${scope} .an-table td { padding: .4rem .6rem; border-top: 1px solid #e0e0e0; text-align: left; vertical-align: top; }
${scope} .an-table td { min-width: 7rem; }
${scope} .an-table .an-num { white-space: nowrap; min-width: 0; }
${scope} .an-table thead th { background: #f3f5f8; border-top: 0; vertical-align: bottom; }
${scope} .an-table tbody th { font-weight: 600; white-space: normal; min-width: 6rem; }
${scope} .an-table .an-num { text-align: right; font-variant-numeric: tabular-nums; }
${scope} .an-sort { border: 0; background: none; color: #111; font-weight: 600; padding: .1rem .2rem; min-height: 1.75rem; display: inline-flex; gap: .3rem; align-items: center; }
${scope} .an-sort-mark { color: #4a4a4a; font-size: .8em; }
${scope} .an-ci { color: #4a4a4a; }
${scope} .an-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); gap: 1rem; }
${scope} .an-chart { margin: 0; min-width: 0; border: 1px solid #e0e0e0; border-radius: 6px; padding: .75rem; }
${scope} .an-chart-title { font-size: 1rem; margin: 0 0 .25rem; }
${scope} .an-chart-summary { font-size: .9rem; color: #333; margin: 0 0 .5rem; }
${scope} .an-plot { width: 100%; min-width: 0; overflow: hidden; }
${scope} .an-plot .uplot { width: 100% !important; }
${scope} .an-legend { list-style: none; padding: 0; margin: 0 0 .5rem; display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .9rem; }
${scope} .an-legend li { display: inline-flex; align-items: center; gap: .35rem; overflow-wrap: anywhere; }
${scope} .an-swatch { display: inline-block; width: 1.5rem; border-top-width: 3px; }
${scope} .an-chart-data summary { cursor: pointer; color: #1f4e8c; margin-top: .25rem; }
${scope} .an-cards { display: grid; gap: 1.25rem; }
${scope} .an-card { border: 1px solid #d0d0d0; border-radius: 6px; padding: 1rem; min-width: 0; }
${scope} .an-meta { color: #4a4a4a; margin: 0 0 .5rem; }
${scope} .an-verdict { padding: .6rem .75rem; border-left: 4px solid #4a4a4a; background: #f3f5f8; margin: .5rem 0; }
${scope} .an-verdict-winner { border-color: #1b6e3a; background: #eef7f1; }
${scope} .an-verdict-broken_split { border-color: #b00020; background: #fdeeee; }
${scope} .an-verdict-no_clear_winner, ${scope} .an-verdict-not_enough_data { border-color: #8a5a00; background: #fdf6e7; }
${scope} .an-facts { margin: .5rem 0; display: grid; gap: .5rem; }
${scope} .an-facts-grid { grid-template-columns: repeat(auto-fit, minmax(min(100%, 18rem), 1fr)); }
${scope} .an-fact dt { font-weight: 600; }
${scope} .an-fact dd { margin: 0; overflow-wrap: anywhere; }
${scope} .an-fact dd p { margin: .15rem 0; }
${scope} .an-badge { display: inline-block; font-size: .75rem; padding: 0 .35rem; border-radius: 3px; background: #e6ecf5; color: #1f3a60; font-weight: 600; }
${scope} .an-badge-warn { background: #fdf0d5; color: #6b4400; }
${scope} .an-filters { border: 1px solid #d0d0d0; border-radius: 4px; padding: .5rem .75rem; margin: .5rem 0 1rem; display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; }
${scope} .an-filters legend { font-weight: 600; padding: 0 .25rem; }
${scope} .an-check { display: inline-flex; gap: .35rem; align-items: center; font-weight: normal; margin: 0; }
${scope} .an-why-summary { padding: .5rem .75rem; background: #fdf6e7; border-left: 4px solid #8a5a00; }
${scope} .tl-list { list-style: none; padding: 0; margin: 0; border-left: 2px solid #d0d0d0; }
${scope} .tl-entry { position: relative; padding: .4rem 0 .6rem 1rem; overflow-wrap: anywhere; }
${scope} .tl-entry time, ${scope} .tl-their-time { color: #4a4a4a; font-size: .85rem; }
${scope} .tl-what, ${scope} .tl-why { margin: .1rem 0; }
${scope} .tl-label { display: inline-block; font-weight: 700; min-width: 5.5rem; }
${scope} .tl-refusal { background: #fffaf0; }
${scope} .tl-refusal .tl-label { color: #8a3b00; }
${scope} .tl-delivered .tl-label { color: #1b6e3a; }
${scope} .tl-why { color: #222; }
${scope} .tl-code, ${scope} .tl-course, ${scope} .tl-props { color: #4a4a4a; font-size: .9em; }
${scope} .tl-props { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
`;

let adopted = false;

/** Adds the stylesheet to the document (once). */
export function adoptAnalyticsStyles(doc: Document = document): void {
  if (adopted) return;
  adopted = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`${uplotCss}\n${css}`);
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
}
