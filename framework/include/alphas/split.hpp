// The per-user random split into training, validation and test.
#pragma once

#include <cstdint>

#include "alphas/dataset.hpp"

namespace alphas {

// Splits `ratings` per user: a user with n < 100 ratings sends each rating
// to training / validation / test with probability 0.8 / 0.1 / 0.1; a user
// with n >= 100 sends each with probability 10/n to validation, 10/n to
// test, the rest to training. If every rating of a user was held out, the
// first one in input order goes back to training. The draw for each rating
// depends only on (seed, user, the rating's position among the user's
// ratings), so the result is identical for any thread count.
// Fills dataset.training, .validation, .test from `ratings`, and
// .implicit_training = `implicit` minus the validation and test pairs.
// Rows of each split are ordered by user, then by their order in `ratings`;
// implicit_training keeps the order of `implicit`. Users run in parallel
// with TBB.
void split_dataset(const Ratings& ratings, const Ratings& implicit, uint64_t seed,
                   Dataset& dataset);

// The uniform number in [0, 1) drawn for the rating at `position` (0-based,
// in input order) among the ratings of `user`: the top 53 bits of
// splitmix64(splitmix64(splitmix64(seed) ^ user) ^ position), times 2^-53.
// A rating goes to validation when draw < p_validation, to test when
// draw < p_validation + p_test, else to training.
double split_draw(uint64_t seed, int32_t user, int64_t position);

// The splitmix64 generator step as a hash: z = x + 0x9E3779B97F4A7C15,
// z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9, z = (z ^ z >> 27) *
// 0x94D049BB133111EB, result z ^ z >> 31.
uint64_t splitmix64(uint64_t x);

}  // namespace alphas
