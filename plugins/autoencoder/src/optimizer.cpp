#include "optimizer.hpp"

#include <cmath>

#include <torch/torch.h>

#include "alphas/error.hpp"

namespace alphas::autoencoder {

void adam_update_tensors(torch::Tensor& w, torch::Tensor& m, torch::Tensor& v,
                         const torch::Tensor& g, const AdamStep& s) {
  m.mul_(s.beta1).add_(g, s.one_minus_beta1);
  v.mul_(s.beta2).addcmul_(g, g, s.one_minus_beta2);
  torch::Tensor denom = (v.sqrt() / s.bias_correction2_sqrt).add_(s.epsilon);
  w.addcdiv_(m, denom, -s.step_size);
}

OptimizerKind parse_optimizer(const std::string& text) {
  if (text == "adam") return OptimizerKind::adam;
  if (text == "lazy_adam") return OptimizerKind::lazy_adam;
  throw InputError("autoencoder: parameter 'optimizer' has invalid value \"" + text +
                   "\"; use adam or lazy_adam");
}

const char* optimizer_name(OptimizerKind kind) {
  return kind == OptimizerKind::adam ? "adam" : "lazy_adam";
}

Optimizer::Optimizer(Network& network, AdamSettings settings, OptimizerKind kind, bool defer_rows)
    : network_(network), settings_(settings), kind_(kind) {
  const bool defer = defer_rows && kind == OptimizerKind::adam && network.device().is_cpu();
  for (const NamedTensor& p : network.parameters()) {
    m_.push_back(torch::zeros_like(p.tensor).detach());
    v_.push_back(torch::zeros_like(p.tensor).detach());
    const bool row_sparse = p.name == kInputWeight || p.name == kRatingWeight || p.name == kRatingBias;
    row_steps_.emplace_back(defer && row_sparse ? static_cast<std::size_t>(p.tensor.size(0)) : 0, 0);
  }
  step_table_.emplace_back(settings_, 1);  // index 0 is never used
  network_.set_synchronizer(this);
}

Optimizer::~Optimizer() { network_.set_synchronizer(nullptr); }

const AdamStep& Optimizer::step_scalars(int64_t t) {
  while (static_cast<int64_t>(step_table_.size()) <= t) {
    step_table_.emplace_back(settings_, static_cast<int64_t>(step_table_.size()));
  }
  return step_table_[t];
}

int64_t Optimizer::index_of(const std::string& parameter) const {
  const std::vector<NamedTensor>& parameters = network_.parameters();
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    if (parameters[k].name == parameter) return static_cast<int64_t>(k);
  }
  throw Error("autoencoder: the network has no parameter '" + parameter + "'");
}

void Optimizer::set_steps(int64_t steps) {
  steps_ = steps;
  for (std::vector<int64_t>& rows : row_steps_) std::fill(rows.begin(), rows.end(), steps);
}

void Optimizer::synchronize_rows(const std::string& parameter, const std::vector<int64_t>& rows) {
  const int64_t k = index_of(parameter);
  if (row_steps_[k].empty() || steps_ == 0) return;
  step_scalars(steps_);
  torch::Tensor w = network_.parameters()[k].tensor.detach();
  const int64_t width = w.numel() / w.size(0);
  adam_catch_up_rows(w.data_ptr<float>(), m_[k].data_ptr<float>(), v_[k].data_ptr<float>(), width,
                     row_steps_[k].data(), rows.data(), static_cast<int64_t>(rows.size()), steps_,
                     step_table_);
}

void Optimizer::synchronize_all() {
  if (steps_ == 0) return;
  step_scalars(steps_);
  for (std::size_t k = 0; k < row_steps_.size(); ++k) {
    if (row_steps_[k].empty()) continue;
    torch::Tensor w = network_.parameters()[k].tensor.detach();
    const int64_t width = w.numel() / w.size(0);
    adam_catch_up_all(w.data_ptr<float>(), m_[k].data_ptr<float>(), v_[k].data_ptr<float>(), width,
                      row_steps_[k].data(), w.size(0), steps_, step_table_);
  }
}

void Optimizer::step(const Gradients& gradients) {
  torch::NoGradGuard no_grad;
  std::vector<NamedTensor>& parameters = network_.parameters();
  if (gradients.size() != parameters.size()) {
    throw Error("autoencoder: " + std::to_string(gradients.size()) + " gradients for " +
                std::to_string(parameters.size()) + " parameters");
  }
  ++steps_;
  const AdamStep s = step_scalars(steps_);
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    torch::Tensor w = parameters[k].tensor.detach();
    const ParameterGradient& g = gradients[k];
    if (!w.device().is_cpu()) {
      torch::Tensor dense = g.dense;
      if (g.rows) {
        dense = torch::zeros_like(w, torch::kCPU);
        g.rows->add_to(dense.data_ptr<float>());
        dense = dense.to(w.device());
      }
      adam_update_tensors(w, m_[k], v_[k], dense, s);
      continue;
    }
    float* wp = w.data_ptr<float>();
    float* mp = m_[k].data_ptr<float>();
    float* vp = v_[k].data_ptr<float>();
    if (g.rows) {
      const int64_t width = g.rows->width;
      const int64_t rows = w.numel() / width;
      if (!row_steps_[k].empty()) {
        adam_update_deferred(wp, mp, vp, row_steps_[k].data(), *g.rows, steps_, step_table_);
      } else if (kind_ == OptimizerKind::lazy_adam) {
        adam_update_lazy(wp, mp, vp, width, *g.rows, s);
      } else {
        adam_update_row_sparse(wp, mp, vp, rows, width, *g.rows, s);
      }
    } else {
      torch::Tensor dense = g.dense.contiguous();
      if (!row_steps_[k].empty()) {
        // A dense gradient (the dense formulation) reaches every row, so
        // every row first catches up to the previous step.
        adam_catch_up_all(wp, mp, vp, w.numel() / w.size(0), row_steps_[k].data(), w.size(0),
                          steps_ - 1, step_table_);
        std::fill(row_steps_[k].begin(), row_steps_[k].end(), steps_);
      }
      adam_update_dense(wp, mp, vp, dense.data_ptr<float>(), w.numel(), s);
    }
  }
}

}  // namespace alphas::autoencoder
