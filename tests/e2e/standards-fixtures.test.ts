/**
 * Statements and envelopes in the shapes Open edX, Moodle and Canvas send (tests/factories/standards.ts) each
 * become the expected event through the shipped mappings, and with the workers running and the built-in
 * library seeded, reach the built-in nudge they should: a welcome on enrolment, a retry prompt after a failed
 * quiz, a goal prompt when a module starts, a reflection when one is completed.
 */
import type { Server } from "node:http";
import { startTestEngine, type TestEngine } from "../setup/test-engine";
import { waitFor } from "../setup/wait-for";
import { listen, closeServer } from "../../src/http/server";
import { seedBuiltins } from "../../src/seed/seed-builtins";
import * as f from "../factories/standards";

const C = "course-v1:Org+C1+2026";
const BLOCK = (kind: string, hash: string) => `block-v1:Org+C1+2026+type@${kind}+block@${hash}`;
const MOODLE_COURSE = "https://moodle.example.edu/course/view.php?id=12";
/** No quiet hours or gaps: these tests must not depend on the time of day. */
const OPEN_POLICY = { maxPerDay: 100, maxPerWeek: 1000, minGapMinutes: 0, quietHours: null };

type Expected = { type: string; learnerId: string; courseId?: string | null; moduleId?: string | null; properties?: Record<string, unknown> };

describe("Open edX, Moodle and Canvas records through the shipped mappings", () => {
  let engine: TestEngine;
  let server: Server;
  let base: string;
  const xapi = (body: unknown) =>
    fetch(`${base}/xapi/statements`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Experience-API-Version": "1.0.3", Authorization: `Basic ${Buffer.from(`${engine.keys.ingest}:lrs-secret`).toString("base64")}` },
      body: JSON.stringify(body),
    });
  const caliper = (envelope: unknown) =>
    fetch(`${base}/caliper`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${engine.keys.ingest}` }, body: JSON.stringify(envelope) });
  const inbox = async (learnerId: string, courseId: string) =>
    (await engine.http.get(`/v1/learners/${encodeURIComponent(learnerId)}/messages?courseId=${encodeURIComponent(courseId)}`).set("Authorization", `Bearer ${engine.keys.ingest}`)).body
      .messages as Array<{ ruleKey: string; templateKey: string }>;

  beforeAll(async () => {
    engine = await startTestEngine({ workers: true });
    await seedBuiltins(engine.ctx);
    expect((await engine.http.put("/v1/policy").set("Authorization", `Bearer ${engine.keys.author}`).send(OPEN_POLICY)).status).toBe(200);
    const started = await listen(engine.app, 0);
    server = started.server;
    base = `http://127.0.0.1:${started.port}`;
  });
  afterAll(async () => {
    await closeServer(server);
    await engine.close();
  });

  const xapiCases: Array<[string, Record<string, unknown>, Expected]> = [
    ["Open edX enrollment", f.openedxEnrollment("oe-1", C), { type: "course.enrolled", learnerId: "oe-1", courseId: C, moduleId: null }],
    [
      "Open edX problem submitted",
      f.openedxProblemSubmitted("oe-2", C, 0, 1),
      { type: "quiz.submitted", learnerId: "oe-2", courseId: C, moduleId: BLOCK("problem", "3fc5461f86764ad7"), properties: { score: 0, passed: false } },
    ],
    ["Open edX video played", f.openedxVideo("oe-3", C, "played"), { type: "video.played", learnerId: "oe-3", courseId: C, moduleId: BLOCK("video", "0b9e39477cf34507") }],
    ["Open edX video paused", f.openedxVideo("oe-3", C, "paused"), { type: "video.paused", learnerId: "oe-3", courseId: C }],
    ["Open edX video completed", f.openedxVideo("oe-3", C, "completed"), { type: "video.completed", learnerId: "oe-3", courseId: C, properties: { completed: true, durationSeconds: 195 } }],
    [
      "Open edX block completion",
      f.openedxBlockCompletion("oe-4", C),
      { type: "block.progressed", learnerId: "oe-4", courseId: C, moduleId: BLOCK("html", "7c54b16c8ed34f9f"), properties: { completed: true } },
    ],
    ["Open edX course completed", f.openedxCourse("oe-5", C, "completed"), { type: "course.completed", learnerId: "oe-5", courseId: C, moduleId: null }],
    ["Open edX course graded", f.openedxCourse("oe-5", C, "earned", 0.85), { type: "course.graded", learnerId: "oe-5", courseId: C, properties: { score: 0.85 } }],
    ["Open edX course passed", f.openedxCourse("oe-5", C, "passed"), { type: "course.passed", learnerId: "oe-5", courseId: C }],
    ["Open edX course failed", f.openedxCourse("oe-6", C, "failed"), { type: "course.failed", learnerId: "oe-6", courseId: C }],
    ["Moodle enrolment", f.moodleEnrolment("42", 12), { type: "course.enrolled", learnerId: "42", courseId: MOODLE_COURSE, moduleId: null }],
    [
      "Moodle quiz attempt submitted",
      f.moodleQuizSubmitted("43", 12, 0.35, false),
      {
        type: "quiz.submitted",
        learnerId: "43",
        courseId: MOODLE_COURSE,
        moduleId: "https://moodle.example.edu/mod/quiz/view.php?id=31",
        properties: { score: 0.35, passed: false, completed: true, durationSeconds: 422, platform: "Moodle" },
      },
    ],
    [
      "Moodle module completed",
      f.moodleModuleCompleted("44", 12),
      { type: "module.completed", learnerId: "44", courseId: MOODLE_COURSE, moduleId: "https://moodle.example.edu/mod/page/view.php?id=44" },
    ],
    ["Moodle assignment submitted", f.moodleAssignmentSubmitted("44", 12), { type: "assignment.submitted", learnerId: "44", courseId: MOODLE_COURSE }],
    ["Moodle course completed", f.moodleCourseCompleted("44", 12), { type: "course.completed", learnerId: "44", courseId: MOODLE_COURSE, moduleId: null }],
    [
      "ADL module launched",
      f.adlModuleLaunched("adl-1", "https://example.org/c1", "https://example.org/c1/m1"),
      { type: "module.started", learnerId: "adl-1@example.org", courseId: "https://example.org/c1", moduleId: "https://example.org/c1/m1" },
    ],
  ];

  it.each(xapiCases)("xAPI: %s", async (_name, statement, expected) => {
    const res = await xapi(statement);
    expect(res.status).toBe(200);
    const [id] = (await res.json()) as string[];
    const event = await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id } });
    expect(event).toMatchObject({ ...expected, properties: expect.objectContaining({ source: "xapi", ...(expected.properties ?? {}) }) });
  });

  const caliperCases: Array<[string, Record<string, unknown>, Expected]> = [
    ["Canvas enrollment_created", f.canvasEnrollmentCreated("2107000000002006", "565"), { type: "course.enrolled", learnerId: "2107000000002006", courseId: "565", moduleId: null }],
    ["Canvas quiz_submitted", f.canvasQuizSubmitted("2107000000000987", "100123", "2223333"), { type: "quiz.submitted", learnerId: "2107000000000987", courseId: "100123", moduleId: "2223333" }],
    ["Canvas grade_change", f.canvasGradeChange("48", "565", 5, 10), { type: "assignment.graded", learnerId: "48", courseId: "565", moduleId: "355", properties: { score: 0.5 } }],
    ["Canvas submission_created", f.canvasSubmissionCreated("49", "565"), { type: "assignment.submitted", learnerId: "49", courseId: "565", moduleId: "777" }],
    ["Canvas asset_accessed", f.canvasAssetAccessed("49", "565"), { type: "page.navigated", learnerId: "49", courseId: "565", properties: { objectName: "Week 1 reading" } }],
    ["Canvas logged_in", f.canvasLoggedIn("49"), { type: "session.started", learnerId: "49", courseId: null }],
    ["Open edX Caliper enrollment", f.openedxCaliperEnrollment("oe-c1", C), { type: "course.enrolled", learnerId: "oe-c1", courseId: C }],
    ["Open edX Caliper video ended", f.openedxCaliperVideoEnded("oe-c2", C), { type: "video.completed", learnerId: "oe-c2", courseId: C, moduleId: BLOCK("video", "0b9e39477cf34507") }],
    ["Open edX Caliper problem submitted", f.openedxCaliperProblemSubmitted("oe-c3", C, 1, 4), { type: "quiz.submitted", learnerId: "oe-c3", courseId: C, properties: { score: 0.25 } }],
    ["Caliper tool use", f.caliperToolUse("u-7"), { type: "tool.used", learnerId: "u-7" }],
  ];

  it.each(caliperCases)("Caliper: %s", async (_name, event, expected) => {
    const envelope = String(event["@context"]).endsWith("v1p2") ? f.openedxEnvelope([event]) : f.canvasEnvelope([event]);
    const res = await caliper(envelope);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1, unmapped: 0 });
    const stored = await engine.ctx.prisma.event.findUniqueOrThrow({ where: { id: event.id as string } });
    expect(stored).toMatchObject({ ...expected, properties: expect.objectContaining({ source: "caliper", ...(expected.properties ?? {}) }) });
  });

  it("keeps a Canvas teacher's enrolment as unmapped (the mapping is for students), visible in the unmapped list", async () => {
    const teacher = f.canvasEnrollmentCreated("2107000000003003", "565", "TeacherEnrollment");
    expect(await (await caliper(f.canvasEnvelope([teacher]))).json()).toMatchObject({ accepted: 0, unmapped: 1 });
    expect(await engine.ctx.prisma.event.findUnique({ where: { id: teacher.id as string } })).toBeNull();
    const listed = await engine.http.get("/v1/mappings/unmapped?source=caliper").set("Authorization", `Bearer ${engine.keys.author}`);
    expect(listed.body.unmapped).toEqual(expect.arrayContaining([expect.objectContaining({ kind: { type: "Event", action: "Created", objectType: "Entity" }, exampleId: teacher.id })]));
  });

  it("reaches the built-in nudges: welcome on enrolment, retry after a failed quiz, goal prompt on a module start, reflection on completion", async () => {
    const cases: Array<{ send: () => Promise<Response>; learner: string; course: string; rules: string[] }> = [
      { send: () => xapi(f.openedxEnrollment("nudge-oe-1", C)), learner: "nudge-oe-1", course: C, rules: ["welcome"] },
      { send: () => xapi(f.openedxProblemSubmitted("nudge-oe-2", C, 1, 3)), learner: "nudge-oe-2", course: C, rules: ["quiz-retry"] },
      { send: () => xapi(f.moodleQuizSubmitted("nudge-m-1", 12, 0.2, false)), learner: "nudge-m-1", course: MOODLE_COURSE, rules: ["quiz-retry"] },
      { send: () => xapi(f.moodleModuleCompleted("nudge-m-2", 12)), learner: "nudge-m-2", course: MOODLE_COURSE, rules: ["self-assessment", "module-completed"] },
      {
        send: () => xapi(f.adlModuleLaunched("nudge-adl", "https://example.org/c2", "https://example.org/c2/m1")),
        learner: "nudge-adl@example.org",
        course: "https://example.org/c2",
        rules: ["goal-prompt"],
      },
      { send: () => caliper(f.canvasEnvelope([f.canvasEnrollmentCreated("2107000000005005", "777")])), learner: "2107000000005005", course: "777", rules: ["welcome"] },
      { send: () => caliper(f.openedxEnvelope([f.openedxCaliperEnrollment("nudge-oe-c", C)])), learner: "nudge-oe-c", course: C, rules: ["welcome"] },
    ];
    for (const c of cases) expect((await c.send()).status).toBe(200);
    for (const c of cases) {
      const messages = await waitFor(
        () => inbox(c.learner, c.course),
        (m) => m.length >= 1,
      );
      expect(messages).toHaveLength(1);
      expect(c.rules).toContain(messages[0].ruleKey);
    }
    // A passed quiz triggers no retry prompt.
    expect((await xapi(f.moodleQuizSubmitted("nudge-m-3", 12, 0.9, true))).status).toBe(200);
    await waitFor(
      async () => (await engine.ctx.prisma.event.findMany({ where: { learnerId: "nudge-m-3", matchedAt: null } })).length,
      (n) => n === 0,
    );
    expect(await inbox("nudge-m-3", MOODLE_COURSE)).toEqual([]);
  });

  it("reaches the retry nudge from a Segment 'Quiz Submitted' call, now that Object Action names become object.action", async () => {
    const res = await engine.http
      .post("/v1/track")
      .auth(engine.keys.ingest, "")
      .send({
        userId: "nudge-seg",
        event: "Quiz Submitted",
        messageId: "nudge-seg-1",
        timestamp: new Date().toISOString(),
        properties: { courseId: "seg-201", score: 0.3, passed: false },
      });
    expect(res.status).toBe(200);
    const messages = await waitFor(
      () => inbox("nudge-seg", "seg-201"),
      (m) => m.length >= 1,
    );
    expect(messages[0].ruleKey).toBe("quiz-retry");
  });
});
