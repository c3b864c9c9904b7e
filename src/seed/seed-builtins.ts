/** Seeds the built-in templates and rules on start (filled in with the template library). */
import type { EngineContext } from "../context";

/** Idempotent; never overwrites what staff edited. */
export async function seedBuiltins(_ctx: EngineContext): Promise<void> {}
