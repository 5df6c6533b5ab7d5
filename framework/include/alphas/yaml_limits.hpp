// Size limits on YAML values whose aliases get expanded, such as recipe
// parameters converted to JSON.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace YAML {
class Node;
}

namespace alphas {

// yaml-cpp shares an anchored node between its aliases, so a small file of
// nested aliases ("billion laughs") parses into a small graph. Any walk
// that copies the value, such as a conversion to JSON, visits every alias
// again and can run out of memory. These limits bound such a walk.
struct YamlSizeLimits {
  std::size_t max_nodes = 1'000'000;  // scalars, lists, maps and keys, aliases expanded
  std::size_t max_depth = 64;         // nesting of lists and maps
};

// Returns why `node` exceeds `limits`, as a clause that follows the name of
// the value in a message ("exceeds the limit of ..."), or nullopt when it
// fits.
// The walk stops at the first node past a limit, so it visits at most
// limits.max_nodes + 1 nodes.
std::optional<std::string> find_yaml_size_excess(const YAML::Node& node,
                                                 const YamlSizeLimits& limits = {});

}  // namespace alphas
