#include "recipe_yaml.hpp"

#include <cmath>
#include <limits>
#include <regex>
#include <set>
#include <sstream>

#include "alphas/yaml_limits.hpp"

namespace alphas::recipe_detail {

int line_of(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "an empty value";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::vector<MapEntry> map_entries(const YAML::Node& node, const std::string& what,
                                  Problems& problems) {
  std::vector<MapEntry> entries;
  if (!node.IsMap()) {
    problems.add(line_of(node), what + " must be a map of keys to values, got " + describe(node));
    return entries;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const int line = line_of(it->first);
    if (!it->first.IsScalar()) {
      problems.add(line, "a key in " + what + " is " + describe(it->first) + "; keys must be names");
      continue;
    }
    const std::string key = it->first.Scalar();
    if (!seen.insert(key).second) {
      problems.add(line, "key '" + key + "' appears twice in " + what + "; keep one of them");
      continue;
    }
    entries.push_back({key, line, it->second});
  }
  return entries;
}

void check_keys(const std::vector<MapEntry>& entries, const std::vector<std::string>& valid,
                const std::string& where, Problems& problems) {
  for (const auto& entry : entries) {
    bool known = false;
    for (const auto& key : valid) known = known || key == entry.key;
    if (!known) {
      problems.add(entry.line, "unknown key '" + entry.key + "' in " + where + did_you_mean(entry.key, valid) +
                                   " (valid keys: " + join(valid) + ")");
    }
  }
}

namespace {

void report_type(const MapEntry& entry, const std::string& expected, const std::string& where,
                 Problems& problems) {
  problems.add(entry.line, "key '" + entry.key + "' of " + where + " must be " + expected +
                               ", got " + describe(entry.value));
}

bool matches(const std::string& text, const std::regex& pattern) {
  return std::regex_match(text, pattern);
}

// Plain scalar forms of the YAML 1.2 core schema, compiled once.
const std::regex kDecimal("[-+]?[0-9]+");
const std::regex kHex("0x[0-9a-fA-F]+");
const std::regex kOctal("0o[0-7]+");
const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
const std::regex kInfinity("[-+]?\\.(inf|Inf|INF)");
const std::regex kNan("\\.(nan|NaN|NAN)");

}  // namespace

nlohmann::json plain_scalar_value(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  try {
    if (matches(text, kDecimal)) return std::stoll(text);
    if (matches(text, kHex)) return std::stoll(text.substr(2), nullptr, 16);
    if (matches(text, kOctal)) return std::stoll(text.substr(2), nullptr, 8);
  } catch (const std::out_of_range&) {
    // Too large for int64: falls through and reads as a float below.
  }
  if (matches(text, kFloat)) {
    return std::stod(text);
  }
  if (matches(text, kInfinity)) {
    return text[0] == '-' ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
  }
  if (matches(text, kNan)) return std::numeric_limits<double>::quiet_NaN();
  return text;
}

static std::optional<nlohmann::json> convert_to_json(const YAML::Node& node,
                                                     const std::string& where,
                                                     Problems& problems) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nlohmann::json(nullptr);
    case YAML::NodeType::Scalar: {
      // yaml-cpp tags quoted scalars "!" and plain ones "?": "10" stays a string.
      if (node.Tag() == "!") return nlohmann::json(node.Scalar());
      nlohmann::json value = plain_scalar_value(node.Scalar());
      if (value.is_number_float() && !std::isfinite(value.get<double>())) {
        problems.add(line_of(node), where + " is '" + node.Scalar() +
                                        "', which is not a finite number; quote it to pass a string");
        return std::nullopt;
      }
      return value;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json list = nlohmann::json::array();
      bool ok = true;
      for (std::size_t k = 0; k < node.size(); ++k) {
        auto element = convert_to_json(node[k], where + "[" + std::to_string(k) + "]", problems);
        ok = ok && element.has_value();
        if (element) list.push_back(std::move(*element));
      }
      if (!ok) return std::nullopt;
      return list;
    }
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      bool ok = true;
      for (const auto& entry : map_entries(node, where, problems)) {
        auto value = convert_to_json(entry.value, where + "." + entry.key, problems);
        ok = ok && value.has_value();
        if (value) object[entry.key] = std::move(*value);
      }
      if (!ok) return std::nullopt;
      return object;
    }
  }
  return std::nullopt;
}

// The size check comes first because the conversion copies each alias of a
// nested-alias bomb again and could run out of memory.
std::optional<nlohmann::json> to_json(const YAML::Node& node, const std::string& where,
                                      Problems& problems) {
  if (const auto excess = find_yaml_size_excess(node)) {
    problems.add(line_of(node), where + " " + *excess);
    return std::nullopt;
  }
  return convert_to_json(node, where, problems);
}

std::optional<std::string> read_string(const MapEntry& entry, const std::string& where,
                                       Problems& problems) {
  if (!entry.value.IsScalar() || entry.value.Scalar().empty()) {
    report_type(entry, "a non-empty string", where, problems);
    return std::nullopt;
  }
  return entry.value.Scalar();
}

std::optional<bool> read_bool(const MapEntry& entry, const std::string& where, Problems& problems) {
  if (entry.value.IsScalar() && entry.value.Tag() != "!") {
    nlohmann::json value = plain_scalar_value(entry.value.Scalar());
    if (value.is_boolean()) return value.get<bool>();
  }
  report_type(entry, "true or false", where, problems);
  return std::nullopt;
}

std::optional<int64_t> read_int(const MapEntry& entry, int64_t min, int64_t max,
                                const std::string& where, Problems& problems) {
  if (entry.value.IsScalar() && entry.value.Tag() != "!") {
    nlohmann::json value = plain_scalar_value(entry.value.Scalar());
    if (value.is_number_integer()) {
      const int64_t number = value.get<int64_t>();
      if (number >= min && number <= max) return number;
    }
  }
  report_type(entry, "an integer from " + std::to_string(min) + " to " + std::to_string(max),
              where, problems);
  return std::nullopt;
}

std::optional<double> read_double(const MapEntry& entry, double min, double max,
                                  bool min_exclusive, const std::string& where,
                                  Problems& problems) {
  if (entry.value.IsScalar() && entry.value.Tag() != "!") {
    nlohmann::json value = plain_scalar_value(entry.value.Scalar());
    if (value.is_number()) {
      const double number = value.get<double>();
      const bool above = min_exclusive ? number > min : number >= min;
      if (std::isfinite(number) && above && number <= max) return number;
    }
  }
  std::ostringstream range;
  range << "a number in " << (min_exclusive ? "(" : "[") << min << ", " << max << "]";
  report_type(entry, range.str(), where, problems);
  return std::nullopt;
}

}  // namespace alphas::recipe_detail
