/** Routes for feedback (being built). */
import type { Router } from "express";
import type { AppContext } from "../app-context";

export function feedbackRoutes(_router: Router, _ctx: AppContext): void {}
