/** Listens on the configured port (0 = any free port) and closes gracefully. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import { loadConfig, type HttpLimits } from "../config";
import type { Logger } from "../lib/logger";
import { drainServer } from "./drain";
import { answerClientErrorsAsProblems } from "./client-errors";

/**
 * Starts listening; resolves with the server and the port actually bound. The limits (COACH_HTTP_*, by default
 * the configuration's defaults) bound what slow or idle clients can hold: at most `maxConnections` sockets (more
 * are closed on accept), complete headers within `headersTimeoutMs` (a slowloris or a silent socket gets 408 and
 * is closed), the whole request within `requestTimeoutMs`, and no socket silent for longer than `idleTimeoutMs`.
 */
export function listen(app: Express, port: number, options: { limits?: HttpLimits; log?: Logger } = {}): Promise<{ server: Server; port: number }> {
  const limits = options.limits ?? loadConfig({}).http;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node looks for requests past those timeouts (its default, 30 s, would let them run that much longer).
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4))),
    },
    app,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.timeout = limits.idleTimeoutMs;
  answerClientErrorsAsProblems(server); // malformed HTTP, 16 KB of headers, timeouts: problem+json, not Node's bare status line
  if (options.log) reportDroppedConnections(server, options.log, limits.maxConnections);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () => {
      server.off("error", reject);
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}

/** Connections refused at the cap, logged at most once per 10 s with their count (a flood must not flood the log). */
function reportDroppedConnections(server: Server, log: Logger, cap: number): void {
  let dropped = 0;
  let timer: NodeJS.Timeout | null = null;
  server.on("drop", () => {
    dropped++;
    timer ??= setTimeout(() => {
      log.warn({ dropped, maxConnections: cap }, "refused connections: the server is at COACH_HTTP_MAX_CONNECTIONS");
      dropped = 0;
      timer = null;
    }, 10_000).unref();
  });
}

/**
 * Stops accepting and waits for running requests within `timeoutMs`, then destroys what is left. On a server
 * passed to `trackRequests` (src/http/drain.ts, as src/main.ts does) nothing already sent is lost: answers say
 * `Connection: close` and idle keep-alive sockets close after a short grace; otherwise Node's plain close.
 */
export function closeServer(server: Server, timeoutMs = 10_000): Promise<void> {
  return drainServer(server, timeoutMs);
}
