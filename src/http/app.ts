/** Builds the Express application: middleware, every route module, and the problem+json error handler. */
import express, { Router, type Express } from "express";
import helmet from "helmet";
import type { AppContext } from "./app-context";
import { requestContext } from "./middleware/request-context";
import { notFoundHandler, problemHandler } from "./middleware/problem-handler";
import { operationsRoutes } from "./routes/operations.routes";
import { apiKeyRoutes } from "./routes/api-keys.routes";
import { eventRoutes } from "./routes/events.routes";
import { learnerTokenRoutes } from "./routes/learner-tokens.routes";
import { segmentCompatRoutes } from "./routes/segment-compat.routes";
import { templateRoutes } from "./routes/templates.routes";
import { ruleRoutes } from "./routes/rules.routes";
import { segmentRoutes } from "./routes/segments.routes";
import { insightRoutes } from "./routes/insights.routes";
import { learnerRoutes } from "./routes/learners.routes";
import { preferenceRoutes } from "./routes/preferences.routes";
import { feedbackRoutes } from "./routes/feedback.routes";
import { policyRoutes } from "./routes/policy.routes";
import { analyticsRoutes } from "./routes/analytics.routes";
import { adminUi } from "./admin-ui";

export type RouteModule = (router: Router, ctx: AppContext) => void;

/** Route modules in mount order; later issues add theirs here. */
export const ROUTE_MODULES: RouteModule[] = [
  operationsRoutes,
  apiKeyRoutes,
  eventRoutes,
  segmentCompatRoutes,
  learnerTokenRoutes,
  templateRoutes,
  ruleRoutes,
  segmentRoutes,
  insightRoutes,
  preferenceRoutes,
  learnerRoutes,
  feedbackRoutes,
  policyRoutes,
  analyticsRoutes,
];

/** The whole HTTP API for a context. Does not listen (see server.ts). */
export function buildApp(ctx: AppContext, modules: RouteModule[] = ROUTE_MODULES): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");
  app.use(helmet());
  app.use(requestContext(ctx));
  app.use("/admin", adminUi());
  // Member uploads carry up to 100,000 ids and insight uploads 10,000 rows; every other body stays within the contract's 1 MiB.
  app.put("/v1/segments/:key/members", express.json({ limit: "8mb" }));
  app.put("/v1/insights", express.json({ limit: "8mb" }));
  app.use(express.json({ limit: "1mb", type: ["application/json", "application/*+json", "text/plain"], strict: false }));
  const router = Router();
  for (const mount of modules) mount(router, ctx);
  app.use(router);
  app.use(notFoundHandler);
  app.use(problemHandler(ctx));
  return app;
}
