// Internal to src/store/sqlite: conditional writes and transactions. A write's condition is
// parsed and its placeholders checked in the caller's thread (Checked), then evaluated in the
// writer against the item as it is; SqliteStore::transact_write (transactions.cc) checks every
// item's condition first and applies all or none, in one group-commit transaction.
#pragma once
#include <memory>
#include <optional>

#include "store/expr/expression.h"
#include "store/store.h"

namespace k9::store::sqlite {

// Resolved condition for one write: parsed once, evaluated inside the writer.
struct Checked {
  std::shared_ptr<const expr::Condition> condition;
  const Names* names = nullptr;
  const Values* values = nullptr;
  bool holds(const std::optional<Item>& item) const {
    return !condition || condition->evaluate(item ? &*item : nullptr, *names, *values);
  }
};

Checked prepare_condition(const std::string& text, const Names& names, const Values& values,
                          const expr::Update* update = nullptr);
// Throws ValidationError when `update` sets or removes a key attribute of the table.
void refuse_key_updates(const expr::Update& update, const Names& names, const TableSchema& s);

}  // namespace k9::store::sqlite
