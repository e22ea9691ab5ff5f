// Table schemas in DynamoDB's JSON: the CreateTable request for a TableSchema, and the
// TableSchema (plus statuses) read back from DescribeTable. No I/O here.
#pragma once
#include <boost/json.hpp>
#include <string>

#include "store/store.h"

namespace k9::store::dynamodb {

struct TableDescription {
  TableSchema schema;
  std::string status;                               // CREATING, ACTIVE, UPDATING, ...
  std::map<std::string, std::string> index_status;  // index name -> CREATING, ACTIVE, ...
  bool active() const;                              // the table and every index ACTIVE
};

// Throws std::invalid_argument on a description it cannot read.
TableDescription parse_table_description(const boost::json::object& describe_table_response);

// PAY_PER_REQUEST, every GSI with projection ALL.
boost::json::object create_table_request(const TableSchema& schema);

// UpdateTable adding one GSI (DynamoDB takes one index creation per call).
boost::json::object create_index_request(const TableSchema& schema, const IndexSchema& index);

// Whether two key schemas name the same attributes with the same types.
bool same_key(const KeySchema& a, const KeySchema& b);

}  // namespace k9::store::dynamodb
