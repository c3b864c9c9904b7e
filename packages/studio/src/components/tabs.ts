/**
 * Tabs as the ARIA pattern has them: a tablist whose selected tab says so (aria-selected), arrow keys, Home and
 * End move between tabs, only the selected tab is in the Tab order, and each tab controls its panel.
 */
import { html, type TemplateResult } from "lit";

export interface Tab {
  id: string;
  label: string;
}

/** The tablist; the caller renders the panel with id `${prefix}-panel` and aria-labelledby `${prefix}-tab-${selected}`. */
export function renderTabs(prefix: string, label: string, tabs: Tab[], selected: string, select: (id: string) => void): TemplateResult {
  const move = (event: KeyboardEvent, index: number) => {
    const next = event.key === "ArrowRight" ? index + 1 : event.key === "ArrowLeft" ? index - 1 : event.key === "Home" ? 0 : event.key === "End" ? tabs.length - 1 : null;
    if (next === null) return;
    event.preventDefault();
    const target = tabs[(next + tabs.length) % tabs.length];
    select(target.id);
    requestAnimationFrame(() => document.getElementById(`${prefix}-tab-${target.id}`)?.focus());
  };
  return html`<div role="tablist" aria-label=${label} class="tabs">
    ${tabs.map(
      (tab, index) => html`<button type="button" role="tab" id="${prefix}-tab-${tab.id}" aria-controls="${prefix}-panel"
        aria-selected=${tab.id === selected ? "true" : "false"} tabindex=${tab.id === selected ? 0 : -1}
        @click=${() => select(tab.id)} @keydown=${(e: KeyboardEvent) => move(e, index)}>${tab.label}</button>`,
    )}
  </div>`;
}
