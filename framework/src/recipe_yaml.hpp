// Typed reading of recipe YAML nodes. Each reader records a problem naming
// the line, key and value when the node has the wrong type, and returns
// nullopt so that parsing can go on and report every problem at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "recipe_problems.hpp"

namespace alphas::recipe_detail {

// 1-based line of a node, or 0 when yaml-cpp has no position for it.
int line_of(const YAML::Node& node);

// A short description of a node for messages: "'abc'", "a list", "a map".
std::string describe(const YAML::Node& node);

struct MapEntry {
  std::string key;
  int line = 0;  // line of the key
  YAML::Node value;
};

// The entries of a map in file order. Reports a node that is not a map, a
// key that is not a plain string, and a key given twice.
std::vector<MapEntry> map_entries(const YAML::Node& node, const std::string& what,
                                  Problems& problems);

// Reports every key of `entries` that is not in `valid`, with the closest
// valid spelling when there is one.
void check_keys(const std::vector<MapEntry>& entries, const std::vector<std::string>& valid,
                const std::string& where, Problems& problems);

std::optional<std::string> read_string(const MapEntry& entry, const std::string& where,
                                       Problems& problems);
std::optional<bool> read_bool(const MapEntry& entry, const std::string& where, Problems& problems);
// An integer in [min, max].
std::optional<int64_t> read_int(const MapEntry& entry, int64_t min, int64_t max,
                                const std::string& where, Problems& problems);
// A finite number in [min, max] (or (min, max] when min_exclusive).
std::optional<double> read_double(const MapEntry& entry, double min, double max,
                                  bool min_exclusive, const std::string& where,
                                  Problems& problems);

// Converts a YAML node to JSON. Plain scalars become null, booleans,
// integers or floats when they read as such (YAML 1.2 core schema); quoted
// scalars stay strings. Non-finite numbers are reported.
std::optional<nlohmann::json> to_json(const YAML::Node& node, const std::string& where,
                                      Problems& problems);

// The type of a plain scalar under the YAML 1.2 core schema.
nlohmann::json plain_scalar_value(const std::string& text);

}  // namespace alphas::recipe_detail
