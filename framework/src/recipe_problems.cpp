#include "recipe_problems.hpp"

#include <algorithm>
#include <cctype>

#include "alphas/error.hpp"
#include "alphas/recipe.hpp"

namespace alphas::recipe_detail {

void Problems::add(int line, const std::string& message) {
  if (line > 0) {
    messages_.push_back(file_ + ":" + std::to_string(line) + ": " + message);
  } else {
    messages_.push_back(file_ + ": " + message);
  }
}

void Problems::throw_if_any() const {
  if (messages_.empty()) return;
  if (messages_.size() == 1) throw InputError(messages_.front());
  std::string text = file_ + ": " + std::to_string(messages_.size()) + " problems:";
  for (const auto& message : messages_) text += "\n  " + message;
  throw InputError(text);
}

namespace {

// Edit distance with adjacent transpositions (optimal string alignment),
// case-insensitive, so "itemcf" and "bais" are one edit from "ItemCF" and
// "bias".
std::size_t edit_distance(const std::string& a, const std::string& b) {
  auto same = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  };
  // d[i][j]: distance between the first i characters of a and j of b.
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = d[i - 1][j - 1] + (same(a[i - 1], b[j - 1]) ? 0 : 1);
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, substitution});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string nearest_spelling(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 0;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(name, candidate);
    if (best.empty() || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  // A third of the name may differ: "ItemCf" -> "ItemCF", "UserBiases" is too far.
  const std::size_t allowed = std::max<std::size_t>(1, name.size() / 3);
  return (!best.empty() && best_distance <= allowed) ? best : std::string();
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string nearest = nearest_spelling(name, candidates);
  return nearest.empty() ? std::string() : "; did you mean '" + nearest + "'?";
}

std::string join(const std::vector<std::string>& names, const std::string& separator) {
  std::string text;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (k > 0) text += separator;
    text += names[k];
  }
  return text;
}

}  // namespace alphas::recipe_detail

namespace alphas {

std::string nearest_spelling(const std::string& name, const std::vector<std::string>& candidates) {
  return recipe_detail::nearest_spelling(name, candidates);
}

}  // namespace alphas
