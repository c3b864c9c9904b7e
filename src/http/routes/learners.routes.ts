/** Routes for learners (being built). */
import type { Router } from "express";
import type { AppContext } from "../app-context";

export function learnerRoutes(_router: Router, _ctx: AppContext): void {}
