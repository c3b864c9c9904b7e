/**
 * Every content view of the studio in real Chromium: axe-core finds no violation, a 390 px wide phone shows
 * it without horizontal scrolling, and "Try it as a learner" shows the built-in welcome nudge within seconds
 * under the default policy (quiet hours included), whatever the hour. Screenshots of the main views are saved
 * to docs/screenshots/ for the README (with `UPDATE_SCREENSHOTS=1`).
 */
import { join } from "node:path";
import type { Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";
import { listen, closeServer } from "../../src/http/server";
import { seedBuiltins } from "../../src/seed/seed-builtins";
import { describeInBrowser, launchBrowser, screenshotDir } from "../setup/browser";
import { axeViolations, buildStudio, horizontalOverflow, signIn } from "../setup/studio";

// Several browser waits of up to BROWSER_WAIT_MS each, and a browser and an engine to start: bounds for a busy machine.
jest.setTimeout(300_000);

const SCREENSHOTS = screenshotDir();

/** Each view, and what shows it is drawn (not just loading). */
const VIEWS: Array<{ hash: string; ready: string; shot?: string; full?: boolean; prepare?: (page: Page) => Promise<void> }> = [
  { hash: "#/templates", ready: "table >> text=quiz-retry", shot: "templates.png" },
  {
    hash: "#/templates/quiz-retry",
    ready: ".message-card h3",
    shot: "template-editor.png",
    prepare: async (page) => {
      await page.getByLabel("Learner", { exact: true }).fill("ada");
      await page.getByLabel("Learner", { exact: true }).press("Enter");
      await page.locator(".message-body", { hasText: "Hi Ada" }).waitFor();
    },
  },
  { hash: "#/templates/new", ready: ".message-card h3" },
  {
    hash: "#/rules/quiz-retry",
    ready: "text=Test against a stored event",
    shot: "rule-editor.png",
    full: true,
    prepare: async (page) => {
      await page.getByRole("button", { name: "Test the rule" }).click();
      await page.locator("#test-summary").waitFor();
    },
  },
  { hash: "#/rules", ready: "table >> text=quiz-retry" },
  { hash: "#/rules/new", ready: "text=Create the rule" },
  { hash: "#/segments", ready: "table >> text=paid" },
  { hash: "#/segments/paid", ready: "studio-segment-members table" },
  { hash: "#/segments/english", ready: ".live-count >> text=match now", shot: "segment-editor.png" },
  { hash: "#/segments/active-sql", ready: "text=Last refresh" },
  { hash: "#/segments/new", ready: "text=Create the segment" },
  { hash: "#/policy", ready: "text=Save the policy", shot: "policy.png" },
  { hash: "#/mappings", ready: "text=Save the mappings" },
  { hash: "#/try", ready: "coach-inbox article", shot: "try-as-learner.png" },
];

describeInBrowser("the studio's content views, in Chromium", () => {
  let engine: TestEngine;
  let server: Server;
  let base: string;
  let browser: Browser;
  const author = () => `Bearer ${engine.keys.author}`;

  beforeAll(async () => {
    buildStudio();
    engine = await startTestEngine({ workers: true });
    await seedBuiltins(engine.ctx);
    const ingest = `Bearer ${engine.keys.ingest}`;
    const learner = { name: "Ada Lovelace", timezone: "Europe/London", locale: "en", attributes: { track: "paid" } };
    for (const [type, properties] of [
      ["course.enrolled", {}],
      ["quiz.submitted", { score: 0.4, passed: false }],
      ["module.completed", {}],
    ] as const) {
      expect(
        (
          await engine.http
            .post("/v1/events")
            .set("Authorization", ingest)
            .send(buildEvent({ learnerId: "ada", courseId: "ml-101", moduleId: "week-2", type, properties, learner }))
        ).status,
      ).toBe(202);
    }
    await engine.http.post("/v1/segments").set("Authorization", author()).send({ key: "paid", name: "Paid learners", type: "static" }).expect(201);
    await engine.http
      .put("/v1/segments/paid/members")
      .set("Authorization", author())
      .send({ learnerIds: ["ada", "grace", "hopper"], mode: "replace" })
      .expect(200);
    await engine.http
      .post("/v1/segments")
      .set("Authorization", author())
      .send({ key: "english", name: "English speakers", type: "attributes", conditions: { all: [{ field: "learner.locale", op: "eq", value: "en" }] } })
      .expect(201);
    await engine.http
      .post("/v1/segments")
      .set("Authorization", author())
      .send({ key: "active-sql", name: "Active this week", type: "sql", sql: "SELECT learner_id FROM learner_course_state WHERE last_activity_at > now() - interval '7 days'" })
      .expect(201);
    await engine.http.post("/v1/segments/active-sql/refresh").set("Authorization", author()).expect(200);
    await waitFor(
      () => engine.ctx.prisma.event.count({ where: { matchedAt: null } }),
      (n) => n === 0,
    );
    const listening = await listen(engine.app, 0);
    server = listening.server;
    base = `http://127.0.0.1:${listening.port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    if (server) await closeServer(server, 1_000);
    await engine?.close();
  });

  it("shows the built-in welcome nudge to a demo learner within seconds, under the default policy", async () => {
    const page = await browser.newPage();
    await signIn(page, base, engine.keys.author, "#/try");
    const card = page.locator("coach-inbox article").first();
    await card.waitFor();
    await expect(card.locator("h3").textContent()).resolves.toContain("Welcome, Ada");
    // The page says where the learner lives and that it is daytime there, and why a second nudge waits.
    const explanation = (await page.locator(".explain").textContent()) ?? "";
    expect(explanation).toMatch(/They live in \S+\/\S+, where it is \d\d:\d\d now: daytime, outside the quiet hours 22:00–08:00/);
    expect(explanation).toMatch(/at least 60 minutes between two nudges/);
    await page.getByText(/Delivered at .*welcome/).waitFor();
    await page.getByRole("button", { name: "Fail the quiz (40%)" }).click();
    await page.getByText(/Waiting until .*quiz-retry.*min_gap/).waitFor();
    await page.close();
  });

  it("has no axe-core violation on any view, and fits 390 px without horizontal scrolling", async () => {
    const wide = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const narrow = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signIn(wide, base, engine.keys.author);
    await signIn(narrow, base, engine.keys.author);
    const problems: string[] = [];
    for (const view of VIEWS) {
      for (const page of [wide, narrow]) {
        await page.goto(`${base}/admin/${view.hash}`);
        await page.locator(view.ready).first().waitFor();
        if (page === wide) await view.prepare?.(page);
        for (const violation of await axeViolations(page)) problems.push(`${view.hash} (${page === wide ? "1280" : "390"} px): ${violation}`);
        const overflow = await horizontalOverflow(page);
        if (overflow > 0) problems.push(`${view.hash} at ${page === wide ? 1280 : 390} px is ${overflow} px wider than the viewport`);
        if (page === wide && view.shot) await page.screenshot({ path: join(SCREENSHOTS, view.shot), fullPage: view.full ?? false });
        if (page === narrow && view.shot === "template-editor.png") await page.screenshot({ path: join(SCREENSHOTS, "template-editor-390px.png") });
      }
    }
    expect(problems).toEqual([]);
  });
});
