#include "alphas/dataset.hpp"

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
  d.scale.min = h5.read_attribute("scale_min");
  d.scale.max = h5.read_attribute("scale_max");
  d.seed = std::stoull(h5.read_string_attribute("seed"));
  return d;
}

}  // namespace alphas
