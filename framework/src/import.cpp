// import_dataset: reading the files, validating rows, numbering ids and
// splitting.
#include "alphas/import.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <unordered_set>

#include "alphas/atomic_file.hpp"
#include "alphas/delimited.hpp"
#include "alphas/error.hpp"
#include "alphas/format_count.hpp"
#include "alphas/split.hpp"
#include "import_internal.hpp"

namespace alphas {

namespace import_detail {
namespace {

// U+FEFF in UTF-8. TextLines skips it at the start of a file only.
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// A (user, item) pair of the implicit list. Ids are provisional.
struct ListedPair {
  int32_t user;
  int32_t item;
};

// Everything read from the files, before ids are final.
struct RawImport {
  IdRegistry users;
  IdRegistry items;
  std::vector<RatingRow> ratings;
  std::vector<ListedPair> listed;  // implicit file rows and unrated-code rows
  std::vector<std::pair<int32_t, std::string>> titles;  // (provisional item, title)
  ProblemLog problems;
  std::vector<SourceRecord> sources;
  std::vector<std::string> warnings;
  ImportCounts counts;
};

std::string file_label(const TableSource& source) { return source.file.string(); }

// Reads a whole input file. Opening a directory succeeds on Linux and reads
// as an empty file, so a directory is rejected here like a missing file.
std::string read_source_text(const TableSource& source, const std::string& role) {
  std::error_code error;
  if (std::filesystem::is_directory(source.file, error)) {
    throw InputError("cannot read " + file_label(source) + ": it is a directory; set " + role +
                     ".file (--" + role + ") to a file");
  }
  std::string text = read_text(source.file);
  // Checked once for the whole file, because a file in another encoding
  // would otherwise fail on every row with a reason that hides the cause.
  if (const auto problem = find_encoding_problem(text)) {
    throw InputError(file_label(source) + ": " + *problem);
  }
  return text;
}

// Calls on_row(fields, line_number, line) for every data row of the table
// that has the layout's field count; reports the other rows to `problems`.
// Blank lines and the header are skipped. Returns the number of data rows.
template <typename OnRow>
int64_t read_rows(std::string_view text, const TableSource& source, const TableLayout& layout,
                  ProblemLog& problems, OnRow on_row) {
  const std::string file = file_label(source);
  TextLines lines(text);
  std::string_view line;
  int64_t line_number = 0;
  std::vector<std::string> fields;
  int64_t rows = 0;
  while (lines.next(line, line_number)) {
    if (layout.has_header && line_number == layout.first_line) continue;
    if (is_blank_line(line)) continue;
    ++rows;
    if (!split_fields(line, layout.delimiter, fields)) {
      problems.add({file, line_number, "a quoted field is not closed on this line",
                    shorten_for_message(line)});
      continue;
    }
    if (fields.size() != layout.field_count) {
      problems.add({file, line_number,
                    "expected " + format_count(layout.field_count, "field") +
                        (layout.has_header ? " (as in the header)" : "") + ", found " +
                        std::to_string(fields.size()),
                    shorten_for_message(line)});
      continue;
    }
    on_row(fields, line_number, line);
  }
  return rows;
}

// Returns the reason an id field is rejected, or an empty string. `label`
// is "user" or "item", `column` its 0-based column. Control characters are
// rejected because no id needs one, and dataset.h5 stores ids as C strings,
// which a NUL byte would cut short. Bytes that are not valid UTF-8 are
// rejected because readers such as h5py decode the stored ids as UTF-8.
std::string check_id_text(const std::string& id, const char* label, std::size_t column) {
  if (id.empty()) return std::string(label) + " id is empty";
  const std::string where = std::string(label) + " id '" + shorten_for_message(id, 40) +
                            "' in column " + std::to_string(column) + " (counted from 0)";
  const auto control = std::find_if(id.begin(), id.end(), is_control_character);
  if (control != id.end()) {
    return where + " contains the control character " + control_character_code(*control) +
           " at byte " + std::to_string(control - id.begin() + 1) + " of the id";
  }
  const std::size_t invalid = find_invalid_utf8(id);
  if (invalid != std::string::npos) {
    return where + " is not valid UTF-8 (byte " + std::to_string(invalid + 1) + " of the id, " +
           "\\x" + control_character_code(id[invalid]).substr(2) + "); save the file as UTF-8";
  }
  const std::size_t mark = id.find(kByteOrderMark);
  if (mark != std::string::npos) {
    return where + " contains the byte order mark U+FEFF at byte " + std::to_string(mark + 1) +
           " of the id; remove it (it is often left where two files were joined)";
  }
  return {};
}

// Returns the reason a rating field is rejected, or an empty string.
std::string check_rating_text(const std::string& text, double& value, NumberStatus& status) {
  status = parse_number(text, value);
  switch (status) {
    case NumberStatus::ok:
      return {};
    case NumberStatus::empty:
      return "rating is empty";
    case NumberStatus::not_a_number:
      return "rating '" + shorten_for_message(text, 40) + "' is not a number";
    case NumberStatus::not_finite:
      return "rating '" + shorten_for_message(text, 40) + "' is not a finite number";
    case NumberStatus::out_of_range:
      return "rating '" + shorten_for_message(text, 40) + "' is out of range";
  }
  return "rating '" + shorten_for_message(text, 40) + "' is invalid";
}

SourceRecord load_source(const std::string& role_name, const TableSource& source,
                         const TableLayout& layout, const std::string& text) {
  SourceRecord record;
  record.role = role_name;
  record.source = &source;
  record.layout = layout;
  record.sha256 = sha256_hex(text);
  record.bytes = static_cast<int64_t>(text.size());
  return record;
}

void log_layout(const std::string& role, const TableSource& source, const TableLayout& layout) {
  import_log().info("{} file {}: delimiter {}, {}", role, file_label(source),
                    delimiter_name(layout.delimiter),
                    layout.has_header ? "header on line " + std::to_string(layout.first_line)
                                      : std::string("no header"));
}

void read_ratings_file(const ImportOptions& options, RawImport& raw) {
  const TableSource& source = options.ratings;
  // NOTE: each file is read whole into memory and every row is kept until
  // the split, so memory grows with the input: `alphas import` peaked at
  // 76 MB RSS on the bundled sample (420,000 ratings, 11 MB of text).
  const std::string text = read_source_text(source, "ratings");
  // With columns chosen by index, the first line is a header when its
  // rating field is text that is not a number and contains no digit
  // ("rating", "Feedback"). An empty or non-finite rating, or one with a
  // digit such as the decimal comma of "4,5", makes line 1 a data row that
  // is then reported as invalid, so that no rating is dropped silently.
  TableRole role{"ratings", true, true, "rating",
                 [](const std::vector<std::string>& fields, const TableLayout& layout) {
                   const std::string& value = fields[layout.value];
                   double ignored = 0.0;
                   return parse_number(value, ignored) == NumberStatus::not_a_number &&
                          std::none_of(value.begin(), value.end(), [](char c) {
                            return c >= '0' && c <= '9';
                          });
                 }};
  std::optional<TableLayout> layout = resolve_layout(source, text, role);
  if (!layout) {
    throw InputError("no ratings found in " + file_label(source) + ": the file is empty");
  }
  log_layout("ratings", source, *layout);

  const std::string file = file_label(source);
  const RatingScale scale = options.scale;
  raw.counts.rating_rows = read_rows(
      text, source, *layout, raw.problems,
      [&](const std::vector<std::string>& fields, int64_t line_number, std::string_view line) {
        const std::string& user = fields[layout->user];
        const std::string& item = fields[layout->item];
        const std::string& value = fields[layout->value];
        double rating = 0.0;
        NumberStatus status = NumberStatus::ok;
        std::string reason = check_id_text(user, "user", layout->user);
        if (reason.empty()) reason = check_id_text(item, "item", layout->item);
        if (reason.empty()) reason = check_rating_text(value, rating, status);
        const bool unrated = reason.empty() && options.unrated_code && rating == *options.unrated_code;
        // The scale check is separate from the finiteness check above
        // because `r < min || r > max` is false for NaN.
        if (reason.empty() && !unrated && (rating < scale.min || rating > scale.max)) {
          reason = "rating '" + value + "' is outside the rating scale [" +
                   format_number(scale.min) + ", " + format_number(scale.max) + "]";
        }
        if (!reason.empty()) {
          if (status == NumberStatus::not_a_number && line_number == layout->first_line &&
              source.header == HeaderMode::detect) {
            reason += "; if line " + std::to_string(line_number) +
                      " is a header, set header to true";
          }
          raw.problems.add({file, line_number, reason, shorten_for_message(line)});
          return;
        }
        const int32_t u = raw.users.add(user);
        const int32_t i = raw.items.add(item);
        if (unrated) {
          raw.listed.push_back({u, i});
          ++raw.counts.unrated_rows;
        } else {
          raw.ratings.push_back({u, i, rating, line_number});
        }
      });
  raw.sources.push_back(load_source("ratings", source, *layout, text));
}

void read_implicit_file(const TableSource& source, RawImport& raw) {
  const std::string text = read_source_text(source, "implicit");
  // With columns chosen by index, the first line is a header unless it
  // could be data: it is data when both ids are integers, or when its user
  // or its item already appeared in the ratings file.
  // NOTE: a headerless file with string ids whose first row names a new
  // user and a new item loses that row as a "header"; such files need
  // header: false.
  TableRole role{"implicit", true, false, "",
                 [&raw](const std::vector<std::string>& fields, const TableLayout& layout) {
                   const std::string& user = fields[layout.user];
                   const std::string& item = fields[layout.item];
                   int64_t ignored = 0;
                   if (parse_integer(user, ignored) && parse_integer(item, ignored)) return false;
                   return raw.users.find(user) < 0 && raw.items.find(item) < 0;
                 }};
  std::optional<TableLayout> layout = resolve_layout(source, text, role);
  if (!layout) {
    const std::string warning = file_label(source) + ": the implicit file is empty";
    import_log().warn("{}", warning);
    raw.warnings.push_back(warning);
    raw.sources.push_back(load_source("implicit", source, TableLayout{}, text));
    return;
  }
  log_layout("implicit", source, *layout);

  const std::string file = file_label(source);
  raw.counts.implicit_rows = read_rows(
      text, source, *layout, raw.problems,
      [&](const std::vector<std::string>& fields, int64_t line_number, std::string_view line) {
        const std::string& user = fields[layout->user];
        const std::string& item = fields[layout->item];
        std::string reason = check_id_text(user, "user", layout->user);
        if (reason.empty()) reason = check_id_text(item, "item", layout->item);
        if (!reason.empty()) {
          raw.problems.add({file, line_number, reason, shorten_for_message(line)});
          return;
        }
        raw.listed.push_back({raw.users.add(user), raw.items.add(item)});
      });
  raw.sources.push_back(load_source("implicit", source, *layout, text));
}

void read_titles_file(const TableSource& source, RawImport& raw) {
  const std::string text = read_source_text(source, "titles");
  // With columns chosen by index, the first line is a header when its item
  // field is not an item of the ratings or implicit file.
  TableRole role{"titles", false, true, "title",
                 [&raw](const std::vector<std::string>& fields, const TableLayout& layout) {
                   return raw.items.find(fields[layout.item]) < 0;
                 }};
  std::optional<TableLayout> layout = resolve_layout(source, text, role);
  if (!layout) {
    const std::string warning = file_label(source) + ": the titles file is empty";
    import_log().warn("{}", warning);
    raw.warnings.push_back(warning);
    raw.sources.push_back(load_source("titles", source, TableLayout{}, text));
    return;
  }
  log_layout("titles", source, *layout);

  const std::string file = file_label(source);
  int64_t unknown_items = 0;
  read_rows(text, source, *layout, raw.problems,
            [&](const std::vector<std::string>& fields, int64_t line_number, std::string_view line) {
              const std::string& item = fields[layout->item];
              if (item.empty()) {
                raw.problems.add({file, line_number, "item id is empty", shorten_for_message(line)});
                return;
              }
              const int32_t id = raw.items.find(item);
              if (id < 0) {
                ++unknown_items;
                return;
              }
              raw.titles.emplace_back(id, fields[layout->value]);
            });
  if (unknown_items > 0) {
    const std::string warning = file + ": ignored the titles of " +
                                format_count(unknown_items, "item") +
                                " found in neither the ratings nor the implicit file";
    import_log().warn("{}", warning);
    raw.warnings.push_back(warning);
  }
  raw.sources.push_back(load_source("titles", source, *layout, text));
}

// Fails the import for invalid rows, or logs them when skip_invalid is set.
void report_problems(const ImportOptions& options, RawImport& raw) {
  const ProblemLog& problems = raw.problems;
  if (problems.total() == 0) return;
  const std::string rows = format_count(problems.total(), "invalid row");
  std::string files;
  for (const std::string& file : problems.files()) files += (files.empty() ? "" : ", ") + file;
  if (!options.skip_invalid) {
    throw InputError(rows + " in " + files +
                     "; fix them, or set skip_invalid (--skip-invalid) to import without them:" +
                     problems.format_list());
  }
  raw.counts.skipped_rows = problems.total();
  std::string warning = "skipped " + rows + " in " + files + " because skip_invalid is set:" +
                        problems.format_list();
  import_log().warn("{}", warning);
  raw.warnings.push_back(std::move(warning));
}

void fail_if_no_ratings(const ImportOptions& options, const RawImport& raw) {
  if (!raw.ratings.empty()) return;
  std::string message = "no ratings found in " + file_label(options.ratings);
  if (raw.counts.skipped_rows > 0) {
    const int64_t skipped = raw.counts.skipped_rows;
    message += " (" + std::to_string(skipped) +
               (skipped == 1 ? " invalid row was skipped)" : " invalid rows were skipped)");
  }
  if (raw.counts.unrated_rows > 0) {
    message += "; the unrated code put " + format_count(raw.counts.unrated_rows, "row") +
               " on the implicit list";
  }
  throw InputError(message);
}

uint64_t pair_key(int32_t user, int32_t item) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(user)) << 32) | static_cast<uint32_t>(item);
}

// Returns the implicit list: each pair of the implicit file, of the
// unrated-code rows and of the ratings once, ordered by user, then item.
Ratings build_implicit(const std::vector<ListedPair>& listed, const Ratings& ratings,
                       const std::vector<int32_t>& user_final,
                       const std::vector<int32_t>& item_final) {
  std::vector<uint64_t> keys;
  keys.reserve(listed.size() + ratings.size());
  for (const ListedPair& pair : listed) {
    keys.push_back(pair_key(user_final[pair.user], item_final[pair.item]));
  }
  for (std::size_t k = 0; k < ratings.size(); ++k) {
    keys.push_back(pair_key(ratings.user[k], ratings.item[k]));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

  Ratings implicit;
  implicit.reserve(keys.size());
  for (uint64_t key : keys) {
    implicit.push_back(static_cast<int32_t>(key >> 32), static_cast<int32_t>(key & 0xFFFFFFFFu),
                       1.0f);
  }
  return implicit;
}

int32_t count_distinct(const std::vector<int32_t>& ids, int32_t n) {
  std::vector<char> seen(static_cast<std::size_t>(n), 0);
  int32_t distinct = 0;
  for (int32_t id : ids) {
    if (!seen[id]) {
      seen[id] = 1;
      ++distinct;
    }
  }
  return distinct;
}

void log_summary(const ImportCounts& counts) {
  import_log().info(
      "imported {} by {} on {} ({} and {} overall), {}; split: training {}, validation {}, "
      "test {}; implicit training {}",
      format_count(counts.ratings, "rating"), format_count(counts.rated_users, "user"),
      format_count(counts.rated_items, "item"), format_count(counts.users, "user"),
      format_count(counts.items, "item"), format_count(counts.implicit, "implicit pair"),
      counts.training, counts.validation, counts.test, counts.implicit_training);
}

}  // namespace
}  // namespace import_detail

ImportResult import_dataset(const ImportOptions& options) {
  using namespace import_detail;
  validate_import_options(options);
  const auto start = std::chrono::steady_clock::now();

  RawImport raw;
  read_ratings_file(options, raw);
  if (options.implicit) read_implicit_file(*options.implicit, raw);
  if (options.titles) read_titles_file(*options.titles, raw);
  report_problems(options, raw);
  fail_if_no_ratings(options, raw);

  std::vector<RatingRow> unique =
      resolve_duplicates(raw.ratings, options.duplicates, file_label(options.ratings), raw.users,
                         raw.items, raw.counts, raw.warnings);

  ImportResult result;
  Dataset& dataset = result.dataset;
  bool numeric_users = false;
  bool numeric_items = false;
  const std::vector<int32_t> user_final = raw.users.finalize(dataset.user_ids, numeric_users);
  const std::vector<int32_t> item_final = raw.items.finalize(dataset.item_ids, numeric_items);
  dataset.n_users = static_cast<int32_t>(dataset.user_ids.size());
  dataset.n_items = static_cast<int32_t>(dataset.item_ids.size());
  dataset.scale = options.scale;
  dataset.seed = options.seed;

  Ratings ratings;
  ratings.reserve(unique.size());
  for (const RatingRow& row : unique) {
    ratings.push_back(user_final[row.user], item_final[row.item], static_cast<float>(row.rating));
  }
  const Ratings implicit = build_implicit(raw.listed, ratings, user_final, item_final);

  if (options.titles) {
    dataset.item_titles.assign(static_cast<std::size_t>(dataset.n_items), std::string());
    std::vector<char> titled(static_cast<std::size_t>(dataset.n_items), 0);
    int64_t repeated = 0;
    for (auto& [item, title] : raw.titles) {
      const int32_t id = item_final[item];
      if (titled[id]) ++repeated;
      dataset.item_titles[id] = std::move(title);  // a later row of the same item wins
      titled[id] = 1;
    }
    raw.counts.titled_items = std::count(titled.begin(), titled.end(), 1);
    if (repeated > 0) {
      std::string warning = file_label(*options.titles) + ": " +
                            format_count(repeated, "title row") +
                            (repeated == 1 ? " repeats" : " repeat") +
                            " an item of an earlier row; kept the last title of each item";
      import_log().warn("{}", warning);
      raw.warnings.push_back(std::move(warning));
    }
  }

  split_dataset(ratings, implicit, options.seed, dataset);

  ImportCounts& counts = raw.counts;
  counts.ratings = static_cast<int64_t>(ratings.size());
  counts.implicit = static_cast<int64_t>(implicit.size());
  counts.users = dataset.n_users;
  counts.items = dataset.n_items;
  counts.rated_users = count_distinct(ratings.user, dataset.n_users);
  counts.rated_items = count_distinct(ratings.item, dataset.n_items);
  counts.training = static_cast<int64_t>(dataset.training.size());
  counts.validation = static_cast<int64_t>(dataset.validation.size());
  counts.test = static_cast<int64_t>(dataset.test.size());
  counts.implicit_training = static_cast<int64_t>(dataset.implicit_training.size());

  result.counts = counts;
  result.manifest = build_manifest(options, raw.sources, counts, numeric_users, numeric_items);
  result.warnings = std::move(raw.warnings);
  log_summary(counts);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  import_log().debug("import took {:.2f} s", elapsed.count());
  return result;
}

}  // namespace alphas
