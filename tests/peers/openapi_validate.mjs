// Validates answers against the API document's schemas with ajv (JSON Schema 2020-12, the
// dialect of OpenAPI 3.1). Usage: node openapi_validate.mjs DOC.json ANSWERS.json
// ANSWERS: [{name, path, method, status, body}] (path: the document's path template). Prints
// one JSON line: [{name, ok, error}], an error when the status is not documented or the body
// does not match its schema.
import fs from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";

const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const answers = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
// The document itself is the schema resource every $ref (#/components/schemas/...) points into.
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ ...doc, $id: "k9-openapi" });
const pointer = (parts) => parts.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

const out = [];
for (const a of answers) {
  const op = doc.paths?.[a.path]?.[a.method];
  const response = op?.responses?.[String(a.status)] ?? op?.responses?.default;
  if (!response) {
    out.push({ name: a.name, ok: false, error: `status ${a.status} is not documented` });
    continue;
  }
  const code = op.responses[String(a.status)] ? String(a.status) : "default";
  if (!response.content?.["application/json"]) {
    out.push({ name: a.name, ok: a.body === null, error: a.body === null ? "" : "a JSON body where none is documented" });
    continue;
  }
  const where = pointer(["paths", a.path, a.method, "responses", code, "content", "application/json", "schema"]);
  const validate = ajv.compile({ $ref: `k9-openapi#/${where}` });
  const ok = validate(a.body);
  out.push({ name: a.name, ok, error: ok ? "" : ajv.errorsText(validate.errors) });
}
console.log(JSON.stringify(out));
