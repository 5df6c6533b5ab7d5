// Loss, gradients and predictions of the autoencoder in two formulations
// that compute the same numbers:
//
// - sparse: the input layer sums the weight rows of the batch's nonzero
//   inputs, and the rating head evaluates only the outputs that the loss or
//   the prediction reads (kernels.hpp). Autograd covers the small layers
//   between them.
// - dense: the model as written, x (batch x input_width, mostly zeros) times
//   the input weight, every output computed, the loss masked to y != 0.
//
// The implicit head needs its full softmax and is computed densely in both.
#pragma once

#include <optional>
#include <vector>

#include "batch.hpp"
#include "kernels.hpp"
#include "network.hpp"

namespace alphas::autoencoder {

// Factors of the loss terms: total = rating * rating_loss + implicit * implicit_loss.
struct LossWeights {
  double rating = 1.0;    // 1 / baseline rating loss
  double implicit = 0.0;  // implicit_weight / log(n_items); 0 without implicit head
};

struct LossValue {
  double total = 0;
  double rating = 0;    // mean squared error over the batch's output entries
  double implicit = 0;  // mean cross-entropy over samples with implicit targets
};

// The gradient of one parameter: a dense tensor, or, for the layers the
// sparse formulation computes itself, the rows it touched.
struct ParameterGradient {
  torch::Tensor dense;
  std::optional<RowSparseGradient> rows;
};
// One entry per Network::parameters(), in that order.
using Gradients = std::vector<ParameterGradient>;

// Wall-clock seconds of the forward and backward pass, for benchmarks.
struct PhaseTimes {
  double forward = 0;
  double backward = 0;
};

// With `gradients`, also runs the backward pass and fills it. The batch's
// dropout, if any, was applied when it was built.
LossValue sparse_loss(Network& network, const SparseBatch& batch, const LossWeights& weights,
                      Gradients* gradients, PhaseTimes* times = nullptr);

// `dropout`, when given, is drawn here as a dense mask over every input entry
// (use a batch built without dropout).
LossValue dense_loss(Network& network, const SparseBatch& batch, const LossWeights& weights,
                     const std::optional<Dropout>& dropout, Gradients* gradients,
                     PhaseTimes* times = nullptr);

// Rating-head outputs at the batch's output entries.
std::vector<float> sparse_predict_ratings(Network& network, const SparseBatch& batch);
std::vector<float> dense_predict_ratings(Network& network, const SparseBatch& batch);

// Implicit-head softmax probabilities at the batch's output entries.
std::vector<float> predict_implicit(Network& network, const SparseBatch& batch, bool sparse);

// The dense input matrix of a batch (batch.size x input_width) on `device`.
torch::Tensor dense_input(const SparseBatch& batch, const torch::Device& device);

}  // namespace alphas::autoencoder
