#include "alphas/yaml_limits.hpp"

#include <yaml-cpp/yaml.h>

#include "alphas/format_count.hpp"

namespace alphas {
namespace {

class SizeWalk {
 public:
  explicit SizeWalk(const YamlSizeLimits& limits) : limits_(limits) {}

  // Visits `node` and its children depth first; false once a limit is passed.
  bool visit(const YAML::Node& node, std::size_t depth) {
    if (++nodes_ > limits_.max_nodes) {
      excess_ = "exceeds the limit of " + format_count(limits_.max_nodes, "YAML node") +
                " once its aliases are expanded; an alias (*name) counts as a full copy of its "
                "anchor's value, so write the value without nested aliases";
      return false;
    }
    if (depth > limits_.max_depth) {
      excess_ = "exceeds the limit of " + format_count(limits_.max_depth, "level") +
                " of nested lists and maps; flatten the value";
      return false;
    }
    if (node.IsSequence()) {
      for (const auto& element : node) {
        if (!visit(element, depth + 1)) return false;
      }
    } else if (node.IsMap()) {
      for (const auto& entry : node) {
        if (!visit(entry.first, depth + 1) || !visit(entry.second, depth + 1)) return false;
      }
    }
    return true;
  }

  const std::string& excess() const { return excess_; }

 private:
  const YamlSizeLimits& limits_;
  std::size_t nodes_ = 0;
  std::string excess_;
};

}  // namespace

std::optional<std::string> find_yaml_size_excess(const YAML::Node& node,
                                                 const YamlSizeLimits& limits) {
  SizeWalk walk(limits);
  if (walk.visit(node, 0)) return std::nullopt;
  return walk.excess();
}

}  // namespace alphas
