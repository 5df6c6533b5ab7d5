// Storage of an ensemble's results in the data directory.
#include <unistd.h>

#include <fstream>

#include "alphas/atomic_file.hpp"
#include "alphas/ensemble.hpp"
#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"

namespace alphas {


std::filesystem::path ensemble_json_file(const DataDir& dir, const std::string& name) {
  return dir.alpha_dir(name) / "ensemble.json";
}

std::filesystem::path ensemble_report_file(const DataDir& dir, const std::string& name) {
  return dir.reports_dir() / (name + ".md");
}

std::filesystem::path ensemble_plot_file(const DataDir& dir, const std::string& name) {
  return dir.reports_dir() / (name + ".svg");
}

void write_ensemble(const DataDir& dir, const EnsembleResult& result,
                    const nlohmann::json& provenance) {
  const nlohmann::json json = ensemble_to_json(result, provenance);

  // Stage the folder next to its final place (same file system), then swap.
  const auto staged = dir.alphas_dir() / ".staging" /
                      (result.name + "." + std::to_string(::getpid()));
  std::error_code ignored;
  std::filesystem::remove_all(staged, ignored);
  std::filesystem::create_directories(staged);
  try {
    {
      H5File h5(staged / "predictions.h5", H5File::Mode::create);
      h5.write("validation", result.validation_prediction);
      h5.write("test", result.test_prediction);
      if (result.stacker.trained) h5.write("stacker/test", result.stacker.test_prediction);
    }
    std::ofstream out(staged / "ensemble.json");
    out << json.dump(2) << "\n";
    out.close();
    if (!out) throw Error("cannot write " + (staged / "ensemble.json").string());
    replace_folder(staged, dir.alpha_dir(result.name));
  } catch (...) {
    std::filesystem::remove_all(staged, ignored);
    throw;
  }

  std::filesystem::create_directories(dir.reports_dir());
  write_text_atomically(ensemble_report_file(dir, result.name), ensemble_markdown(json));
  write_text_atomically(ensemble_plot_file(dir, result.name), ensemble_svg(json));
}

nlohmann::json read_ensemble_json(const DataDir& dir, const std::string& name) {
  const auto file = ensemble_json_file(dir, name);
  if (!std::filesystem::exists(file)) {
    throw Error("ensemble '" + name + "' has no results in " + file.string() +
                "; run 'alphas run " + name + "' first");
  }
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_text(file));
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + " is not valid JSON (" + e.what() + "); rerun 'alphas run " +
                name + " --force'");
  }
  if (!json.is_object()) {
    throw Error(file.string() + " is not a JSON object; rerun 'alphas run " + name + " --force'");
  }
  return json;
}

}  // namespace alphas
