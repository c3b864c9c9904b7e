/// <reference lib="dom" />
/**
 * The studio as an analyst uses it, in real Chromium against the real engine (workers, PostgreSQL, Redis):
 * open the experiments list and read a verdict in words with its sample-ratio check and holdout lift; chart a
 * week of rates with their intervals and say which days are shown (whole local days, both included); sort a
 * table by keyboard; download the CSV the engine makes; open a learner's timeline and find why a message was
 * not sent. No script errors, no stray "null", axe-core finds nothing on any of the three views, and at
 * 390 px nothing scrolls sideways. Screenshots of the views go to docs/screenshots/ with `UPDATE_SCREENSHOTS=1`.
 */
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { axeSource, describeInBrowser, launchBrowser, screenshotDir } from "../setup/browser";
import { seedAnalystStory } from "../factories/analyst-story";
import { listen } from "../../src/http/server";

// Several browser waits of up to BROWSER_WAIT_MS each, and a browser and an engine to start: bounds for a busy machine.
jest.setTimeout(300_000);

const TIME_ZONE = "Europe/Paris";
const SCREENSHOTS = screenshotDir();

/** Today's date in the viewer's zone and `n` days before it, YYYY-MM-DD. */
function localDay(offsetDays: number): string {
  const day = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(day);
}

describeInBrowser("the studio for analysts, in Chromium", () => {
  let engine: TestEngine;
  let server: Server;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;
  let learnerId: string;
  const errors: string[] = [];

  /** Opens the studio signed in with the analyst key, at a view's hash path. */
  const open = async (path: string, width = 1280): Promise<Page> => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    page.on("pageerror", (e) => errors.push(e.message));
    // A 404 the view expects (an unknown learner) logs "Failed to load resource"; server errors are caught by status.
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
    });
    page.on("response", (r) => {
      if (r.status() >= 500) errors.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${origin}/admin/`);
    await page.getByLabel("API key").fill(engine.keys.analyst);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("role analyst", { exact: false }).waitFor();
    await page.evaluate((hash) => {
      location.hash = hash;
    }, `#${path}`);
    return page;
  };

  const axe = async (page: Page) => {
    await page.evaluate(axeSource());
    const result = await page.evaluate(async () =>
      (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; help: string; nodes: Array<{ target: unknown }> }> }> } }).axe.run(),
    );
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")})`);
  };

  /** True when the page is wider than its viewport (the user would scroll sideways). */
  const scrollsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

  const visibleText = (page: Page) => page.evaluate(() => document.body.innerText);

  beforeAll(async () => {
    engine = await startTestEngine({ workers: true });
    ({ learnerId } = await seedAnalystStory(engine));
    ({ server } = await listen(engine.app, 0));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    context = await browser.newContext({ timezoneId: TIME_ZONE, locale: "en-GB", acceptDownloads: true });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await engine?.close();
  });

  afterEach(() => {
    expect(errors).toEqual([]);
  });

  it("lists the experiments and reads a verdict in words, the sample-ratio check and the holdout lift", async () => {
    const page = await open("/experiments");
    const card = page.locator("article.an-card", { has: page.getByRole("heading", { name: /After a failed quiz/ }) });
    await card.waitFor();
    await expect(card.locator(".an-verdict").innerText()).resolves.toMatch(/^Winner: B is more helpful than A with \d+% probability\.$/);
    await expect(card.innerText()).resolves.toMatch(/Looks right: the variants got the traffic their weights promise \(p = [01]\.\d{3}; flagged below p = 0\.001\)\./);
    const holdout = page.locator("article.an-card", { has: page.getByRole("heading", { name: /Cheer a started module/ }) });
    await expect(holdout.innerText()).resolves.toMatch(/20% of learners held out\. Did the learner do module\.completed within 7 days\?/);
    // Picked from a list, never typed: choosing one rule shows only its card, and the choice is in the URL.
    await page.getByLabel("Show").selectOption("module-cheer");
    await expect(page.locator("article.an-card").count()).resolves.toBe(1);
    expect(page.url()).toMatch(/#\/experiments\?rule=module-cheer$/);
    expect(await visibleText(page)).not.toMatch(/\bnull\b|undefined|NaN|\[object Object\]/);
    await page.getByLabel("Show").selectOption("");
    await page.screenshot({ path: join(SCREENSHOTS, "experiments.png"), fullPage: true });
    expect(await axe(page)).toEqual([]);
    await page.close();
  });

  it("charts a week of rates with intervals, states the days, sorts by keyboard and downloads the CSV", async () => {
    const page = await open("/analytics");
    await page.getByLabel("From (first day)").fill(localDay(-6));
    await page.getByLabel("To (last day, included)").fill(localDay(0));
    await page.getByLabel("Group by").selectOption("variant");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await page.getByRole("heading", { name: "Messages over time, by variant" }).waitFor();
    await expect(page.locator(".an-range").innerText()).resolves.toMatch(new RegExp(`\\(7 days, both included\\), in your time zone, ${TIME_ZONE}`));
    // Three rate charts and the suppressions chart, each drawn (uPlot canvas) with its text alternative.
    await page.waitForFunction(() => document.querySelectorAll("analytics-chart canvas").length === 4);
    await expect(page.locator("analytics-chart .an-chart-summary").first().innerText()).resolves.toMatch(/^Messages delivered per day by variant, totals for the range: A: \d+; B: \d+\.$/);
    await page.getByText("Helpful rate per day: the figures as a table").click();
    await expect(page.locator("analytics-chart").nth(2).locator("tbody tr").count()).resolves.toBe(7);
    await expect(page.locator("analytics-chart").nth(2).locator("tbody tr").first().innerText()).resolves.toMatch(/\d+(\.\d)?% \(\d+(\.\d)?–\d+(\.\d)?%\)/);

    // The Responded column, sorted by keyboard with aria-sort saying so.
    const table = page.locator("analytics-table").first();
    const header = table.getByRole("columnheader", { name: /Responded/ });
    await header.getByRole("button").focus();
    await page.keyboard.press("Enter");
    await expect(header.getAttribute("aria-sort")).resolves.toBe("descending");
    const responded = await table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => Number((r.children[4] as HTMLElement).innerText.replace(/\D/g, ""))));
    expect(responded).toEqual([...responded].sort((a, b) => b - a));
    await page.keyboard.press("Enter");
    await expect(header.getAttribute("aria-sort")).resolves.toBe("ascending");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).first().click()]);
    expect(download.suggestedFilename()).toBe(`messages-by-variant-${localDay(-6)}-to-${localDay(0)}.csv`);
    const csv = readFileSync((await download.path())!, "utf8")
      .trim()
      .split("\r\n");
    expect(csv[0].split(",")).toEqual(expect.arrayContaining(["variant", "delivered", "responded", "helpfulRateCILow", "helpfulRateCIHigh"]));
    expect(csv.slice(1).map((line) => line.split(",")[0])).toEqual(["A", "B"]);

    // The suppressions by reason, in words.
    await expect(page.locator("analytics-table").nth(1).innerText()).resolves.toMatch(/Daily cap \(cap\.day\)\s+Suppressed \(not sent\)\s+\d+\s+Daily cap reached/);
    expect(await visibleText(page)).not.toMatch(/\bnull\b|undefined|NaN|\[object Object\]/);
    expect(page.url()).toContain(`from=${localDay(-6)}`);
    await page.screenshot({ path: join(SCREENSHOTS, "analytics.png"), fullPage: true });
    expect(await axe(page)).toEqual([]);
    await page.close();
  });

  it("shows the API's error next to the field it names, and a one-day range is that whole day", async () => {
    const page = await open(`/analytics?from=${localDay(0)}&to=${localDay(0)}&groupBy=template`);
    await page.getByRole("heading", { name: "Totals by template" }).waitFor();
    await expect(page.locator(".an-range").innerText()).resolves.toMatch(/\(one day\)/);
    const today = await page.locator("analytics-table").first().locator("tbody tr").count();
    expect(today).toBeGreaterThan(0);
    await page.getByLabel("From (first day)").fill(localDay(0));
    await page.getByLabel("To (last day, included)").fill(localDay(-3));
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await expect(page.locator("#an-to-error").innerText()).resolves.toBe("The end date is before the start date.");
    await expect(page.getByLabel("To (last day, included)").getAttribute("aria-describedby")).resolves.toBe("an-to-error");
    await page.close();
    // A date the form cannot catch (a shared link with a 13th month) is refused by the API, whose words show at the field.
    const link = await open("/analytics?from=2026-13-45&to=2026-13-46");
    await link.locator("#an-from-error").waitFor();
    await expect(link.locator("#an-from-error").innerText()).resolves.toMatch(/^must be a date \(YYYY-MM-DD\) or an instant/);
    await expect(link.getByLabel("From (first day)").getAttribute("aria-invalid")).resolves.toBe("true");
    expect(await visibleText(link)).not.toMatch(/\bnull\b|undefined/);
    await link.close();
  });

  it("opens a learner's timeline from the search box and finds why a message was not sent", async () => {
    const page = await open("/learners");
    await page.getByLabel("Learner id").fill("nobody-like-this");
    await page.keyboard.press("Enter");
    await expect(page.locator("#lr-id-error").innerText()).resolves.toMatch(/No learner with the id “nobody-like-this”/);
    await expect(page.getByLabel("Learner id").getAttribute("aria-invalid")).resolves.toBe("true");
    await page.getByLabel("Learner id").fill(learnerId);
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`#/learners/${learnerId}$`));
    const refusal = page.locator("li.tl-suppressed").first();
    await refusal.waitFor();
    await expect(refusal.innerText()).resolves.toMatch(
      /Not sent rule module-cheer after module\.started[\s\S]*Why: This rule already reached the learner as many times as it may — 1 of 1 allowed by this rule already delivered \(max_per_learner\)/,
    );
    await expect(page.locator(".an-why-summary").innerText()).resolves.toMatch(/latest: This rule already reached the learner as many times as it may for rule module-cheer/);
    await expect(page.locator("li.tl-delivered").first().innerText()).resolves.toMatch(/Delivered Message “Good start, Ada” from rule module-cheer/);
    await expect(page.getByRole("heading", { name: `Ada Lovelace (${learnerId})` }).isVisible()).resolves.toBe(true);
    // Only the decisions: events leave the list.
    await page.getByLabel("Events").uncheck();
    await page.waitForFunction(() => document.querySelectorAll("li.tl-event").length === 0);
    await expect(page.locator("li.tl-suppressed").count()).resolves.toBe(1);
    await page.getByLabel("Events").check();
    await page.locator("li.tl-event").first().waitFor();
    expect(await visibleText(page)).not.toMatch(/\bnull\b|undefined|NaN|\[object Object\]/);
    await page.screenshot({ path: join(SCREENSHOTS, "learner-timeline.png"), fullPage: true });
    expect(await axe(page)).toEqual([]);
    await page.close();
  });

  it("fits a 390 px phone without sideways scrolling on every analyst view (tables scroll in their own region)", async () => {
    for (const [path, ready] of [
      ["/experiments", "article.an-card"],
      [`/analytics?from=${localDay(-6)}&to=${localDay(0)}&groupBy=template`, "analytics-chart canvas"],
      [`/learners/${learnerId}`, "li.tl-suppressed"],
    ] as const) {
      const page = await open(path, 390);
      await page.locator(ready).first().waitFor();
      expect({ path, sideways: await scrollsSideways(page) }).toEqual({ path, sideways: false });
      expect({ path, violations: await axe(page) }).toEqual({ path, violations: [] });
      await page.close();
    }
  });
});
