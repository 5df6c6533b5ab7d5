// Import settings written in YAML: a dataset settings file, or the
// `dataset:` section of a recipe.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "alphas/import.hpp"

namespace YAML {
class Node;
}

namespace alphas {

// Reads import settings from a YAML mapping with the keys below; columns
// are header names or 0-based indices, and relative file paths resolve
// against `base_dir`.
//
//   name: anime-mal-5k              # optional, recorded in the manifest
//   ratings:                        # required
//     file: anime/ratings.dat       # required
//     user: User_ID                 # default 0
//     item: Anime_ID                # default 1
//     rating: Feedback              # default 2
//     header: auto                  # auto | true | false (default auto)
//     delimiter: auto               # auto | tab | comma | semicolon
//   implicit: {file, user, item, header, delimiter}   # optional
//   titles: {file, item, title, header, delimiter}    # optional; item 0, title 1
//   scale: [1, 10]                  # required
//   unrated_code: 0                 # optional
//   duplicates: last                # first | last | mean | error
//   skip_invalid: false
//   seed: 20220313
//
// An unknown key or a value of the wrong type throws InputError naming
// `source_name`, the line (from the node's mark) and the key, and listing
// the valid keys. Keys in `caller_keys` are accepted and ignored, so a
// caller can keep its own keys in the same mapping.
ImportOptions import_options_from_yaml(const YAML::Node& node,
                                       const std::filesystem::path& base_dir,
                                       const std::string& source_name,
                                       const std::vector<std::string>& caller_keys = {});

// Reads a dataset settings file (the mapping above as the whole document);
// relative paths resolve against the folder of `yaml_file`.
ImportOptions load_dataset_settings(const std::filesystem::path& yaml_file);

}  // namespace alphas
