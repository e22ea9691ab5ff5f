#include "store/expr/document_path.h"

namespace k9::store::expr::detail {

ResolvedPath resolve_path(const PathExpr& path, const Names& names, ExprKind kind) {
  ResolvedPath out;
  out.reserve(path.elements.size());
  for (const PathElement& e : path.elements) {
    Step s;
    switch (e.kind) {
      case PathElement::kName: s.key = e.text; break;
      case PathElement::kNameRef: {
        auto it = names.find(e.text);
        if (it == names.end())
          fail(kind, "An expression attribute name used in the document path is not defined; attribute name: " + e.text);
        s.key = it->second;
        break;
      }
      case PathElement::kIndex:
        s.is_index = true;
        s.index = e.index;
        break;
    }
    out.push_back(std::move(s));
  }
  return out;
}

const AttributeValue& lookup_value(const std::string& ref, const Values& values, ExprKind kind) {
  auto it = values.find(ref);
  if (it == values.end())
    fail(kind, "An expression attribute value used in expression is not defined; attribute value: " + ref);
  return it->second;
}

const AttributeValue* find_in_item(const Item* item, const ResolvedPath& path) {
  if (!item || path.empty()) return nullptr;
  auto top = item->find(path[0].key);
  if (top == item->end()) return nullptr;
  const AttributeValue* cur = &top->second;
  for (size_t i = 1; i < path.size(); ++i) {
    const Step& s = path[i];
    if (s.is_index) {
      if (!cur->is(AttrType::L) || s.index >= cur->l().size()) return nullptr;
      cur = &cur->l()[s.index];
    } else {
      cur = cur->find(s.key);
      if (!cur) return nullptr;
    }
  }
  return cur;
}

std::string describe_path(const ResolvedPath& path) {
  std::string out = "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out += ", ";
    out += path[i].is_index ? "[" + std::to_string(path[i].index) + "]" : path[i].key;
  }
  return out + "]";
}

void collect_names(const PathExpr& path, std::set<std::string>& names) {
  for (const PathElement& e : path.elements)
    if (e.kind == PathElement::kNameRef) names.insert(e.text);
}

}  // namespace k9::store::expr::detail
