// Exact decimal numbers as text, with DynamoDB's limits (38 significant digits, magnitude
// 1e-130..1e125). Canonical form: plain notation, no leading zeros, no trailing fraction
// zeros, no '+', zero is "0". Functions throw std::invalid_argument on bad input.
#pragma once
#include <string>
#include <string_view>

namespace k9 {

std::string canonical_decimal(std::string_view text);
int compare_decimals(const std::string& a, const std::string& b);  // -1, 0, 1
std::string add_decimals(const std::string& a, const std::string& b);
std::string negate_decimal(const std::string& a);

}  // namespace k9
