// Checks of recipe parameters shared by plugins, for their configure phase.
// Problems go to AlphaParams::reject, whose message grammar is
// "<alpha>: parameter '<key>' is <value>, but <rule>; fix it in the recipe's params".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "alphas/alpha.hpp"

namespace alphas {

// Formats a number the way messages quote it (shortest stream form).
std::string format_param_number(double value);

// The last dot-separated part of an alpha name when it is a non-negative
// integer of at most 9 digits ("ItemCF.256" -> 256), else nothing.
std::optional<int32_t> integer_name_suffix(const std::string& name);

// The size parameter `K` (factors, neighbors): the recipe's value, else the
// integer suffix of the alpha name, rejected unless >= 1. When neither is
// there, records a problem that names `quantity` ("number of neighbors")
// and `example_name` ("ItemCF.256") as the fix, and returns 0.
int32_t size_param_or_name_suffix(AlphaParams& params, const std::string& quantity,
                                  const std::string& example_name);

// The parameter `key` when the recipe sets it, checked finite and >= 0.
// Returns nothing when the recipe does not set it or the value is rejected.
std::optional<double> optional_nonnegative_param(AlphaParams& params, const std::string& key);

// The parameter `key` (or `fallback`), rejected unless it is >= 1.
int positive_int_param(AlphaParams& params, const std::string& key, int fallback);

// The parameter `key` (or `fallback`), rejected unless it is finite and >= 0.
double nonnegative_param(AlphaParams& params, const std::string& key, double fallback);

}  // namespace alphas
