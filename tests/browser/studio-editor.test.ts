/**
 * The studio (/admin) in real Chromium as content staff use it, against a real engine with its workers: an
 * editor creates a template with two variants, previews the unsaved draft for a real learner with a sample
 * event, sees an unknown variable flagged, publishes after the confirmation lists it, creates a rule with the
 * builder, test-matches it against a stored event and sees a learner receive it. Then the same journey by
 * keyboard only, and an analyst who sees no write action anywhere.
 */
import type { Server } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";
import { listen, closeServer } from "../../src/http/server";
import { seedBuiltins } from "../../src/seed/seed-builtins";
import { describeInBrowser, launchBrowser } from "../setup/browser";
import { buildStudio, focused, signIn, tabTo } from "../setup/studio";

// Several browser waits of up to BROWSER_WAIT_MS each, and a browser and an engine to start: bounds for a busy machine.
jest.setTimeout(300_000);

const OPEN_POLICY = { maxPerDay: 100, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null };

describeInBrowser("the studio for content staff, in Chromium", () => {
  let engine: TestEngine;
  let server: Server;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;

  const post = async (learnerId: string, type: string, properties: Record<string, unknown> = {}, id?: string) => {
    const res = await engine.http
      .post("/v1/events")
      .set("Authorization", `Bearer ${engine.keys.ingest}`)
      .send(
        buildEvent({
          ...(id ? { id } : {}),
          learnerId,
          courseId: "ml-101",
          moduleId: "week-2",
          type,
          properties,
          learner: { name: `${learnerId[0].toUpperCase()}${learnerId.slice(1)} Tester`, timezone: "UTC", locale: "en" },
        }),
      );
    expect(res.status).toBe(202);
  };
  /** A page that fails the test on any script error. */
  const open = async (): Promise<Page & { errors: string[] }> => {
    const page = (await context.newPage()) as Page & { errors: string[] };
    page.errors = [];
    page.on("pageerror", (e) => page.errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) page.errors.push(m.text());
    });
    return page;
  };
  const editor = (page: Page, label: string) => page.getByRole("textbox", { name: label, exact: true });

  beforeAll(async () => {
    buildStudio();
    engine = await startTestEngine({ workers: true });
    await seedBuiltins(engine.ctx);
    expect((await engine.http.put("/v1/policy").set("Authorization", `Bearer ${engine.keys.author}`).send(OPEN_POLICY)).status).toBe(200);
    await post("ada", "course.enrolled");
    await post("ada", "quiz.submitted", { score: 0.4, passed: false }, "evt-ada-quiz");
    const listening = await listen(engine.app, 0);
    server = listening.server;
    base = `http://127.0.0.1:${listening.port}`;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    if (server) await closeServer(server, 1_000);
    await engine?.close();
  });

  it("takes an editor from a new two-variant template to a learner receiving it", async () => {
    const page = await open();
    await signIn(page, base, engine.keys.author);
    await expect(page.locator(".who").textContent()).resolves.toMatch(/role author/);

    // A template with two variants; variant A's body has a typo'd variable.
    await page.getByRole("link", { name: "New template" }).click();
    await page.getByLabel("Key", { exact: true }).fill("study-tip");
    await page.getByLabel("Name", { exact: true }).fill("A study tip after a quiz");
    await editor(page, "Title of variant A").fill("Keep at it, {{learner.firstName}}");
    await editor(page, "Body of variant A").fill("You scored {{percent event.properties.score}} in {{modul.id}}.");
    await page.getByRole("button", { name: "Add a variant" }).click();
    await expect(page.getByRole("tab", { name: "Variant B" }).getAttribute("aria-selected")).resolves.toBe("true");
    await editor(page, "Body of variant B").fill("Short breaks help: come back to {{module.id}} tomorrow.");

    // The preview of the unsaved draft, for a real learner, with the course's latest quiz.submitted as the event.
    await page.getByRole("tab", { name: "Variant A" }).click();
    await page.getByLabel("Learner", { exact: true }).fill("ada");
    await page.getByLabel("Learner", { exact: true }).press("Enter");
    await page.getByLabel("Course", { exact: true }).selectOption("ml-101");
    await page.getByLabel("Sample event").selectOption("quiz.submitted");
    await page.locator(".message-card h3", { hasText: "Keep at it, Ada" }).waitFor();
    await page.locator(".message-body", { hasText: "You scored 40% in ." }).waitFor();
    await page.locator(".problems li", { hasText: "Unknown variable modul.id" }).waitFor();
    await expect(page.locator(".problems li", { hasText: "modul.id" }).textContent()).resolves.toMatch(/line 1, column \d+/);

    // Creating publishes version 1: the confirmation lists the problem again; fix it instead.
    await page.getByRole("button", { name: "Create and publish version 1" }).click();
    const dialog = page.getByRole("dialog", { name: /Publish version 1 of study-tip/ });
    await expect(dialog.textContent()).resolves.toContain("Unknown variable modul.id");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await editor(page, "Body of variant A").fill("You scored {{percent event.properties.score}} in {{module.id}}.");
    await page.locator(".message-body", { hasText: "You scored 40% in week-2." }).waitFor();
    await page.getByText("No unknown variables or syntax errors in this draft.").waitFor();
    await page.getByRole("button", { name: "Create and publish version 1" }).click();
    await page
      .getByRole("dialog", { name: /Publish version 1/ })
      .getByRole("button", { name: "Publish version 1" })
      .click();
    await page.waitForURL(/#\/templates\/study-tip$/);
    await page.getByText("published v1").waitFor();
    const stored = await engine.http.get("/v1/templates/study-tip").set("Authorization", `Bearer ${engine.keys.author}`);
    expect(stored.body).toMatchObject({ publishedVersion: 1, variants: [{ key: "A" }, { key: "B" }] });

    // A rule built with the dropdowns and the condition builder.
    await page.getByRole("link", { name: "Rules" }).click();
    await page.getByRole("link", { name: "New rule" }).click();
    await page.getByLabel("Key", { exact: true }).fill("study-tip-after-quiz");
    await page.getByLabel("Name", { exact: true }).fill("Study tip after a failed quiz");
    await page.getByLabel("Template to send").selectOption("study-tip");
    await page.getByLabel("Event type").selectOption("quiz.submitted");
    await page.getByLabel("Course", { exact: true }).selectOption("ml-101");
    await page.getByRole("button", { name: "Add condition" }).click();
    await page.getByLabel("Condition 1.1: field").fill("event.properties.passed");
    await page.getByLabel("Condition 1.1: operator").selectOption("eq");
    await page.getByLabel("Condition 1.1: value").fill("false");
    await page.getByLabel("Priority").fill("50");
    await page.getByRole("button", { name: "Create the rule" }).click();
    await page.waitForURL(/#\/rules\/study-tip-after-quiz$/);
    const rule = await engine.http.get("/v1/rules/study-tip-after-quiz").set("Authorization", `Bearer ${engine.keys.author}`);
    expect(rule.body.trigger).toEqual({ eventType: "quiz.submitted", courseId: "ml-101", where: { all: [{ field: "event.properties.passed", op: "eq", value: false }] } });

    // Test-match against the stored event.
    await page.getByLabel(/^Event \(latest quiz.submitted/).fill("evt-ada-quiz");
    await page.getByRole("button", { name: "Test the rule" }).click();
    const summary = page.locator("#test-summary");
    await summary.waitFor();
    await expect(summary.textContent()).resolves.toMatch(/Would fire\..*variant [AB] of study-tip v1/);

    // A learner receives it, and the template's usage shows the delivery.
    await post("grace", "quiz.submitted", { score: 0.3, passed: false });
    const message = await waitFor(
      () => engine.ctx.prisma.message.findFirst({ where: { learnerId: "grace", templateKey: "study-tip" } }),
      (m) => m?.status === "delivered",
    );
    expect(message!.body).toMatch(/^(You scored 30% in week-2\.|Short breaks help)/);
    await page.goto(`${base}/admin/#/templates/study-tip`);
    await page.locator("studio-template-history td", { hasText: "grace" }).waitFor();
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("lets the editor do the same by keyboard alone", async () => {
    const page = await open();
    const kb = page.keyboard;
    /** Chooses an option of the focused <select> with the arrow keys. */
    const selected = () => page.evaluate<string>("document.activeElement.value");
    const arrowTo = async (value: string) => {
      for (let i = 0; i < 30 && (await selected()) !== value; i++) await kb.press("ArrowDown");
      expect(await selected()).toBe(value);
    };
    const replaceText = async (text: string) => {
      await kb.press("Control+A");
      await kb.type(text);
    };
    await page.goto(`${base}/admin/`);
    await tabTo(page, /^API key/);
    await kb.type(engine.keys.author);
    await kb.press("Enter");
    await page.getByRole("navigation", { name: "Studio" }).waitFor();

    await tabTo(page, /^New template/);
    await kb.press("Enter");
    await tabTo(page, /^Key/);
    await kb.type("kb-tip");
    await tabTo(page, /^Name/);
    await kb.type("Keyboard tip");
    await tabTo(page, /^Title of variant A /);
    await replaceText("Hello {{learner.firstName}}");
    await tabTo(page, /^Body of variant A /);
    await replaceText("Try {{module.id}} again, {{learner.frstName}}.");
    await tabTo(page, /^Add a variant/);
    await kb.press("Enter");
    await expect(page.getByRole("tab", { name: "Variant B" }).getAttribute("aria-selected")).resolves.toBe("true");
    await tabTo(page, /^Body of variant B /);
    await replaceText("Another angle on {{module.id}}.");
    // The variant tabs follow the arrow keys.
    await tabTo(page, /^Variant B$/, 60, "Shift+Tab");
    await kb.press("ArrowLeft");
    await expect(page.getByRole("tab", { name: "Variant A" }).getAttribute("aria-selected")).resolves.toBe("true");
    expect((await focused(page)).name).toBe("Variant A");
    await tabTo(page, /^Learner/);
    await kb.type("ada");
    await kb.press("Enter");
    await tabTo(page, /^Sample event/);
    await arrowTo("quiz.submitted");
    await page.locator(".problems li", { hasText: "Unknown variable learner.frstName" }).waitFor();

    await tabTo(page, /^Create and publish version 1/, 250, "Shift+Tab");
    await kb.press("Enter");
    const dialog = page.getByRole("dialog", { name: /Publish version 1 of kb-tip/ });
    await expect(dialog.textContent()).resolves.toContain("learner.frstName");
    expect((await focused(page)).name).toBe("Cancel");
    await kb.press("Tab");
    expect((await focused(page)).name).toBe("Publish anyway");
    await kb.press("Enter");
    await page.waitForURL(/#\/templates\/kb-tip$/);

    await tabTo(page, /^Rules$/, 250, "Shift+Tab");
    await kb.press("Enter");
    await tabTo(page, /^New rule/);
    await kb.press("Enter");
    await tabTo(page, /^Key/);
    await kb.type("kb-tip-rule");
    await tabTo(page, /^Name/);
    await kb.type("Keyboard rule");
    await tabTo(page, /^Template to send/);
    await arrowTo("kb-tip");
    await tabTo(page, /^Event type/);
    await arrowTo("quiz.submitted");
    await tabTo(page, /^Add condition/);
    await kb.press("Enter");
    await tabTo(page, /^Condition 1.1: field/);
    await replaceText("event.properties.score");
    await tabTo(page, /^Condition 1.1: operator/);
    await arrowTo("lt");
    await tabTo(page, /^Condition 1.1: value/);
    await kb.type("0.5");
    await tabTo(page, /^Create the rule/);
    await kb.press("Enter");
    await page.waitForURL(/#\/rules\/kb-tip-rule$/);
    await tabTo(page, /^Test the rule/);
    await kb.press("Enter");
    await page.locator("#test-summary").waitFor();
    expect((await focused(page)).name).toMatch(/^Would fire\./);
    const rule = await engine.http.get("/v1/rules/kb-tip-rule").set("Authorization", `Bearer ${engine.keys.author}`);
    expect(rule.body.trigger.where).toEqual({ all: [{ field: "event.properties.score", op: "lt", value: 0.5 }] });
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("guards the editor's work: one version per double click, asks before leaving or deleting, errors at their field", async () => {
    const page = await open();
    await signIn(page, base, engine.keys.author, "#/templates");
    await page.getByRole("link", { name: "study-tip", exact: true }).click();
    const before = (await engine.http.get("/v1/templates/study-tip").set("Authorization", `Bearer ${engine.keys.author}`)).body.latestVersion;
    await editor(page, "Title of variant A").fill("Keep at it, {{learner.firstName}}!");
    await page.getByRole("button", { name: "Save as a new version" }).dblclick();
    await page.getByText(`Saved as version ${before + 1}.`).waitFor();
    const versions = await engine.http.get("/v1/templates/study-tip/versions").set("Authorization", `Bearer ${engine.keys.author}`);
    expect(versions.body.versions[0].version).toBe(before + 1);
    expect(versions.body.versions).toHaveLength(before + 1);

    // Unsaved edits: a link in the studio asks first, and staying keeps them; Back asks too; closing the tab asks the browser.
    await editor(page, "Title of variant A").fill("An edit nobody saved");
    await page.getByRole("link", { name: "Rules" }).click();
    const leave = page.getByRole("dialog", { name: "Leave without saving?" });
    await leave.getByRole("button", { name: "Stay on this page" }).click();
    expect(page.url()).toMatch(/#\/templates\/study-tip$/);
    await expect(editor(page, "Title of variant A").textContent()).resolves.toBe("An edit nobody saved");
    await page.evaluate("history.back()");
    await leave.waitFor();
    expect(page.url()).toMatch(/#\/templates\/study-tip$/);
    await leave.getByRole("button", { name: "Stay on this page" }).click();
    const unload = new Promise<string>((resolve) =>
      page.once("dialog", (d) => {
        resolve(d.type());
        void d.dismiss();
      }),
    );
    await page.close({ runBeforeUnload: true });
    expect(await unload).toBe("beforeunload");

    // The API's error under the field it names; deleting asks first.
    const second = await open();
    await signIn(second, base, engine.keys.author, "#/rules/new");
    await second.getByLabel("Key", { exact: true }).fill("Not A Key!");
    await second.getByLabel("Name", { exact: true }).fill("Bad key");
    await second.getByRole("button", { name: "Create the rule" }).click();
    const keyInput = second.getByLabel("Key", { exact: true });
    await second.locator("#fld-key[aria-invalid=true]").waitFor();
    const errorId = await keyInput.getAttribute("aria-describedby");
    await expect(second.locator(`#${errorId!.split(" ").pop()}`).textContent()).resolves.toMatch(/must match/);
    // A typed URL over unsaved edits asks too; this time the editor leaves.
    await second.goto(`${base}/admin/#/rules/study-tip-after-quiz`);
    await second.getByRole("dialog", { name: "Leave without saving?" }).getByRole("button", { name: "Leave and discard" }).click();
    await second.getByRole("button", { name: "Delete the rule" }).click();
    const confirm = second.getByRole("dialog", { name: "Delete rule study-tip-after-quiz?" });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    expect((await engine.http.get("/v1/rules/study-tip-after-quiz").set("Authorization", `Bearer ${engine.keys.author}`)).status).toBe(200);
    await second.getByRole("button", { name: "Delete the rule" }).click();
    await confirm.getByRole("button", { name: "Delete study-tip-after-quiz" }).click();
    await second.waitForURL(/#\/rules$/);
    expect((await engine.http.get("/v1/rules/study-tip-after-quiz").set("Authorization", `Bearer ${engine.keys.author}`)).status).toBe(404);
    expect(second.errors).toEqual([]);
    await second.close();
  });

  it("shows an analyst every content view with no write action, and the role", async () => {
    const page = await open();
    await signIn(page, base, engine.keys.analyst);
    await expect(page.locator(".who").textContent()).resolves.toMatch(/role analyst.*read-only/);
    await expect(page.getByRole("link", { name: "Try it as a learner" }).count()).resolves.toBe(0);
    const WRITE = /^(New |Save|Publish|Delete|Create|Upload|Restore|Remove|Add |Discard|Refresh now)/;
    for (const [hash, ready] of [
      ["#/templates", "table"],
      ["#/templates/study-tip", ".message-card h3"],
      ["#/rules", "table"],
      ["#/rules/quiz-retry", "text=Test against a stored event"],
      ["#/segments", "h1"],
      ["#/policy", "text=Caps and spacing"],
      ["#/mappings", "text=Arrived without a mapping"],
    ]) {
      await page.goto(`${base}/admin/${hash}`);
      await page.locator(ready).first().waitFor();
      const actions = await page.locator("main button, main a.button").allTextContents();
      expect({ hash, write: actions.map((t) => t.trim()).filter((t) => WRITE.test(t)) }).toEqual({ hash, write: [] });
      const editable = await page.locator("main [contenteditable=true]").count();
      expect({ hash, editable }).toEqual({ hash, editable: 0 });
    }
    // What is left is reading: the rule's test-match answers an analyst too.
    await page.goto(`${base}/admin/#/rules/quiz-retry`);
    await page.getByLabel(/^Event \(latest/).fill("evt-ada-quiz");
    await page.getByRole("button", { name: "Test the rule" }).click();
    await page.locator("#test-summary").waitFor();
    expect(page.errors).toEqual([]);
    await page.close();
  });
});
