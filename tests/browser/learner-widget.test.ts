/// <reference lib="dom" />
/**
 * <coach-inbox> in real Chromium, on a course page served from another origin than the engine, as a learner
 * would use it: a delivery appears live and is announced; seen / clicked / helpful / dismissed reach the API;
 * a goal answer is stored and the later goal reminder shows it; an out-of-range self-assessment shows the API's
 * error next to the field; the engine restarted mid-session and the delivery missed meanwhile appears after
 * the reconnect; an origin not on COACH_CORS_ORIGINS is refused; a learner token cannot read another
 * learner's inbox; a page that hands out tokens through a tokenProvider is asked again after a 401 and before
 * a token expires, and the widget goes on with the fresh one; a delivery made between the first inbox read and
 * the stream's open is shown; axe-core finds no violation.
 */
import type { Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";
import { listen } from "../../src/http/server";
import { seedBuiltins } from "../../src/seed/seed-builtins";
import { axeSource, describeInBrowser, launchBrowser, servePages } from "../setup/browser";

// Several browser waits of up to BROWSER_WAIT_MS each, and a browser and an engine to start: bounds for a busy machine.
jest.setTimeout(300_000);

const OPEN_POLICY = { maxPerDay: 100, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null };
const COURSE = "web-101";

/**
 * A lesson page embedding the widget; the engine URL and the learner token come from the page's query string,
 * or (`provider`) the token comes from the page's backend through a tokenProvider: here the test, through a
 * function Playwright exposes as window.nextLearnerToken.
 */
const lessonPage = (tokens: "query" | "provider") => () => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lesson 1</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script type="module">
  const q = new URLSearchParams(location.search);
  await import(q.get("engine") + "/sdk/coach-inbox.js");
  const inbox = document.createElement("coach-inbox");
  inbox.setAttribute("engine-url", q.get("engine"));
  inbox.setAttribute("course-id", q.get("course"));
  if (q.get("locale")) inbox.setAttribute("locale", q.get("locale"));
  ${tokens === "provider" ? "inbox.tokenProvider = () => window.nextLearnerToken();" : 'inbox.token = q.get("token");'}
  document.querySelector("aside").append(inbox);
</script></head>
<body><main><h1>Lesson 1: gradients</h1><p>Watch the video, then try the quiz.</p></main><aside aria-label="Coaching"></aside></body></html>`;

describeInBrowser("the learner widget <coach-inbox> in Chromium", () => {
  let engine: TestEngine;
  let server: Server;
  let port: number;
  let browser: Browser;
  let pages: Awaited<ReturnType<typeof servePages>>;
  let stranger: Awaited<ReturnType<typeof servePages>>;
  const scriptErrors = new WeakMap<Page, string[]>();
  const engineUrl = () => `http://127.0.0.1:${port}`;
  const ingest = () => `Bearer ${engine.keys.ingest}`;

  const post = async (learnerId: string, type: string, properties: Record<string, unknown> = {}) => {
    const res = await engine.http
      .post("/v1/events")
      .set("Authorization", ingest())
      .send(buildEvent({ learnerId, courseId: COURSE, type, properties, learner: { name: "Ada Lovelace", timezone: "UTC", locale: "en" } }));
    expect(res.status).toBe(202);
  };
  const tokenFor = async (learnerId: string) => (await engine.http.post("/v1/learner-tokens").set("Authorization", ingest()).send({ learnerId, ttlSeconds: 600 })).body.token as string;
  const openLesson = async (learnerId: string, origin = pages.origin, extra = ""): Promise<Page> => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    scriptErrors.set(page, errors);
    await page.goto(`${origin}/lesson?engine=${encodeURIComponent(engineUrl())}&course=${COURSE}&token=${await tokenFor(learnerId)}${extra}`);
    return page;
  };
  const messageRow = async (learnerId: string, templateKey: string) => engine.ctx.prisma.message.findFirst({ where: { learnerId, templateKey, status: { in: ["delivered", "dismissed"] } } });

  beforeAll(async () => {
    pages = await servePages({ "/lesson": lessonPage("query"), "/lesson-provider": lessonPage("provider") });
    stranger = await servePages({ "/lesson": lessonPage("query") });
    engine = await startTestEngine({ workers: true, env: { COACH_CORS_ORIGINS: pages.origin } });
    await seedBuiltins(engine.ctx);
    expect((await engine.http.put("/v1/policy").set("Authorization", `Bearer ${engine.keys.author}`).send(OPEN_POLICY)).status).toBe(200);
    ({ server, port } = await listen(engine.app, 0));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await pages?.close();
    await stranger?.close();
    await engine?.close();
  });

  it("shows a delivery live, announces it, and records seen, clicked, helpful and dismissed", async () => {
    const page = await openLesson("web-ada");
    await page.getByText("No messages right now").waitFor();
    await post("web-ada", "course.enrolled");
    const card = page.locator("coach-inbox article").first();
    await card.waitFor();
    await expect(card.locator("h3").textContent()).resolves.toContain("Welcome, Ada");
    await expect(page.locator("coach-inbox [role=status]").textContent()).resolves.toContain("New message from your coach");

    const welcome = await messageRow("web-ada", "welcome");
    await waitFor(
      () => engine.ctx.prisma.message.findUnique({ where: { id: welcome!.id } }),
      (m) => Boolean(m?.seenAt),
    );

    const popup = page.context().waitForEvent("page");
    await card.getByRole("link", { name: "Start the first module" }).click();
    await (await popup).close();
    await waitFor(
      () => engine.ctx.prisma.message.findUnique({ where: { id: welcome!.id } }),
      (m) => Boolean(m?.clickedAt),
    );

    await card.getByRole("button", { name: "Yes" }).click();
    await page.getByText("Thanks for your feedback.").waitFor();
    await expect(card.getByRole("button", { name: "Yes" }).getAttribute("aria-pressed")).resolves.toBe("true");
    expect((await engine.ctx.prisma.message.findUnique({ where: { id: welcome!.id } }))?.vote).toBe("helpful");

    // Keyboard only: focus the close button, press Enter; focus lands on the heading, not on <body>.
    await card.getByRole("button", { name: /^Dismiss: Welcome/ }).focus();
    await page.keyboard.press("Enter");
    await page.getByText("No messages right now").waitFor();
    await waitFor(
      () => engine.ctx.prisma.message.findUnique({ where: { id: welcome!.id } }),
      (m) => Boolean(m?.dismissedAt),
    );
    await expect(page.evaluate(() => document.activeElement?.tagName)).resolves.toBe("COACH-INBOX");
    expect(scriptErrors.get(page)).toEqual([]);
    await page.close();
  });

  it("stores a goal answer, shows it, and the later goal reminder carries it", async () => {
    const page = await openLesson("web-grace");
    await post("web-grace", "module.started");
    const prompt = page.locator("coach-inbox article", { hasText: "What do you want to achieve?" });
    await prompt.waitFor();
    const box = prompt.getByLabel("Your answer");
    await box.fill("finish the course by Friday");
    await expect(prompt.getByText(/characters left/).textContent()).resolves.toContain(String(500 - "finish the course by Friday".length));
    await prompt.getByRole("button", { name: "Send" }).click();
    await prompt.getByText("Your answer: finish the course by Friday").waitFor();
    const goals = await engine.http.get(`/v1/learners/web-grace/goals?courseId=${COURSE}`).set("Authorization", ingest());
    expect(goals.body.goals[0].text).toBe("finish the course by Friday");

    await post("web-grace", "module.started");
    const reminder = page.locator("coach-inbox article", { hasText: "Remember why you started" });
    await reminder.waitFor();
    await expect(reminder.textContent()).resolves.toContain("finish the course by Friday");
    await page.close();
  });

  it("shows the API's error next to a self-assessment answer out of range", async () => {
    const page = await openLesson("web-hopper");
    await post("web-hopper", "module.completed");
    const card = page.locator("coach-inbox article").filter({ has: page.locator("fieldset") });
    await card.waitFor();
    // The form offers only the scale; a tampered value stands for a client that sends one out of range.
    await card
      .locator("input[type=radio]")
      .first()
      .evaluate((input: HTMLInputElement) => {
        input.value = "99";
        input.checked = true;
      });
    await card.getByRole("button", { name: "Send" }).click();
    const alert = card.getByRole("alert");
    await waitFor(
      async () => (await alert.textContent()) ?? "",
      (text) => text.length > 0,
    );
    await expect(card.locator("fieldset").getAttribute("aria-invalid")).resolves.toBe("true");
    expect(await engine.ctx.prisma.selfAssessment.count({ where: { learnerId: "web-hopper" } })).toBe(0);
    await page.close();
  });

  it("catches up on a delivery made while the engine was restarting", async () => {
    const page = await openLesson("web-lin");
    await page.getByText("No messages right now").waitFor();
    // The HTTP side goes away (streams cut), a nudge is delivered meanwhile, then the engine listens again.
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await post("web-lin", "course.enrolled");
    await waitFor(
      () => messageRow("web-lin", "welcome"),
      (m) => Boolean(m),
    );
    ({ server } = await listen(engine.app, port));
    await page.locator("coach-inbox article", { hasText: "Welcome" }).waitFor();
    await page.close();
  });

  it("shows a delivery made after its first inbox read but before its stream opened", async () => {
    // The stream's request is held back by the browser until the nudge is delivered: it is in neither the first
    // inbox read nor (with nothing to resume from) the stream, so the widget must read its inbox again on open.
    let releaseStream!: () => void;
    const streamHeld = new Promise<void>((resolve) => (releaseStream = resolve));
    const page = await browser.newPage();
    await page.route(/\/v1\/learners\/web-kai\/stream/, async (route) => {
      await streamHeld;
      await route.continue();
    });
    await page.goto(`${pages.origin}/lesson?engine=${encodeURIComponent(engineUrl())}&course=${COURSE}&token=${await tokenFor("web-kai")}`);
    await page.getByText("No messages right now").waitFor();
    await post("web-kai", "course.enrolled");
    await waitFor(
      () => messageRow("web-kai", "welcome"),
      (m) => Boolean(m?.deliveredAt),
    );
    releaseStream();
    await page.locator("coach-inbox article", { hasText: "Welcome" }).waitFor();
    await page.close();
  });

  it("is refused from an origin that is not allowed, and a learner token reads only its own inbox", async () => {
    const page = await openLesson("web-eve", stranger.origin);
    await page.getByText("Can't reach your coach right now").waitFor();
    const crossOrigin = await page.evaluate(
      async (url) =>
        fetch(url).then(
          (r) => r.status,
          (e: Error) => e.name,
        ),
      `${engineUrl()}/v1/learners/web-eve/messages`,
    );
    expect(crossOrigin).toBe("TypeError"); // the browser blocked it: no Access-Control-Allow-Origin for this origin
    await page.close();

    const own = await openLesson("web-eve");
    const token = await tokenFor("web-eve");
    const other = await own.evaluate(async ([url, t]) => fetch(url, { headers: { Authorization: `Bearer ${t}` } }).then((r) => r.status), [
      `${engineUrl()}/v1/learners/web-ada/messages`,
      token,
    ] as const);
    expect(other).toBe(403);
    await own.close();
  });

  /** Opens the provider page; each call of the page's tokenProvider takes the next token `issue` makes, in order. */
  const openProviderLesson = async (issue: (call: number) => Promise<string>) => {
    const page = await browser.newPage();
    const issued: string[] = [];
    const sentTokens: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(engineUrl())) return;
      const token = request.headers().authorization?.replace(/^Bearer /, "") ?? new URL(request.url()).searchParams.get("access_token");
      if (token) sentTokens.push(token);
    });
    await page.exposeFunction("nextLearnerToken", async () => {
      const token = await issue(issued.length + 1);
      issued.push(token);
      return token;
    });
    await page.goto(`${pages.origin}/lesson-provider?engine=${encodeURIComponent(engineUrl())}&course=${COURSE}`);
    return { page, issued, sentTokens };
  };
  const tokenWithTtl = async (learnerId: string, ttlSeconds: number) =>
    (await engine.http.post("/v1/learner-tokens").set("Authorization", ingest()).send({ learnerId, ttlSeconds })).body as { token: string; expiresAt: string };

  it("asks the page's tokenProvider again after a 401, and goes on live with the fresh token", async () => {
    // The first token the page's backend hands out is refused (its signature is not the engine's): the widget
    // must ask the provider once more rather than show an error, then read the inbox and follow the stream with it.
    const { page, issued, sentTokens } = await openProviderLesson(async (call) => {
      const { token } = await tokenWithTtl("web-pia", 600);
      return call === 1 ? `${token.slice(0, -4)}AAAA` : token;
    });
    await page.getByText("No messages right now").waitFor();
    expect(issued).toHaveLength(2);
    expect(sentTokens[0]).toBe(issued[0]);
    expect(sentTokens.slice(1).every((token) => token === issued[1])).toBe(true);
    await post("web-pia", "course.enrolled");
    await page.locator("coach-inbox article", { hasText: "Welcome" }).waitFor();
    expect(issued).toHaveLength(2);
    expect(scriptErrors.get(page) ?? []).toEqual([]);
    await page.close();
  });

  it("asks the page's tokenProvider for a fresh token before the one it holds expires", async () => {
    // Tokens that live 61 s: the widget refreshes a minute before expiry, so about a second after issue the
    // token it holds is due for renewal and the next call it makes (here the "seen" of a live delivery) must
    // carry a new one from the provider, never the old one.
    const expiries: number[] = [];
    const { page, issued, sentTokens } = await openProviderLesson(async () => {
      const { token, expiresAt } = await tokenWithTtl("web-ray", 61);
      expiries.push(Date.parse(expiresAt));
      return token;
    });
    await page.getByText("No messages right now").waitFor();
    const first = issued.length;
    await waitFor(
      async () => Date.now(),
      (now) => now > expiries[first - 1] - 60_000,
    );
    await post("web-ray", "course.enrolled");
    await page.locator("coach-inbox article", { hasText: "Welcome" }).waitFor();
    const welcome = await messageRow("web-ray", "welcome");
    await waitFor(
      () => engine.ctx.prisma.message.findUnique({ where: { id: welcome!.id } }),
      (m) => Boolean(m?.seenAt),
    );
    expect(issued.length).toBeGreaterThan(first);
    expect(sentTokens.at(-1)).toBe(issued.at(-1));
    expect(sentTokens.at(-1)).not.toBe(issued[first - 1]);
    expect(scriptErrors.get(page) ?? []).toEqual([]);
    await page.close();
  });

  it("speaks the learner's language: French strings with locale=fr", async () => {
    const page = await openLesson("web-fr", pages.origin, "&locale=fr");
    await page.getByText("Aucun message pour l'instant. Continuez !").waitFor();
    await expect(page.locator("coach-inbox h2").textContent()).resolves.toBe("Votre coach");
    await page.close();
  });

  it("has no accessibility violations (axe-core), with messages, forms and the empty state", async () => {
    const page = await openLesson("web-axe");
    await post("web-axe", "course.enrolled");
    await post("web-axe", "module.started");
    await page.locator("coach-inbox article").nth(1).waitFor();
    await page.addScriptTag({ content: axeSource() });
    const result = await page.evaluate(async () => (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; help: string; nodes: unknown[] }> }> } }).axe.run());
    expect(result.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await page.close();
  });
});
