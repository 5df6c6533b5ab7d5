#include "alphas/ratings.hpp"

#include "alphas/error.hpp"

namespace alphas {

void Ratings::reserve(std::size_t n) {
  user.reserve(n);
  item.reserve(n);
  rating.reserve(n);
}

void Ratings::push_back(int32_t u, int32_t i, float r) {
  user.push_back(u);
  item.push_back(i);
  rating.push_back(r);
}

const char* split_name(Split split) {
  switch (split) {
    case Split::training:
      return "training";
    case Split::validation:
      return "validation";
    case Split::test:
      return "test";
    case Split::implicit_training:
      return "implicit_training";
  }
  return "unknown";
}

Split parse_split(const std::string& name) {
  for (Split s : {Split::training, Split::validation, Split::test, Split::implicit_training}) {
    if (name == split_name(s)) return s;
  }
  throw InputError("unknown split '" + name +
                   "'; valid splits are training, validation, test, implicit_training");
}

}  // namespace alphas
