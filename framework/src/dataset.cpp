#include "alphas/dataset.hpp"

#include <cmath>
#include <stdexcept>

#include "alphas/atomic_file.hpp"
#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"

namespace alphas {

const Ratings& Dataset::split(Split s) const {
  switch (s) {
    case Split::training:
      return training;
    case Split::validation:
      return validation;
    case Split::test:
      return test;
    case Split::implicit_training:
      return implicit_training;
  }
  throw Error("unknown split");
}

namespace {

constexpr Split kStoredSplits[] = {Split::training, Split::validation, Split::test,
                                   Split::implicit_training};

void write_ratings(H5File& h5, const std::string& group, const Ratings& r) {
  h5.write(group + "/user", r.user);
  h5.write(group + "/item", r.item);
  h5.write(group + "/rating", r.rating);
}

Ratings read_ratings(const H5File& h5, const std::string& group,
                     const std::filesystem::path& file) {
  Ratings r;
  r.user = h5.read_ints(group + "/user");
  r.item = h5.read_ints(group + "/item");
  r.rating = h5.read_floats(group + "/rating");
  if (r.user.size() != r.rating.size() || r.item.size() != r.rating.size()) {
    throw Error(file.string() + ": columns of /" + group +
                " have different lengths; the file is damaged, import the data again");
  }
  return r;
}

// Rejects ids outside [0, n) and non-finite ratings, which only a damaged
// or hand-edited file can contain. Every reader indexes arrays by id.
void check_split(const Ratings& r, const std::string& group, int32_t n_users, int32_t n_items,
                 const std::filesystem::path& file) {
  for (std::size_t k = 0; k < r.size(); ++k) {
    const bool bad_id =
        r.user[k] < 0 || r.user[k] >= n_users || r.item[k] < 0 || r.item[k] >= n_items;
    if (bad_id || !std::isfinite(r.rating[k])) {
      throw InputError(file.string() + ": row " + std::to_string(k) + " of /" + group +
                       " is invalid (user " + std::to_string(r.user[k]) + ", item " +
                       std::to_string(r.item[k]) + ", rating " + std::to_string(r.rating[k]) +
                       "); the file is damaged: import the data again");
    }
  }
}

}  // namespace

void save_dataset(const Dataset& dataset, const std::filesystem::path& file) {
  write_atomically(file, [&](const std::filesystem::path& tmp) {
    H5File h5(tmp, H5File::Mode::create);
    for (Split s : kStoredSplits) write_ratings(h5, split_name(s), dataset.split(s));
    h5.write("users/raw_id", dataset.user_ids);
    h5.write("items/raw_id", dataset.item_ids);
    if (!dataset.item_titles.empty()) h5.write("items/title", dataset.item_titles);
    h5.write_attribute("n_users", static_cast<double>(dataset.n_users));
    h5.write_attribute("n_items", static_cast<double>(dataset.n_items));
    h5.write_attribute("scale_min", dataset.scale.min);
    h5.write_attribute("scale_max", dataset.scale.max);
    h5.write_attribute("seed", std::to_string(dataset.seed));
  });
}

Dataset load_dataset(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) {
    throw InputError("no dataset at " + file.string() +
                     "; run 'alphas import' or 'alphas run' with a recipe first");
  }
  H5File h5(file, H5File::Mode::read);
  Dataset d;
  for (Split s : kStoredSplits) {
    Ratings r = read_ratings(h5, split_name(s), file);
    switch (s) {
      case Split::training:
        d.training = std::move(r);
        break;
      case Split::validation:
        d.validation = std::move(r);
        break;
      case Split::test:
        d.test = std::move(r);
        break;
      case Split::implicit_training:
        d.implicit_training = std::move(r);
        break;
    }
  }
  d.user_ids = h5.read_strings("users/raw_id");
  d.item_ids = h5.read_strings("items/raw_id");
  if (h5.has("items/title")) d.item_titles = h5.read_strings("items/title");
  d.n_users = static_cast<int32_t>(h5.read_attribute("n_users"));
  d.n_items = static_cast<int32_t>(h5.read_attribute("n_items"));
  if (d.n_users < 0 || d.n_items < 0 || d.user_ids.size() != std::size_t(d.n_users) ||
      d.item_ids.size() != std::size_t(d.n_items)) {
    throw InputError(file.string() + ": user or item counts do not match the id maps; the file "
                     "is damaged: import the data again");
  }
  for (Split s : kStoredSplits) check_split(d.split(s), split_name(s), d.n_users, d.n_items, file);
  d.scale.min = h5.read_attribute("scale_min");
  d.scale.max = h5.read_attribute("scale_max");
  try {
    d.seed = std::stoull(h5.read_string_attribute("seed"));
  } catch (const std::logic_error&) {
    throw InputError(file.string() + ": the seed attribute is not a number; the file is damaged: "
                     "import the data again");
  }
  return d;
}

}  // namespace alphas
