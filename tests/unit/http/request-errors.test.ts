/**
 * Errors raised while reading a request, produced by the real body-parser on a stream we control, become the
 * right problem: the client's doing is a 4xx, never a 500; what only our code could cause stays a logged 500.
 */
import { PassThrough } from "node:stream";
import express from "express";
import type { Request, Response } from "express";
import { toProblem } from "../../../src/http/problem";

/** Runs express.json on a fake request; `act` feeds (or breaks) the body stream. Resolves with the error passed to next. */
function parse(headers: Record<string, string>, act: (stream: PassThrough) => void, before?: (stream: PassThrough) => void): Promise<unknown> {
  const stream = new PassThrough();
  before?.(stream);
  const req = Object.assign(stream, { headers, method: "POST", url: "/" }) as unknown as Request;
  return new Promise((resolve) => {
    express.json()(req, {} as Response, (error?: unknown) => resolve(error));
    act(stream);
  });
}

describe("problems for errors met while reading the request", () => {
  const json = { "content-type": "application/json" };

  it("a client that aborts mid-body: 400", async () => {
    const error = await parse({ ...json, "content-length": "100" }, (s) => {
      s.write('{"a":');
      s.emit("aborted");
      s.end(); // lets body-parser's drain of the rest finish
    });
    expect((error as { type: string }).type).toBe("request.aborted");
    expect(toProblem(error)).toMatchObject({ problem: { status: 400 }, internal: false });
  });

  it("a body shorter than its Content-Length: 400", async () => {
    const error = await parse({ ...json, "content-length": "100" }, (s) => s.end('{"a":1}'));
    expect((error as { type: string }).type).toBe("request.size.invalid");
    expect(toProblem(error)).toMatchObject({ problem: { status: 400 }, internal: false });
  });

  it("gzip, br or deflate declared on a plain body: 400; an unknown encoding: 415", async () => {
    for (const encoding of ["gzip", "br", "deflate"]) {
      const error = await parse({ ...json, "content-encoding": encoding, "transfer-encoding": "chunked" }, (s) => s.end('{"a":1}'));
      expect(toProblem(error)).toMatchObject({ problem: { status: 400, type: expect.stringMatching(/malformed-body/) }, internal: false });
    }
    const unknown = await parse({ ...json, "content-encoding": "compress", "transfer-encoding": "chunked" }, (s) => s.end("{}"));
    expect(toProblem(unknown)).toMatchObject({ problem: { status: 415 }, internal: false });
  });

  it("a stream our own code already set an encoding on: a logged 500, not blamed on the client", async () => {
    const error = await parse(
      { ...json, "transfer-encoding": "chunked" },
      (s) => s.end("{}"),
      (s) => s.setEncoding("utf8"),
    );
    expect((error as { type: string }).type).toBe("stream.encoding.set");
    expect(toProblem(error)).toMatchObject({ problem: { status: 500 }, internal: true });
  });

  it("a path param that is not percent-encoded UTF-8 (the router's URIError): 400", () => {
    const error = Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 });
    expect(toProblem(error)).toMatchObject({ problem: { status: 400, type: expect.stringMatching(/malformed-path/) }, internal: false });
  });
});
