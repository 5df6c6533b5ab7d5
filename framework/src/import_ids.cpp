// Raw ids to dense ids.
#include <algorithm>
#include <limits>
#include <numeric>

#include "alphas/delimited.hpp"
#include "alphas/error.hpp"
#include "import_internal.hpp"

namespace alphas::import_detail {

int32_t IdRegistry::add(std::string_view raw) {
  std::string key(raw);
  auto found = index_.find(key);
  if (found != index_.end()) return found->second;

  if (raw_ids_.size() >= static_cast<std::size_t>(std::numeric_limits<int32_t>::max())) {
    throw InputError("more than " + std::to_string(std::numeric_limits<int32_t>::max()) +
                     " distinct ids; dense ids are int32");
  }
  int64_t ignored = 0;
  if (all_integers_ && !parse_integer(raw, ignored)) all_integers_ = false;
  const auto id = static_cast<int32_t>(raw_ids_.size());
  raw_ids_.push_back(key);
  index_.emplace(std::move(key), id);
  return id;
}

int32_t IdRegistry::find(std::string_view raw) const {
  auto found = index_.find(std::string(raw));
  return found == index_.end() ? -1 : found->second;
}

std::vector<int32_t> IdRegistry::finalize(std::vector<std::string>& raw_ids, bool& numeric) {
  const std::size_t n = raw_ids_.size();
  numeric = all_integers_ && n > 0;
  std::vector<int32_t> order(n);  // order[final id] = provisional id
  std::iota(order.begin(), order.end(), 0);
  if (numeric) {
    std::vector<int64_t> values(n);
    for (std::size_t i = 0; i < n; ++i) parse_integer(raw_ids_[i], values[i]);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
      if (values[a] != values[b]) return values[a] < values[b];
      return raw_ids_[a] < raw_ids_[b];
    });
  }

  std::vector<int32_t> final_id(n);
  raw_ids.clear();
  raw_ids.reserve(n);
  for (std::size_t f = 0; f < n; ++f) {
    final_id[order[f]] = static_cast<int32_t>(f);
    raw_ids.push_back(std::move(raw_ids_[order[f]]));
  }
  raw_ids_.clear();
  index_.clear();
  return final_id;
}

}  // namespace alphas::import_detail
