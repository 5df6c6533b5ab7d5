#include "recipe_expand.hpp"

#include <algorithm>
#include <cctype>

namespace alphas::recipe_detail {

namespace {

// A piece of an alpha name: literal text, or a placeholder to fill in.
struct NamePart {
  std::string text;
  bool placeholder = false;
};

// One value a placeholder can take: the text it puts into the name and the
// value the expanded alpha gets.
struct PlaceholderValue {
  std::string text;
  nlohmann::json value;
};

bool split_name(const std::string& name, std::vector<NamePart>& parts, std::string& error) {
  std::string literal;
  for (std::size_t k = 0; k < name.size(); ++k) {
    if (name[k] == '}') {
      error = "has a '}' without a matching '{'";
      return false;
    }
    if (name[k] != '{') {
      literal += name[k];
      continue;
    }
    const std::size_t close = name.find('}', k + 1);
    const std::size_t next_open = name.find('{', k + 1);
    if (close == std::string::npos || (next_open != std::string::npos && next_open < close)) {
      error = "has a '{' without a matching '}'";
      return false;
    }
    const std::string key = name.substr(k + 1, close - k - 1);
    if (key.empty()) {
      error = "has an empty placeholder '{}'";
      return false;
    }
    if (!literal.empty()) parts.push_back({literal, false});
    literal.clear();
    parts.push_back({key, true});
    k = close;
  }
  if (!literal.empty()) parts.push_back({literal, false});
  return true;
}

// The values of one placeholder, or an empty list after reporting why none.
std::vector<PlaceholderValue> placeholder_values(const AlphaTemplate& entry, const std::string& key,
                                                 Problems& problems) {
  const RecipeAlpha& alpha = entry.alpha;
  std::vector<PlaceholderValue> values;
  if (key == "seed") {
    for (uint64_t seed : entry.seeds) values.push_back({std::to_string(seed), seed});
    return values;
  }
  auto node = entry.param_nodes.find(key);
  if (node == entry.param_nodes.end()) {
    std::vector<std::string> keys;
    for (const auto& [name, value] : entry.param_nodes) keys.push_back(name);
    keys.push_back("seed");
    problems.add(alpha.line, "alpha '" + alpha.name + "' uses placeholder {" + key +
                                 "}, but it has no parameter '" + key + "'" +
                                 did_you_mean(key, keys) + "; add params: {" + key +
                                 ": [...]} or use one of: " + join(keys));
    return values;
  }
  const YAML::Node& yaml = node->second;
  const nlohmann::json& json = alpha.params.at(key);
  if (yaml.IsScalar()) {
    values.push_back({yaml.Scalar(), json});
  } else if (yaml.IsSequence() && yaml.size() > 0) {
    for (std::size_t k = 0; k < yaml.size(); ++k) {
      if (!yaml[k].IsScalar()) {
        problems.add(line_of(yaml[k]), "params." + key + " of alpha '" + alpha.name +
                                           "' names the alpha, so each of its values must be "
                                           "a single value, got " + describe(yaml[k]));
        return {};
      }
      values.push_back({yaml[k].Scalar(), json[k]});
    }
  } else {
    problems.add(line_of(yaml), "params." + key + " of alpha '" + alpha.name +
                                    "' names the alpha, so it must be a value or a non-empty "
                                    "list of values, got " + describe(yaml));
  }
  return values;
}

}  // namespace

bool is_valid_alpha_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxAlphaNameLength) return false;
  if (name.front() == '.' || name.back() == '.') return false;
  char previous = '\0';
  for (char c : name) {
    const bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+';
    if (!word && c != '.') return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

std::vector<RecipeAlpha> expand_alpha(const AlphaTemplate& entry, Problems& problems) {
  const RecipeAlpha& base = entry.alpha;
  std::vector<NamePart> parts;
  std::string error;
  if (!split_name(base.name, parts, error)) {
    problems.add(base.line, "alpha name '" + base.name + "' " + error);
    return {};
  }

  // One dimension per distinct placeholder, in order of first appearance.
  std::vector<std::string> keys;
  for (const auto& part : parts) {
    if (part.placeholder && std::find(keys.begin(), keys.end(), part.text) == keys.end()) {
      keys.push_back(part.text);
    }
  }
  const bool seed_in_name = std::find(keys.begin(), keys.end(), "seed") != keys.end();
  if (!seed_in_name && entry.seeds.size() > 1) {
    problems.add(entry.seed_line, "seed of alpha '" + base.name +
                                      "' is a list, but the name has no {seed} placeholder; "
                                      "add .{seed} to the name to define one alpha per seed");
    return {};
  }
  std::vector<std::vector<PlaceholderValue>> dimensions;
  for (const auto& key : keys) {
    dimensions.push_back(placeholder_values(entry, key, problems));
    if (dimensions.back().empty()) return {};
  }
  // A few list values multiply fast; a typo must not expand into millions
  // of alphas and exhaust memory before anything is reported.
  constexpr std::size_t kMaxExpansion = 10000;
  std::size_t combinations = 1;
  for (const auto& values : dimensions) {
    combinations *= values.size();
    if (combinations > kMaxExpansion) {
      problems.add(base.line, "alpha '" + base.name + "' expands into more than " +
                                  std::to_string(kMaxExpansion) +
                                  " alphas; shorten its list parameters or seeds");
      return {};
    }
  }

  // Every combination; the index vector counts like an odometer, the last
  // placeholder turning fastest.
  std::vector<RecipeAlpha> expanded;
  std::vector<std::size_t> index(keys.size(), 0);
  while (true) {
    RecipeAlpha alpha = base;
    alpha.seed = entry.seeds.empty() ? 1 : entry.seeds.front();
    alpha.name.clear();
    for (const auto& part : parts) {
      if (!part.placeholder) {
        alpha.name += part.text;
        continue;
      }
      const std::size_t d = std::find(keys.begin(), keys.end(), part.text) - keys.begin();
      alpha.name += dimensions[d][index[d]].text;
    }
    for (std::size_t d = 0; d < keys.size(); ++d) {
      const nlohmann::json& value = dimensions[d][index[d]].value;
      if (keys[d] == "seed") {
        alpha.seed = value.get<uint64_t>();
      } else {
        alpha.params[keys[d]] = value;
      }
    }
    if (!is_valid_alpha_name(alpha.name)) {
      problems.add(base.line, "alpha name '" + alpha.name + "'" +
                                  (alpha.name == base.name ? "" : " (from '" + base.name + "')") +
                                  " is not valid: use " + std::to_string(kMaxAlphaNameLength) +
                                  " or fewer letters, digits, '_', '-' or '+', with single "
                                  "dots between parts");
      return {};
    }
    expanded.push_back(std::move(alpha));

    std::size_t d = keys.size();
    while (d > 0 && ++index[d - 1] == dimensions[d - 1].size()) {
      index[d - 1] = 0;
      --d;
    }
    if (d == 0) break;
  }
  return expanded;
}

}  // namespace alphas::recipe_detail
