/** The process logger (pino). Every module logs through a child of this one. */
import pino from "pino";

export type Logger = pino.Logger;

/** Builds the root logger at the given level; JSON lines on stdout. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "coach" }, timestamp: pino.stdTimeFunctions.isoTime });
}
