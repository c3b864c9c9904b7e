/**
 * Statements and envelopes in the shapes Open edX (event-routing-backends), Moodle (logstore_xapi) and Canvas
 * (Live Events, Caliper 1.1) produce, written from their public documentation and specs: actor, verb, object
 * type and context where each platform puts them. Each factory takes the learner and course so tests stay apart.
 */
import { randomUUID } from "node:crypto";

const ADL = "http://adlnet.gov/expapi/verbs/";
const OPENEDX = "http://lms.openedx.example.org";
const MOODLE = "https://moodle.example.edu";

type Json = Record<string, unknown>;

const openedxActor = (learner: string) => ({ objectType: "Agent", account: { homePage: OPENEDX, name: learner } });
const openedxCourseActivity = (course: string) => ({
  id: `${OPENEDX}/course/${course}`,
  objectType: "Activity",
  definition: { name: { "en-US": "Demonstration Course" }, type: "http://adlnet.gov/expapi/activities/course" },
});
const openedxContext = (course: string) => ({
  contextActivities: { parent: [openedxCourseActivity(course)] },
  extensions: { "https://w3id.org/xapi/openedx/extension/transformer-version": "event-routing-backends@9.0.0" },
});
const block = (course: string, kind: string, hash: string) => `${OPENEDX}/xblock/block-v1:${course.replace("course-v1:", "")}+type@${kind}+block@${hash}`;

/** Open edX edx.course.enrollment.activated: registered, the course as object, the learner by openid. */
export function openedxEnrollment(learner: string, course: string): Json {
  return {
    id: randomUUID(),
    actor: { objectType: "Agent", openid: `https://openedx.org/users/user-v1/${learner}` },
    verb: { id: `${ADL}registered`, display: { en: "registered" } },
    object: { id: `${OPENEDX}/courses/${course}/`, objectType: "Activity", definition: { type: "http://adlnet.gov/expapi/activities/course", name: { en: "Demonstration Course" } } },
    context: { registration: randomUUID() },
    timestamp: new Date().toISOString(),
    version: "1.0.3",
  };
}

/** Open edX edx.grades.problem.submitted: attempted a question, with the weighted score and success. */
export function openedxProblemSubmitted(learner: string, course: string, earned: number, possible: number): Json {
  return {
    id: randomUUID(),
    actor: openedxActor(learner),
    verb: { id: `${ADL}attempted`, display: { en: "attempted" } },
    object: { id: block(course, "problem", "3fc5461f86764ad7"), objectType: "Activity", definition: { type: "http://adlnet.gov/expapi/activities/question" } },
    result: { score: { min: 0, max: possible, raw: earned, scaled: earned / possible }, success: earned >= possible },
    context: openedxContext(course),
    timestamp: new Date().toISOString(),
    version: "1.0.3",
  };
}

/** Open edX play_video / pause_video / complete_video, with the video profile's verbs and activity type. */
export function openedxVideo(learner: string, course: string, action: "played" | "paused" | "completed"): Json {
  const verb = action === "completed" ? `${ADL}completed` : `https://w3id.org/xapi/video/verbs/${action}`;
  return {
    id: randomUUID(),
    actor: openedxActor(learner),
    verb: { id: verb, display: { en: action } },
    object: { id: block(course, "video", "0b9e39477cf34507"), objectType: "Activity", definition: { type: "https://w3id.org/xapi/video/activity-type/video", name: { en: "Intro" } } },
    result: action === "completed" ? { completion: true, duration: "PT3M15S" } : { extensions: { "https://w3id.org/xapi/video/extensions/time": 12.5 } },
    context: {
      contextActivities: { parent: [{ id: `${OPENEDX}/courses/${course}/`, objectType: "Activity" }], category: [{ id: "https://w3id.org/xapi/video/activity-type/video", objectType: "Activity" }] },
    },
    timestamp: new Date().toISOString(),
    version: "1.0.3",
  };
}

/** Open edX edx.completion.block_completion.changed: progressed on a resource, completion in the result. */
export function openedxBlockCompletion(learner: string, course: string): Json {
  return {
    id: randomUUID(),
    actor: openedxActor(learner),
    verb: { id: `${ADL}progressed`, display: { en: "progressed" } },
    object: { id: block(course, "html", "7c54b16c8ed34f9f"), objectType: "Activity", definition: { type: "http://id.tincanapi.com/activitytype/resource" } },
    result: { completion: true, extensions: { "https://w3id.org/xapi/cmi5/result/extensions/progress": 100 } },
    context: openedxContext(course),
    timestamp: new Date().toISOString(),
    version: "1.0.3",
  };
}

/** Open edX course-level statements: edx.course.completed, grade calculated (earned), passed / failed. */
export function openedxCourse(learner: string, course: string, verb: "completed" | "earned" | "passed" | "failed", scaled?: number): Json {
  return {
    id: randomUUID(),
    actor: openedxActor(learner),
    verb: { id: verb === "earned" ? "http://id.tincanapi.com/verb/earned" : `${ADL}${verb}`, display: { en: verb } },
    object: openedxCourseActivity(course),
    ...(scaled !== undefined ? { result: { score: { scaled, raw: scaled, min: 0, max: 1 } } } : {}),
    context: openedxContext(course),
    timestamp: new Date().toISOString(),
    version: "1.0.3",
  };
}

const moodleActor = (learner: string) => ({ name: "Mary Somerville", account: { homePage: MOODLE, name: learner } });
const moodleCourse = (course: number) => ({ id: `${MOODLE}/course/view.php?id=${course}`, definition: { type: "http://id.tincanapi.com/activitytype/lms/course", name: { en: "Astronomy" } } });
const moodleContext = (course: number) => ({
  platform: "Moodle",
  language: "en",
  extensions: { "http://lrs.learninglocker.net/define/extensions/info": { "https://moodle.org/": "4.3" } },
  contextActivities: {
    grouping: [{ id: MOODLE, definition: { type: "http://id.tincanapi.com/activitytype/lms", name: { en: "Moodle" } } }, moodleCourse(course)],
    category: [{ id: "http://moodle.org", definition: { type: "http://id.tincanapi.com/activitytype/source", name: { en: "Moodle" } } }],
  },
});

/** Moodle \core\event\user_enrolment_created: registered ("enrolled to"), the course as object. */
export function moodleEnrolment(learner: string, course: number): Json {
  return {
    actor: moodleActor(learner),
    verb: { id: `${ADL}registered`, display: { en: "enrolled to" } },
    object: moodleCourse(course),
    timestamp: new Date().toISOString(),
    context: { ...moodleContext(course), contextActivities: { grouping: [{ id: MOODLE, definition: { type: "http://id.tincanapi.com/activitytype/lms" } }] } },
  };
}

/** Moodle \mod_quiz\event\attempt_submitted: completed an assessment, the attempt's score and success. */
export function moodleQuizSubmitted(learner: string, course: number, scaled: number, success: boolean): Json {
  return {
    actor: moodleActor(learner),
    verb: { id: `${ADL}completed`, display: { en: "completed" } },
    object: { id: `${MOODLE}/mod/quiz/view.php?id=31`, definition: { type: "http://adlnet.gov/expapi/activities/assessment", name: { en: "Week 2 quiz" } } },
    timestamp: new Date().toISOString(),
    result: { score: { raw: scaled * 10, min: 0, max: 10, scaled }, completion: true, success, duration: "PT7M2S" },
    context: moodleContext(course),
  };
}

/** Moodle \core\event\course_module_completion_updated: completed an lms/module. */
export function moodleModuleCompleted(learner: string, course: number): Json {
  return {
    actor: moodleActor(learner),
    verb: { id: `${ADL}completed`, display: { en: "completed" } },
    object: { id: `${MOODLE}/mod/page/view.php?id=44`, definition: { type: "http://id.tincanapi.com/activitytype/lms/module", name: { en: "Reading" } } },
    timestamp: new Date().toISOString(),
    context: moodleContext(course),
  };
}

/** Moodle \mod_assign\event\assessable_submitted: activitystrea.ms submit. */
export function moodleAssignmentSubmitted(learner: string, course: number): Json {
  return {
    actor: moodleActor(learner),
    verb: { id: "http://activitystrea.ms/schema/1.0/submit", display: { en: "submitted" } },
    object: { id: `${MOODLE}/mod/assign/view.php?id=52`, definition: { type: "http://adlnet.gov/expapi/activities/assessment", name: { en: "Essay" } } },
    timestamp: new Date().toISOString(),
    context: moodleContext(course),
  };
}

/** Moodle \core\event\course_completed. */
export function moodleCourseCompleted(learner: string, course: number): Json {
  return {
    actor: moodleActor(learner),
    verb: { id: `${ADL}completed`, display: { en: "completed" } },
    object: moodleCourse(course),
    timestamp: new Date().toISOString(),
    context: moodleContext(course),
  };
}

/** A cmi5-style "launched the module" inside a course (ADL verbs, ADL activity types). */
export function adlModuleLaunched(learner: string, course: string, module: string): Json {
  return {
    actor: { mbox: `mailto:${learner}@example.org`, name: "Ada" },
    verb: { id: `${ADL}launched` },
    object: { id: module, definition: { type: "http://adlnet.gov/expapi/activities/module" } },
    context: { contextActivities: { parent: [{ id: course, definition: { type: "http://adlnet.gov/expapi/activities/course" } }] } },
    timestamp: new Date().toISOString(),
  };
}

const CANVAS = "https://canvas.example.edu/";
const canvasUser = (id: string) => `urn:instructure:canvas:user:${id}`;
const canvasCourse = (id: string) => `urn:instructure:canvas:course:${id}`;
const canvasExtensions = { "com.instructure.canvas": { hostname: "canvas.example.edu", request_id: randomUUID(), version: "1.0.0" } };

/** A Caliper envelope as Canvas Live Events sends it (Caliper 1.1). */
export function canvasEnvelope(data: Json[], sendTime = new Date()): Json {
  return { sensor: CANVAS, sendTime: sendTime.toISOString(), dataVersion: "http://purl.imsglobal.org/ctx/caliper/v1p1", data };
}

function canvasEvent(type: string, action: string, actorId: string, object: Json, extra: Json = {}): Json {
  return {
    "@context": "http://purl.imsglobal.org/ctx/caliper/v1p1",
    id: `urn:uuid:${randomUUID()}`,
    type,
    action,
    actor: { id: canvasUser(actorId), type: "Person", extensions: { "com.instructure.canvas": { entity_id: actorId } } },
    object,
    eventTime: new Date().toISOString(),
    edApp: { id: CANVAS, type: "SoftwareApplication" },
    extensions: canvasExtensions,
    ...extra,
  };
}

/** Canvas enrollment_created: an admin (the actor) enrols a student (object.extensions…user_id). */
export function canvasEnrollmentCreated(learner: string, course: string, enrollmentType = "StudentEnrollment"): Json {
  return canvasEvent(
    "Event",
    "Created",
    "21070000000000001",
    {
      id: `urn:instructure:canvas:enrollment:${Math.floor(Math.random() * 1e9)}`,
      type: "Entity",
      extensions: { "com.instructure.canvas": { course_id: canvasCourse(course), type: enrollmentType, user_id: canvasUser(learner), workflow_state: "active" } },
    },
    { group: { id: `${canvasCourse(course)}:section:4811`, type: "CourseSection", extensions: { "com.instructure.canvas": { context_type: "Course", entity_id: course } } } },
  );
}

/** Canvas quiz_submitted: AssessmentEvent Submitted on the learner's Attempt. */
export function canvasQuizSubmitted(learner: string, course: string, quiz: string): Json {
  return canvasEvent(
    "AssessmentEvent",
    "Submitted",
    learner,
    {
      id: `urn:instructure:canvas:submission:${Math.floor(Math.random() * 1e9)}`,
      type: "Attempt",
      assignee: { id: canvasUser(learner), type: "Person" },
      assignable: { id: `urn:instructure:canvas:quiz:${quiz}`, type: "Assessment" },
    },
    { group: { id: canvasCourse(course), type: "CourseOffering" } },
  );
}

/** Canvas grade_change: GradeEvent Graded by the teacher (actor); the learner is the attempt's assignee. */
export function canvasGradeChange(learner: string, course: string, given: number, max: number): Json {
  return canvasEvent(
    "GradeEvent",
    "Graded",
    "21070000000000987",
    {
      id: "urn:instructure:canvas:submission:21070000000011086",
      type: "Attempt",
      assignee: { id: canvasUser(learner), type: "Person" },
      assignable: { id: "urn:instructure:canvas:assignment:355", type: "AssignableDigitalResource" },
    },
    {
      generated: { id: "urn:instructure:canvas:submission:21070000000011086", type: "Score", maxScore: max, scoreGiven: given, scoredBy: canvasUser("21070000000000987") },
      group: { id: canvasCourse(course), type: "CourseOffering" },
    },
  );
}

/** Canvas submission_created: AssignableEvent Submitted. */
export function canvasSubmissionCreated(learner: string, course: string): Json {
  return canvasEvent(
    "AssignableEvent",
    "Submitted",
    learner,
    {
      id: `urn:instructure:canvas:submission:${Math.floor(Math.random() * 1e9)}`,
      type: "Attempt",
      assignee: { id: canvasUser(learner), type: "Person" },
      assignable: { id: "urn:instructure:canvas:assignment:777", type: "AssignableDigitalResource" },
    },
    { group: { id: canvasCourse(course), type: "CourseOffering" } },
  );
}

/** Canvas asset_accessed: NavigationEvent NavigatedTo a page. */
export function canvasAssetAccessed(learner: string, course: string): Json {
  return canvasEvent(
    "NavigationEvent",
    "NavigatedTo",
    learner,
    { id: "urn:instructure:canvas:wikiPage:12", type: "Page", name: "Week 1 reading" },
    { group: { id: canvasCourse(course), type: "CourseOffering" } },
  );
}

/** Canvas logged_in: SessionEvent LoggedIn. */
export function canvasLoggedIn(learner: string): Json {
  return canvasEvent("SessionEvent", "LoggedIn", learner, { id: CANVAS, type: "SoftwareApplication" });
}

/** A Caliper envelope as Open edX's event-routing-backends sends it (Caliper 1.2). */
export function openedxEnvelope(data: Json[], sendTime = new Date()): Json {
  return { sensor: OPENEDX, sendTime: sendTime.toISOString(), dataVersion: "http://purl.imsglobal.org/ctx/caliper/v1p2", data };
}

function openedxCaliperEvent(type: string, action: string, learner: string, object: Json): Json {
  return {
    "@context": "http://purl.imsglobal.org/ctx/caliper/v1p2",
    id: `urn:uuid:${randomUUID()}`,
    type,
    action,
    actor: { id: learner, type: "Person" },
    object,
    eventTime: new Date().toISOString(),
  };
}

/** Open edX edx.course.enrollment.activated in Caliper: Event Activated on a Membership. */
export function openedxCaliperEnrollment(learner: string, course: string): Json {
  return openedxCaliperEvent("Event", "Activated", learner, { id: `${OPENEDX}/courses/${course}/`, type: "Membership", extensions: { course_id: course, mode: "audit" } });
}

/** Open edX complete_video in Caliper: MediaEvent Ended on a VideoObject, the course in extensions.isPartOf. */
export function openedxCaliperVideoEnded(learner: string, course: string): Json {
  return {
    ...openedxCaliperEvent("MediaEvent", "Ended", `${OPENEDX}/user/${learner}`, {
      id: block(course, "video", "0b9e39477cf34507"),
      type: "VideoObject",
      duration: "PT3M15S",
      extensions: { isPartOf: { id: `${OPENEDX}/course/${course}`, type: "CourseOffering" } },
    }),
    target: { id: "_:MediaLocation", type: "MediaLocation" },
  };
}

/** Open edX edx.grades.problem.submitted in Caliper: AssessmentEvent Submitted with the weighted score. */
export function openedxCaliperProblemSubmitted(learner: string, course: string, earned: number, possible: number): Json {
  return openedxCaliperEvent("AssessmentEvent", "Submitted", learner, {
    id: `block-v1:${course.replace("course-v1:", "")}+type@problem+block@3fc5461f86764ad7`,
    type: "Assessment",
    extensions: { course_id: course, weighted_earned: earned, weighted_possible: possible },
  });
}

/** A generic Caliper ToolUseEvent and AssessmentItemEvent (IMS examples' shapes). */
export function caliperToolUse(learner: string): Json {
  return {
    "@context": "http://purl.imsglobal.org/ctx/caliper/v1p2",
    id: `urn:uuid:${randomUUID()}`,
    type: "ToolUseEvent",
    action: "Used",
    actor: { id: `https://example.edu/users/${learner}`, type: "Person" },
    object: { id: "https://example.edu", type: "SoftwareApplication" },
    eventTime: new Date().toISOString(),
  };
}
