/** IMS Caliper sensor endpoint (Canvas Live Events, Open edX event-routing-backends): POST /caliper, bearer ingest key. */
import type { Router } from "express";
import { ingestCaliperEnvelope } from "../../standards/ingest-caliper-envelope";
import { readJsonBody } from "../middleware/read-json-body";
import { caliperEnvelopeBody } from "../schemas/standards-bodies";
import { route } from "../route";
import type { AppContext } from "../app-context";

/** The contract's body limit. */
const ENVELOPE_LIMIT = 1024 * 1024;

/** Adds /caliper. */
export function caliperRoutes(router: Router, ctx: AppContext): void {
  route(router, ctx, {
    method: "post",
    path: "/caliper",
    tag: "Learning-record standards",
    access: { roles: ["ingest"] },
    requestBody: caliperEnvelopeBody,
    summary: "Store a Caliper 1.1/1.2 envelope {sensor, sendTime, dataVersion, data: [...]}; sendTime corrects clock skew; any malformed event refuses the envelope (400)",
    responseDescription: '{"accepted": n, "duplicates": m, "unmapped": u, "entities": e}',
    handler: async ({ req }) => {
      const body = await readJsonBody(req, ENVELOPE_LIMIT);
      return ingestCaliperEnvelope(ctx, body.value, body);
    },
  });
}
