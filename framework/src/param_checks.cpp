#include "alphas/param_checks.hpp"

#include <cmath>
#include <sstream>

#include "alphas/error.hpp"

namespace alphas {

std::string format_param_number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

void throw_invalid_param(const AlphaContext& context, const std::string& key,
                         const std::string& value, const std::string& rule) {
  throw InputError(context.name() + ": parameter '" + key + "' is " + value + ", but " + rule +
                   "; fix it in the recipe's params");
}

std::optional<int32_t> integer_name_suffix(const std::string& name) {
  const auto dot = name.rfind('.');
  if (dot == std::string::npos || dot + 1 == name.size()) return std::nullopt;
  const std::string suffix = name.substr(dot + 1);
  if (suffix.find_first_not_of("0123456789") != std::string::npos || suffix.size() > 9) {
    return std::nullopt;
  }
  return static_cast<int32_t>(std::stol(suffix));
}

std::optional<double> optional_nonnegative_param(AlphaContext& context, const std::string& key) {
  if (!context.spec().params.contains(key)) return std::nullopt;
  const double value = context.param<double>(key, 0.0);
  if (!std::isfinite(value) || value < 0) {
    throw_invalid_param(context, key, format_param_number(value),
                        "it must be a finite number >= 0");
  }
  return value;
}

}  // namespace alphas
