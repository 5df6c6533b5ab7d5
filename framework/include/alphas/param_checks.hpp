// Checks of recipe parameters shared by plugins, with one message grammar:
// "<alpha>: parameter '<key>' is <value>, but <rule>; fix it in the recipe's params".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "alphas/alpha.hpp"

namespace alphas {

// Formats a number the way messages quote it (shortest stream form).
std::string format_param_number(double value);

// Throws InputError naming the alpha, the key, the value and the rule.
[[noreturn]] void throw_invalid_param(const AlphaContext& context, const std::string& key,
                                      const std::string& value, const std::string& rule);

// The last dot-separated part of an alpha name when it is a non-negative
// integer of at most 9 digits ("ItemCF.256" -> 256), else nothing.
std::optional<int32_t> integer_name_suffix(const std::string& name);

// The parameter `key` when the recipe sets it, checked finite and >= 0.
std::optional<double> optional_nonnegative_param(AlphaContext& context, const std::string& key);

}  // namespace alphas
