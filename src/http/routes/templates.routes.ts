/** Routes for templates (being built). */
import type { Router } from "express";
import type { AppContext } from "../app-context";

export function templateRoutes(_router: Router, _ctx: AppContext): void {}
