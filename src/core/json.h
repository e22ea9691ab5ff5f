// JSON text in and out (Boost.JSON underneath). Request bodies are parsed strictly: valid
// UTF-8, depth-limited, one value; failures are k9::Error bad_request with a clear message.
#pragma once
#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace k9 {

boost::json::value parse_json(std::string_view text);
// As parse_json, and the value must be an object ("Request body must be a JSON object").
boost::json::object parse_json_object(std::string_view text);

// Serialises with numbers in their shortest exact form (12.99, not 1.299E1).
std::string to_json_text(const boost::json::value& v);

}  // namespace k9
