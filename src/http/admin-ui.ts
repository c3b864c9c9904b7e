/**
 * The studio at /admin: the bundle built from packages/studio (scripts/bootstrap.sh builds it when its sources
 * are newer) — index.html, studio.js and styles.css — that calls this same API with the staff member's key.
 * Nothing here is secret; every action is authorized by the API as for any client. Views are hash routes
 * (#/templates/…), so /admin/ is the only page.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import express, { Router, type RequestHandler } from "express";
import { problem } from "./problem";

// From the sources (tsx): the repository's packages/; from a tsc build (dist/src/http): the same folder, three levels up.
const CANDIDATES = [resolve(__dirname, "../../packages/studio/dist"), resolve(__dirname, "../../../packages/studio/dist")];

/** Where the built studio is, looked up until found: a bundle built after the engine started is served too. */
function studioDist(): string | undefined {
  return CANDIDATES.find((dir) => existsSync(join(dir, "index.html")));
}

/** Serves the studio under its mount path (/admin redirects to /admin/); unknown files fall through to the API's 404. */
export function adminUi(): Router {
  const router = Router();
  let serve: RequestHandler | null = null;
  router.get("/", (req, res, next) => {
    const path = req.originalUrl.split("?")[0];
    if (!path.endsWith("/")) return res.redirect(301, `${path}/`);
    res.setHeader("Cache-Control", "no-cache");
    return next();
  });
  router.use((req, res, next) => {
    if (!serve) {
      const dir = studioDist();
      // Not built (a checkout run without `npm start`/`npm test`, which build it): say how, as a problem.
      if (!dir)
        return void res
          .status(503)
          .type("application/problem+json")
          .json(problem(503, "studio-not-built", "The studio is not built: run `npm run build:studio` (npm start and npm test build it)"));
      serve = express.static(dir, { index: "index.html", redirect: false });
    }
    return serve(req, res, next);
  });
  return router;
}
