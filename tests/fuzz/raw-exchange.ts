/**
 * One HTTP/1.1 exchange over a plain TCP socket, bytes as given: what an attacker can send and Node's own
 * client refuses to (raw bytes in the path, duplicate Content-Length, invalid header characters, a header of
 * 20 KB). The answer is read until its body is complete (Content-Length or chunked), or until its head when it
 * is a stream; a connection the server closes without any answer, or an answer that never comes, is reported
 * as such rather than thrown.
 */
import { connect } from "node:net";

export interface RawAnswer {
  /** 0 when no answer came. */
  status: number;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: Buffer;
  /** The server closed the connection before a complete answer (or any). */
  closedEarly: boolean;
  timedOut: boolean;
}

export interface RawRequestSpec {
  method: string;
  /** The request target as sent on the request line (path and query, already encoded or deliberately not). */
  target: Buffer | string;
  /** Sent in order, duplicates included. `Host` and `Connection: close` are added unless given. */
  headers: Array<[string, Buffer | string]>;
  body?: Buffer;
  /** Omit the Content-Length header the body would otherwise get (e.g. when the caller sends its own). */
  noContentLength?: boolean;
  /** The client's source address (127.0.0.0/8 on Linux: each address is another client to the engine). */
  localAddress?: string;
}

const CRLF = Buffer.from("\r\n");

/** Serializes a request exactly as specified. */
export function requestBytes(spec: RawRequestSpec): Buffer {
  const names = new Set(spec.headers.map(([name]) => name.toLowerCase()));
  const headers: Array<[string, Buffer | string]> = [];
  if (!names.has("host")) headers.push(["Host", "127.0.0.1"]);
  if (!names.has("connection")) headers.push(["Connection", "close"]);
  headers.push(...spec.headers);
  if (spec.body && !spec.noContentLength && !names.has("content-length") && !names.has("transfer-encoding")) headers.push(["Content-Length", String(spec.body.length)]);
  const parts: Buffer[] = [Buffer.from(`${spec.method} `), Buffer.from(spec.target), Buffer.from(" HTTP/1.1\r\n")];
  for (const [name, value] of headers) parts.push(Buffer.from(`${name}: `), Buffer.from(value), CRLF);
  parts.push(CRLF);
  if (spec.body) parts.push(spec.body);
  return Buffer.concat(parts);
}

/** Sends one request on a fresh connection and reads the answer; never rejects. */
export function rawExchange(port: number, spec: RawRequestSpec, timeoutMs = 15_000): Promise<RawAnswer> {
  const bytes = requestBytes(spec);
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, localAddress: spec.localAddress });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (answer: Partial<RawAnswer>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: 0, headers: {}, body: Buffer.alloc(0), closedEarly: false, timedOut: false, ...answer });
    };
    const timer = setTimeout(() => finish({ ...parseAnswer(received), timedOut: true }), timeoutMs);
    const check = (ended: boolean) => {
      const parsed = parseAnswer(received);
      if (parsed.complete) finish(parsed);
      else if (ended) finish({ ...parsed, closedEarly: !parsed.untilClose });
    };
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      check(false);
    });
    socket.on("end", () => check(true));
    socket.on("close", () => check(true));
    // EPIPE/ECONNRESET while we still write: the server answered (413, 431) and closed; read what it sent.
    socket.on("error", () => check(true));
    socket.write(bytes);
  });
}

interface Parsed extends Partial<RawAnswer> {
  complete: boolean;
  /** Neither Content-Length nor chunked: the body ends when the connection does. */
  untilClose?: boolean;
}

function parseAnswer(data: Buffer): Parsed {
  const headEnd = data.indexOf("\r\n\r\n");
  if (headEnd < 0) return { complete: false };
  const lines = data.subarray(0, headEnd).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(headEnd + 4);
  if (status === 100) return parseAnswer(rest); // 100 Continue, then the real answer
  if ((headers["content-type"] ?? "").startsWith("text/event-stream")) return { complete: true, status, headers, body: Buffer.alloc(0) };
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
    const body = dechunk(rest);
    return body ? { complete: true, status, headers, body } : { complete: false, status, headers, body: rest };
  }
  if (headers["content-length"] !== undefined) {
    const length = Number(headers["content-length"]);
    return rest.length >= length ? { complete: true, status, headers, body: rest.subarray(0, length) } : { complete: false, status, headers, body: rest };
  }
  if (status === 204 || status === 304) return { complete: true, status, headers, body: Buffer.alloc(0) };
  return { complete: false, untilClose: true, status, headers, body: rest };
}

/** The body of a complete chunked stream, or null while it is incomplete. */
function dechunk(data: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd < 0) return null;
    const size = parseInt(data.subarray(at, lineEnd).toString("latin1"), 16);
    if (Number.isNaN(size)) return Buffer.concat(parts);
    if (size === 0) return Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size + 2) return null;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
