#include "formulations.hpp"

#include <chrono>
#include <cmath>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <torch/torch.h>

#include "alphas/error.hpp"

namespace alphas::autoencoder {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

torch::Tensor index_tensor(const std::vector<int64_t>& values, const torch::Device& device) {
  torch::Tensor t = torch::empty({static_cast<int64_t>(values.size())}, torch::kLong);
  std::copy(values.begin(), values.end(), t.data_ptr<int64_t>());
  return t.to(device);
}

torch::Tensor float_tensor(const std::vector<float>& values, const torch::Device& device) {
  torch::Tensor t = torch::empty({static_cast<int64_t>(values.size())}, torch::kFloat32);
  std::copy(values.begin(), values.end(), t.data_ptr<float>());
  return t.to(device);
}

std::vector<int64_t> implicit_samples(const SparseBatch& batch) {
  std::vector<int64_t> samples(batch.implicit_items.size());
  for (int64_t b = 0; b < batch.size; ++b) {
    for (int64_t k = batch.implicit_offsets[b]; k < batch.implicit_offsets[b + 1]; ++k) samples[k] = b;
  }
  return samples;
}

int64_t samples_with_implicit_targets(const SparseBatch& batch) {
  int64_t count = 0;
  for (int64_t b = 0; b < batch.size; ++b) {
    count += batch.implicit_offsets[b + 1] > batch.implicit_offsets[b];
  }
  return count;
}

// Mean cross-entropy -sum_j q_j log softmax(logits)_j over samples with
// targets, reading log p only at the target entries.
torch::Tensor implicit_loss_at_targets(const torch::Tensor& logits, const SparseBatch& batch) {
  const int64_t with_targets = samples_with_implicit_targets(batch);
  if (with_targets == 0) return torch::zeros({}, logits.options());
  const torch::Device device = logits.device();
  torch::Tensor log_p = torch::log_softmax(logits, 1);
  torch::Tensor picked = log_p.index({index_tensor(implicit_samples(batch), device),
                                      index_tensor(batch.implicit_items, device)});
  return -(picked * float_tensor(batch.implicit_weights, device)).sum() /
         static_cast<double>(with_targets);
}

// The distinct values of `values`, all in [0, bound), in increasing order.
std::vector<int64_t> distinct(const std::vector<int64_t>& values, int64_t bound) {
  std::vector<uint8_t> seen(static_cast<std::size_t>(bound), 0);
  for (int64_t v : values) seen[v] = 1;
  std::vector<int64_t> result;
  for (int64_t v = 0; v < bound; ++v) {
    if (seen[v]) result.push_back(v);
  }
  return result;
}

// Brings the output rows the batch reads up to date.
void prepare_output_rows(Network& network, const SparseBatch& batch) {
  const std::vector<int64_t> items = distinct(batch.output_items, batch.n_items);
  network.prepare_rows(kRatingWeight, items);
  network.prepare_rows(kRatingBias, items);
}

void reset_gradients(Network& network) {
  for (NamedTensor& p : network.parameters()) {
    if (p.tensor.grad().defined()) p.tensor.mutable_grad().reset();
  }
}

// The input layer's pre-activation computed from the nonzero inputs.
torch::Tensor sparse_input_preactivation(Network& network, const SparseBatch& batch) {
  if (!network.device().is_cpu()) {
    throw Error("autoencoder: the sparse formulation runs on the CPU only; use formulation: dense on " +
                network.device().str());
  }
  network.prepare_rows(kInputWeight, distinct(batch.input_columns, batch.input_width));
  const int64_t hidden = network.input_hidden();
  torch::Tensor z = torch::empty({batch.size, hidden}, torch::kFloat32);
  sparse_input_forward(batch, network.parameter(kInputWeight).data_ptr<float>(),
                       network.parameter(kInputBias).data_ptr<float>(), hidden,
                       z.data_ptr<float>());
  return z;
}

}  // namespace

torch::Tensor dense_input(const SparseBatch& batch, const torch::Device& device) {
  std::vector<int64_t> rows(batch.input_columns.size());
  for (int64_t b = 0; b < batch.size; ++b) {
    for (int64_t k = batch.input_offsets[b]; k < batch.input_offsets[b + 1]; ++k) rows[k] = b;
  }
  torch::Tensor x = torch::zeros({batch.size, batch.input_width},
                                 torch::TensorOptions().dtype(torch::kFloat32).device(device));
  x.index_put_({index_tensor(rows, device), index_tensor(batch.input_columns, device)},
               float_tensor(batch.input_values, device));
  return x;
}

LossValue sparse_loss(Network& network, const SparseBatch& batch, const LossWeights& weights,
                      Gradients* gradients, PhaseTimes* times) {
  const auto start = Clock::now();
  std::optional<torch::NoGradGuard> no_grad;
  if (gradients == nullptr) no_grad.emplace();
  reset_gradients(network);

  torch::Tensor z1 = sparse_input_preactivation(network, batch);
  if (gradients != nullptr) z1.set_requires_grad(true);
  torch::Tensor code = network.encode(z1);
  torch::Tensor h = network.decode_hidden(code, "rating").contiguous();

  // Rating head: y_k at the output entries, loss = mean_k (y_k - t_k)^2.
  const int64_t hidden = network.output_hidden();
  const int64_t n_outputs = batch.output_count();
  const torch::Tensor& rating_weight = network.parameter(kRatingWeight);
  const torch::Tensor& rating_bias = network.parameter(kRatingBias);
  std::vector<float> y(static_cast<std::size_t>(n_outputs));
  prepare_output_rows(network, batch);
  gathered_output_forward(batch, h.data_ptr<float>(), rating_weight.data_ptr<float>(),
                          rating_bias.data_ptr<float>(), hidden, y.data());
  LossValue loss;
  std::vector<float> dy(y.size());
  if (n_outputs > 0) {
    double sum = 0;
    for (int64_t k = 0; k < n_outputs; ++k) {
      const double r = static_cast<double>(y[k]) - batch.output_targets[k];
      sum += r * r;
      // d(w_r * mean r^2) / dy_k = 2 w_r r_k / n
      dy[k] = static_cast<float>(2.0 * weights.rating * r / static_cast<double>(n_outputs));
    }
    loss.rating = sum / static_cast<double>(n_outputs);
  }

  torch::Tensor implicit_loss;
  if (network.architecture().implicit_head) {
    torch::Tensor h_implicit = network.decode_hidden(code, "implicit");
    torch::Tensor logits = torch::linear(h_implicit, network.parameter(kImplicitWeight),
                                         network.parameter(kImplicitBias));
    implicit_loss = implicit_loss_at_targets(logits, batch);
    loss.implicit = implicit_loss.item<double>();
  }
  loss.total = weights.rating * loss.rating + weights.implicit * loss.implicit;
  const auto forward_end = Clock::now();
  if (times != nullptr) times->forward = seconds_between(start, forward_end);
  if (gradients == nullptr) return loss;

  // Backward: the rating head by hand, the layers between by autograd, the
  // input layer by hand from dL/dz1. The row-sparse gradients reuse the
  // buffers of the previous call, which saves page faults on every step.
  std::vector<NamedTensor>& parameters = network.parameters();
  gradients->resize(parameters.size());
  auto rows_of = [&](const std::string& name) -> RowSparseGradient& {
    for (std::size_t k = 0; k < parameters.size(); ++k) {
      if (parameters[k].name != name) continue;
      ParameterGradient& g = (*gradients)[k];
      g.dense = torch::Tensor();
      if (!g.rows) g.rows.emplace();
      return *g.rows;
    }
    throw Error("autoencoder: the network has no parameter '" + name + "'");
  };

  torch::Tensor dh = torch::empty({batch.size, hidden}, torch::kFloat32);
  gathered_output_backward(batch, h.data_ptr<float>(), rating_weight.data_ptr<float>(), dy.data(),
                           hidden, dh.data_ptr<float>(), rows_of(kRatingWeight),
                           rows_of(kRatingBias));
  std::vector<torch::Tensor> roots = {h};
  std::vector<torch::Tensor> root_gradients = {dh};
  if (implicit_loss.defined() && implicit_loss.requires_grad()) {
    roots.push_back(implicit_loss * weights.implicit);
    root_gradients.push_back(torch::ones({}, torch::kFloat32));
  }
  torch::autograd::backward(roots, root_gradients);

  const int64_t input_hidden = network.input_hidden();
  torch::Tensor dz1 = z1.grad().contiguous();
  torch::Tensor input_bias_gradient = torch::empty({input_hidden}, torch::kFloat32);
  sparse_input_backward(batch, dz1.data_ptr<float>(), input_hidden, rows_of(kInputWeight),
                        input_bias_gradient.data_ptr<float>());

  for (std::size_t k = 0; k < parameters.size(); ++k) {
    const std::string& name = parameters[k].name;
    if (name == kInputWeight || name == kRatingWeight || name == kRatingBias) continue;
    ParameterGradient& g = (*gradients)[k];
    g.rows.reset();
    if (name == kInputBias) {
      g.dense = input_bias_gradient;
    } else {
      const torch::Tensor& grad = parameters[k].tensor.grad();
      g.dense = grad.defined() ? grad : torch::zeros_like(parameters[k].tensor);
    }
  }
  reset_gradients(network);
  if (times != nullptr) times->backward = seconds_between(forward_end, Clock::now());
  return loss;
}

LossValue dense_loss(Network& network, const SparseBatch& batch, const LossWeights& weights,
                     const std::optional<Dropout>& dropout, Gradients* gradients,
                     PhaseTimes* times) {
  const auto start = Clock::now();
  std::optional<torch::NoGradGuard> no_grad;
  if (gradients == nullptr) no_grad.emplace();
  reset_gradients(network);
  network.prepare_all();
  const torch::Device device = network.device();

  torch::Tensor x = dense_input(batch, device);
  if (dropout) {
    // The dense mask of the dropout rule over every (sample, column).
    torch::Tensor mask = torch::empty({batch.size, batch.input_width}, torch::kFloat32);
    float* m = mask.data_ptr<float>();
    const float scale = 1.0f / (1.0f - dropout->rate);
    tbb::parallel_for(int64_t{0}, batch.size, [&](int64_t b) {
      for (int64_t c = 0; c < batch.input_width; ++c) {
        m[b * batch.input_width + c] = dropout->keep(b, c, batch.input_width) ? scale : 0.0f;
      }
    });
    x = x * mask.to(device);
  }
  torch::Tensor z1 = torch::addmm(network.parameter(kInputBias), x, network.parameter(kInputWeight));
  torch::Tensor code = network.encode(z1);
  torch::Tensor y_hat = torch::linear(network.decode_hidden(code, "rating"),
                                      network.parameter(kRatingWeight),
                                      network.parameter(kRatingBias));

  // Masked MSE as in the model's definition: targets y (zero where there is
  // none), loss = mean over y != 0 of (y_hat - y)^2.
  const std::vector<int64_t> samples = batch.output_samples();
  torch::Tensor y = torch::zeros({batch.size, batch.n_items}, y_hat.options().requires_grad(false));
  y.index_put_({index_tensor(samples, device), index_tensor(batch.output_items, device)},
               float_tensor(batch.output_targets, device));
  torch::Tensor mask = (y != 0).to(torch::kFloat32);
  torch::Tensor count = mask.sum();
  torch::Tensor rating_loss = ((y_hat - y) * mask).pow(2).sum() / torch::clamp_min(count, 1.0);

  LossValue loss;
  loss.rating = rating_loss.item<double>();
  torch::Tensor total = rating_loss * weights.rating;
  if (network.architecture().implicit_head) {
    torch::Tensor logits = torch::linear(network.decode_hidden(code, "implicit"),
                                         network.parameter(kImplicitWeight),
                                         network.parameter(kImplicitBias));
    // Dense target distribution q; loss = mean over samples with targets of
    // -sum_j q_j log p_j.
    torch::Tensor q = torch::zeros({batch.size, batch.n_items}, logits.options().requires_grad(false));
    q.index_put_({index_tensor(implicit_samples(batch), device),
                  index_tensor(batch.implicit_items, device)},
                 float_tensor(batch.implicit_weights, device));
    torch::Tensor per_sample = -(q * torch::log_softmax(logits, 1)).sum(1);
    torch::Tensor with_targets = (q.sum(1) > 0).to(torch::kFloat32).sum();
    torch::Tensor implicit_loss = per_sample.sum() / torch::clamp_min(with_targets, 1.0);
    loss.implicit = implicit_loss.item<double>();
    total = total + implicit_loss * weights.implicit;
  }
  loss.total = total.item<double>();
  const auto forward_end = Clock::now();
  if (times != nullptr) times->forward = seconds_between(start, forward_end);
  if (gradients == nullptr) return loss;

  total.backward();
  gradients->clear();
  for (NamedTensor& p : network.parameters()) {
    ParameterGradient g;
    g.dense = p.tensor.grad().defined() ? p.tensor.grad() : torch::zeros_like(p.tensor);
    gradients->push_back(std::move(g));
  }
  reset_gradients(network);
  if (times != nullptr) times->backward = seconds_between(forward_end, Clock::now());
  return loss;
}

std::vector<float> sparse_predict_ratings(Network& network, const SparseBatch& batch) {
  torch::NoGradGuard no_grad;
  torch::Tensor h =
      network.decode_hidden(network.encode(sparse_input_preactivation(network, batch)), "rating")
          .contiguous();
  std::vector<float> y(static_cast<std::size_t>(batch.output_count()));
  prepare_output_rows(network, batch);
  gathered_output_forward(batch, h.data_ptr<float>(), network.parameter(kRatingWeight).data_ptr<float>(),
                          network.parameter(kRatingBias).data_ptr<float>(), network.output_hidden(),
                          y.data());
  return y;
}

std::vector<float> dense_predict_ratings(Network& network, const SparseBatch& batch) {
  torch::NoGradGuard no_grad;
  network.prepare_all();
  const torch::Device device = network.device();
  torch::Tensor z1 = torch::addmm(network.parameter(kInputBias), dense_input(batch, device),
                                  network.parameter(kInputWeight));
  torch::Tensor y_hat = torch::linear(network.decode_hidden(network.encode(z1), "rating"),
                                      network.parameter(kRatingWeight),
                                      network.parameter(kRatingBias));
  torch::Tensor picked = y_hat.index({index_tensor(batch.output_samples(), device),
                                      index_tensor(batch.output_items, device)})
                             .to(torch::kCPU)
                             .contiguous();
  return std::vector<float>(picked.data_ptr<float>(), picked.data_ptr<float>() + picked.numel());
}

std::vector<float> predict_implicit(Network& network, const SparseBatch& batch, bool sparse) {
  torch::NoGradGuard no_grad;
  if (!sparse) network.prepare_all();
  const torch::Device device = network.device();
  torch::Tensor z1 = sparse ? sparse_input_preactivation(network, batch)
                            : torch::addmm(network.parameter(kInputBias), dense_input(batch, device),
                                           network.parameter(kInputWeight));
  torch::Tensor logits = torch::linear(network.decode_hidden(network.encode(z1), "implicit"),
                                       network.parameter(kImplicitWeight),
                                       network.parameter(kImplicitBias));
  torch::Tensor p = torch::softmax(logits, 1)
                        .index({index_tensor(batch.output_samples(), device),
                                index_tensor(batch.output_items, device)})
                        .to(torch::kCPU)
                        .contiguous();
  return std::vector<float>(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
}

}  // namespace alphas::autoencoder
