/** Routes for insights (being built). */
import type { Router } from "express";
import type { AppContext } from "../app-context";

export function insightRoutes(_router: Router, _ctx: AppContext): void {}
