/**
 * Driving the studio (/admin) in Chromium: build its bundle, sign in with a key, reach a control with the Tab
 * key only, audit a view with axe-core, and measure horizontal overflow.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { axeSource } from "./browser";

/** Builds packages/studio/dist (as scripts/bootstrap.sh does for npm start / npm test), so the page is current. */
export function buildStudio(): void {
  execFileSync(process.execPath, [join(__dirname, "../../packages/studio/build.mjs")], { stdio: "inherit" });
}

/** Opens /admin/ (optionally at a hash route) and signs in with `key`; resolves once the navigation shows. */
export async function signIn(page: Page, base: string, key: string, hash = ""): Promise<void> {
  await page.goto(`${base}/admin/${hash}`);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Studio" }).waitFor();
}

/**
 * What has focus, described for matching: its tag, accessible-ish name and text (through shadow roots).
 * Page scripts are passed as text: this project's TypeScript has no DOM library (the engine runs on Node).
 */
export async function focused(page: Page): Promise<{ tag: string; name: string }> {
  return page.evaluate<{ tag: string; name: string }>(`(() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return { tag: "", name: "" };
    const labelled = el.getAttribute("aria-label") ?? (el.id ? document.querySelector('label[for="' + el.id + '"]')?.textContent : null) ?? el.closest("label")?.textContent ?? "";
    return { tag: el.tagName.toLowerCase(), name: (labelled + " " + (el.textContent ?? "")).replace(/\\s+/g, " ").trim() };
  })()`);
}

/** Presses Tab until the focused element's name matches (fails after `max` presses): proves it is keyboard-reachable. */
export async function tabTo(page: Page, name: RegExp, max = 250, key: "Tab" | "Shift+Tab" = "Tab"): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    if (name.test((await focused(page)).name)) return;
  }
  throw new Error(`${name} was not reached with ${key} in ${max} presses; focus is on ${JSON.stringify(await focused(page))}`);
}

/** axe-core's violations on the page as "rule: help (targets)". Injected through the DevTools protocol (the studio's CSP forbids inline scripts). */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate<boolean>(`"axe" in window`))) await page.evaluate(axeSource());
  const violations = await page.evaluate<Array<{ id: string; help: string; nodes: Array<{ target: unknown }> }>>(`axe.run().then((r) => r.violations)`);
  return violations.map(
    (v) =>
      `${v.id}: ${v.help} (${v.nodes
        .map((n) => JSON.stringify(n.target))
        .slice(0, 3)
        .join(", ")})`,
  );
}

/** How far the page is wider than its viewport (0 = no horizontal scrolling). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>(`Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth`);
}
