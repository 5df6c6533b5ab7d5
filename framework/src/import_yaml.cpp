#include "alphas/import_yaml.hpp"

#include <algorithm>
#include <charconv>

#include <yaml-cpp/yaml.h>

#include "alphas/delimited.hpp"
#include "alphas/error.hpp"
#include "alphas/yaml_limits.hpp"

namespace alphas {

namespace {

const std::vector<std::string> kTopKeys = {"name",       "ratings",    "implicit",
                                           "titles",     "scale",      "unrated_code",
                                           "duplicates", "skip_invalid", "seed"};
const std::vector<std::string> kRatingsKeys = {"file", "user", "item", "rating", "header",
                                               "delimiter"};
const std::vector<std::string> kImplicitKeys = {"file", "user", "item", "header", "delimiter"};
const std::vector<std::string> kTitlesKeys = {"file", "item", "title", "header", "delimiter"};

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

// Reads one mapping, producing messages that point at its source lines.
class SettingsReader {
 public:
  SettingsReader(std::string source_name, std::filesystem::path base_dir)
      : source_(std::move(source_name)), base_dir_(std::move(base_dir)) {}

  std::string where(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0) return source_;
    return source_ + ":" + std::to_string(mark.line + 1);
  }

  std::string text_of(const YAML::Node& node) const {
    if (node.IsScalar()) return "'" + node.Scalar() + "'";
    std::string dumped = YAML::Dump(node);
    std::replace(dumped.begin(), dumped.end(), '\n', ' ');
    return shorten_for_message(dumped, 60);
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                         const std::string& expected) const {
    throw InputError(where(node) + ": '" + key + "' must be " + expected + ", got " +
                     text_of(node));
  }

  // Throws for a key not in `valid` (nor in `ignored`), naming the valid keys.
  void check_keys(const YAML::Node& map, const std::string& context,
                  const std::vector<std::string>& valid,
                  const std::vector<std::string>& ignored = {}) const {
    if (!map.IsMap()) {
      throw InputError(where(map) + ": " + context + " must be a mapping with the keys " +
                       join(valid) + ", got " + text_of(map));
    }
    for (const auto& entry : map) {
      const std::string key = entry.first.as<std::string>();
      const bool known = std::find(valid.begin(), valid.end(), key) != valid.end() ||
                         std::find(ignored.begin(), ignored.end(), key) != ignored.end();
      if (!known) {
        throw InputError(where(entry.first) + ": unknown key '" + key + "' in " + context +
                         "; valid keys: " + join(valid));
      }
    }
  }

  // Rejects settings that are too large once aliases are expanded, before
  // any reading walks them.
  void check_size(const YAML::Node& settings) const {
    if (const auto excess = find_yaml_size_excess(settings)) {
      throw InputError(where(settings) + ": the YAML of the dataset settings " + *excess);
    }
  }

  std::string scalar(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar() || node.Scalar().empty()) fail(node, key, "a non-empty text value");
    return node.Scalar();
  }

  double number(const YAML::Node& node, const std::string& key) const {
    double value = 0.0;
    if (!node.IsScalar() || parse_number(node.Scalar(), value) != NumberStatus::ok) {
      fail(node, key, "a finite number");
    }
    return value;
  }

  bool boolean(const YAML::Node& node, const std::string& key) const {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
      fail(node, key, "true or false");
    }
    return value;
  }

  uint64_t unsigned_integer(const YAML::Node& node, const std::string& key) const {
    uint64_t value = 0;
    const std::string text = node.IsScalar() ? node.Scalar() : std::string();
    const char* last = text.data() + text.size();
    std::from_chars_result result = std::from_chars(text.data(), last, value);
    if (text.empty() || result.ec != std::errc() || result.ptr != last) {
      fail(node, key, "an integer from 0 to 18446744073709551615");
    }
    return value;
  }

  HeaderMode header(const YAML::Node& node, const std::string& key) const {
    if (node.IsScalar() && node.Scalar() == "auto") return HeaderMode::detect;
    bool present = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, present)) {
      fail(node, key, "auto, true or false");
    }
    return present ? HeaderMode::present : HeaderMode::absent;
  }

  char delimiter(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "auto, tab, comma or semicolon");
    try {
      return parse_delimiter(node.Scalar(), key);
    } catch (const InputError& error) {
      throw InputError(where(node) + ": " + error.what());
    }
  }

  std::filesystem::path file(const YAML::Node& node, const std::string& key) const {
    std::filesystem::path path = scalar(node, key);
    return path.is_absolute() ? path : base_dir_ / path;
  }

  // Reads a ratings, implicit or titles block into `source`.
  TableSource table(const YAML::Node& block, const std::string& name,
                    const std::vector<std::string>& keys, TableSource source) const {
    check_keys(block, "'" + name + "'", keys);
    if (!block["file"]) {
      throw InputError(where(block) + ": '" + name + "' has no 'file' key; set " + name +
                       ".file to the path of the " + name + " file");
    }
    source.file = file(block["file"], name + ".file");
    if (block["user"]) source.user_column = scalar(block["user"], name + ".user");
    if (block["item"]) source.item_column = scalar(block["item"], name + ".item");
    if (block["rating"]) source.value_column = scalar(block["rating"], name + ".rating");
    if (block["title"]) source.value_column = scalar(block["title"], name + ".title");
    if (block["header"]) source.header = header(block["header"], name + ".header");
    if (block["delimiter"]) source.delimiter = delimiter(block["delimiter"], name + ".delimiter");
    return source;
  }

  RatingScale scale(const YAML::Node& node) const {
    if (!node.IsSequence() || node.size() != 2) {
      fail(node, "scale", "a list of two numbers [min, max], e.g. [1, 5]");
    }
    RatingScale scale{number(node[0], "scale"), number(node[1], "scale")};
    if (!(scale.min < scale.max)) fail(node, "scale", "[min, max] with min < max");
    return scale;
  }

  DuplicatePolicy duplicates(const YAML::Node& node) const {
    const std::string text = node.IsScalar() ? node.Scalar() : std::string();
    if (text != "first" && text != "last" && text != "mean" && text != "error") {
      fail(node, "duplicates", "first, last, mean or error");
    }
    return parse_duplicate_policy(text);
  }

 private:
  std::string source_;
  std::filesystem::path base_dir_;
};

}  // namespace

ImportOptions import_options_from_yaml(const YAML::Node& node,
                                       const std::filesystem::path& base_dir,
                                       const std::string& source_name,
                                       const std::vector<std::string>& caller_keys) {
  const SettingsReader reader(source_name, base_dir);
  reader.check_size(node);
  reader.check_keys(node, "the dataset settings", kTopKeys, caller_keys);

  ImportOptions options;
  if (node["name"]) options.name = reader.scalar(node["name"], "name");
  if (!node["ratings"]) {
    throw InputError(reader.where(node) +
                     ": the dataset settings have no 'ratings' key; add a ratings block with "
                     "at least 'file'");
  }
  options.ratings = reader.table(node["ratings"], "ratings", kRatingsKeys, TableSource{});
  if (node["implicit"]) {
    options.implicit = reader.table(node["implicit"], "implicit", kImplicitKeys, TableSource{});
  }
  if (node["titles"]) {
    TableSource titles_defaults;
    titles_defaults.item_column = "0";
    titles_defaults.value_column = "1";
    options.titles = reader.table(node["titles"], "titles", kTitlesKeys, titles_defaults);
  }

  if (!node["scale"]) {
    throw InputError(reader.where(node) +
                     ": the dataset settings have no 'scale' key; declare the rating scale, "
                     "e.g. scale: [1, 5]");
  }
  options.scale = reader.scale(node["scale"]);
  if (node["unrated_code"]) options.unrated_code = reader.number(node["unrated_code"], "unrated_code");
  if (node["duplicates"]) options.duplicates = reader.duplicates(node["duplicates"]);
  if (node["skip_invalid"]) options.skip_invalid = reader.boolean(node["skip_invalid"], "skip_invalid");
  if (node["seed"]) options.seed = reader.unsigned_integer(node["seed"], "seed");
  return options;
}

ImportOptions load_dataset_settings(const std::filesystem::path& yaml_file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(yaml_file.string());
  } catch (const YAML::BadFile&) {
    throw InputError("cannot read " + yaml_file.string() + ": file not found or not readable");
  } catch (const YAML::ParserException& error) {
    throw InputError(yaml_file.string() + ":" + std::to_string(error.mark.line + 1) +
                     ": invalid YAML: " + error.msg);
  }
  if (!root.IsDefined() || root.IsNull()) {
    throw InputError(yaml_file.string() + ": the file is empty; it must hold dataset settings "
                                          "with at least 'ratings' and 'scale'");
  }
  return import_options_from_yaml(root, yaml_file.parent_path(), yaml_file.string());
}

}  // namespace alphas
