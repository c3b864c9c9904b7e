/**
 * Answers for requests Node's HTTP parser refuses before Express ever sees them: headers past 16 KB, bytes
 * HTTP does not allow, a Content-Length that contradicts Transfer-Encoding, a slow client's timeout, an
 * `Expect` the server does not meet. Node's defaults are bare status lines with no body; the contract says
 * every 4xx is problem+json, so a client (or a proxy's log) learns what was wrong in the same shape as always.
 */
import { maxHeaderSize, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { problem, type Problem } from "./problem";

/** What a parser error means for the client. Node's codes: llhttp's HPE_* and its own ERR_HTTP_*. */
function problemFor(code: string | undefined): Problem {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return problem(431, "request-header-fields-too-large", `The request line and headers are larger than ${Math.round(maxHeaderSize / 1024)} KB together`);
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return problem(413, "payload-too-large", "The body's chunk extensions are too large");
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return problem(408, "request-timeout", "The request was not received in time; the connection is closed");
    default:
      return problem(400, "http-parse", `The request is not valid HTTP/1.1 (${code ?? "unreadable"}); the connection is closed`);
  }
}

function rawAnswer(p: Problem): string {
  const body = JSON.stringify(p);
  return `HTTP/1.1 ${p.status} ${p.title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * Replaces Node's bare answers to unparseable requests and unmet expectations with problem+json. As Node does,
 * nothing is written when the socket is gone or a response on it has already begun, and the socket is closed.
 */
export function answerClientErrorsAsProblems(server: Server): void {
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(rawAnswer(problemFor(error.code)));
  });
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify(problem(417, "expectation-failed", `Expect: ${String(req.headers.expect).slice(0, 64)} is not supported (only 100-continue)`));
    res.writeHead(417, { "Content-Type": "application/problem+json", "Content-Length": Buffer.byteLength(body), Connection: "close" });
    res.end(body);
  });
}
