/** HTTP handlers receive the engine context. */
export type { EngineContext as AppContext } from "../context";
