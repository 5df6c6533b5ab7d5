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
void split_dataset(const Ratings& ratings, const Ratings& implicit, uint64_t seed,
                   Dataset& dataset);

}  // namespace alphas
