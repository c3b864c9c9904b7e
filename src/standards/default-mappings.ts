/**
 * The shipped mappings: the ADL verbs, what Open edX's event-routing-backends and Moodle's logstore_xapi send as
 * xAPI, the Caliper events Canvas and Open edX send, and the built-in templates' triggers (course.enrolled,
 * module.started, module.completed, video.completed, quiz.submitted, assignment.submitted, course.completed).
 * Staff override any of them by key through PUT /v1/mappings; the README lists them as a table.
 */
import type { FieldSource, Mapping, MappingFields, MappingSource } from "./mapping.schema";

const ADL = "http://adlnet.gov/expapi/verbs/";
const ADL_COURSE = "http://adlnet.gov/expapi/activities/course";
const ADL_MODULE = "http://adlnet.gov/expapi/activities/module";
const ADL_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment";
const ADL_QUESTION = "http://adlnet.gov/expapi/activities/question";
const ADL_INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction";
const LMS_COURSE = "http://id.tincanapi.com/activitytype/lms/course";
const LMS_MODULE = "http://id.tincanapi.com/activitytype/lms/module";
const RESOURCE = "http://id.tincanapi.com/activitytype/resource";
const VIDEO = "https://w3id.org/xapi/video/activity-type/video";
const ACROSSX_VIDEO = "https://w3id.org/xapi/acrossx/activities/video";
const VIDEO_VERB = "https://w3id.org/xapi/video/verbs/";

/** Open edX course and block keys out of the IRIs its statements use ("…/course/course-v1:edX+DemoX+Demo_Course"). */
const OPENEDX_COURSE = "(course-v1:[^/?#]+)";
const OPENEDX_BLOCK = "(block-v1:[^/?#]+)";
/** Canvas's URNs carry the numeric id last; Open edX's Caliper actor is …/user/<id>. */
const CANVAS_OR_URL_USER = "^urn:instructure:canvas:user:(\\d+)$|/users?/([^/]+)/?$";
const COURSE_KEY = `${OPENEDX_COURSE}|^urn:instructure:canvas:course:(\\d+)`;
const CANVAS_ENTITY = "^urn:instructure:canvas:[a-z_]+:(\\d+)$";

/** The key a pattern finds in the value at `path` when it matches, else the value itself. */
const keyOrValue = (path: string, pattern: string): FieldSource[] => [{ path, pattern }, { path }];
const NOT_A_COURSE = `[definition.type!=${ADL_COURSE}][definition.type!=${LMS_COURSE}]`;

/** Where each field comes from when a mapping does not say; a mapping's own `fields` replace these one by one. */
export const DEFAULT_FIELDS: Readonly<Record<MappingSource, MappingFields>> = {
  xapi: {
    learner: [{ path: "actor.account.name" }, ...keyOrValue("actor.openid", "/users/user-v1/([^/]+)/?$"), { path: "actor.mbox", pattern: "^mailto:(.+)$" }, { path: "actor.mbox_sha1sum" }],
    course: [
      ...keyOrValue(`context.contextActivities.parent[definition.type=${ADL_COURSE}].id`, OPENEDX_COURSE),
      { path: `context.contextActivities.grouping[definition.type=${LMS_COURSE}].id` },
      { path: `context.contextActivities.grouping[definition.type=${ADL_COURSE}].id` },
      ...keyOrValue(`object[definition.type=${ADL_COURSE}].id`, OPENEDX_COURSE),
      { path: `object[definition.type=${LMS_COURSE}].id` },
      { path: "context.contextActivities.parent[0].id", pattern: OPENEDX_COURSE },
    ],
    module: [{ path: "object.id", pattern: OPENEDX_BLOCK }, { path: `object${NOT_A_COURSE}.id` }],
    score: [{ path: "result.score.scaled" }, { ratio: ["result.score.raw", "result.score.max"] }],
    passed: [{ path: "result.success" }],
    completed: [{ path: "result.completion" }],
  },
  caliper: {
    learner: [...keyOrValue("actor.id", CANVAS_OR_URL_USER), ...keyOrValue("actor", CANVAS_OR_URL_USER)],
    course: [
      { path: "object.extensions.course_id" },
      ...keyOrValue("group.id", COURSE_KEY),
      ...keyOrValue("object.isPartOf.id", COURSE_KEY),
      { path: "object.extensions.isPartOf.id", pattern: COURSE_KEY },
      ...keyOrValue("membership.organization.id", COURSE_KEY),
    ],
    module: [...keyOrValue("object.assignable.id", CANVAS_ENTITY), { path: "object.id", pattern: OPENEDX_BLOCK }],
    score: [{ ratio: ["generated.scoreGiven", "generated.maxScore"] }, { ratio: ["object.extensions.weighted_earned", "object.extensions.weighted_possible"] }],
  },
  segment: {
    learner: [{ path: "userId" }, { path: "anonymousId" }],
    course: [{ path: "properties.courseId" }, { path: "properties.course_id" }],
    module: [{ path: "properties.moduleId" }, { path: "properties.module_id" }],
  },
};

type Options = { objectType?: string; fields?: MappingFields; description?: string };

function xapi(key: string, verb: string, eventType: string, options: Options = {}): Mapping {
  return {
    key: `xapi.${key}`,
    source: "xapi",
    eventType,
    match: { verb, ...(options.objectType ? { objectType: options.objectType } : {}) },
    ...(options.fields ? { fields: options.fields } : {}),
    ...(options.description ? { description: options.description } : {}),
  };
}

function caliper(key: string, type: string, action: string, eventType: string, options: Options & { objectIdPrefix?: string; where?: Array<{ path: string; equals: string }> } = {}): Mapping {
  return {
    key: `caliper.${key}`,
    source: "caliper",
    eventType,
    match: {
      type,
      action,
      ...(options.objectType ? { objectType: options.objectType } : {}),
      ...(options.objectIdPrefix ? { objectIdPrefix: options.objectIdPrefix } : {}),
      ...(options.where ? { where: options.where } : {}),
    },
    ...(options.fields ? { fields: options.fields } : {}),
    ...(options.description ? { description: options.description } : {}),
  };
}

/** Every ADL verb (http://adlnet.gov/expapi/verbs/…) for any object; "voided" is handled by the xAPI resource itself. */
const ADL_VERBS: Array<[string, string]> = [
  ["answered", "problem.answered"],
  ["asked", "problem.asked"],
  ["attempted", "activity.attempted"],
  ["attended", "session.attended"],
  ["commented", "comment.posted"],
  ["completed", "activity.completed"],
  ["exited", "activity.exited"],
  ["experienced", "content.viewed"],
  ["failed", "activity.failed"],
  ["imported", "activity.imported"],
  ["initialized", "activity.initialized"],
  ["interacted", "activity.interacted"],
  ["launched", "activity.launched"],
  ["mastered", "activity.mastered"],
  ["passed", "activity.passed"],
  ["preferred", "activity.preferred"],
  ["progressed", "activity.progressed"],
  ["registered", "course.enrolled"],
  ["responded", "problem.responded"],
  ["resumed", "activity.resumed"],
  ["satisfied", "activity.satisfied"],
  ["scored", "activity.scored"],
  ["shared", "activity.shared"],
  ["suspended", "activity.suspended"],
  ["terminated", "activity.terminated"],
  ["waived", "activity.waived"],
];

const XAPI_MAPPINGS: Mapping[] = [
  ...ADL_VERBS.map(([verb, type]) => xapi(`adl.${verb}`, `${ADL}${verb}`, type)),
  // Completion of the things the built-in templates care about (Open edX, Moodle, cmi5-style content).
  xapi("adl.completed.course", `${ADL}completed`, "course.completed", { objectType: ADL_COURSE, description: "Open edX edx.course.completed" }),
  xapi("adl.completed.lms-course", `${ADL}completed`, "course.completed", { objectType: LMS_COURSE, description: "Moodle course completed" }),
  xapi("adl.completed.module", `${ADL}completed`, "module.completed", { objectType: ADL_MODULE }),
  xapi("adl.completed.lms-module", `${ADL}completed`, "module.completed", { objectType: LMS_MODULE, description: "Moodle course module completion" }),
  xapi("adl.completed.video", `${ADL}completed`, "video.completed", { objectType: VIDEO, description: "Open edX complete_video" }),
  xapi("adl.completed.acrossx-video", `${ADL}completed`, "video.completed", { objectType: ACROSSX_VIDEO }),
  xapi("adl.completed.assessment", `${ADL}completed`, "quiz.submitted", { objectType: ADL_ASSESSMENT, description: "Moodle quiz attempt submitted (score, success)" }),
  xapi("adl.passed.course", `${ADL}passed`, "course.passed", { objectType: ADL_COURSE, description: "Open edX edx.course.grade.passed.first_time / now_passed" }),
  xapi("adl.failed.course", `${ADL}failed`, "course.failed", { objectType: ADL_COURSE, description: "Open edX edx.course.grade.now_failed" }),
  xapi("adl.passed.assessment", `${ADL}passed`, "quiz.submitted", { objectType: ADL_ASSESSMENT, fields: { passed: [{ value: true }] } }),
  xapi("adl.failed.assessment", `${ADL}failed`, "quiz.submitted", { objectType: ADL_ASSESSMENT, fields: { passed: [{ value: false }] } }),
  xapi("adl.passed.question", `${ADL}passed`, "problem.passed", { objectType: ADL_QUESTION }),
  xapi("adl.failed.question", `${ADL}failed`, "problem.failed", { objectType: ADL_QUESTION }),
  xapi("adl.passed.interaction", `${ADL}passed`, "problem.passed", { objectType: ADL_INTERACTION }),
  xapi("adl.failed.interaction", `${ADL}failed`, "problem.failed", { objectType: ADL_INTERACTION }),
  xapi("adl.attempted.question", `${ADL}attempted`, "quiz.submitted", { objectType: ADL_QUESTION, description: "Open edX edx.grades.problem.submitted (score, success)" }),
  xapi("adl.attempted.module", `${ADL}attempted`, "module.started", { objectType: ADL_MODULE }),
  xapi("adl.initialized.module", `${ADL}initialized`, "module.started", { objectType: ADL_MODULE, description: "Open edX outline / sequence tab selected" }),
  xapi("adl.launched.module", `${ADL}launched`, "module.started", { objectType: ADL_MODULE }),
  xapi("adl.initialized.video", `${ADL}initialized`, "video.loaded", { objectType: VIDEO, description: "Open edX load_video" }),
  xapi("adl.terminated.video", `${ADL}terminated`, "video.stopped", { objectType: VIDEO, description: "Open edX stop_video" }),
  xapi("adl.progressed.resource", `${ADL}progressed`, "block.progressed", { objectType: RESOURCE, description: "Open edX edx.completion.block_completion.changed (completed = result.completion)" }),
  // The xAPI video profile and Open edX's own vocabulary.
  xapi("video.played", `${VIDEO_VERB}played`, "video.played", { description: "Open edX play_video" }),
  xapi("video.paused", `${VIDEO_VERB}paused`, "video.paused", { description: "Open edX pause_video" }),
  xapi("video.seeked", `${VIDEO_VERB}seeked`, "video.seeked", { description: "Open edX seek_video" }),
  xapi("tincan.unregistered", "http://id.tincanapi.com/verb/unregistered", "course.unenrolled", { description: "Open edX edx.course.enrollment.deactivated" }),
  xapi("acrossx.evaluated", "https://w3id.org/xapi/acrossx/verbs/evaluated", "problem.evaluated", { description: "Open edX problem_check (server, with score)" }),
  xapi("tincan.earned", "http://id.tincanapi.com/verb/earned", "activity.graded"),
  xapi("tincan.earned.course", "http://id.tincanapi.com/verb/earned", "course.graded", { objectType: ADL_COURSE, description: "Open edX edx.grades.course.grade_calculated" }),
  xapi("tincan.earned.resource", "http://id.tincanapi.com/verb/earned", "module.graded", { objectType: RESOURCE, description: "Open edX edx.grades.subsection.grade_calculated" }),
  xapi("dod-isd.navigated", "https://w3id.org/xapi/dod-isd/verbs/navigated", "page.navigated"),
  // Moodle's logstore_xapi vocabulary.
  xapi("activitystreams.start", "http://activitystrea.ms/schema/1.0/start", "activity.started"),
  xapi("activitystreams.start.assessment", "http://activitystrea.ms/schema/1.0/start", "quiz.started", { objectType: ADL_ASSESSMENT, description: "Moodle quiz attempt started" }),
  xapi("activitystreams.submit", "http://activitystrea.ms/schema/1.0/submit", "assignment.submitted", { description: "Moodle assignment submitted" }),
  xapi("tincan.viewed", "http://id.tincanapi.com/verb/viewed", "content.viewed"),
  xapi("tincan.viewed.lms-course", "http://id.tincanapi.com/verb/viewed", "course.viewed", { objectType: LMS_COURSE }),
  xapi("brindlewaye.loggedin", "https://brindlewaye.com/xAPITerms/verbs/loggedin/", "session.started"),
  xapi("brindlewaye.loggedout", "https://brindlewaye.com/xAPITerms/verbs/loggedout/", "session.ended"),
];

const CANVAS_EXT = 'object.extensions["com.instructure.canvas"]';
const assignee: MappingFields = {
  learner: [...keyOrValue("object.assignee.id", CANVAS_OR_URL_USER), ...keyOrValue("generated.attempt.assignee.id", CANVAS_OR_URL_USER), ...keyOrValue("actor.id", CANVAS_OR_URL_USER)],
};

const CALIPER_MAPPINGS: Mapping[] = [
  caliper("session.logged-in", "SessionEvent", "LoggedIn", "session.started"),
  caliper("session.logged-out", "SessionEvent", "LoggedOut", "session.ended"),
  caliper("session.timed-out", "SessionEvent", "TimedOut", "session.timed_out"),
  caliper("navigation.navigated-to", "NavigationEvent", "NavigatedTo", "page.navigated", { description: "Canvas asset_accessed, Open edX outline and sequence navigation" }),
  caliper("view.viewed", "ViewEvent", "Viewed", "content.viewed"),
  ...(["Started", "Resumed", "Paused", "Ended", "JumpedTo"] as const).flatMap((action) => {
    const media = { Started: "media.started", Resumed: "media.resumed", Paused: "media.paused", Ended: "media.completed", JumpedTo: "media.seeked" }[action];
    const video = { Started: "video.played", Resumed: "video.played", Paused: "video.paused", Ended: "video.completed", JumpedTo: "video.seeked" }[action];
    return [
      caliper(`media.${action.toLowerCase()}`, "MediaEvent", action, media),
      caliper(`media.${action.toLowerCase()}.video`, "MediaEvent", action, video, { objectType: "VideoObject", description: "Open edX video events" }),
    ];
  }),
  caliper("assessment.started", "AssessmentEvent", "Started", "quiz.started"),
  caliper("assessment.submitted", "AssessmentEvent", "Submitted", "quiz.submitted", {
    fields: assignee,
    description: "Canvas quiz_submitted, Open edX edx.grades.problem.submitted (score from weighted_earned / weighted_possible)",
  }),
  caliper("assessment.paused", "AssessmentEvent", "Paused", "quiz.paused"),
  caliper("assessment.resumed", "AssessmentEvent", "Resumed", "quiz.resumed"),
  caliper("assessment.restarted", "AssessmentEvent", "Restarted", "quiz.restarted"),
  caliper("assessment.reset", "AssessmentEvent", "Reset", "quiz.reset"),
  caliper("assessment-item.started", "AssessmentItemEvent", "Started", "question.started"),
  caliper("assessment-item.skipped", "AssessmentItemEvent", "Skipped", "question.skipped"),
  caliper("assessment-item.completed", "AssessmentItemEvent", "Completed", "problem.answered"),
  caliper("grade.graded", "GradeEvent", "Graded", "assignment.graded", { fields: assignee, description: "Canvas grade_change: the learner is the attempt's assignee, not the grader" }),
  caliper("tool-use.used", "ToolUseEvent", "Used", "tool.used"),
  caliper("assignable.started", "AssignableEvent", "Started", "assignment.started", { fields: assignee }),
  caliper("assignable.submitted", "AssignableEvent", "Submitted", "assignment.submitted", { fields: assignee, description: "Canvas submission_created" }),
  caliper("canvas.enrollment-created", "Event", "Created", "course.enrolled", {
    objectIdPrefix: "urn:instructure:canvas:enrollment:",
    where: [{ path: `${CANVAS_EXT}.type`, equals: "StudentEnrollment" }],
    fields: {
      learner: keyOrValue(`${CANVAS_EXT}.user_id`, CANVAS_OR_URL_USER),
      course: keyOrValue(`${CANVAS_EXT}.course_id`, COURSE_KEY),
      module: [],
    },
    description: "Canvas enrollment_created (students only; the actor is whoever enrolled them)",
  }),
  caliper("openedx.enrollment-activated", "Event", "Activated", "course.enrolled", { objectType: "Membership", description: "Open edX edx.course.enrollment.activated" }),
  caliper("openedx.enrollment-deactivated", "Event", "Deactivated", "course.unenrolled", { objectType: "Membership" }),
  caliper("openedx.course-completed", "Event", "Completed", "course.completed", { objectType: "Membership", description: "Open edX edx.course.completed" }),
];

/** Every shipped mapping, in a stable order. */
export const DEFAULT_MAPPINGS: readonly Mapping[] = Object.freeze([...XAPI_MAPPINGS, ...CALIPER_MAPPINGS]);
