#include "optimizer.hpp"

#include <cmath>

#include <torch/torch.h>

#include "alphas/error.hpp"

namespace alphas::autoencoder {
namespace {

// Adam in tensor operations, for parameters off the CPU.
void adam_update_tensors(torch::Tensor& w, torch::Tensor& m, torch::Tensor& v,
                         const torch::Tensor& g, const AdamStep& s) {
  m.mul_(s.beta1).add_(g, s.one_minus_beta1);
  v.mul_(s.beta2).addcmul_(g, g, s.one_minus_beta2);
  torch::Tensor denom = (v.sqrt() / s.bias_correction2_sqrt).add_(s.epsilon);
  w.addcdiv_(m, denom, -s.step_size);
}

}  // namespace

OptimizerKind parse_optimizer(const std::string& text) {
  if (text == "adam") return OptimizerKind::adam;
  if (text == "lazy_adam") return OptimizerKind::lazy_adam;
  throw InputError("autoencoder: parameter 'optimizer' has invalid value \"" + text +
                   "\"; use adam or lazy_adam");
}

const char* optimizer_name(OptimizerKind kind) {
  return kind == OptimizerKind::adam ? "adam" : "lazy_adam";
}

Optimizer::Optimizer(Network& network, AdamSettings settings, OptimizerKind kind)
    : network_(network), settings_(settings), kind_(kind) {
  for (const NamedTensor& p : network.parameters()) {
    m_.push_back(torch::zeros_like(p.tensor).detach());
    v_.push_back(torch::zeros_like(p.tensor).detach());
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
  const AdamStep s(settings_, steps_);
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
      if (kind_ == OptimizerKind::lazy_adam) {
        adam_update_lazy(wp, mp, vp, width, *g.rows, s);
      } else {
        adam_update_row_sparse(wp, mp, vp, rows, width, *g.rows, s);
      }
    } else {
      torch::Tensor dense = g.dense.contiguous();
      adam_update_dense(wp, mp, vp, dense.data_ptr<float>(), w.numel(), s);
    }
  }
}

}  // namespace alphas::autoencoder
