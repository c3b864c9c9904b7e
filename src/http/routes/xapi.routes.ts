/**
 * The xAPI statements resource, write side (an LRS endpoint for Open edX, Moodle and any xAPI client):
 * POST /xapi/statements, PUT /xapi/statements?statementId=, GET /xapi/about. Every answer carries
 * X-Experience-API-Version (the request's, when it names a version this LRS speaks).
 */
import type { Request, Router } from "express";
import { z } from "zod";
import { ValidationError } from "../../lib/errors";
import { postStatements, putStatement } from "../../standards/ingest-xapi-statements";
import { isSupportedXapiVersion, XAPI_VERSIONS } from "../../standards/xapi-statement";
import { readJsonBody, type JsonBody } from "../middleware/read-json-body";
import { xapiStatementBody, xapiStatementsBody } from "../schemas/standards-bodies";
import { route } from "../route";
import type { AppContext } from "../app-context";

/** The contract's body limit; an LRS answers 413 past its configured limit. */
const STATEMENTS_LIMIT = 1024 * 1024;
const VERSION_HEADER = "X-Experience-API-Version";

/** Adds /xapi/statements and /xapi/about. */
export function xapiRoutes(router: Router, ctx: AppContext): void {
  // Before authentication, so a 401 carries the header too.
  router.use("/xapi", (req, res, next) => {
    const asked = req.header(VERSION_HEADER);
    res.setHeader(VERSION_HEADER, isSupportedXapiVersion(asked) ? asked.trim() : XAPI_VERSIONS[XAPI_VERSIONS.length - 1]);
    next();
  });
  const access = { roles: ["ingest"] as const };
  route(router, ctx, {
    method: "get",
    path: "/xapi/about",
    tag: "Learning-record standards",
    access: "public",
    summary: "The xAPI versions this LRS speaks",
    handler: async () => ({ version: [...XAPI_VERSIONS], extensions: { "https://coach.dev/xapi/extensions/write-only": true } }),
  });
  route(router, ctx, {
    method: "post",
    path: "/xapi/statements",
    tag: "Learning-record standards",
    access,
    query: z.strictObject({}),
    requestBody: xapiStatementsBody,
    summary: "Store one xAPI statement or an array (1.0.3 or 2.0; Basic auth with the ingest key as user name): 200 with the ids; 409 when an id is stored with other content",
    responseDescription: "[statement ids]",
    handler: async ({ req }) => {
      const body = await readStatements(req, { items: true });
      return postStatements(ctx, body.value, body);
    },
  });
  route(router, ctx, {
    method: "put",
    path: "/xapi/statements",
    tag: "Learning-record standards",
    access,
    status: 204,
    requestBody: xapiStatementBody,
    query: z.strictObject({ statementId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i, "must be a UUID") }),
    summary: "Store one xAPI statement under statementId: 204; a resend is no change, other content under the id is 409",
    handler: async ({ req, res, query }) => {
      const body = await readStatements(req, { items: false });
      await putStatement(ctx, query.statementId.toLowerCase(), body.value, body);
      res.status(204).end();
      return undefined;
    },
  });
}

async function readStatements(req: Request, options: { items: boolean }): Promise<JsonBody> {
  if (!isSupportedXapiVersion(req.header(VERSION_HEADER))) {
    throw new ValidationError(`Send the ${VERSION_HEADER} header with the version the statements follow: 1.0.x or 2.0.x`, [
      { path: `headers.${VERSION_HEADER}`, message: req.header(VERSION_HEADER) === undefined ? "is required" : "must be 1.0, 1.0.x, 2.0 or 2.0.x" },
    ]);
  }
  if (req.is("multipart/*")) {
    throw new ValidationError("Statements with attachments (multipart/mixed) are not supported; send application/json", [{ path: "headers.Content-Type", message: "must be application/json" }]);
  }
  return readJsonBody(req, STATEMENTS_LIMIT, options.items ? { itemsOf: { root: true } } : {});
}
