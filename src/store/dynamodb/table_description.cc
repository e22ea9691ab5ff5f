#include "store/dynamodb/table_description.h"

#include <set>
#include <stdexcept>

namespace k9::store::dynamodb {

namespace json = boost::json;

namespace {

AttrType key_type(const std::string& t) {
  if (t == "S") return AttrType::S;
  if (t == "N") return AttrType::N;
  if (t == "B") return AttrType::B;
  throw std::invalid_argument("unknown key attribute type " + t);
}

KeySchema parse_key(const json::array& key_schema, const std::map<std::string, AttrType>& types) {
  KeySchema k;
  for (auto& e : key_schema) {
    auto& o = e.as_object();
    std::string name = o.at("AttributeName").as_string().c_str();
    std::string role = o.at("KeyType").as_string().c_str();
    AttrType t = types.count(name) ? types.at(name) : AttrType::S;
    if (role == "HASH") {
      k.partition_key = name;
      k.partition_type = t;
    } else {
      k.sort_key = name;
      k.sort_type = t;
    }
  }
  return k;
}

json::array key_json(const KeySchema& k) {
  json::array a{json::object{{"AttributeName", k.partition_key}, {"KeyType", "HASH"}}};
  if (k.has_sort_key()) a.push_back(json::object{{"AttributeName", k.sort_key}, {"KeyType", "RANGE"}});
  return a;
}

void add_definitions(json::array& defs, std::set<std::string>& seen, const KeySchema& k) {
  auto add = [&](const std::string& name, AttrType t) {
    if (seen.insert(name).second)
      defs.push_back(json::object{{"AttributeName", name}, {"AttributeType", attr_type_name(t)}});
  };
  add(k.partition_key, k.partition_type);
  if (k.has_sort_key()) add(k.sort_key, k.sort_type);
}

json::object index_json(const IndexSchema& i) {
  return {{"IndexName", i.name}, {"KeySchema", key_json(i.key)}, {"Projection", json::object{{"ProjectionType", "ALL"}}}};
}

}  // namespace

bool TableDescription::active() const {
  if (status != "ACTIVE") return false;
  for (auto& [name, s] : index_status)
    if (s != "ACTIVE") return false;
  return true;
}

TableDescription parse_table_description(const json::object& response) {
  try {
    auto& t = response.at("Table").as_object();
    std::map<std::string, AttrType> types;
    if (auto* defs = t.if_contains("AttributeDefinitions"))
      for (auto& d : defs->as_array())
        types[d.at("AttributeName").as_string().c_str()] = key_type(d.at("AttributeType").as_string().c_str());
    TableDescription out;
    out.schema.name = t.at("TableName").as_string().c_str();
    out.schema.key = parse_key(t.at("KeySchema").as_array(), types);
    out.status = t.at("TableStatus").as_string().c_str();
    if (auto* gsis = t.if_contains("GlobalSecondaryIndexes")) {
      for (auto& g : gsis->as_array()) {
        auto& o = g.as_object();
        IndexSchema i{o.at("IndexName").as_string().c_str(), parse_key(o.at("KeySchema").as_array(), types)};
        auto* st = o.if_contains("IndexStatus");
        out.index_status[i.name] = st ? std::string(st->as_string().c_str()) : "ACTIVE";
        out.schema.indexes.push_back(std::move(i));
      }
    }
    return out;
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("unreadable DescribeTable response: ") + e.what());
  }
}

json::object create_table_request(const TableSchema& s) {
  json::array defs;
  std::set<std::string> seen;
  add_definitions(defs, seen, s.key);
  json::array gsis;
  for (auto& i : s.indexes) {
    add_definitions(defs, seen, i.key);
    gsis.push_back(index_json(i));
  }
  json::object req{{"TableName", s.name},
                   {"KeySchema", key_json(s.key)},
                   {"AttributeDefinitions", std::move(defs)},
                   {"BillingMode", "PAY_PER_REQUEST"}};
  if (!gsis.empty()) req["GlobalSecondaryIndexes"] = std::move(gsis);
  return req;
}

json::object create_index_request(const TableSchema& s, const IndexSchema& index) {
  json::array defs;
  std::set<std::string> seen;
  add_definitions(defs, seen, s.key);
  add_definitions(defs, seen, index.key);
  return {{"TableName", s.name},
          {"AttributeDefinitions", std::move(defs)},
          {"GlobalSecondaryIndexUpdates", json::array{json::object{{"Create", index_json(index)}}}}};
}

bool same_key(const KeySchema& a, const KeySchema& b) {
  if (a.partition_key != b.partition_key || a.partition_type != b.partition_type) return false;
  if (a.sort_key != b.sort_key) return false;
  return !a.has_sort_key() || a.sort_type == b.sort_type;
}

}  // namespace k9::store::dynamodb
