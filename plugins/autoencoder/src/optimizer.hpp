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

// Exact Adam as tensor operations on any device: the update of adam.hpp,
// dividing by sqrt(1 - beta2^t) as torch::optim::Adam does. Used for
// parameters off the CPU, where the fused loop cannot run.
void adam_update_tensors(torch::Tensor& w, torch::Tensor& m, torch::Tensor& v,
                         const torch::Tensor& g, const AdamStep& s);

// Parses "adam" | "lazy_adam"; throws InputError naming the valid values.
OptimizerKind parse_optimizer(const std::string& text);
const char* optimizer_name(OptimizerKind kind);

// Exact Adam on the CPU defers the g = 0 updates of the row-sparse
// parameters, the input layer and the rating output layer. A row is brought
// up to date when it is read or gets a gradient, so a step touches only the
// rows of its batch. The weights stay bit-identical to updating every row
// every step. The optimizer registers itself with the network, which calls
// synchronize_rows or synchronize_all before the rows are read.
class Optimizer : public RowSynchronizer {
 public:
  // `defer_rows` false updates every row every step (for comparison).
  Optimizer(Network& network, AdamSettings settings, OptimizerKind kind, bool defer_rows = true);
  ~Optimizer() override;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  void synchronize_rows(const std::string& parameter, const std::vector<int64_t>& rows) override;
  void synchronize_all() override;

  // Applies one step with `gradients` (aligned with network.parameters()).
  void step(const Gradients& gradients);

  int64_t steps() const { return steps_; }
  // First and second moments, aligned with network.parameters(); for
  // checkpoints, after synchronize_all().
  std::vector<torch::Tensor>& first_moments() { return m_; }
  std::vector<torch::Tensor>& second_moments() { return v_; }
  // Sets the step count of moments loaded from a checkpoint (all rows current).
  void set_steps(int64_t steps);

 private:
  const AdamStep& step_scalars(int64_t t);
  int64_t index_of(const std::string& parameter) const;

  Network& network_;
  AdamSettings settings_;
  OptimizerKind kind_;
  int64_t steps_ = 0;
  std::vector<torch::Tensor> m_, v_;
  // Per parameter: the step each row has reached; empty when not deferred.
  std::vector<std::vector<int64_t>> row_steps_;
  std::vector<AdamStep> step_table_;  // scalars of step t at index t
};

}  // namespace alphas::autoencoder
