// Adam over the network's parameters, with the fused update of adam.hpp on
// the CPU and the same arithmetic as tensor operations on other devices.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adam.hpp"
#include "formulations.hpp"
#include "network.hpp"

namespace alphas::autoencoder {

enum class OptimizerKind {
  adam,       // exact Adam: every parameter every step
  lazy_adam,  // rows with a row-sparse gradient only; see adam_update_lazy
};

// Parses "adam" | "lazy_adam"; throws InputError naming the valid values.
OptimizerKind parse_optimizer(const std::string& text);
const char* optimizer_name(OptimizerKind kind);

class Optimizer {
 public:
  Optimizer(Network& network, AdamSettings settings, OptimizerKind kind);

  // Applies one step with `gradients` (aligned with network.parameters()).
  void step(const Gradients& gradients);

  int64_t steps() const { return steps_; }
  // First and second moments, aligned with network.parameters(); for
  // checkpoints.
  std::vector<torch::Tensor>& first_moments() { return m_; }
  std::vector<torch::Tensor>& second_moments() { return v_; }
  void set_steps(int64_t steps) { steps_ = steps; }

 private:
  Network& network_;
  AdamSettings settings_;
  OptimizerKind kind_;
  int64_t steps_ = 0;
  std::vector<torch::Tensor> m_, v_;
};

}  // namespace alphas::autoencoder
