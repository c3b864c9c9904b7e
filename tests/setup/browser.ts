/**
 * Real Chromium for browser tests: Debian's `chromium` driven by playwright-core (Playwright's own browser
 * downloads do not work here). Where the browser is missing, the suite says so and skips, never passes silently.
 */
import { existsSync } from "node:fs";
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** `describe`, or `describe.skip` with a printed reason when Chromium is not installed. */
export const describeInBrowser: jest.Describe = existsSync(CHROMIUM)
  ? describe
  : (((name: string, fn: () => void) => {
      // eslint-disable-next-line no-console
      console.warn(`SKIPPED "${name}": ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`);
      describe.skip(name, fn);
    }) as unknown as jest.Describe);

/** A headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
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
