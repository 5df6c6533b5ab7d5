// Reading rating and list files into a Dataset.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alphas/dataset.hpp"

namespace alphas {

enum class HeaderMode { detect, present, absent };
enum class DuplicatePolicy { first, last, mean, error };

// Parses "first" | "last" | "mean" | "error"; throws InputError otherwise.
DuplicatePolicy parse_duplicate_policy(const std::string& text);
HeaderMode parse_header_mode(const std::string& text);  // "auto" | "true" | "false"
const char* duplicate_policy_name(DuplicatePolicy policy);
const char* header_mode_name(HeaderMode mode);  // "auto" | "true" | "false"

// Parses a delimiter setting: "auto" (or empty) gives '\0', "tab" or "\t"
// gives a tab, "comma" or ",", "semicolon" or ";". Throws InputError naming
// `setting` otherwise.
char parse_delimiter(const std::string& text, const std::string& setting);

// One delimited text file. Columns are chosen by header name or by 0-based
// index written as a number ("0", "2").
struct TableSource {
  std::filesystem::path file;
  std::string user_column = "0";
  std::string item_column = "1";
  std::string value_column = "2";  // rating, or title for a title file
  HeaderMode header = HeaderMode::detect;
  char delimiter = '\0';  // '\0': detect tab, comma or semicolon from line 1
};

struct ImportOptions {
  std::string name;  // dataset name recorded in the manifest; may be empty
  TableSource ratings;
  std::optional<TableSource> implicit;  // value column unused
  std::optional<TableSource> titles;    // item_column and value_column (title)
  RatingScale scale;
  // A rating value that means "on the list, not rated": rows with it go to
  // the implicit list instead of the ratings.
  std::optional<double> unrated_code;
  DuplicatePolicy duplicates = DuplicatePolicy::last;
  bool skip_invalid = false;
  uint64_t seed = 20220313;
};

// Throws InputError if the options cannot describe an import: an empty
// ratings path, a scale with min >= max or a non-finite bound, a non-finite
// unrated code.
void validate_import_options(const ImportOptions& options);

// One rejected row, printed as "file:line: reason (raw text)".
struct RowProblem {
  std::string file;
  int64_t line = 0;
  std::string reason;
  std::string raw;
  std::string to_string() const;
};

// Counts of the rows an import read, kept and dropped. Pairs are
// (user, item) pairs.
struct ImportCounts {
  int64_t rating_rows = 0;      // data rows of the ratings file, valid or not
  int64_t ratings = 0;          // rated pairs kept, after resolving duplicates
  int64_t unrated_rows = 0;     // rating rows with the unrated code
  int64_t implicit_rows = 0;    // data rows of the implicit file, valid or not
  int64_t implicit = 0;         // pairs on the implicit list (union, each once)
  int64_t skipped_rows = 0;     // invalid rows dropped because of skip_invalid
  int64_t duplicate_pairs = 0;  // rated pairs that had more than one row
  int64_t duplicate_rows = 0;   // rows of those pairs beyond one per pair
  int32_t users = 0;            // users of the ratings and implicit files
  int32_t items = 0;            // items of the ratings and implicit files
  int32_t rated_users = 0;      // users with at least one kept rating
  int32_t rated_items = 0;      // items with at least one kept rating
  int64_t titled_items = 0;     // items that got a title from the titles file
  int64_t training = 0;
  int64_t validation = 0;
  int64_t test = 0;
  int64_t implicit_training = 0;
};

struct ImportResult {
  Dataset dataset;
  ImportCounts counts;
  nlohmann::json manifest;            // sources with sha256, settings, counts
  std::vector<std::string> warnings;  // already logged
};

// Reads, validates and splits. A malformed, non-finite or out-of-scale row
// fails the import with an InputError listing the first 20 problems and the
// total count, unless options.skip_invalid. An empty result is an error.
// Raw ids get dense ids in order of first appearance (ratings file, then
// implicit file). When every raw id is an integer, dense ids follow
// increasing numeric value instead. Users and items use this rule separately.
ImportResult import_dataset(const ImportOptions& options);

// Writes dataset.h5 and manifest.json into dir.dataset_dir(), each atomically.
// The old manifest is removed first, so a manifest on disk always describes
// the dataset.h5 next to it; the manifest records that file's sha256.
void write_dataset(const class DataDir& dir, const ImportResult& result);

}  // namespace alphas
