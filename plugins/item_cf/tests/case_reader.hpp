// Reads the small CSV files of the adversarial cases in tests/data/cases.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "alphas/ratings.hpp"

namespace alphas::item_cf::testing {

// Users and items numbered in order of first appearance across the files
// read with the same CaseIds.
struct CaseIds {
  std::map<std::string, int32_t> users;
  std::map<std::string, int32_t> items;

  int32_t user(const std::string& raw) {
    return users.emplace(raw, int32_t(users.size())).first->second;
  }
  int32_t item(const std::string& raw) {
    return items.emplace(raw, int32_t(items.size())).first->second;
  }
};

inline std::string case_file(const std::string& case_name, const std::string& file) {
  return std::string(ALPHAS_TEST_DATA_DIR) + "/cases/" + case_name + "/" + file;
}

// Reads "user,item[,rating]" lines after a header. A missing rating reads as 1.
inline Ratings read_case_table(const std::string& file, CaseIds& ids) {
  std::ifstream in(file);
  EXPECT_TRUE(in.good()) << "cannot read " << file;
  Ratings table;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string user, item, value;
    std::getline(fields, user, ',');
    std::getline(fields, item, ',');
    const bool has_value = static_cast<bool>(std::getline(fields, value, ','));
    table.push_back(ids.user(user), ids.item(item), has_value ? std::stof(value) : 1.0f);
  }
  return table;
}

}  // namespace alphas::item_cf::testing
