#include "network.hpp"

#include <cmath>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <torch/torch.h>

#include "alphas/error.hpp"
#include "counter_rng.hpp"

namespace alphas::autoencoder {
namespace {

// Glorot uniform values from the counter stream of one parameter.
torch::Tensor glorot_uniform(std::vector<int64_t> shape, int64_t fan_in, int64_t fan_out,
                             uint64_t seed, uint64_t parameter_index) {
  torch::Tensor t = torch::empty(shape, torch::kFloat32);
  const float limit = static_cast<float>(std::sqrt(6.0 / static_cast<double>(fan_in + fan_out)));
  const CounterRng rng(seed, Stream::initialization, parameter_index);
  float* data = t.data_ptr<float>();
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, t.numel(), 1 << 16),
                    [&](const tbb::blocked_range<int64_t>& range) {
    for (int64_t k = range.begin(); k < range.end(); ++k) {
      data[k] = (2.0f * rng.uniform(static_cast<uint64_t>(k)) - 1.0f) * limit;
    }
  });
  return t;
}

}  // namespace

Network::Network(const Architecture& architecture, uint64_t seed) : architecture_(architecture) {
  if (architecture.encoder_widths.empty()) {
    throw InputError("autoencoder: encoder_widths is empty; give at least one layer width, e.g. [512, 256, 128]");
  }
  const std::vector<int64_t>& widths = architecture.encoder_widths;
  uint64_t index = 0;
  auto add_linear = [&](const std::string& prefix, int64_t in, int64_t out, bool input_layout) {
    std::vector<int64_t> shape = input_layout ? std::vector<int64_t>{in, out}
                                              : std::vector<int64_t>{out, in};
    parameters_.push_back({prefix + ".weight", glorot_uniform(shape, in, out, seed, index++)});
    parameters_.push_back({prefix + ".bias", torch::zeros({out}, torch::kFloat32)});
  };

  add_linear("encoder.0", architecture.input_width(), widths[0], true);
  for (std::size_t l = 1; l < widths.size(); ++l) {
    add_linear("encoder." + std::to_string(l), widths[l - 1], widths[l], false);
  }
  std::vector<std::string> heads = {"rating"};
  if (architecture.implicit_head) heads.push_back("implicit");
  for (const std::string& head : heads) {
    int64_t in = widths.back();
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
      const int64_t out = widths[widths.size() - 2 - l];
      add_linear(head + "." + std::to_string(l), in, out, false);
      in = out;
    }
    add_linear(head + ".out", in, architecture.n_items, false);
  }
  for (NamedTensor& p : parameters_) p.tensor.set_requires_grad(true);
}

torch::Tensor& Network::parameter(const std::string& name) {
  for (NamedTensor& p : parameters_) {
    if (p.name == name) return p.tensor;
  }
  throw Error("autoencoder: the network has no parameter '" + name + "'");
}

const torch::Tensor& Network::get(const std::string& name) const {
  return const_cast<Network*>(this)->parameter(name);
}

void Network::to(const torch::Device& device) {
  prepare_all();
  torch::NoGradGuard no_grad;
  for (NamedTensor& p : parameters_) {
    p.tensor = p.tensor.to(device).detach().set_requires_grad(true);
  }
}

void Network::copy_from(Network& other) {
  other.prepare_all();
  prepare_all();
  torch::NoGradGuard no_grad;
  for (std::size_t k = 0; k < parameters_.size(); ++k) {
    parameters_[k].tensor.copy_(other.parameters_[k].tensor);
  }
}

int64_t Network::output_hidden() const {
  // The decoders mirror the encoder, so their last hidden layer (or the code
  // itself for a one-layer encoder) has the first encoder width.
  return architecture_.encoder_widths.front();
}

torch::Tensor Network::encode(const torch::Tensor& input_preactivation) const {
  torch::Tensor a = torch::relu(input_preactivation);
  for (std::size_t l = 1; l < architecture_.encoder_widths.size(); ++l) {
    const std::string prefix = "encoder." + std::to_string(l);
    a = torch::relu(torch::linear(a, get(prefix + ".weight"), get(prefix + ".bias")));
  }
  return a;
}

torch::Tensor Network::decode_hidden(const torch::Tensor& code, const std::string& head) const {
  torch::Tensor a = code;
  for (std::size_t l = 0; l + 1 < architecture_.encoder_widths.size(); ++l) {
    const std::string prefix = head + "." + std::to_string(l);
    a = torch::relu(torch::linear(a, get(prefix + ".weight"), get(prefix + ".bias")));
  }
  return a;
}

}  // namespace alphas::autoencoder
