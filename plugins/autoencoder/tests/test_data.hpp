// Small synthetic datasets for the autoencoder's tests.
#pragma once

#include <cstdint>

#include "alphas/dataset.hpp"
#include "training_data.hpp"

namespace alphas::autoencoder::testing {

// n_users x n_items: each pair is rated (1..10) with probability 1/2 and
// split 80/10/10 into training / validation / test. The implicit list
// contains every rated pair plus about one in five unrated pairs. The last
// user has no training data and the last item is never rated, so both are
// "unseen".
Dataset make_dataset(int32_t n_users, int32_t n_items, uint64_t seed);

// The residual input of a rating: rating - 5.5.
float input_residual(float rating);
// A target residual that differs from the input, as GNN.Resid's does.
float target_residual(float rating, int32_t item);

// TrainingData with inputs = input_residual and targets = target_residual.
TrainingData make_training_data_for(const Dataset& dataset);

}  // namespace alphas::autoencoder::testing
