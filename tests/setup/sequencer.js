/**
 * The order test files start in. With timings from an earlier run (Jest's cache) Jest's own order stands:
 * failed first, then slowest first. Without them (a fresh clone, CI) Jest guesses by file size, and a short file
 * that runs for minutes (the simulator, the fault suite, `npm start` on real processes) could start last and
 * leave one worker running it alone at the end. Those known long files start first, longest first; the others
 * follow in Jest's order. Only the order changes, never which tests run.
 */
const { default: Sequencer } = require("@jest/test-sequencer"); // eslint-disable-line @typescript-eslint/no-require-imports
const { relative } = require("node:path"); // eslint-disable-line @typescript-eslint/no-require-imports

/** Longest first, as measured on an idle 2-core machine (each over a minute, or close). */
const LONG_FIRST = [
  "tests/integration/npm-start.test.ts",
  "tests/e2e/simulator.test.ts",
  "tests/chaos/chaos.test.ts",
  "tests/browser/studio-analyst.test.ts",
  "tests/integration/embedded-database.test.ts",
  "tests/fuzz/http-fuzz.test.ts",
  "tests/integration/redis-restart.test.ts",
  "tests/integration/database-recovery.test.ts",
  "tests/browser/learner-widget.test.ts",
  "tests/browser/studio-editor.test.ts",
];

class LongFilesFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const rank = (test) => LONG_FIRST.indexOf(relative(test.context.config.rootDir, test.path).split("\\").join("/"));
    const first = sorted.filter((test) => test.duration == null && !this.hasFailed(test) && rank(test) >= 0).sort((a, b) => rank(a) - rank(b));
    return [...first, ...sorted.filter((test) => !first.includes(test))];
  }
}

module.exports = LongFilesFirst;
