/** Routes for rules (being built). */
import type { Router } from "express";
import type { AppContext } from "../app-context";

export function ruleRoutes(_router: Router, _ctx: AppContext): void {}
