/** Routes for analytics (being built). */
import type { Router } from "express";
import type { AppContext } from "../app-context";

export function analyticsRoutes(_router: Router, _ctx: AppContext): void {}
