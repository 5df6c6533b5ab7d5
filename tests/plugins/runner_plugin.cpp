// The test plugin of the runner tests: cheap, deterministic alphas whose
// parameters make a run slow, fail or skip writing on request.
//
// Families RunnerTest and RunnerTest.Other predict, for a pair (u, i),
//   offset + scale * m_u,   m_u = sum of u's training residuals / (n_u + 1),
// (or the same per item with by: item), so a changed `offset` changes every
// prediction. Parameters:
//   by        "user" (default) or "item"; anything else is rejected
//   offset    added to every prediction (default 0)
//   scale     multiplies the mean (default 1)
//   sleep_ms  time spent in train, in 10 ms steps (default 0); must be >= 0
//   marker    a file created when train starts (default none)
//   fail      throw an InputError in train (default false)
//   skip_write  return from write without writing predictions (default false)
//   configured_marker  a file that configure appends the alpha's name to
//                      (default none), to observe when configure runs
//   implicit_probability  when > 0, also writes <name>.Implicit, an implicit
//                      output predicting this probability for every pair
//                      (default 0: none); must be in [0, 1]
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "alphas/error.hpp"
#include "alphas/plugin_api.hpp"

namespace {

class RunnerTestAlpha final : public alphas::Alpha {
 public:
  void configure(alphas::AlphaParams& params) override {
    const std::string by = params.get<std::string>("by", "user");
    if (by != "user" && by != "item") {
      params.reject("by", "\"" + by + "\"", "it must be user or item");
    }
    by_item_ = by == "item";
    offset_ = params.get<double>("offset", 0.0);
    scale_ = params.get<double>("scale", 1.0);
    marker_ = params.get<std::string>("marker", "");
    sleep_ms_ = params.get<int>("sleep_ms", 0);
    if (sleep_ms_ < 0) params.reject("sleep_ms", std::to_string(sleep_ms_), "it must be >= 0");
    fail_ = params.get<bool>("fail", false);
    skip_write_ = params.get<bool>("skip_write", false);
    implicit_probability_ = params.get<double>("implicit_probability", 0.0);
    if (!(implicit_probability_ >= 0 && implicit_probability_ <= 1)) {
      params.reject("implicit_probability", std::to_string(implicit_probability_),
                    "it must be in [0, 1]");
    }
    const std::string configured = params.get<std::string>("configured_marker", "");
    if (!configured.empty()) std::ofstream(configured, std::ios::app) << params.name() << "\n";
  }

  void load(alphas::AlphaContext& context) override {
    training_ = context.residuals(alphas::Split::training);
  }

  void train(alphas::AlphaContext& context) override {
    if (!marker_.empty()) std::ofstream(marker_) << context.name() << "\n";
    for (int waited = 0; waited < sleep_ms_; waited += 10) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (fail_) {
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
    if (skip_write_) return;
    context.write_predictions([this](const std::vector<int32_t>& users,
                                     const std::vector<int32_t>& items) {
      std::vector<float> values(users.size());
      for (std::size_t k = 0; k < users.size(); ++k) {
        const int32_t id = by_item_ ? items[k] : users[k];
        values[k] = static_cast<float>(offset_ + scale_ * mean_[id]);
      }
      return values;
    });
    if (implicit_probability_ > 0) {
      const auto probability = static_cast<float>(implicit_probability_);
      context.write_predictions(
          [probability](const std::vector<int32_t>& users, const std::vector<int32_t>&) {
            return std::vector<float>(users.size(), probability);
          },
          alphas::OutputOptions{".Implicit", true});
    }
  }

 private:
  bool by_item_ = false;
  double offset_ = 0;
  double scale_ = 1;
  std::string marker_;
  int sleep_ms_ = 0;
  bool fail_ = false;
  bool skip_write_ = false;
  double implicit_probability_ = 0;
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
