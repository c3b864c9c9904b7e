/**
 * Real Chromium for browser tests: Debian's `chromium` driven by playwright-core (Playwright's own browser
 * downloads do not work here). Where the browser is missing, the suite says so and skips, never passes silently.
 */
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { describeUnlessMissing } from "./describe-when";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** `describe`, or `describe.skip` with a printed reason when Chromium is not installed. */
export const describeInBrowser = describeUnlessMissing(existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`);

/**
 * How long a browser wait (locator.waitFor, waitForURL, waitForFunction, clicks…) may take before it fails. It
 * only bounds a failure (a passing wait returns as soon as its condition holds), so it is generous: on a busy
 * machine a page that renders in a second idle can take a minute.
 */
/**
 * Where the studio tests put their screenshots: docs/screenshots/ (the README's pictures) only when asked with
 * `UPDATE_SCREENSHOTS=1`, so that an ordinary `npm test` never rewrites tracked files; otherwise a temp folder.
 */
export function screenshotDir(): string {
  const dir = process.env.UPDATE_SCREENSHOTS === "1" ? join(__dirname, "../../docs/screenshots") : join(tmpdir(), "coach-screenshots");
  mkdirSync(dir, { recursive: true });
  return dir;
}

export const BROWSER_WAIT_MS = 120_000;

/** A headless Chromium whose contexts and pages wait up to BROWSER_WAIT_MS by default. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(BROWSER_WAIT_MS);
    return context;
  };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (options) => {
    const page = await newPage(options);
    page.setDefaultTimeout(BROWSER_WAIT_MS);
    return page;
  };
  return browser;
}

/** A static page server on its own port (so the page's origin differs from the engine's): path → HTML. */
export async function servePages(pages: Record<string, () => string>): Promise<{ server: Server; origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const page = pages[(req.url ?? "/").split("?")[0]];
    if (!page) return void res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(page());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return { server, origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** axe-core's source, injected into a page to audit it (shadow DOM included). */
export function axeSource(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("node:fs").readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
}
