// A working test plugin: family TestConstant predicts kConstantValue for
// every pair. It must define no STB_GNU_UNIQUE symbol (std::to_string of an
// integer adds one), because glibc never unloads a library that has one and
// the lifetime tests check that the library is unloaded.
#include "alphas/plugin_api.hpp"
#include "test_probe.hpp"

namespace {

using alphas::testing::kConstantValue;

class ConstantAlpha final : public alphas::testing::TestProbe {
 public:
  void configure(alphas::AlphaParams&) override {}
  void load(alphas::AlphaContext&) override {}
  void train(alphas::AlphaContext&) override {}
  void write(alphas::AlphaContext& context) override {
    context.write_predictions(
        [](const std::vector<int32_t>& users, const std::vector<int32_t>&) {
          return std::vector<float>(users.size(), kConstantValue);
        });
  }
  float constant() const override { return kConstantValue; }
  std::string describe() const override {
    return "constant alpha predicting " + std::to_string(kConstantValue);
  }
};

const char* const kFamilies[] = {alphas::testing::kConstantFamily, nullptr};
const char* const kDescriptions[] = {"predicts 2.5 for every pair", nullptr};

}  // namespace

ALPHAS_PLUGIN("test_constant", "1.2.3", kFamilies, kDescriptions)

ALPHAS_PLUGIN_FACTORY {
  if (family == alphas::testing::kConstantFamily) return std::make_unique<ConstantAlpha>();
  return nullptr;
}
