// manifest.json and write_dataset.
#include <filesystem>

#include "alphas/atomic_file.hpp"
#include "alphas/data_dir.hpp"
#include "alphas/delimited.hpp"
#include "alphas/error.hpp"
#include "import_internal.hpp"

namespace alphas {

namespace import_detail {

namespace {

// The split rule of split_dataset, recorded so that a manifest explains
// itself without the source code.
constexpr const char* kSplitRule =
    "per user: with n < 100 ratings, each rating goes to training, validation or test with "
    "probability 0.8, 0.1, 0.1; with n >= 100, to validation and to test with probability "
    "10/n each, else training; if all of a user's ratings were held out, the first in input "
    "order goes back to training; each draw is a function of (seed, user, position of the "
    "rating among the user's ratings)";

nlohmann::json column_record(const std::string& setting, std::size_t index) {
  return {{"setting", setting}, {"index", index}};
}

nlohmann::json source_record(const SourceRecord& record) {
  const TableSource& source = *record.source;
  const TableLayout& layout = record.layout;
  nlohmann::json columns = nlohmann::json::object();
  if (layout.user != kNoColumn) columns["user"] = column_record(source.user_column, layout.user);
  if (layout.item != kNoColumn) columns["item"] = column_record(source.item_column, layout.item);
  if (layout.value != kNoColumn) {
    columns[record.role == "titles" ? "title" : "rating"] =
        column_record(source.value_column, layout.value);
  }
  std::error_code ignored;
  std::filesystem::path absolute = std::filesystem::absolute(source.file, ignored);
  return {
      {"role", record.role},
      {"file", absolute.empty() ? source.file.string() : absolute.lexically_normal().string()},
      {"sha256", record.sha256},
      {"bytes", record.bytes},
      {"delimiter", layout.delimiter == '\0' ? "none" : delimiter_name(layout.delimiter)},
      {"header_setting", header_mode_name(source.header)},
      {"header", layout.has_header},
      {"columns", columns},
  };
}

nlohmann::json counts_record(const ImportCounts& counts) {
  return {
      {"rating_rows", counts.rating_rows},
      {"ratings", counts.ratings},
      {"unrated_rows", counts.unrated_rows},
      {"implicit_rows", counts.implicit_rows},
      {"implicit", counts.implicit},
      {"skipped_rows", counts.skipped_rows},
      {"duplicate_pairs", counts.duplicate_pairs},
      {"duplicate_rows", counts.duplicate_rows},
      {"users", counts.users},
      {"items", counts.items},
      {"rated_users", counts.rated_users},
      {"rated_items", counts.rated_items},
      {"titled_items", counts.titled_items},
      {"training", counts.training},
      {"validation", counts.validation},
      {"test", counts.test},
      {"implicit_training", counts.implicit_training},
  };
}

}  // namespace

nlohmann::json build_manifest(const ImportOptions& options,
                              const std::vector<SourceRecord>& sources,
                              const ImportCounts& counts, bool numeric_user_ids,
                              bool numeric_item_ids) {
  nlohmann::json manifest;
  manifest["format_version"] = 1;
  manifest["alphas_version"] = ALPHAS_VERSION;
  manifest["name"] = options.name;
  manifest["sources"] = nlohmann::json::array();
  for (const SourceRecord& record : sources) manifest["sources"].push_back(source_record(record));
  manifest["settings"] = {
      {"scale", {options.scale.min, options.scale.max}},
      {"unrated_code", options.unrated_code ? nlohmann::json(*options.unrated_code) : nlohmann::json()},
      {"duplicates", duplicate_policy_name(options.duplicates)},
      {"skip_invalid", options.skip_invalid},
  };
  manifest["seed"] = options.seed;
  manifest["id_order"] = {
      {"users", numeric_user_ids ? "numeric" : "first appearance"},
      {"items", numeric_item_ids ? "numeric" : "first appearance"},
  };
  manifest["counts"] = counts_record(counts);
  manifest["split"] = {{"seed", options.seed}, {"rule", kSplitRule}};
  return manifest;
}

}  // namespace import_detail

void write_dataset(const DataDir& dir, const ImportResult& result) {
  std::filesystem::create_directories(dir.dataset_dir());
  // Without a manifest the directory reads as "no complete dataset", which
  // is true from here until the new manifest is in place.
  std::error_code error;
  std::filesystem::remove(dir.manifest_file(), error);
  if (error) {
    throw Error("cannot remove the old " + dir.manifest_file().string() + ": " + error.message());
  }
  save_dataset(result.dataset, dir.dataset_file());

  nlohmann::json manifest = result.manifest;
  manifest["dataset_file"] = {{"name", dir.dataset_file().filename().string()},
                              {"sha256", sha256_file(dir.dataset_file())}};
  write_text_atomically(dir.manifest_file(), manifest.dump(2) + "\n");
}

}  // namespace alphas
