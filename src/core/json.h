// JSON text in and out (Boost.JSON underneath). Request bodies are parsed strictly: valid
// UTF-8, depth-limited, one value; failures are k9::Error bad_request with a clear message.
#pragma once
#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace k9 {

boost::json::value parse_json(std::string_view text);

// A request body: as parse_json, the value must be an object ("Request body must be a JSON
// object"), and every JSON number keeps its exact text (it is never rounded through
// double): it is represented as an exact-number value (below), which the JSON codec reads
// as a Decimal, or as an integer/double where one is wanted.
boost::json::object parse_json_object(std::string_view text);

// Exact numbers inside a json::value: an object with the single key kExactNumberKey (which
// starts with NUL, so no request body can make one by accident) whose value is the
// number's text. to_json_text() writes it as the bare number.
inline constexpr std::string_view kExactNumberKey{"\0#", 2};
boost::json::value exact_number(std::string text);
// The text of an exact number, or nullptr when `v` is not one.
const boost::json::string* exact_number_text(const boost::json::value& v);

// The string member `name` of `o`, or "" when it is absent or not a string.
std::string string_member(const boost::json::object& o, std::string_view name);

// Serialises with numbers in their shortest exact form (12.99, not 1.299E1) and exact
// numbers as their text.
std::string to_json_text(const boost::json::value& v);

}  // namespace k9
