// Validates an OpenAPI document file with swagger-parser and generates its TypeScript types with
// openapi-typescript; prints {valid, error?, types}. A script (not in-process) because both are ES modules,
// which Jest's CommonJS runtime cannot load.
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import openapiTS, { astToString } from "openapi-typescript";

const document = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = { valid: false, error: null, types: null };
try {
  await SwaggerParser.validate(structuredClone(document));
  out.valid = true;
} catch (error) {
  out.error = error.message;
}
try {
  out.types = astToString(await openapiTS(structuredClone(document)));
} catch (error) {
  out.error ??= `openapi-typescript: ${error.message}`;
}
process.stdout.write(JSON.stringify(out));
