#include "generations/duckdb_rows.h"

#include <cctype>
#include <map>
#include <set>

#include "core/error.h"
#include "core/json.h"
#include "core/json_codec.h"
#include "repo/item_codec.h"

namespace k9::generations {

namespace json = boost::json;
using store::AttributeValue;
using store::Item;

namespace {

Error column_error(std::string_view column, const std::string& what) {
  return Error(ErrorCode::bad_request, "column " + std::string(column) + ": " + what);
}

// A JSON value (exact numbers as parse_json_object keeps them) as an attribute: objects M,
// arrays L, strings S, numbers N, booleans BOOL, null NULL.
AttributeValue attribute_of(const json::value& v) {
  if (auto* exact = exact_number_text(v)) return AttributeValue::N(std::string(*exact));
  switch (v.kind()) {
    case json::kind::object: {
      AttributeValue::Map m;
      for (auto& [k, child] : v.as_object()) m.emplace(std::string(k), attribute_of(child));
      return AttributeValue::M(std::move(m));
    }
    case json::kind::array: {
      AttributeValue::List l;
      for (auto& child : v.as_array()) l.push_back(attribute_of(child));
      return AttributeValue::L(std::move(l));
    }
    case json::kind::string: return AttributeValue::S(std::string(v.as_string()));
    case json::kind::bool_: return AttributeValue::Bool(v.as_bool());
    case json::kind::null: return AttributeValue::Null();
    default: return AttributeValue::N(to_json_text(v));  // a number parsed without its text
  }
}

// A JSON column: its text parsed with exact numbers, or the nested value as it is.
json::value json_column(const json::value& v, std::string_view column) {
  if (!v.is_string()) return v;
  std::string_view text = v.as_string();
  try {
    // parse_json_object keeps every digit of each number; wrap to parse any JSON value.
    json::object holder = parse_json_object("{\"v\":" + std::string(text) + "}");
    return holder.at("v");
  } catch (const Error&) {
    throw column_error(column, "not JSON text");
  }
}

// Checks the row's columns against the table's: every one known, the required ones present
// and not null.
void check_columns(const json::object& row, const std::set<std::string_view>& columns,
                   const std::set<std::string_view>& required, std::string_view table) {
  for (auto& [k, v] : row)
    if (!columns.contains(k))
      throw column_error(k, "not a column of the DuckDB generation's " + std::string(table) +
                                " table (another schema?)");
  for (auto c : required) {
    auto* v = row.if_contains(c);
    if (!v || v->is_null()) throw column_error(c, "required, missing");
  }
}

void put_text(Item& item, const json::object& row, std::string_view column) {
  auto* v = row.if_contains(column);
  if (!v || v->is_null()) return;
  if (!v->is_string()) throw column_error(column, "must be text");
  item[std::string(column)] = AttributeValue::S(std::string(v->as_string()));
}

void put_time(Item& item, const json::object& row, std::string_view column) {
  auto* v = row.if_contains(column);
  if (!v || v->is_null()) return;
  if (!v->is_string()) throw column_error(column, "must be a timestamp");
  try {
    item[std::string(column)] = AttributeValue::S(iso_timestamp(v->as_string()));
  } catch (const Error& e) {
    throw column_error(column, e.message());
  }
}

Item user(const json::object& row) {
  check_columns(row, {"user_id", "name", "email", "avatar_url", "preferences", "created_at", "updated_at"},
                {"user_id", "name"}, "users");
  Item item;
  for (auto c : {"user_id", "name", "email", "avatar_url"}) put_text(item, row, c);
  if (auto* p = row.if_contains("preferences"); p && !p->is_null()) {
    json::value prefs = json_column(*p, "preferences");
    if (!prefs.is_object()) throw column_error("preferences", "must be a JSON object");
    item["preferences"] = attribute_of(prefs);
  }
  put_time(item, row, "created_at");
  put_time(item, row, "updated_at");
  return item;
}

Item report(const json::object& row) {
  check_columns(row, {"id", "title", "author", "date", "user_id", "reference", "favorites", "created_at", "updated_at"},
                {"id", "title", "author", "date", "user_id", "reference"}, "reports");
  Item item;
  for (auto c : {"id", "title", "author", "date", "user_id"}) put_text(item, row, c);
  json::value ref = json_column(row.at("reference"), "reference");
  Product product;
  try {
    product = decode_json<Product>(ref, "reference");  // strict: the API's own decoding
  } catch (const Error& e) {
    throw column_error("reference", e.message());
  }
  item["reference"] = repo::to_attr(product);
  AttributeValue::List favorites;
  if (auto* f = row.if_contains("favorites"); f && !f->is_null()) {
    json::value list = json_column(*f, "favorites");
    if (!list.is_array()) throw column_error("favorites", "must be a JSON array of product ids");
    for (auto& id : list.as_array()) {
      if (!id.is_string()) throw column_error("favorites", "must be a JSON array of product ids");
      favorites.push_back(AttributeValue::S(std::string(id.as_string())));
    }
  }
  item["favorites"] = AttributeValue::L(std::move(favorites));
  put_time(item, row, "created_at");
  put_time(item, row, "updated_at");
  return item;
}

Item embedding(const json::object& row) {
  check_columns(row, {"product_id", "embedding_vector", "model_version", "vector_dimension", "created_at"},
                {"product_id", "embedding_vector", "model_version", "vector_dimension"}, "product_embeddings");
  Item item;
  put_text(item, row, "product_id");
  put_text(item, row, "model_version");
  json::value vec = json_column(row.at("embedding_vector"), "embedding_vector");
  if (!vec.is_array() || vec.as_array().empty()) throw column_error("embedding_vector", "must be a JSON array of numbers");
  AttributeValue::List numbers;
  for (auto& x : vec.as_array()) {
    AttributeValue a = attribute_of(x);
    if (!a.is(store::AttrType::N)) throw column_error("embedding_vector", "must be a JSON array of numbers");
    numbers.push_back(std::move(a));
  }
  auto* dim = exact_number_text(row.at("vector_dimension"));
  if (!dim || *dim != std::to_string(numbers.size()))
    throw column_error("vector_dimension", "must be the vector's length, " + std::to_string(numbers.size()));
  item["vector_dimension"] = AttributeValue::N(std::string(*dim));
  item["embedding_vector"] = AttributeValue::L(std::move(numbers));
  put_time(item, row, "created_at");
  return item;
}

}  // namespace

bool duckdb_table_of(std::string_view name, DuckDbTable& table) {
  static const std::map<std::string_view, DuckDbTable> tables{
      {"users", DuckDbTable::users}, {"reports", DuckDbTable::reports},
      {"product_embeddings", DuckDbTable::product_embeddings}};
  for (std::string_view ext : {".jsonl", ".json", ".ndjson"}) {
    if (!name.ends_with(ext)) continue;
    auto it = tables.find(name.substr(0, name.size() - ext.size()));
    if (it == tables.end()) return false;
    table = it->second;
    return true;
  }
  return false;
}

Item item_from_duckdb_row(DuckDbTable table, std::string_view line) {
  json::object row;
  try {
    row = parse_json_object(line);  // numbers keep every digit
  } catch (const Error&) {
    throw Error(ErrorCode::bad_request, "not a JSON object");
  }
  switch (table) {
    case DuckDbTable::users: return user(row);
    case DuckDbTable::reports: return report(row);
    case DuckDbTable::product_embeddings: return embedding(row);
  }
  throw Error(ErrorCode::internal, "unknown DuckDB table");
}

std::string iso_timestamp(std::string_view t) {
  auto digits = [&](size_t at, size_t n) {
    if (at + n > t.size()) return false;
    for (size_t i = at; i < at + n; ++i)
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
    return true;
  };
  bool shape = t.size() >= 19 && digits(0, 4) && t[4] == '-' && digits(5, 2) && t[7] == '-' && digits(8, 2) &&
               (t[10] == ' ' || t[10] == 'T') && digits(11, 2) && t[13] == ':' && digits(14, 2) && t[16] == ':' &&
               digits(17, 2);
  std::string millis = "000";
  size_t end = 19;
  if (shape && end < t.size() && t[end] == '.') {
    size_t n = 0;
    while (end + 1 + n < t.size() && std::isdigit(static_cast<unsigned char>(t[end + 1 + n]))) ++n;
    shape = n > 0;
    for (size_t i = 0; i < 3 && i < n; ++i) millis[i] = t[end + 1 + i];
    end += 1 + n;
  }
  if (shape && end < t.size() && (t.substr(end) == "Z" || t.substr(end) == "+00" || t.substr(end) == "+00:00"))
    end = t.size();
  if (!shape || end != t.size())
    throw Error(ErrorCode::bad_request, "not a timestamp (YYYY-MM-DD HH:MM:SS[.fff]): " + std::string(t));
  return std::string(t.substr(0, 10)) + "T" + std::string(t.substr(11, 8)) + "." + millis + "Z";
}

}  // namespace k9::generations
