#include <algorithm>
#include <optional>

#include "alphas/atomic_file.hpp"
#include "alphas/error.hpp"
#include "runner_internal.hpp"

namespace alphas::runner_detail {

namespace {

nlohmann::json references(const std::vector<std::string>& names,
                          const std::map<std::string, std::string>& hashes) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& name : names) {
    auto found = hashes.find(name);
    list.push_back({{"name", name}, {"hash", found == hashes.end() ? "" : found->second}});
  }
  return list;
}

// Adds "hash": the sha256 of the object's JSON text. nlohmann::json keeps
// object keys sorted, so equal content gives equal text.
nlohmann::json with_hash(nlohmann::json provenance) {
  provenance.erase("hash");
  provenance["hash"] = sha256_hex(provenance.dump());
  return provenance;
}

std::vector<std::string> names_of(const nlohmann::json& list) {
  std::vector<std::string> names;
  for (const auto& entry : list) names.push_back(entry.value("name", std::string("?")));
  return names;
}

// Returns "a, b": the names of `from` that are not in `other`.
std::string missing_from(const std::vector<std::string>& from, const std::vector<std::string>& other) {
  std::string text;
  for (const auto& name : from) {
    if (std::find(other.begin(), other.end(), name) != other.end()) continue;
    text += (text.empty() ? "" : ", ") + name;
  }
  return text;
}

// Compares two lists of {name, hash}; `noun` names one entry ("input").
std::string list_difference(const nlohmann::json& stored, const nlohmann::json& expected,
                            const std::string& key, const std::string& noun) {
  const nlohmann::json before = stored.value(key, nlohmann::json::array());
  const nlohmann::json now = expected.value(key, nlohmann::json::array());
  const std::vector<std::string> before_names = names_of(before), now_names = names_of(now);
  if (before_names != now_names) {
    const std::string added = missing_from(now_names, before_names);
    const std::string removed = missing_from(before_names, now_names);
    if (added.empty() && removed.empty()) return "order of " + key + " changed";
    std::string text = key + " changed:";
    if (!added.empty()) text += " added " + added;
    if (!added.empty() && !removed.empty()) text += ",";
    if (!removed.empty()) text += " removed " + removed;
    return text;
  }
  for (std::size_t k = 0; k < now.size(); ++k) {
    if (before[k].value("hash", std::string()) != now[k].value("hash", std::string())) {
      return noun + " " + now[k].value("name", std::string()) + " changed";
    }
  }
  return "";
}

std::string params_difference(const nlohmann::json& before, const nlohmann::json& now) {
  for (const auto& [key, value] : now.items()) {
    if (!before.contains(key)) return "parameter " + key + " added (" + value.dump() + ")";
    if (before[key] != value) {
      return "parameter " + key + " changed from " + before[key].dump() + " to " + value.dump();
    }
  }
  for (const auto& [key, value] : before.items()) {
    if (!now.contains(key)) return "parameter " + key + " removed (was " + value.dump() + ")";
  }
  return "";
}

}  // namespace

namespace {

// The sha256 of dataset.h5 that the manifest recorded at import, or nothing
// when `manifest_text` is not JSON or records none.
std::optional<std::string> recorded_dataset_sha256(const std::string& manifest_text) {
  nlohmann::json manifest;
  try {
    manifest = nlohmann::json::parse(manifest_text);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  if (manifest.is_object() && manifest.contains("dataset_file") &&
      manifest["dataset_file"].is_object() && manifest["dataset_file"].contains("sha256") &&
      manifest["dataset_file"]["sha256"].is_string()) {
    return manifest["dataset_file"]["sha256"].get<std::string>();
  }
  return std::nullopt;
}

}  // namespace

std::string dataset_hash(const DataDir& dir) {
  const std::string text = read_text(dir.manifest_file());
  // Without a recorded checksum the manifest's bytes identify the dataset.
  return recorded_dataset_sha256(text).value_or(sha256_hex(text));
}

std::string damaged_dataset_reason(const DataDir& dir) {
  const auto recorded = recorded_dataset_sha256(read_text(dir.manifest_file()));
  if (!recorded || sha256_file(dir.dataset_file()) == *recorded) return "";
  return "dataset file " + dir.dataset_file().string() +
         " does not match the sha256 recorded in " + dir.manifest_file().string() +
         " when it was imported, so it was damaged or edited; import the data again ('alphas "
         "import', or delete " + dir.dataset_dir().string() +
         " and rerun with a recipe that names the dataset)";
}

nlohmann::json alpha_provenance(const RecipeAlpha& alpha, const std::string& plugin_version,
                                const std::string& dataset_hash,
                                const std::map<std::string, std::string>& hashes) {
  return with_hash({{"family", alpha.family},
                    {"plugin_version", plugin_version},
                    {"params", alpha.params},
                    {"seed", alpha.seed},
                    {"dataset", dataset_hash},
                    {"inputs", references(alpha.inputs, hashes)},
                    {"targets", references(alpha.targets, hashes)}});
}

nlohmann::json ensemble_provenance(const RecipeEnsemble& ensemble, const std::string& dataset_hash,
                                   const std::map<std::string, std::string>& hashes) {
  const StackerSettings& s = ensemble.stacker;
  return with_hash({{"kind", "ensemble"},
                    {"dataset", dataset_hash},
                    {"members", references(ensemble.members, hashes)},
                    {"stacker",
                     {{"enabled", s.enabled},
                      {"max_rounds", s.max_rounds},
                      {"early_stopping_rounds", s.early_stopping_rounds},
                      {"learning_rate", s.learning_rate},
                      {"max_depth", s.max_depth},
                      {"min_child_weight", s.min_child_weight},
                      {"subsample", s.subsample},
                      {"colsample", s.colsample},
                      {"lambda", s.lambda},
                      {"holdout", s.holdout},
                      {"seed", s.seed}}}});
}

std::string stale_reason(const nlohmann::json& stored, const nlohmann::json& expected) {
  if (!stored.is_object() || !stored.contains("hash")) {
    return "its output records no provenance hash (written by another version of alphas?)";
  }
  if (stored["hash"] == expected["hash"]) return "";

  auto field = [&](const char* key) { return stored.value(key, nlohmann::json()); };
  if (field("family") != expected.value("family", nlohmann::json())) {
    return "family changed from " + field("family").dump() + " to " + expected["family"].dump();
  }
  if (field("plugin_version") != expected.value("plugin_version", nlohmann::json())) {
    return "plugin version changed from " + field("plugin_version").dump() + " to " +
           expected["plugin_version"].dump();
  }
  if (expected.contains("params")) {
    const std::string params = params_difference(field("params").is_object()
                                                     ? field("params")
                                                     : nlohmann::json::object(),
                                                 expected["params"]);
    if (!params.empty()) return params;
  }
  if (field("seed") != expected.value("seed", nlohmann::json())) {
    return "seed changed from " + field("seed").dump() + " to " + expected["seed"].dump();
  }
  if (field("dataset") != expected.value("dataset", nlohmann::json())) {
    return "the dataset was imported again";
  }
  for (const auto& [key, noun] : {std::pair<const char*, const char*>{"inputs", "input"},
                                  {"targets", "target"},
                                  {"members", "alpha"}}) {
    const std::string difference = list_difference(stored, expected, key, noun);
    if (!difference.empty()) return difference;
  }
  if (field("stacker") != expected.value("stacker", nlohmann::json())) {
    return "stacker settings changed";
  }
  return "its recorded provenance hash differs";
}

std::string damaged_output_reason(const DataDir& dir, const std::string& name,
                                  const nlohmann::json& stored) {
  const auto recorded = stored.find("checksums");
  if (recorded == stored.end() || !recorded->is_object()) return "";
  for (const auto& [file, checksum] : recorded->items()) {
    if (!checksum.is_string()) return "its params.json has an invalid checksum of " + file;
    std::string actual;
    try {
      actual = sha256_file(dir.alpha_dir(name) / file);
    } catch (const Error&) {
      return "its " + file + " is missing or unreadable";
    }
    if (actual != checksum.get<std::string>()) {
      return "its " + file + " changed after it was written (damaged or edited)";
    }
  }
  return "";
}

}  // namespace alphas::runner_detail
