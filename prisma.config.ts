// Prisma CLI configuration. The CLI is used only for `prisma generate` here: migrations are
// hand-written SQL in prisma/migrations, applied by src/db/migrator.ts (and compatible with
// `prisma migrate deploy` where the schema engine is available).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/coach" },
});
