// An imported dataset: dense ids, the splits, and the maps back to raw ids.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "alphas/ratings.hpp"

namespace alphas {

// The declared range of explicit ratings, e.g. 1-10 for MyAnimeList.
struct RatingScale {
  double min = 1.0;
  double max = 10.0;
};

// Everything an alpha can read about the data. Users and items are numbered
// over every file of the import (ratings and implicit list), so every id in
// every split is below n_users / n_items; an id absent from `training` is an
// "unseen" user or item, which each alpha handles by its documented rule.
struct Dataset {
  int32_t n_users = 0;
  int32_t n_items = 0;
  RatingScale scale;
  uint64_t seed = 0;

  Ratings training;
  Ratings validation;
  Ratings test;
  Ratings implicit_training;  // rating = 1 for every pair

  std::vector<std::string> user_ids;     // raw id of each dense user id
  std::vector<std::string> item_ids;     // raw id of each dense item id
  std::vector<std::string> item_titles;  // empty, or one title per item

  const Ratings& split(Split s) const;
};

// File layout of dataset.h5 (readable without alphas, e.g. with h5py):
//   /<split>/user   int32[n]   dense user id, split in training, validation,
//   /<split>/item   int32[n]   test, implicit_training
//   /<split>/rating float32[n]
//   /users/raw_id   string[n_users]
//   /items/raw_id   string[n_items]
//   /items/title    string[n_items] (only when titles were imported)
//   attributes on /: n_users, n_items, scale_min, scale_max, seed
void save_dataset(const Dataset& dataset, const std::filesystem::path& file);
Dataset load_dataset(const std::filesystem::path& file);

}  // namespace alphas
