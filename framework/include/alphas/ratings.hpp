// The rating table every split and every residual is stored as.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace alphas {

// A column-oriented list of (user, item, rating) triples. Ids are dense and
// 0-based. For residual tables `rating` holds the residual, not the raw
// rating; for implicit lists it is 1.
struct Ratings {
  std::vector<int32_t> user;
  std::vector<int32_t> item;
  std::vector<float> rating;

  std::size_t size() const { return rating.size(); }
  bool empty() const { return rating.empty(); }
  void reserve(std::size_t n);
  void push_back(int32_t u, int32_t i, float r);
};

// The named splits stored in a dataset. `implicit_training` is the implicit
// list minus every (user, item) pair held out in validation or test.
enum class Split { training, validation, test, implicit_training };

// The three explicit splits in storage order.
inline constexpr std::array<Split, 3> kExplicitSplits = {Split::training, Split::validation,
                                                         Split::test};

// Returns the storage name of a split ("training", "validation", ...).
const char* split_name(Split split);

// Parses a split name; throws InputError naming the valid names.
Split parse_split(const std::string& name);

}  // namespace alphas
