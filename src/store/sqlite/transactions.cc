#include "store/sqlite/transactions.h"

#include <set>
#include <variant>

#include "store/sqlite/group_commit.h"
#include "store/sqlite/table_catalog.h"

namespace k9::store::sqlite {

Checked prepare_condition(const std::string& text, const Names& names, const Values& values,
                          const expr::Update* update) {
  refuse_empty_sets(values, "ExpressionAttributeValues contains invalid value");
  Checked c{nullptr, &names, &values};
  std::vector<const expr::Condition*> conds;
  if (!text.empty()) {
    c.condition = expr::cached_condition(text);
    conds.push_back(c.condition.get());
  }
  expr::check_placeholders(conds, update, names, values);
  return c;
}

void refuse_key_updates(const expr::Update& update, const Names& names, const TableSchema& s) {
  for (auto& attr : update.touched_top_level(names)) {
    if (attr == s.key.partition_key || attr == s.key.sort_key)
      throw ValidationError("One or more parameter values were invalid: Cannot update attribute " + attr +
                            ". This attribute is part of the key");
  }
}

void SqliteStore::transact_write(const std::vector<TransactItem>& items) {
  if (items.empty() || items.size() > 100)
    throw ValidationError("Member must have length less than or equal to 100 and at least 1");
  struct Step {
    std::shared_ptr<const Table> table;
    std::pair<std::string, std::string> key;
    Checked cond;
    std::shared_ptr<const expr::Update> update;
    const TransactItem* item;
  };
  std::vector<Step> steps;
  std::set<std::pair<std::string, std::pair<std::string, std::string>>> seen;
  for (auto& ti : items) {
    Step s;
    s.item = &ti;
    std::visit(
        [&](auto& r) {
          using R = std::decay_t<decltype(r)>;
          s.table = table(r.table);
          if constexpr (std::is_same_v<R, PutRequest>) {
            s.key = s.table->key_of_item(r.item);
            s.cond = prepare_condition(r.condition, r.names, r.values);
          } else if constexpr (std::is_same_v<R, UpdateRequest>) {
            s.key = s.table->key_of(r.key);
            s.update = expr::cached_update(r.update);
            s.cond = prepare_condition(r.condition, r.names, r.values, s.update.get());
            refuse_key_updates(*s.update, r.names, s.table->schema);
          } else {
            s.key = s.table->key_of(r.key);
            if constexpr (std::is_same_v<R, ConditionCheck>) {
              if (r.condition.empty()) throw ValidationError("ConditionCheck requires a ConditionExpression");
            }
            s.cond = prepare_condition(r.condition, r.names, r.values);
          }
          if (!seen.insert({r.table, s.key}).second)
            throw ValidationError("Transaction request cannot include multiple operations on one item");
        },
        ti);
    steps.push_back(std::move(s));
  }
  writer_->run([&](Connection& c) {
    std::vector<std::optional<Item>> olds;
    std::vector<std::string> reasons;
    bool failed = false;
    for (auto& s : steps) {
      olds.push_back(s.table->read(c, s.key));
      bool ok = s.cond.holds(olds.back());
      reasons.push_back(ok ? "None" : "ConditionalCheckFailed");
      failed = failed || !ok;
    }
    if (failed) throw TransactionCanceled(reasons);
    for (size_t i = 0; i < steps.size(); ++i) {
      auto& s = steps[i];
      std::visit(
          [&](auto& r) {
            using R = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<R, PutRequest>) {
              s.table->write(c, r.item);
            } else if constexpr (std::is_same_v<R, UpdateRequest>) {
              Item result = olds[i] ? std::move(*olds[i]) : r.key;
              s.update->apply(result, r.names, r.values);
              s.table->write(c, result);
            } else if constexpr (std::is_same_v<R, DeleteRequest>) {
              if (olds[i]) s.table->erase(c, s.key);
            }
          },
          *s.item);
    }
  });
}

}  // namespace k9::store::sqlite
