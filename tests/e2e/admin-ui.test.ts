/**
 * The admin UI, driven in a DOM (jsdom) that loads it from the running engine and lets its script call the
 * real API: what content staff and analysts click through, checked against what the API then holds.
 */
import type { Server } from "node:http";
import { JSDOM } from "jsdom";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { insertMessage } from "../factories/messages";
import { buildEvent } from "../factories/events";
import { waitFor } from "../setup/wait-for";
import { listen, closeServer } from "../../src/http/server";

describe("the admin UI (/admin)", () => {
  let engine: TestEngine;
  let server: Server;
  let base: string;
  const auth = (role: "author" | "ingest") => `Bearer ${engine.keys[role]}`;

  beforeAll(async () => {
    engine = await startTestEngine();
    let port: number;
    ({ server, port } = await listen(engine.app, 0));
    base = `http://127.0.0.1:${port}`;
    await engine.http.post("/v1/templates").set("Authorization", auth("author")).send({
      key: "hello", name: "Hello", kind: "nudge", variants: [{ key: "A", title: "Hello {{learner.firstName}}", body: "Keep going.", weight: 1 }],
    }).expect(201);
    await engine.http.post("/v1/rules").set("Authorization", auth("author")).send({ key: "hello-rule", name: "Hello rule", templateKey: "hello", trigger: { eventType: "video.completed" } }).expect(201);
    await engine.http.post("/v1/events").set("Authorization", auth("ingest")).send(buildEvent({ learnerId: "ada", courseId: "ui-101", type: "course.enrolled", learner: { name: "Ada Lovelace" } })).expect(202);
    await insertMessage(engine.ctx, { learnerId: "ada", courseId: "ui-101", templateKey: "hello", ruleKey: "hello-rule", variant: "A", title: "Hello Ada" });
  });
  afterAll(async () => {
    await closeServer(server);
    await engine.close();
  });

  /** Loads the page as a browser would (its script runs; its fetch reaches this engine) and signs in. */
  async function openAs(key: string) {
    const dom = await JSDOM.fromURL(`${base}/admin/`, {
      runScripts: "dangerously", resources: "usable", pretendToBeVisual: true,
      beforeParse(window) {
        (window as unknown as { fetch: typeof fetch }).fetch = (input, init) => fetch(new URL(String(input), window.location.href), init);
      },
    });
    const { document } = dom.window;
    if (document.readyState !== "complete") await new Promise((resolve) => dom.window.addEventListener("load", resolve));
    const $ = <T extends Element = HTMLElement>(selector: string) => document.querySelector(selector) as T | null;
    const text = (selector: string) => $(selector)?.textContent ?? "";
    const until = (check: () => unknown) => waitFor(async () => Boolean(check()), (ok) => ok, 5_000, 20).catch((e) => { throw new Error(`${e.message}; status: ${text("#status")}; view: ${text("#view").slice(0, 300)}`); });
    ($("#key") as HTMLInputElement).value = key;
    ($("#key-form") as HTMLFormElement).requestSubmit();
    return { dom, $, text, until, close: () => dom.window.close() };
  }

  it("serves the page and its assets with the API's security headers, and a problem for anything else", async () => {
    const page = await fetch(`${base}/admin`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    expect(await page.text()).toContain('src="/admin/admin.js"');
    expect((await fetch(`${base}/admin/admin.js`)).headers.get("content-type")).toMatch(/javascript/);
    const missing = await fetch(`${base}/admin/nothing-here.js`);
    expect([missing.status, missing.headers.get("content-type")]).toEqual([404, expect.stringMatching(/problem\+json/)]);
  });

  it("lets content staff edit a template, publish the new version and preview it for a real learner", async () => {
    const ui = await openAs(engine.keys.author);
    await ui.until(() => ui.text("#view table").includes("hello"));
    [...ui.dom.window.document.querySelectorAll("#view tbody tr")].find((row) => row.textContent?.startsWith("hello"))!.dispatchEvent(new ui.dom.window.MouseEvent("click", { bubbles: true }));
    await ui.until(() => ui.$("#template-json"));

    const editor = ui.$("#template-json") as HTMLTextAreaElement;
    const definition = JSON.parse(editor.value);
    expect(definition.variants[0].title).toBe("Hello {{learner.firstName}}");
    definition.variants[0].title = "Hello again, {{learner.firstName}}";
    editor.value = JSON.stringify(definition);
    ui.$("#save-template")!.click();
    await ui.until(() => ui.text("#status") === "Saved as a new version.");
    expect((await engine.http.get("/v1/templates").set("Authorization", auth("author"))).body.templates.find((t: { key: string }) => t.key === "hello"))
      .toMatchObject({ latestVersion: 2, publishedVersion: 1 });

    ui.$("#publish-template")!.click();
    await ui.until(() => ui.text("#status") === "Published the latest version.");
    expect((await engine.http.get("/v1/templates/hello").set("Authorization", auth("author"))).body.publishedVersion).toBe(2);

    (ui.$("#preview-learner") as HTMLInputElement).value = "ada";
    ui.$("#run-preview")!.click();
    await ui.until(() => ui.text("#preview-rendered").startsWith("Hello again, Ada"));

    // A definition the API refuses is reported with the API's own words, and nothing is saved.
    (ui.$("#template-json") as HTMLTextAreaElement).value = JSON.stringify({ ...definition, kind: "no-such-kind" }); // the page was redrawn
    ui.$("#save-template")!.click();
    await ui.until(() => ui.$("#status")?.className === "error");
    expect(ui.text("#status")).toMatch(/^400 .*kind/);
    expect((await engine.http.get("/v1/templates/hello").set("Authorization", auth("author"))).body.latestVersion).toBe(2);

    ui.$('#tabs [data-tab="rules"]')!.click();
    await ui.until(() => ui.text("#view table").includes("hello-rule"));
    ui.close();
  });

  it("lets content staff create and refresh a SQL segment and change the throttle policy", async () => {
    const ui = await openAs(engine.keys.author);
    await ui.until(() => ui.text("#view table").includes("hello"));
    ui.$('#tabs [data-tab="segments"]')!.click();
    await ui.until(() => ui.$("#segment-json"));
    (ui.$("#segment-json") as HTMLTextAreaElement).value = JSON.stringify({ key: "enrolled", name: "Enrolled", type: "sql", sql: "SELECT learner_id FROM learner_course_state WHERE course_id = 'ui-101'" });
    ui.$("#create-segment")!.click();
    await ui.until(() => ui.text("#view table").includes("enrolled"));
    (ui.$("button.refresh") as HTMLButtonElement).click();
    await ui.until(() => ui.text("#status").startsWith("Refreshed"));
    expect(ui.text("#status")).toBe("Refreshed enrolled: +1 −0, 1 members.");
    expect((await engine.http.get("/v1/segments/enrolled/members").set("Authorization", auth("author"))).body.members.map((m: { learnerId: string }) => m.learnerId)).toEqual(["ada"]);

    (ui.$("#segment-json") as HTMLTextAreaElement).value = JSON.stringify({ key: "sneaky", name: "Sneaky", type: "sql", sql: "SELECT id AS learner_id FROM api_keys" });
    ui.$("#create-segment")!.click();
    await ui.until(() => ui.$("#status")?.className === "error");
    expect(ui.text("#status")).toMatch(/^400 .*permission denied for table api_keys/);

    ui.$('#tabs [data-tab="policy"]')!.click();
    await ui.until(() => ui.$("#policy-json"));
    const policy = JSON.parse((ui.$("#policy-json") as HTMLTextAreaElement).value);
    (ui.$("#policy-json") as HTMLTextAreaElement).value = JSON.stringify({ ...policy, maxPerDay: 5 });
    ui.$("#save-policy")!.click();
    await ui.until(() => ui.text("#status") === "Policy saved.");
    expect((await engine.http.get("/v1/policy").set("Authorization", auth("author"))).body.maxPerDay).toBe(5);
    ui.close();
  });

  it("shows analysts the rates, an experiment's verdict, and a learner's messages with their history", async () => {
    const ui = await openAs(engine.keys.analyst);
    ui.$('#tabs [data-tab="analytics"]')!.click();
    await ui.until(() => ui.$("#rates table"));
    const cells = [...ui.dom.window.document.querySelectorAll("#rates tbody tr td")].map((td) => td.textContent);
    expect(cells.slice(0, 3)).toEqual(["hello", "A", "1"]); // template, variant, delivered

    (ui.$("#experiment-rule") as HTMLInputElement).value = "hello-rule";
    ui.$("#load-experiment")!.click();
    await ui.until(() => ui.text("#verdict").length > 0);
    expect(ui.text("#verdict")).toBe("only one variant: nothing to compare");

    ui.$('#tabs [data-tab="learners"]')!.click();
    await ui.until(() => ui.$("#learner-id"));
    (ui.$("#learner-id") as HTMLInputElement).value = "ada";
    ui.$("#lookup-learner")!.click();
    await ui.until(() => ui.text("#learner").includes("Hello Ada"));
    expect(ui.text("#learner h3")).toBe("Ada Lovelace (ada)");
    ui.dom.window.document.querySelector("#learner tbody tr")!.dispatchEvent(new ui.dom.window.MouseEvent("click", { bubbles: true }));
    await ui.until(() => ui.text("#message-history").includes("delivered"));
    ui.close();
  });

  it("refuses an ingest key with the API's own answer", async () => {
    const ui = await openAs(engine.keys.ingest);
    await ui.until(() => ui.$("#status")?.className === "error");
    expect(ui.text("#status")).toMatch(/^403 /);
    ui.close();
  });
});
