// The test plugin of the runner tests: cheap, deterministic alphas whose
// parameters make a run slow, fail or skip writing on request.
//
// Families RunnerTest and RunnerTest.Other predict, for a pair (u, i),
//   offset + scale * m_u,   m_u = sum of u's training residuals / (n_u + 1),
// (or the same per item with by: item), so a changed `offset` changes every
// prediction. Parameters:
//   by        "user" (default) or "item"
//   offset    added to every prediction (default 0)
//   scale     multiplies the mean (default 1)
//   sleep_ms  time spent in train, in 10 ms steps (default 0)
//   marker    a file created when train starts (default none)
//   fail      throw an InputError in train (default false)
//   skip_write  return from write without writing predictions (default false)
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "alphas/error.hpp"
#include "alphas/plugin_api.hpp"

namespace {

class RunnerTestAlpha final : public alphas::Alpha {
 public:
  void load(alphas::AlphaContext& context) override {
    by_item_ = context.param<std::string>("by", "user") == "item";
    offset_ = context.param<double>("offset", 0.0);
    scale_ = context.param<double>("scale", 1.0);
    training_ = context.residuals(alphas::Split::training);
  }

  void train(alphas::AlphaContext& context) override {
    const std::string marker = context.param<std::string>("marker", "");
    if (!marker.empty()) std::ofstream(marker) << context.name() << "\n";
    const int sleep_ms = context.param<int>("sleep_ms", 0);
    for (int waited = 0; waited < sleep_ms; waited += 10) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (context.param<bool>("fail", false)) {
      throw alphas::InputError(context.name() + ": failing on request (fail: true)");
    }
    const auto& data = context.dataset();
    const int32_t n = by_item_ ? data.n_items : data.n_users;
    std::vector<double> sum(n, 0.0), count(n, 0.0);
    for (std::size_t r = 0; r < training_.size(); ++r) {
      const int32_t id = by_item_ ? training_.item[r] : training_.user[r];
      sum[id] += training_.rating[r];
      count[id] += 1;
    }
    mean_.assign(n, 0.0f);
    for (int32_t id = 0; id < n; ++id) mean_[id] = static_cast<float>(sum[id] / (count[id] + 1));
  }

  void write(alphas::AlphaContext& context) override {
    if (context.param<bool>("skip_write", false)) return;
    context.write_predictions([this](const std::vector<int32_t>& users,
                                     const std::vector<int32_t>& items) {
      std::vector<float> values(users.size());
      for (std::size_t k = 0; k < users.size(); ++k) {
        const int32_t id = by_item_ ? items[k] : users[k];
        values[k] = static_cast<float>(offset_ + scale_ * mean_[id]);
      }
      return values;
    });
  }

 private:
  bool by_item_ = false;
  double offset_ = 0;
  double scale_ = 1;
  alphas::Ratings training_;
  std::vector<float> mean_;
};

const char* const kFamilies[] = {"RunnerTest", "RunnerTest.Other", nullptr};
const char* const kDescriptions[] = {"runner test: shrunk per-user or per-item mean residual",
                                     "runner test: the same model under a second family name",
                                     nullptr};

}  // namespace

ALPHAS_PLUGIN("runner_test", "1.0.0", kFamilies, kDescriptions)

ALPHAS_PLUGIN_FACTORY {
  if (family == "RunnerTest" || family == "RunnerTest.Other") {
    return std::make_unique<RunnerTestAlpha>();
  }
  return nullptr;
}
