/** Routes for segments (being built). */
import type { Router } from "express";
import type { AppContext } from "../app-context";

export function segmentRoutes(_router: Router, _ctx: AppContext): void {}
