#!/usr/bin/env bash
# Shared first step of `npm start` and `npm test` on a fresh clone: install dependencies when missing
# and generate the Prisma client when the schema is newer than it. Works offline: the Prisma CLI only
# needs *some* file as its schema engine to generate (it never migrates here; see src/db/migrator.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ ! -x node_modules/.bin/prisma ]; then
  echo "installing dependencies (npm ci)…" >&2
  # npm ci when the lock file is complete; npm install when it lacks other platforms' optional packages.
  npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error
fi
client=src/generated/prisma/client.ts
if [ ! -f "$client" ] || [ prisma/schema.prisma -nt "$client" ]; then
  PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$PWD/package.json}" PRISMA_HIDE_UPDATE_MESSAGE=1 \
    node_modules/.bin/prisma generate >/dev/null
fi
# The learner widget's bundle (packages/coach-inbox → dist/coach-inbox.js, served at /sdk/coach-inbox.js):
# rebuilt when any of its sources is newer than the bundle. Built files are not committed.
bundle=packages/coach-inbox/dist/coach-inbox.js
if [ ! -f "$bundle" ] || [ -n "$(find packages/coach-inbox/src packages/coach-inbox/package.json packages/coach-inbox/build.mjs -newer "$bundle" -print -quit)" ]; then
  node packages/coach-inbox/build.mjs
fi
# The studio served at /admin (packages/studio → dist/: index.html, studio.js, styles.css): rebuilt when any
# of its sources (or the widget sources it shares) is newer than the bundle. Built files are not committed.
studio=packages/studio/dist/studio.js
if [ ! -f "$studio" ] || [ ! -f packages/studio/dist/index.html ] || [ -n "$(find packages/studio/src packages/studio/static packages/studio/package.json packages/studio/build.mjs packages/coach-inbox/src/sanitize.ts -newer "$studio" -print -quit)" ]; then
  node packages/studio/build.mjs
fi
