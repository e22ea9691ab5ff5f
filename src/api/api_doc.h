// What the API document (api/openapi.h, served at GET /openapi.json) says of one route,
// declared beside its handler in the route's group: a summary, the body's schema, the answers'
// schemas and an example request. Schemas of described structs are generated from their
// Boost.Describe descriptions (core/json_schema.h): the same ones the strict decoder and the
// encoder use; the answers a handler builds by hand are described here with a small
// vocabulary (object_schema, array_of, ...), and tests/test_openapi.py checks real answers
// against them.
#pragma once
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/json_schema.h"

namespace k9::api {

// A schema, generated when the document is built (components go into the registry).
using Schema = std::function<boost::json::value(SchemaRegistry&)>;

// The schema of a described struct (core/json_schema.h), as decoded (input) or as written (output).
template <class T>
Schema described(SchemaUse use = SchemaUse::output) {
  return [use](SchemaRegistry& r) { return r.schema<T>(use); };
}
// A described input struct whose decoder requires some of its fields.
template <class T>
Schema described_input(std::vector<std::string> required) {
  return [required](SchemaRegistry& r) {
    boost::json::object s = r.schema<T>(SchemaUse::input).as_object();
    boost::json::array names;
    for (auto& n : required) names.push_back(boost::json::string(n));
    s["required"] = std::move(names);
    return boost::json::value(std::move(s));
  };
}

// A schema written out (no components).
Schema literal(boost::json::value schema);
Schema string_schema(std::string description = "");
Schema integer_schema(std::string description = "");
Schema number_schema(std::string description = "");
Schema boolean_schema(std::string description = "");
Schema nullable(Schema s);
Schema array_of(Schema items);
// A value of one of these schemas (anyOf).
Schema any_of(std::vector<Schema> options);
// The named component `name` (generated once) as a $ref.
Schema named(std::string name, Schema s);
// An object with these properties; `closed`: no other property (the strict decoders).
struct Field {
  std::string name;
  Schema schema = {};
  bool required = true;
};
Field optional_field(std::string name, Schema schema);
Schema object_schema(std::vector<Field> fields, bool closed = false);
// `base` (an object schema or a $ref to one) with these properties added.
Schema extended(Schema base, std::vector<Field> fields);

// One answer of a route.
struct ResponseDoc {
  int status = 200;
  std::string description = {};
  Schema schema = {};                       // empty: no body described
  std::string media = "application/json";  // "application/zip", "image/*", ...
};

// A query parameter.
struct QueryDoc {
  std::string name;
  std::string description = {};
  Schema schema = {};
  boost::json::value example = nullptr;  // null = none; the example request sends it when there is one
};

// A request the document shows and tests/test_openapi.py sends to a real server (with live
// ids, tokens and image bytes in place of these values), expecting `status`.
struct ExampleDoc {
  std::map<std::string, std::string> params = {};  // path parameters (query ones: QueryDoc::example)
  boost::json::value body = nullptr;  // null: no body shown (none, or bytes: an image)
  int status = 200;
};

struct RouteDoc {
  std::string summary = {};
  std::string description = {};
  Schema request = {};  // a Media::json route's body
  std::vector<ResponseDoc> responses = {};  // successes, and errors worth saying more of than their code
  std::vector<QueryDoc> query = {};
  std::map<std::string, std::string> params = {};  // path parameter -> description (known names have one)
  ExampleDoc example = {};
};

}  // namespace k9::api
