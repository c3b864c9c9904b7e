/** Jest runs every suite against real PostgreSQL and Redis; globalSetup prepares a migrated template database. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  globalSetup: "<rootDir>/tests/setup/global-setup.ts",
  testSequencer: "<rootDir>/tests/setup/sequencer.js",
  globalTeardown: "<rootDir>/tests/setup/global-teardown.ts",
  setupFiles: ["<rootDir>/tests/setup/env.ts"],
  // Bounds a failure only (a passing test ends when its work does); generous for a busy machine. Waits inside
  // tests (tests/setup/wait-for.ts PATIENCE_MS, browser waits) are shorter, so theirs is the message a hang shows.
  testTimeout: 180_000,
  maxWorkers: 2,
};
