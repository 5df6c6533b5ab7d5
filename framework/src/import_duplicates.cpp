// Resolution of (user, item) pairs rated more than once.
#include <algorithm>
#include <unordered_map>

#include "alphas/error.hpp"
#include "import_internal.hpp"

namespace alphas::import_detail {

namespace {

// Duplicated pairs named in a warning; an error names up to kProblemsListed.
constexpr std::size_t kPairsInWarning = 5;

uint64_t pair_key(int32_t user, int32_t item) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(user)) << 32) |
         static_cast<uint32_t>(item);
}

// Joins "3", "7", "9" as "3, 7 and 9".
std::string join_with_and(const std::vector<std::string>& parts) {
  std::string text;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) text += i + 1 == parts.size() ? " and " : ", ";
    text += parts[i];
  }
  return text;
}

// "(u1, i2) at lines 3 and 7 (values 2 and 5)"
std::string describe_pair(const std::vector<RatingRow>& rows,
                          const std::vector<std::size_t>& row_indices, const IdRegistry& users,
                          const IdRegistry& items) {
  const RatingRow& first = rows[row_indices.front()];
  std::vector<std::string> lines;
  std::vector<std::string> values;
  for (std::size_t index : row_indices) {
    lines.push_back(std::to_string(rows[index].line));
    values.push_back(format_number(rows[index].rating));
  }
  return "(" + users.raw_id(first.user) + ", " + items.raw_id(first.item) + ") at lines " +
         join_with_and(lines) + " (values " + join_with_and(values) + ")";
}

std::string describe_pairs(const std::vector<RatingRow>& rows,
                           const std::vector<std::vector<std::size_t>>& duplicated,
                           std::size_t max_listed, const IdRegistry& users,
                           const IdRegistry& items) {
  std::string text;
  const std::size_t listed = std::min(max_listed, duplicated.size());
  for (std::size_t k = 0; k < listed; ++k) {
    if (k > 0) text += "; ";
    text += describe_pair(rows, duplicated[k], users, items);
  }
  if (duplicated.size() > listed) {
    text += "; and " + std::to_string(duplicated.size() - listed) + " more";
  }
  return text;
}

std::string pair_count_text(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " duplicate (user, item) pair" : " duplicate (user, item) pairs");
}

double resolved_rating(const std::vector<RatingRow>& rows, const std::vector<std::size_t>& indices,
                       DuplicatePolicy policy) {
  switch (policy) {
    case DuplicatePolicy::first:
      return rows[indices.front()].rating;
    case DuplicatePolicy::last:
      return rows[indices.back()].rating;
    case DuplicatePolicy::mean:
    case DuplicatePolicy::error:
      break;
  }
  double sum = 0.0;
  for (std::size_t index : indices) sum += rows[index].rating;
  return sum / static_cast<double>(indices.size());
}

std::string kept_text(DuplicatePolicy policy, bool plural) {
  switch (policy) {
    case DuplicatePolicy::first:
      return plural ? "kept the first row of each" : "kept the first row";
    case DuplicatePolicy::last:
      return plural ? "kept the last row of each" : "kept the last row";
    default:
      return plural ? "kept the mean of the rows of each" : "kept the mean of the rows";
  }
}

}  // namespace

std::vector<RatingRow> resolve_duplicates(const std::vector<RatingRow>& rows,
                                          DuplicatePolicy policy, const std::string& file,
                                          const IdRegistry& users, const IdRegistry& items,
                                          ImportCounts& counts,
                                          std::vector<std::string>& warnings) {
  std::vector<RatingRow> unique;
  std::vector<std::size_t> first_row;  // row index of each unique pair's first row
  std::unordered_map<uint64_t, std::size_t> unique_index;
  unique_index.reserve(rows.size());
  // Row indices of every pair seen more than once, keyed by unique index.
  std::unordered_map<std::size_t, std::vector<std::size_t>> repeated;

  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto [found, inserted] = unique_index.emplace(pair_key(rows[i].user, rows[i].item), unique.size());
    if (inserted) {
      unique.push_back(rows[i]);
      first_row.push_back(i);
      continue;
    }
    std::vector<std::size_t>& indices = repeated[found->second];
    if (indices.empty()) indices.push_back(first_row[found->second]);
    indices.push_back(i);
  }
  if (repeated.empty()) return unique;

  // Messages list pairs in the order of their first row.
  std::vector<std::size_t> pair_order;
  for (const auto& entry : repeated) pair_order.push_back(entry.first);
  std::sort(pair_order.begin(), pair_order.end());
  std::vector<std::vector<std::size_t>> duplicated;
  for (std::size_t u : pair_order) duplicated.push_back(repeated[u]);

  if (policy == DuplicatePolicy::error) {
    throw InputError(file + ": " + pair_count_text(duplicated.size()) +
                     ", rejected because duplicates is set to 'error': " +
                     describe_pairs(rows, duplicated, kProblemsListed, users, items) +
                     "; set duplicates (--duplicates) to first, last or mean to keep one "
                     "rating per pair");
  }

  counts.duplicate_pairs = static_cast<int64_t>(duplicated.size());
  for (std::size_t k = 0; k < pair_order.size(); ++k) {
    unique[pair_order[k]].rating = resolved_rating(rows, duplicated[k], policy);
    counts.duplicate_rows += static_cast<int64_t>(duplicated[k].size()) - 1;
  }

  std::string warning = file + ": " + pair_count_text(duplicated.size()) + "; " +
                        kept_text(policy, duplicated.size() > 1) + ": " +
                        describe_pairs(rows, duplicated, kPairsInWarning, users, items);
  import_log().warn("{}", warning);
  warnings.push_back(std::move(warning));
  return unique;
}

}  // namespace alphas::import_detail
