// Lint: typescript-eslint's recommended rules, plus the habits of ../shared/STYLE.md that a linter can check.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "**/dist/", "src/generated/", "coverage/", ".data/"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-console": "error",
      // Configuration is read in one place (src/config.ts).
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through src/config.ts" }],
    },
  },
  {
    // Domain code knows nothing of HTTP or queues (STYLE.md: thin adapters).
    files: [
      "src/ingest/**",
      "src/matching/**",
      "src/templates/**",
      "src/delivery/**",
      "src/feedback/**",
      "src/throttle/**",
      "src/experiments/**",
      "src/segments/**",
      "src/insights/**",
      "src/analytics/**",
    ],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["express", "bullmq", "**/http/**"], message: "Domain code must not depend on HTTP or BullMQ" }] }],
    },
  },
  {
    files: ["src/config.ts", "tests/**", "bench/**", "scripts/**", "simulator/**", "prisma.config.ts", "jest.config.js"],
    rules: { "no-restricted-properties": "off", "no-console": "off" },
  },
);
