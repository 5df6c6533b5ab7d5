// The autoencoder's parameters and its two formulations: the sparse one used
// for training and prediction on the CPU, and the dense one that spells out
// the model as written (a dense input, every output computed) and runs on
// any device.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "batch.hpp"
#include "kernels.hpp"

namespace alphas::autoencoder {

struct Architecture {
  int64_t n_items = 0;
  // Encoder widths after the input; the decoders mirror them without the
  // code layer, e.g. [512, 256, 128] gives 256 -> 512 -> n_items.
  std::vector<int64_t> encoder_widths = {512, 256, 128};
  bool implicit_head = false;

  int64_t input_width() const { return 2 * n_items + kFeatureCount; }
};

struct NamedTensor {
  std::string name;
  torch::Tensor tensor;
};

// Brings rows of a parameter up to date before they are read, for an
// optimizer that defers updates (see Optimizer).
class RowSynchronizer {
 public:
  virtual ~RowSynchronizer() = default;
  // `rows` sorted and unique.
  virtual void synchronize_rows(const std::string& parameter, const std::vector<int64_t>& rows) = 0;
  virtual void synchronize_all() = 0;
};

// Parameters, initialized as Flux's Dense layers are: Glorot uniform
// weights, U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), and zero biases.
// The input layer's weight is stored (input_width x width), so an input
// column is a contiguous row. Every other weight is (out x in) as in
// torch::nn::Linear, so an item of an output layer is a contiguous row.
class Network {
 public:
  Network(const Architecture& architecture, uint64_t seed);

  const Architecture& architecture() const { return architecture_; }
  std::vector<NamedTensor>& parameters() { return parameters_; }
  const std::vector<NamedTensor>& parameters() const { return parameters_; }
  torch::Tensor& parameter(const std::string& name);

  // Moves every parameter to `device` (the sparse kernels need the CPU).
  void to(const torch::Device& device);
  torch::Device device() const { return parameters_.front().tensor.device(); }

  // Copies the values of `other` (same architecture) into this network.
  void copy_from(Network& other);

  // Every reader of parameter values calls one of these first: the sparse
  // formulation for the rows it reads, anything else for all of them.
  void prepare_rows(const std::string& parameter, const std::vector<int64_t>& rows) {
    if (synchronizer_ != nullptr) synchronizer_->synchronize_rows(parameter, rows);
  }
  void prepare_all() {
    if (synchronizer_ != nullptr) synchronizer_->synchronize_all();
  }
  void set_synchronizer(RowSynchronizer* synchronizer) { synchronizer_ = synchronizer; }

  // Hidden layers after the input layer: ReLU(input pre-activation) through
  // the encoder to the code, and the code through one decoder's hidden
  // layers ("rating" or "implicit"), each followed by ReLU.
  torch::Tensor encode(const torch::Tensor& input_preactivation) const;
  torch::Tensor decode_hidden(const torch::Tensor& code, const std::string& head) const;

  int64_t input_hidden() const { return architecture_.encoder_widths.front(); }
  int64_t output_hidden() const;

 private:
  const torch::Tensor& get(const std::string& name) const;

  Architecture architecture_;
  std::vector<NamedTensor> parameters_;
  RowSynchronizer* synchronizer_ = nullptr;
};

// Parameter names of the layers the sparse formulation computes itself.
inline const std::string kInputWeight = "encoder.0.weight";
inline const std::string kInputBias = "encoder.0.bias";
inline const std::string kRatingWeight = "rating.out.weight";
inline const std::string kRatingBias = "rating.out.bias";
inline const std::string kImplicitWeight = "implicit.out.weight";
inline const std::string kImplicitBias = "implicit.out.bias";

}  // namespace alphas::autoencoder
