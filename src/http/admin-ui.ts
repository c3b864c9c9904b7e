/**
 * The admin UI at /admin: static files (src/http/admin/) that call this same API with the staff member's key.
 * Nothing here is secret; every action is authorized by the API as for any client.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import express, { Router } from "express";

// Beside this file when run from the sources (tsx); the sources' copy when run from dist/ (tsc copies no HTML).
const ADMIN_DIR = [join(__dirname, "admin"), resolve(__dirname, "../../../src/http/admin")].find((dir) => existsSync(join(dir, "index.html")));

/** Serves the UI under its mount path (/admin redirects to /admin/); unknown files fall through to the API's 404. */
export function adminUi(): Router {
  if (!ADMIN_DIR) throw new Error("the admin UI's files (src/http/admin) are missing");
  const router = Router();
  router.get("/", (req, res, next) => {
    const path = req.originalUrl.split("?")[0];
    return path.endsWith("/") ? next() : res.redirect(301, `${path}/`);
  });
  router.use(express.static(ADMIN_DIR, { index: "index.html", redirect: false }));
  return router;
}
