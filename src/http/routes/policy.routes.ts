/** Routes for policy (being built). */
import type { Router } from "express";
import type { AppContext } from "../app-context";

export function policyRoutes(_router: Router, _ctx: AppContext): void {}
