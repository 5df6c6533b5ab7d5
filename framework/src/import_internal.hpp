// Pieces of import_dataset shared by its translation units (not installed).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "alphas/import.hpp"

namespace alphas::import_detail {

inline constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);

// How many problems an error or warning lists before "and N more".
inline constexpr std::size_t kProblemsListed = 20;

// True for a line of spaces and tabs only; such lines are skipped.
inline bool is_blank_line(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t') return false;
  }
  return true;
}

// The parts of a table that the import reads, found from its first line.
struct TableLayout {
  char delimiter = '\0';
  bool has_header = false;
  int64_t first_line = 0;                  // number of the first non-blank line
  std::size_t field_count = 0;             // fields every data row must have
  std::size_t user = kNoColumn;            // column indices, or kNoColumn
  std::size_t item = kNoColumn;
  std::size_t value = kNoColumn;
  std::vector<std::string> header_fields;  // empty without a header
};

// The columns a table needs and the rule that detects its header.
struct TableRole {
  const char* name;  // "ratings", "implicit", "titles": the settings block
  bool needs_user;
  bool needs_value;
  const char* value_label;  // "rating" or "title"
  // Decides, for HeaderMode::detect with columns chosen by index, whether
  // the first line is a header. Gets the first line's fields and the layout
  // with the column indices resolved.
  std::function<bool(const std::vector<std::string>& fields, const TableLayout& layout)>
      first_line_is_header;
};

// Finds delimiter, header and column indices of `source` from the first
// non-blank line of `text`. Returns std::nullopt for a file with no
// non-blank line. Throws InputError for a setting that does not fit the
// file (unknown column name, index past the last field, names without a
// header, no delimiter found).
std::optional<TableLayout> resolve_layout(const TableSource& source, std::string_view text,
                                          const TableRole& role);

// Raw ids of users or of items, and the dense ids given to them.
class IdRegistry {
 public:
  // Returns the id of `raw`, adding it if new. Ids are provisional (order
  // of first appearance) until finalize().
  int32_t add(std::string_view raw);
  // Returns the provisional id of `raw`, or -1 if it was never added.
  int32_t find(std::string_view raw) const;
  std::size_t size() const { return raw_ids_.size(); }
  // The raw id of a provisional id; valid until finalize().
  const std::string& raw_id(int32_t id) const { return raw_ids_[static_cast<std::size_t>(id)]; }

  // Fixes the numbering: if every raw id is an integer, ids follow
  // increasing numeric value (raw text breaks ties, e.g. "7" and "07");
  // otherwise they keep the order of first appearance. Returns the final id
  // of each provisional id and moves the raw ids, in final order, to
  // `raw_ids`. Sets `numeric` to true when the numeric order was used.
  std::vector<int32_t> finalize(std::vector<std::string>& raw_ids, bool& numeric);

 private:
  std::unordered_map<std::string, int32_t> index_;
  std::vector<std::string> raw_ids_;
  bool all_integers_ = true;
};

// Problems of the rows of all files, with the first ones kept for messages.
class ProblemLog {
 public:
  void add(RowProblem problem);
  int64_t total() const { return total_; }
  const std::vector<RowProblem>& listed() const { return listed_; }
  // Files with at least one problem, in the order of their first problem.
  const std::vector<std::string>& files() const { return files_; }
  // One line per listed problem, indented by two spaces, plus a last line
  // "  ... and N more" when some were not listed.
  std::string format_list() const;

 private:
  std::vector<RowProblem> listed_;
  std::vector<std::string> files_;
  int64_t total_ = 0;
};

// A rating row that passed validation. Ids are provisional.
struct RatingRow {
  int32_t user;
  int32_t item;
  double rating;
  int64_t line;
};

// Resolves repeated (user, item) pairs of `rows` by `policy`, keeping the
// position of each pair's first row. Appends a warning to `warnings` (and
// logs it) when pairs were merged. Throws InputError for
// DuplicatePolicy::error. `users` and `items` give the raw ids for
// messages.
std::vector<RatingRow> resolve_duplicates(const std::vector<RatingRow>& rows,
                                          DuplicatePolicy policy, const std::string& file,
                                          const IdRegistry& users, const IdRegistry& items,
                                          ImportCounts& counts,
                                          std::vector<std::string>& warnings);

// Formats a double the shortest way that reads back to the same value.
std::string format_number(double value);

// Builds the manifest recorded next to dataset.h5 (see docs/import.md).
struct SourceRecord {
  std::string role;  // "ratings", "implicit", "titles"
  const TableSource* source;
  TableLayout layout;
  std::string sha256;
  int64_t bytes = 0;
};
nlohmann::json build_manifest(const ImportOptions& options,
                              const std::vector<SourceRecord>& sources,
                              const ImportCounts& counts, bool numeric_user_ids,
                              bool numeric_item_ids);

// Returns the logger the import writes to.
spdlog::logger& import_log();

}  // namespace alphas::import_detail
