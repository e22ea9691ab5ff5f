// Runs the npm cfn-lint on a CloudFormation/SAM template with the current CloudFormation
// resource specification (the npm package @aws-cdk/cfnspec, spec/specification.json) in place
// of the one cfn-lint ships (data/aws_resources_specification.json, version 2.29.0 of 2019,
// which rejects current properties such as AWS::Lambda::Function's Architectures).
//   node cfn-lint-current-spec.cjs TEMPLATE [Name=Value ...]
// Name=Value pairs are the template's parameters. Prints one JSON object:
// {"specVersion", "cfnLintVersion", "templateValid", "errors": {"crit", "warn", "info"}}.
//
// How the spec is swapped: cfn-lint has no option for another specification. Every part of
// it (lib/resourcesSpec.js, lib/validator.js, lib/docs.js) reads the spec through the one
// object lib/awsData.js exports as `awsResources` (a require() of the JSON file, cached once
// per process), and validator.js extends that same object with the SAM resource types
// (data/sam_20161031_cfn.json) before each validation. Replacing its ResourceTypes and
// PropertyTypes before the first validation is therefore the whole change.
"use strict";
const path = require("path");

const [template, ...pairs] = process.argv.slice(2);
if (!template) {
  console.error("usage: node cfn-lint-current-spec.cjs TEMPLATE [Name=Value ...]");
  process.exit(2);
}

const awsData = require("cfn-lint/lib/awsData");
const current = require("@aws-cdk/cfnspec/spec/specification.json");

// The CDK's spec adds union types (Types, PrimitiveTypes, ...) to a few properties, which
// cfn-lint does not know: let those take any value rather than fail to load.
for (const group of ["ResourceTypes", "PropertyTypes"]) {
  for (const def of Object.values(current[group])) {
    for (const prop of Object.values(def.Properties || {})) {
      if (!prop.Type && !prop.PrimitiveType) prop.PrimitiveType = "Json";
    }
  }
}
awsData.awsResources.ResourceSpecificationVersion = current.ResourceSpecificationVersion;
awsData.awsResources.ResourceTypes = current.ResourceTypes;
awsData.awsResources.PropertyTypes = current.PropertyTypes;

const cfnLint = require("cfn-lint");
const parameters = {};
for (const pair of pairs) {
  const eq = pair.indexOf("=");
  if (eq < 1) {
    console.error(`not a Name=Value pair: ${pair}`);
    process.exit(2);
  }
  parameters[pair.slice(0, eq)] = pair.slice(eq + 1);
}
const result = cfnLint.validateFile(path.resolve(template), {
  parameters,
  pseudoParameters: {"AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012"},
});
console.log(JSON.stringify({
  specVersion: awsData.awsResources.ResourceSpecificationVersion,
  cfnLintVersion: require("cfn-lint/package.json").version,
  templateValid: result.templateValid,
  errors: result.errors,
}, null, 2));
