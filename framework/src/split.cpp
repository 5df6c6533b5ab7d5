#include "alphas/split.hpp"

#include <algorithm>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "alphas/error.hpp"

namespace alphas {

namespace {

enum class Part : uint8_t { training, validation, test };

uint64_t pair_key(int32_t user, int32_t item) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(user)) << 32) |
         static_cast<uint32_t>(item);
}

// Returns the number of users, 1 + the largest user id; throws for a
// negative id, which no import produces.
int32_t user_count(const Ratings& ratings) {
  int32_t max_user = -1;
  for (std::size_t k = 0; k < ratings.size(); ++k) {
    if (ratings.user[k] < 0 || ratings.item[k] < 0) {
      throw Error("split_dataset: row " + std::to_string(k) + " has a negative user or item id");
    }
    max_user = std::max(max_user, ratings.user[k]);
  }
  return max_user + 1;
}

// Probability of validation, and also of test, for a user with n ratings.
double held_out_probability(int64_t n) { return n < 100 ? 0.1 : 10.0 / static_cast<double>(n); }

}  // namespace

uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double split_draw(uint64_t seed, int32_t user, int64_t position) {
  const uint64_t user_bits = static_cast<uint32_t>(user);
  const uint64_t hash =
      splitmix64(splitmix64(splitmix64(seed) ^ user_bits) ^ static_cast<uint64_t>(position));
  return static_cast<double>(hash >> 11) * 0x1.0p-53;
}

void split_dataset(const Ratings& ratings, const Ratings& implicit, uint64_t seed,
                   Dataset& dataset) {
  const int32_t n_users = user_count(ratings);

  // Group the rows by user, keeping input order inside each user (counting
  // sort): rows of user u are order[offset[u]] .. order[offset[u + 1] - 1].
  std::vector<int64_t> offset(static_cast<std::size_t>(n_users) + 1, 0);
  for (int32_t u : ratings.user) ++offset[static_cast<std::size_t>(u) + 1];
  for (std::size_t u = 0; u < static_cast<std::size_t>(n_users); ++u) offset[u + 1] += offset[u];
  std::vector<std::size_t> order(ratings.size());
  {
    std::vector<int64_t> next(offset.begin(), offset.end() - 1);
    for (std::size_t k = 0; k < ratings.size(); ++k) order[next[ratings.user[k]]++] = k;
  }

  // part[g] is the split of the rating at grouped position g. Each user
  // writes only its own range, so the result does not depend on threads.
  std::vector<Part> part(ratings.size(), Part::training);
  tbb::parallel_for(tbb::blocked_range<int32_t>(0, n_users), [&](const tbb::blocked_range<int32_t>& users) {
    for (int32_t u = users.begin(); u != users.end(); ++u) {
      const int64_t begin = offset[u];
      const int64_t n = offset[u + 1] - begin;
      if (n == 0) continue;
      const double p = held_out_probability(n);
      bool any_training = false;
      for (int64_t k = 0; k < n; ++k) {
        const double draw = split_draw(seed, u, k);
        Part& target = part[static_cast<std::size_t>(begin + k)];
        if (draw < p) {
          target = Part::validation;
        } else if (draw < 2.0 * p) {
          target = Part::test;
        } else {
          target = Part::training;
          any_training = true;
        }
      }
      // A user keeps at least one training rating, or no alpha could learn
      // anything about that user.
      if (!any_training) part[static_cast<std::size_t>(begin)] = Part::training;
    }
  });

  dataset.training = Ratings();
  dataset.validation = Ratings();
  dataset.test = Ratings();
  std::vector<uint64_t> held_out;
  for (std::size_t g = 0; g < order.size(); ++g) {
    const std::size_t k = order[g];
    Ratings& target = part[g] == Part::training     ? dataset.training
                      : part[g] == Part::validation ? dataset.validation
                                                    : dataset.test;
    target.push_back(ratings.user[k], ratings.item[k], ratings.rating[k]);
    if (part[g] != Part::training) held_out.push_back(pair_key(ratings.user[k], ratings.item[k]));
  }

  std::sort(held_out.begin(), held_out.end());
  dataset.implicit_training = Ratings();
  dataset.implicit_training.reserve(implicit.size());
  for (std::size_t k = 0; k < implicit.size(); ++k) {
    if (!std::binary_search(held_out.begin(), held_out.end(),
                            pair_key(implicit.user[k], implicit.item[k]))) {
      dataset.implicit_training.push_back(implicit.user[k], implicit.item[k], implicit.rating[k]);
    }
  }
}

}  // namespace alphas
