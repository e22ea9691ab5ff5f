#include "store/sqlite/query_plan.h"

namespace k9::store::sqlite {

QueryPlan plan_query(const SqliteStore::Table& t, const QueryRequest& r) {
  QueryPlan p;
  const KeySchema* key = &t.schema.key;
  if (!r.index.empty()) {
    p.index = t.index(r.index);
    if (!p.index) throw ValidationError("The table does not have the specified index: " + r.index);
    key = &p.index->key;
    size_t i = p.index - t.schema.indexes.data();
    p.pk_col = t.index_col(i, "pk");
    p.sk_col = t.index_col(i, "sk");
  } else {
    p.pk_col = "pk";
    p.sk_col = "sk";
  }
  p.params.push_back(encode_key(r.partition, key->partition_type, key->partition_key));
  p.where = p.pk_col + " = ?1";
  if (r.sort) {
    if (!key->has_sort_key()) throw ValidationError("Query key condition not supported: no sort key");
    const SortCondition& s = *r.sort;
    std::string v = encode_key(s.value, key->sort_type, key->sort_key);
    auto arg = [&](std::string value) {
      p.params.push_back(std::move(value));
      return "?" + std::to_string(p.params.size());
    };
    switch (s.op) {
      case SortOp::EQ: p.where += " AND " + p.sk_col + " = " + arg(v); break;
      case SortOp::LT: p.where += " AND " + p.sk_col + " < " + arg(v); break;
      case SortOp::LE: p.where += " AND " + p.sk_col + " <= " + arg(v); break;
      case SortOp::GT: p.where += " AND " + p.sk_col + " > " + arg(v); break;
      case SortOp::GE: p.where += " AND " + p.sk_col + " >= " + arg(v); break;
      case SortOp::BETWEEN: {
        std::string hi = encode_key(s.value2, key->sort_type, key->sort_key);
        if (hi < v)
          throw ValidationError("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
                                "greater than or equal to lower bound");
        p.where += " AND " + p.sk_col + " >= " + arg(v) + " AND " + p.sk_col + " <= " + arg(hi);
        break;
      }
      case SortOp::BEGINS_WITH: {
        if (key->sort_type == AttrType::N)
          throw ValidationError("Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                                "operator or function: begins_with, operand type: N");
        p.where += " AND " + p.sk_col + " >= " + arg(v);
        std::string upper = prefix_upper_bound(v);
        if (!upper.empty()) p.where += " AND " + p.sk_col + " < " + arg(upper);
        break;
      }
    }
  }
  return p;
}

PageQuery plan_page(const SqliteStore::Table& t, const QueryRequest& r) {
  QueryPlan p = plan_query(t, r);
  std::string dir = r.forward ? " ASC" : " DESC";
  std::string cmp = r.forward ? " > " : " < ";
  std::string where = p.where;
  std::vector<std::string> params = p.params;
  if (!r.exclusive_start_key.empty()) {
    auto start = t.key_of(t.key_attributes(r.exclusive_start_key, nullptr));
    auto arg = [&](std::string v) {
      params.push_back(std::move(v));
      return "?" + std::to_string(params.size());
    };
    if (p.index) {
      auto ik = t.index_key(r.exclusive_start_key, *p.index);
      if (!ik) throw ValidationError("The provided starting key is invalid: missing index key attributes");
      where += " AND (" + p.sk_col + ", pk, sk)" + cmp + "(" + arg(ik->second) + ", " + arg(start.first) + ", " +
               arg(start.second) + ")";
    } else {
      where += " AND sk" + cmp + arg(start.second);
    }
  }
  std::string order = p.index ? p.sk_col + dir + ", pk" + dir + ", sk" + dir : "sk" + dir;
  std::string sql = "SELECT item FROM " + t.sql + " WHERE " + where + " ORDER BY " + order;
  if (r.limit > 0) sql += " LIMIT " + std::to_string(r.limit + 1);
  return {sql, params, p.index};
}

}  // namespace k9::store::sqlite
