// DynamoDB JSON: the wire form of items ({"name": {"S": "x"}, "n": {"N": "1.5"}}), used by
// the DynamoDB client and as the SQLite adapter's storage format. B and BS are base64.
#pragma once
#include <boost/json.hpp>

#include "store/item.h"

namespace k9::store {

boost::json::value to_dynamo_json(const AttributeValue& v);
boost::json::object to_dynamo_json(const Item& item);
std::string serialize_item(const Item& item);

// Throw std::invalid_argument on anything that is not valid DynamoDB JSON.
AttributeValue attribute_from_dynamo_json(const boost::json::value& v);
Item item_from_dynamo_json(const boost::json::object& o);
Item parse_item(std::string_view json);

}  // namespace k9::store
