// JSON Schemas (draft 2020-12, the dialect of OpenAPI 3.1) derived from the same Boost.Describe
// descriptions as the JSON codec (core/json_codec.h), so a field added to a struct is in its
// schema too. Two uses of one struct differ as the codec does:
//   input  (what from_json accepts): nothing required, no unknown field (strict decoding),
//          an optional field may be null, a Decimal may be a number or a decimal string;
//   output (what to_json writes): every non-optional field present, optional ones left out
//          when absent, Decimals are numbers.
// Structs become named components ("Product", "ProductInput") referenced with $ref.
#pragma once
#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <boost/mp11.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/domain.h"

namespace k9 {

std::string camel_case(std::string_view snake);  // core/json_codec.h

enum class SchemaUse { input, output };

namespace json_schema_detail {

template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_vector : std::false_type {};
template <class T> struct is_vector<std::vector<T>> : std::true_type {};

// The unqualified name of T ("Product" for k9::Product), from the compiler's signature text.
template <class T>
std::string_view type_name() {
  std::string_view p = __PRETTY_FUNCTION__;
  auto at = p.find("T = ");
  if (at == std::string_view::npos) return "Type";
  p.remove_prefix(at + 4);
  p = p.substr(0, p.find_first_of(";]"));
  if (auto colon = p.rfind("::"); colon != std::string_view::npos) p.remove_prefix(colon + 2);
  return p;
}

}  // namespace json_schema_detail

// Collects named component schemas while schemas are generated.
class SchemaRegistry {
 public:
  // The schema of T for `use`: a $ref to its component for described structs.
  template <class T>
  boost::json::value schema(SchemaUse use);

  // Adds (once) a named component and answers its $ref.
  boost::json::value component(const std::string& name, const boost::json::value& schema) {
    if (!schemas_.contains(name)) schemas_[name] = schema;
    return ref(name);
  }
  bool has(const std::string& name) const { return schemas_.contains(name); }
  static boost::json::value ref(const std::string& name) {
    return boost::json::object{{"$ref", "#/components/schemas/" + name}};
  }
  const boost::json::object& components() const { return schemas_; }

 private:
  boost::json::object schemas_;
};

template <class T>
boost::json::value SchemaRegistry::schema(SchemaUse use) {
  namespace d = json_schema_detail;
  using boost::json::object;
  if constexpr (std::is_same_v<T, std::string>) {
    return object{{"type", "string"}};
  } else if constexpr (std::is_same_v<T, bool>) {
    return object{{"type", "boolean"}};
  } else if constexpr (std::is_same_v<T, Decimal>) {
    if (use == SchemaUse::output)
      return component("Decimal", object{{"type", "number"}, {"description", "An exact decimal number."}});
    return component("DecimalInput", object{{"type", {"number", "string"}},
                                            {"pattern", "^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$"},
                                            {"description",
                                             "An exact decimal: a JSON number (its digits are kept, never rounded "
                                             "through double) or the same number as a string (\"12.99\")."}});
  } else if constexpr (std::is_integral_v<T>) {
    return object{{"type", "integer"}};
  } else if constexpr (std::is_floating_point_v<T>) {
    return object{{"type", "number"}};
  } else if constexpr (d::is_optional<T>::value) {
    auto inner = schema<typename T::value_type>(use);
    if (use == SchemaUse::output) return inner;  // absent ones are left out, never null
    return object{{"anyOf", {inner, object{{"type", "null"}}}}};
  } else if constexpr (d::is_vector<T>::value) {
    return object{{"type", "array"}, {"items", schema<typename T::value_type>(use)}};
  } else {
    static_assert(boost::describe::has_describe_members<T>::value, "a schema needs a described struct");
    std::string name(d::type_name<T>());
    if (use == SchemaUse::input && !name.ends_with("Input")) name += "Input";
    if (has(name)) return ref(name);
    schemas_[name] = object{};  // a placeholder while members are generated (recursive types)
    object properties;
    boost::json::array required;
    using D = boost::describe::describe_members<T, boost::describe::mod_public>;
    boost::mp11::mp_for_each<D>([&](auto m) {
      using F = std::decay_t<decltype(std::declval<T&>().*m.pointer)>;
      std::string key = camel_case(m.name);
      properties[key] = schema<F>(use);
      if (use == SchemaUse::output && !d::is_optional<F>::value) required.push_back(boost::json::string(key));
    });
    object s{{"type", "object"}, {"properties", std::move(properties)}};
    if (!required.empty()) s["required"] = std::move(required);
    if (use == SchemaUse::input) s["additionalProperties"] = false;
    schemas_[name] = std::move(s);
    return ref(name);
  }
}

}  // namespace k9
