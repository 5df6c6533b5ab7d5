// The interface of the alphas made by the test plugin libtest_constant.so,
// shared with the host tests so they can call plugin code directly.
#pragma once

#include <string>

#include "alphas/alpha.hpp"

namespace alphas::testing {

class TestProbe : public Alpha {
 public:
  // The value every prediction of this alpha takes.
  virtual float constant() const = 0;
  // A string built inside the plugin, to exercise its code and allocator.
  virtual std::string describe() const = 0;
};

// The only family of libtest_constant.so.
constexpr const char* kConstantFamily = "TestConstant";
constexpr float kConstantValue = 2.5f;

}  // namespace alphas::testing
