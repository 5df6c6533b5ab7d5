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

// One rejected row, printed as "file:line: reason (raw text)".
struct RowProblem {
  std::string file;
  int64_t line = 0;
  std::string reason;
  std::string raw;
  std::string to_string() const;
};

struct ImportResult {
  Dataset dataset;
  nlohmann::json manifest;            // sources with sha256, counts, seed
  std::vector<std::string> warnings;  // already logged
};

// Reads, validates and splits. A malformed, non-finite or out-of-scale row
// fails the import with an InputError listing the first 20 problems and the
// total count, unless options.skip_invalid. An empty result is an error.
ImportResult import_dataset(const ImportOptions& options);

// Writes dataset.h5 and manifest.json into dir.dataset_dir(), each atomically.
void write_dataset(const class DataDir& dir, const ImportResult& result);

}  // namespace alphas
