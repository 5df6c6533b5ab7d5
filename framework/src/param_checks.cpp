#include "alphas/param_checks.hpp"

#include <cmath>
#include <sstream>

namespace alphas {

std::string format_param_number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
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

int32_t size_param_or_name_suffix(AlphaParams& params, const std::string& quantity,
                                  const std::string& example_name) {
  const std::optional<int32_t> from_name = integer_name_suffix(params.name());
  if (!params.contains("K") && !from_name) {
    params.add_problem("K", params.name() + ": the " + quantity + " is not set; add params {K: "
                                "<integer>} to the recipe entry or end the alpha name with it "
                                "(e.g. " + example_name + ")");
    return 0;
  }
  return positive_int_param(params, "K", from_name.value_or(0));
}

std::optional<double> optional_nonnegative_param(AlphaParams& params, const std::string& key) {
  if (!params.contains(key)) return std::nullopt;
  const double value = params.get<double>(key, -1.0);
  if (!std::isfinite(value) || value < 0) {
    params.reject(key, format_param_number(value), "it must be a finite number >= 0");
    return std::nullopt;
  }
  return value;
}

int positive_int_param(AlphaParams& params, const std::string& key, int fallback) {
  const int value = params.get<int>(key, fallback);
  if (value < 1) params.reject(key, std::to_string(value), "it must be >= 1");
  return value;
}

double nonnegative_param(AlphaParams& params, const std::string& key, double fallback) {
  const double value = params.get<double>(key, fallback);
  if (!std::isfinite(value) || value < 0) {
    params.reject(key, format_param_number(value), "it must be a finite number >= 0");
  }
  return value;
}

}  // namespace alphas
