// Settings of an import: parsing of their text forms and validation.
#include <cmath>
#include <limits>

#include "alphas/error.hpp"
#include "alphas/import.hpp"
#include "import_internal.hpp"

namespace alphas {

DuplicatePolicy parse_duplicate_policy(const std::string& text) {
  if (text == "first") return DuplicatePolicy::first;
  if (text == "last") return DuplicatePolicy::last;
  if (text == "mean") return DuplicatePolicy::mean;
  if (text == "error") return DuplicatePolicy::error;
  throw InputError("invalid duplicates setting '" + text +
                   "'; use first, last, mean or error");
}

HeaderMode parse_header_mode(const std::string& text) {
  if (text == "auto") return HeaderMode::detect;
  if (text == "true") return HeaderMode::present;
  if (text == "false") return HeaderMode::absent;
  throw InputError("invalid header setting '" + text + "'; use auto, true or false");
}

const char* duplicate_policy_name(DuplicatePolicy policy) {
  switch (policy) {
    case DuplicatePolicy::first:
      return "first";
    case DuplicatePolicy::last:
      return "last";
    case DuplicatePolicy::mean:
      return "mean";
    case DuplicatePolicy::error:
      return "error";
  }
  return "unknown";
}

const char* header_mode_name(HeaderMode mode) {
  switch (mode) {
    case HeaderMode::detect:
      return "auto";
    case HeaderMode::present:
      return "true";
    case HeaderMode::absent:
      return "false";
  }
  return "unknown";
}

char parse_delimiter(const std::string& text, const std::string& setting) {
  if (text.empty() || text == "auto") return '\0';
  if (text == "tab" || text == "\t" || text == "\\t") return '\t';
  if (text == "comma" || text == ",") return ',';
  if (text == "semicolon" || text == ";") return ';';
  throw InputError("invalid " + setting + " '" + text +
                   "'; use auto, tab, comma or semicolon (or the character itself)");
}

void validate_import_options(const ImportOptions& options) {
  if (options.ratings.file.empty()) {
    throw InputError("no ratings file given; set the ratings file (ratings.file, --ratings)");
  }
  const RatingScale& scale = options.scale;
  if (!std::isfinite(scale.min) || !std::isfinite(scale.max) || !(scale.min < scale.max)) {
    throw InputError("invalid rating scale [" + import_detail::format_number(scale.min) + ", " +
                     import_detail::format_number(scale.max) +
                     "]: the bounds must be finite numbers with min < max, e.g. [1, 5]");
  }
  // Ratings are stored as float32: a wider scale would store infinities,
  // and bounds closer than float32 resolution would store equal ratings.
  const double float_max = std::numeric_limits<float>::max();
  const double width = scale.max - scale.min;
  const double magnitude = std::max(std::abs(scale.min), std::abs(scale.max));
  const bool underflows = magnitude < std::numeric_limits<float>::min();
  if (magnitude > float_max || underflows || width < magnitude * 1e-6) {
    throw InputError("invalid rating scale [" + import_detail::format_number(scale.min) + ", " +
                     import_detail::format_number(scale.max) +
                     "]: ratings are stored as 32-bit floats, so the bounds must lie within "
                     "+-3.4e38, reach beyond 1.2e-38 and differ by more than a millionth of their "
                     "size; rescale the "
                     "ratings");
  }
  if (options.unrated_code && !std::isfinite(*options.unrated_code)) {
    throw InputError("invalid unrated code " + import_detail::format_number(*options.unrated_code) +
                     ": it must be a finite number, e.g. 0");
  }
  if (options.titles && options.titles->value_column.empty()) {
    throw InputError("no title column given for the titles file " +
                     options.titles->file.string());
  }
}

}  // namespace alphas
