/** Builds the Express application: middleware, every route module, and the problem+json error handler. */
import express, { Router, type Express } from "express";
import helmet from "helmet";
import type { AppContext } from "./app-context";
import { requestContext } from "./middleware/request-context";
import { jsonBody } from "./middleware/json-body";
import { checksItsOwnBody } from "./middleware/unsafe-input";
import { deferBodyErrors } from "./middleware/deferred-body-error";
import { refuseUnreadBody } from "./middleware/unread-body";
import { notFoundHandler, problemHandler } from "./middleware/problem-handler";
import { operationsRoutes } from "./routes/operations.routes";
import { failureRoutes } from "./routes/failures.routes";
import { apiKeyRoutes } from "./routes/api-keys.routes";
import { eventRoutes } from "./routes/events.routes";
import { learnerTokenRoutes } from "./routes/learner-tokens.routes";
import { segmentCompatRoutes } from "./routes/segment-compat.routes";
import { xapiRoutes } from "./routes/xapi.routes";
import { caliperRoutes } from "./routes/caliper.routes";
import { mappingRoutes } from "./routes/mappings.routes";
import { templateRoutes } from "./routes/templates.routes";
import { ruleRoutes } from "./routes/rules.routes";
import { segmentRoutes } from "./routes/segments.routes";
import { insightRoutes } from "./routes/insights.routes";
import { learnerRoutes } from "./routes/learners.routes";
import { preferenceRoutes } from "./routes/preferences.routes";
import { feedbackRoutes } from "./routes/feedback.routes";
import { policyRoutes } from "./routes/policy.routes";
import { analyticsRoutes } from "./routes/analytics.routes";
import { meRoutes } from "./routes/me.routes";
import { catalogRoutes } from "./routes/catalog.routes";
import { demoRoutes } from "./routes/demo.routes";
import { adminUi } from "./admin-ui";
import { learnerCors } from "./middleware/cors";
import { sdkAssets } from "./sdk-assets";

export type RouteModule = (router: Router, ctx: AppContext) => void;

/** Route modules in mount order; later issues add theirs here. */
export const ROUTE_MODULES: RouteModule[] = [
  operationsRoutes,
  failureRoutes,
  apiKeyRoutes,
  eventRoutes,
  segmentCompatRoutes,
  xapiRoutes,
  caliperRoutes,
  mappingRoutes,
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
  meRoutes,
  catalogRoutes,
  demoRoutes,
];

/** The whole HTTP API for a context. Does not listen (see server.ts). */
export function buildApp(ctx: AppContext, modules: RouteModule[] = ROUTE_MODULES): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");
  // req.ip (what failed authentications are counted by) is the socket's peer unless COACH_TRUST_PROXY names proxies.
  app.set("trust proxy", ctx.config.trustProxy);
  app.use(helmet());
  app.use(requestContext(ctx));
  app.use(learnerCors(ctx.config.corsOrigins));
  app.use("/sdk", sdkAssets());
  app.use("/admin", adminUi());
  // Member uploads carry up to 100,000 ids and insight uploads 10,000 rows; every other body stays within the contract's 1 MiB.
  // Every JSON parser is jsonBody: bodies nested past 64 levels are refused before JSON.parse sees them.
  app.put("/v1/segments/:key/members", jsonBody({ limit: "8mb" }));
  app.put("/v1/insights", jsonBody({ limit: "8mb" }));
  // The standards' endpoints (Segment calls, xAPI, Caliper) read their bodies themselves, after access is decided:
  // gzip whatever the content type, their own size limits, strict UTF-8 (src/http/middleware/read-json-body.ts).
  const parseJson = jsonBody({ limit: "1mb", type: ["application/json", "application/*+json", "text/plain"], strict: false });
  app.use((req, res, next) => (checksItsOwnBody(req.path) ? next() : parseJson(req, res, next)));
  app.use(deferBodyErrors); // a body's 4xx waits until route() has decided access (401/403 come first)
  app.use(refuseUnreadBody); // a body in a type no parser took is 415 (also deferred), never read as empty
  const router = Router();
  for (const mount of modules) mount(router, ctx);
  app.use(router);
  app.use(notFoundHandler);
  app.use(problemHandler(ctx));
  return app;
}
