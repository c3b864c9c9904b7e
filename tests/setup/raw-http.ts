/**
 * Plain node:http calls against a listening engine, for tests that care about the connection itself: the client's
 * source address (127.0.0.2 is another client on Linux's loopback), keep-alive reuse, many requests in flight.
 */
import { Agent, request, type IncomingHttpHeaders } from "node:http";

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is (with the content type given, default application/json). */
  body?: unknown;
  agent?: Agent;
  /** The client's source address, e.g. 127.0.0.2 (needs no agent: a fresh socket is bound to it). */
  localAddress?: string;
}

/** One request; resolves with the whole answer (never rejects on an HTTP status). */
export function rawRequest(port: number, req: RawRequest): Promise<RawResponse> {
  const payload = req.body === undefined ? undefined : typeof req.body === "string" ? req.body : JSON.stringify(req.body);
  const headers: Record<string, string> = { ...(payload !== undefined ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) } : {}), ...req.headers };
  return new Promise((resolve, reject) => {
    const call = request({ host: "127.0.0.1", port, method: req.method ?? "GET", path: req.path, headers, agent: req.agent, localAddress: req.localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = undefined;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
      res.on("error", reject);
    });
    call.on("error", reject);
    if (payload !== undefined) call.write(payload);
    call.end();
  });
}

/** Runs `count` calls of `task` with at most `concurrency` in flight; results in call order. */
export async function inParallel<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

/** A keep-alive agent bound to one source address, so a test can be one client over a few sockets. */
export function clientAgent(localAddress = "127.0.0.1", maxSockets = 16): Agent {
  return new Agent({ keepAlive: true, maxSockets, localAddress });
}
