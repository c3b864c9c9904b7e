/**
 * Closing the HTTP server without dropping a request, for deploys and autoscalers that SIGTERM a process
 * under load. Node's own `server.close()` closes idle keep-alive sockets at once: a request a client has just
 * written on one (sent before the signal, not yet read by a busy event loop) is then lost as a reset. Instead:
 * stop accepting, answer everything with `Connection: close` (requests already running whose headers are not
 * out yet, and any that still arrive on open sockets), close a keep-alive socket only once it has been idle
 * for a short grace after the stop, and destroy whatever is left at the deadline.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { Server as NetServer, type Socket } from "node:net";

/** An idle keep-alive socket is kept this long after the stop: covers a request already on the wire to it. */
const IDLE_GRACE_MS = 1_000;
const SWEEP_EVERY_MS = 100;

interface SocketState {
  /** Requests on this socket not yet answered. */
  active: number;
  /** When it last became idle (its last response finished, or it connected). */
  idleSince: number;
}

interface Tracker {
  sockets: Map<Socket, SocketState>;
  responses: Set<ServerResponse>;
  stopping: boolean;
}

const trackers = new WeakMap<Server, Tracker>();

/**
 * Starts keeping track of the server's sockets and running requests, so that `drainServer` can close it
 * gracefully. Call it right after listening, before any connection (idempotent).
 */
export function trackRequests(server: Server): void {
  if (trackers.has(server)) return;
  const tracker: Tracker = { sockets: new Map(), responses: new Set(), stopping: false };
  trackers.set(server, tracker);
  server.on("connection", (socket: Socket) => {
    tracker.sockets.set(socket, { active: 0, idleSince: Date.now() });
    socket.once("close", () => tracker.sockets.delete(socket));
  });
  // Prepended: runs before the application sees the request, so its answer carries the header.
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    const state = tracker.sockets.get(req.socket);
    if (state) state.active++;
    tracker.responses.add(res);
    if (tracker.stopping) res.setHeader("Connection", "close");
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      tracker.responses.delete(res);
      if (state) {
        state.active--;
        state.idleSince = Date.now();
      }
    };
    res.once("finish", finish);
    res.once("close", finish);
  });
}

/**
 * Stops accepting connections and resolves once every socket is closed: running requests are answered (with
 * `Connection: close`), idle keep-alive sockets are closed after a short grace, and at `timeoutMs` whatever
 * is still open is destroyed. A server never passed to `trackRequests` gets Node's plain close.
 */
export function drainServer(server: Server, timeoutMs: number): Promise<void> {
  const tracker = trackers.get(server);
  if (!tracker) return plainClose(server, timeoutMs);
  tracker.stopping = true;
  for (const res of tracker.responses) if (!res.headersSent) res.setHeader("Connection", "close");
  const stoppedAt = Date.now();
  const grace = Math.min(IDLE_GRACE_MS, timeoutMs / 4);
  return new Promise((resolve) => {
    const sweep = setInterval(() => {
      const now = Date.now();
      for (const [socket, state] of tracker.sockets) {
        if (state.active === 0 && now - Math.max(state.idleSince, stoppedAt) >= grace) socket.destroy();
      }
    }, SWEEP_EVERY_MS);
    const deadline = setTimeout(() => {
      for (const socket of tracker.sockets.keys()) socket.destroy();
    }, timeoutMs);
    // net's close, not http's: http's would destroy idle keep-alive sockets at once (see the top of this file).
    NetServer.prototype.close.call(server, () => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve();
    });
  });
}

function plainClose(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
  });
}
