// `alphas import`: reads rating files into the data directory.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include "alphas/delimited.hpp"
#include "alphas/error.hpp"
#include "alphas/format_count.hpp"
#include "alphas/import.hpp"
#include "alphas/import_yaml.hpp"
#include "alphas/lock.hpp"
#include "commands.hpp"

namespace po = boost::program_options;

namespace alphas::cli {

namespace {

// Options that describe the files; with --dataset the settings file does.
const char* const kFileOptions[] = {"ratings",      "implicit",     "titles",
                                    "user-column",  "item-column",  "rating-column",
                                    "title-column", "titles-item-column", "header",
                                    "delimiter"};

po::options_description import_options_description() {
  po::options_description options("Options of 'alphas import'");
  options.add_options()
      ("help,h", "print this help")
      ("dataset", po::value<std::string>(),
       "dataset settings file (YAML: ratings, implicit, titles, scale, ...); the file "
       "options below cannot be combined with it")
      ("ratings", po::value<std::string>(), "ratings file: user, item, rating per row")
      ("implicit", po::value<std::string>(),
       "implicit list file: user, item per row (on the list, rated or not)")
      ("titles", po::value<std::string>(), "item titles file: item, title per row")
      ("user-column", po::value<std::string>()->default_value("0"),
       "user column of the ratings and implicit files: header name or 0-based index")
      ("item-column", po::value<std::string>()->default_value("1"),
       "item column of the ratings and implicit files: header name or 0-based index")
      ("rating-column", po::value<std::string>()->default_value("2"),
       "rating column of the ratings file: header name or 0-based index")
      ("titles-item-column", po::value<std::string>()->default_value("0"),
       "item column of the titles file: header name or 0-based index")
      ("title-column", po::value<std::string>()->default_value("1"),
       "title column of the titles file: header name or 0-based index")
      ("header", po::value<std::string>()->default_value("auto"),
       "header line in every file: auto (detect), true or false")
      ("delimiter", po::value<std::string>()->default_value("auto"),
       "field delimiter of every file: auto (from line 1), tab, comma or semicolon")
      ("scale", po::value<std::string>(),
       "rating scale as MIN,MAX, e.g. 1,10 (required without --dataset)")
      ("unrated-code", po::value<std::string>(),
       "rating value that means 'on the list, not rated'; such rows go to the implicit list")
      ("duplicates", po::value<std::string>(),
       "repeated (user, item) ratings: first, last, mean or error (default last)")
      ("skip-invalid", po::bool_switch(),
       "drop invalid rows with a warning instead of failing the import")
      ("seed", po::value<std::string>(), "seed of the training/validation/test split")
      ("name", po::value<std::string>(), "dataset name recorded in the manifest")
      ("wait", po::bool_switch(),
       "wait for a run or import on the same data directory to finish instead of failing");
  return options;
}

void print_help(const po::options_description& options) {
  std::cout << "Usage: alphas [global options] import --dataset FILE.yaml [overrides]\n"
               "       alphas [global options] import --ratings FILE --scale MIN,MAX "
               "[options]\n\n"
               "Reads ratings (and optionally an implicit list and item titles), splits them\n"
               "per user into training, validation and test, and writes dataset/dataset.h5\n"
               "and dataset/manifest.json into the data directory (--data-dir). With\n"
               "--dataset, --scale, --unrated-code, --duplicates, --skip-invalid, --seed and\n"
               "--name override the settings file. The import takes the data directory's\n"
               "lock, as 'alphas run' does, so it fails while a run uses the directory\n"
               "unless --wait is given.\n\n"
            << options << "\n";
}

double parse_number_option(const std::string& text, const std::string& option) {
  double value = 0.0;
  if (parse_number(text, value) != NumberStatus::ok) {
    throw InputError("invalid --" + option + " '" + text + "': expected a finite number");
  }
  return value;
}

RatingScale parse_scale(const std::string& text) {
  const std::size_t comma = text.find(',');
  if (comma == std::string::npos) {
    throw InputError("invalid --scale '" + text + "': expected MIN,MAX, e.g. 1,10");
  }
  RatingScale scale;
  scale.min = parse_number_option(text.substr(0, comma), "scale");
  scale.max = parse_number_option(text.substr(comma + 1), "scale");
  return scale;
}

uint64_t parse_seed(const std::string& text) {
  uint64_t value = 0;
  const char* last = text.data() + text.size();
  std::from_chars_result result = std::from_chars(text.data(), last, value);
  if (text.empty() || result.ec != std::errc() || result.ptr != last) {
    throw InputError("invalid --seed '" + text +
                     "': expected an integer from 0 to 18446744073709551615");
  }
  return value;
}

TableSource table_from_flags(const po::variables_map& vm, const std::string& file_option) {
  TableSource source;
  source.file = vm[file_option].as<std::string>();
  source.user_column = vm["user-column"].as<std::string>();
  source.item_column = vm["item-column"].as<std::string>();
  source.value_column = vm["rating-column"].as<std::string>();
  source.header = parse_header_mode(vm["header"].as<std::string>());
  source.delimiter = parse_delimiter(vm["delimiter"].as<std::string>(), "--delimiter");
  return source;
}

ImportOptions options_from_flags(const po::variables_map& vm) {
  if (!vm.count("ratings")) {
    throw InputError("no input given: pass --dataset FILE.yaml, or --ratings FILE with "
                     "--scale MIN,MAX; run 'alphas import --help'");
  }
  if (!vm.count("scale")) {
    throw InputError("--scale is missing: declare the rating scale, e.g. --scale 1,10");
  }
  ImportOptions options;
  options.ratings = table_from_flags(vm, "ratings");
  if (vm.count("implicit")) options.implicit = table_from_flags(vm, "implicit");
  if (vm.count("titles")) {
    TableSource titles = table_from_flags(vm, "titles");
    titles.item_column = vm["titles-item-column"].as<std::string>();
    titles.value_column = vm["title-column"].as<std::string>();
    options.titles = titles;
  }
  return options;
}

ImportOptions options_from_dataset_file(const po::variables_map& vm) {
  for (const char* option : kFileOptions) {
    if (vm.count(option) && !vm[option].defaulted()) {
      throw InputError(std::string("--") + option +
                       " cannot be combined with --dataset; change the settings file, or "
                       "import with --ratings and the file options instead");
    }
  }
  return load_dataset_settings(vm["dataset"].as<std::string>());
}

// Applies the settings that may come from the command line in both forms.
void apply_common_flags(const po::variables_map& vm, ImportOptions& options) {
  if (vm.count("scale")) options.scale = parse_scale(vm["scale"].as<std::string>());
  if (vm.count("unrated-code")) {
    options.unrated_code = parse_number_option(vm["unrated-code"].as<std::string>(), "unrated-code");
  }
  if (vm.count("duplicates")) {
    options.duplicates = parse_duplicate_policy(vm["duplicates"].as<std::string>());
  }
  if (vm["skip-invalid"].as<bool>()) options.skip_invalid = true;
  if (vm.count("seed")) options.seed = parse_seed(vm["seed"].as<std::string>());
  if (vm.count("name")) options.name = vm["name"].as<std::string>();
}

void print_summary(const ImportOptions& options, const ImportCounts& counts, const DataDir& dir,
                   double seconds) {
  const std::string name = options.name.empty() ? options.ratings.file.string() : options.name;
  std::printf("Imported %s into %s\n", name.c_str(), dir.dataset_dir().string().c_str());
  std::printf("  ratings            %lld (%s, %s)\n", static_cast<long long>(counts.ratings),
              format_count(counts.rated_users, "user").c_str(),
              format_count(counts.rated_items, "item").c_str());
  std::printf("  implicit pairs     %lld (%s, %s overall)\n",
              static_cast<long long>(counts.implicit), format_count(counts.users, "user").c_str(),
              format_count(counts.items, "item").c_str());
  std::printf("  training           %lld\n", static_cast<long long>(counts.training));
  std::printf("  validation         %lld\n", static_cast<long long>(counts.validation));
  std::printf("  test               %lld\n", static_cast<long long>(counts.test));
  std::printf("  implicit training  %lld\n", static_cast<long long>(counts.implicit_training));
  std::printf("  duplicate pairs resolved %lld, invalid rows skipped %lld, unrated rows %lld\n",
              static_cast<long long>(counts.duplicate_pairs),
              static_cast<long long>(counts.skipped_rows),
              static_cast<long long>(counts.unrated_rows));
  if (counts.titled_items > 0) {
    std::printf("  items with titles  %lld\n", static_cast<long long>(counts.titled_items));
  }
  std::printf("  split seed %llu, %.2f s\n", static_cast<unsigned long long>(options.seed), seconds);
}

std::string command_text(const Args& args) {
  std::string text = "alphas import";
  for (const auto& arg : args) text += " " + arg;
  return text;
}

}  // namespace

int cmd_import(const GlobalOptions& global, const Args& args) {
  const po::options_description description = import_options_description();
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(description).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    print_help(description);
    return 0;
  }

  const auto start = std::chrono::steady_clock::now();
  ImportOptions options =
      vm.count("dataset") ? options_from_dataset_file(vm) : options_from_flags(vm);
  apply_common_flags(vm, options);

  // `alphas run` holds the same lock while it reads the dataset, so an
  // import cannot replace dataset.h5 under a running alpha.
  const DataDirLock lock(global.data_dir, command_text(args),
                         vm["wait"].as<bool>() ? DataDirLock::Mode::wait
                                               : DataDirLock::Mode::fail_if_held);
  const ImportResult result = import_dataset(options);
  write_dataset(global.data_dir, result);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  print_summary(options, result.counts, global.data_dir, elapsed.count());
  return 0;
}

}  // namespace alphas::cli
