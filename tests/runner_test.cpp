// Tests of the runner (order, staleness, failures, kill and resume), the
// data directory lock, and the run, list, show and check commands. The
// alphas come from the runner test plugin (tests/plugins/runner_plugin.cpp).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "alphas/alpha.hpp"
#include "alphas/atomic_file.hpp"
#include "alphas/error.hpp"
#include "alphas/hdf5_io.hpp"
#include "alphas/lock.hpp"
#include "alphas/runner.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

namespace fs = std::filesystem;
using Names = std::vector<std::string>;

::testing::AssertionResult contains(const std::string& text, const std::string& fragment) {
  if (text.find(fragment) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << fragment << "' not found in: " << text;
}

fs::path runner_plugins() { return fs::path(ALPHAS_TEST_PLUGIN_DIR) / "runner"; }

// 30 users x 12 items, about two thirds of the pairs rated 1-5; every tenth
// row goes to validation and the next to test.
Dataset small_dataset() {
  Ratings training, validation, test;
  int row = 0;
  for (int32_t u = 0; u < 30; ++u) {
    for (int32_t i = 0; i < 12; ++i) {
      if ((u + 2 * i) % 3 == 0) continue;
      const double raw = 3.0 + 1.2 * std::sin(0.7 * u) + 0.9 * std::cos(1.3 * i);
      const float rating = static_cast<float>(std::min(5.0, std::max(1.0, std::round(raw))));
      if (row % 10 == 8) {
        validation.push_back(u, i, rating);
      } else if (row % 10 == 9) {
        test.push_back(u, i, rating);
      } else {
        training.push_back(u, i, rating);
      }
      ++row;
    }
  }
  Dataset dataset = testing::make_dataset(30, 12, training, validation, test);
  dataset.scale = {1.0, 5.0};
  return dataset;
}

// The chain used by most tests: base <- left, right <- top; other alone.
std::string chain_recipe(double right_scale = 0.5, uint64_t left_seed = 1,
                         const std::string& top_inputs = "[left, right]") {
  std::ostringstream text;
  text << "alphas:\n"
       << "  base:\n    family: RunnerTest\n    params: {by: item}\n"
       << "  left:\n    family: RunnerTest\n    inputs: [base]\n    seed: " << left_seed << "\n"
       << "  right:\n    family: RunnerTest.Other\n    inputs: [base]\n"
       << "    params: {by: item, scale: " << right_scale << "}\n"
       << "  top:\n    family: RunnerTest\n    inputs: " << top_inputs << "\n"
       << "  other:\n    family: RunnerTest\n"
       << "ensembles:\n  E:\n    alphas: [base, left, right, top]\n    stacker: false\n";
  return text.str();
}

std::vector<std::string> families(const PluginHost& host) {
  std::vector<std::string> names;
  for (const auto& plugin : host.plugins()) {
    names.insert(names.end(), plugin.families.begin(), plugin.families.end());
  }
  return names;
}

// Identity of an output folder: commit by rename gives a new inode, so an
// unchanged inode means the output was not written again.
ino_t inode_of(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return 0;
  return info.st_ino;
}

nlohmann::json read_json(const fs::path& file) { return nlohmann::json::parse(read_text(file)); }

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::install_dataset(dir_, small_dataset()); }

  Runner make_runner(const std::string& text) {
    Recipe recipe = parse_recipe(text, temp_ / "recipe.yaml", temp_.path());
    validate_recipe(recipe, families(host_));
    return Runner(std::move(recipe), dir_, host_, temp_ / "share");
  }

  RunReport run(const std::string& text, const Names& names = {}, bool force = false) {
    Runner runner = make_runner(text);
    RunOptions options;
    options.names = names;
    options.force = force;
    return runner.run(options);
  }

  std::map<std::string, NodeStatus> status(const std::string& text) {
    std::map<std::string, NodeStatus> result;
    for (auto& node : make_runner(text).status({})) result[node.name] = node;
    return result;
  }

  testing::TempDir temp_;
  DataDir dir_{temp_ / "data"};
  PluginHost host_{{runner_plugins()}};
};

// --- Order and skipping --------------------------------------------------

TEST_F(RunnerTest, RunsMissingInputsFirst) {
  const RunReport report = run(chain_recipe(), {"top"});
  // E blends base, left, right and top, all part of this run, so it follows.
  EXPECT_EQ(report.ran, (Names{"base", "left", "right", "top", "E"}));
  EXPECT_TRUE(report.skipped.empty());
  for (const char* name : {"base", "left", "right", "top"}) {
    EXPECT_TRUE(dir_.has_alpha(name)) << name;
  }
  EXPECT_FALSE(dir_.has_alpha("other"));

  // top's output names its inputs and the hashes of their outputs.
  const nlohmann::json top = read_json(dir_.params_file("top"));
  EXPECT_EQ(top["inputs"], nlohmann::json({"left", "right"}));
  const nlohmann::json inputs = top["provenance"]["inputs"];
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_EQ(inputs[0]["name"], "left");
  EXPECT_EQ(inputs[0]["hash"], read_json(dir_.params_file("left"))["provenance"]["hash"]);
  EXPECT_EQ(inputs[1]["hash"], read_json(dir_.params_file("right"))["provenance"]["hash"]);
}

TEST_F(RunnerTest, SecondRunSkipsEverything) {
  run(chain_recipe());
  const ino_t before = inode_of(dir_.alpha_dir("top"));
  const RunReport again = run(chain_recipe());
  EXPECT_TRUE(again.ran.empty());
  EXPECT_EQ(again.skipped, (Names{"base", "left", "right", "top", "other", "E"}));
  EXPECT_EQ(inode_of(dir_.alpha_dir("top")), before);
  for (const auto& [name, node] : status(chain_recipe())) {
    EXPECT_EQ(node.state, OutputState::done) << name << ": " << node.reason;
  }
}

// A stored prediction file that no longer has its recorded checksum makes
// its output stale, so the next run writes it again.
TEST_F(RunnerTest, DamagedPredictionsMakeOutputStale) {
  run(chain_recipe());
  const fs::path damaged = dir_.predictions_file("left");
  const auto size = fs::file_size(damaged);
  fs::resize_file(damaged, size / 2);

  const auto before = status(chain_recipe());
  EXPECT_EQ(before.at("left").state, OutputState::stale);
  EXPECT_TRUE(contains(before.at("left").reason, "predictions.h5 changed after it was written"));
  EXPECT_EQ(before.at("right").state, OutputState::done) << before.at("right").reason;

  const RunReport rerun = run(chain_recipe(), {"left"});
  EXPECT_EQ(rerun.ran, (Names{"left"}));
  EXPECT_EQ(fs::file_size(damaged), size);
  EXPECT_EQ(status(chain_recipe()).at("left").state, OutputState::done);
}

// Outputs written before checksums were recorded are still trusted.
TEST_F(RunnerTest, OutputWithoutChecksumsStaysDone) {
  run(chain_recipe());
  nlohmann::json params = read_json(dir_.params_file("left"));
  ASSERT_TRUE(params.contains("checksums"));
  EXPECT_EQ(params["checksums"]["predictions.h5"], sha256_file(dir_.predictions_file("left")));
  params.erase("checksums");
  write_text_atomically(dir_.params_file("left"), params.dump(2));
  EXPECT_EQ(status(chain_recipe()).at("left").state, OutputState::done);
}

// A dataset.h5 that no longer has the sha256 its manifest recorded stops
// the run before any alpha reads it, and no output changes.
TEST_F(RunnerTest, DamagedDatasetStopsTheRun) {
  write_text_atomically(dir_.manifest_file(),
                        nlohmann::json({{"dataset_file",
                                         {{"name", "dataset.h5"},
                                          {"sha256", sha256_file(dir_.dataset_file())}}}})
                            .dump());
  run(chain_recipe());
  const ino_t before = inode_of(dir_.alpha_dir("top"));
  fs::resize_file(dir_.dataset_file(), fs::file_size(dir_.dataset_file()) - 1);
  try {
    run(chain_recipe(), {"top"}, true);
    FAIL() << "a damaged dataset.h5 was accepted";
  } catch (const InputError& error) {
    EXPECT_TRUE(contains(error.what(), "dataset.h5 does not match the sha256"));
    EXPECT_TRUE(contains(error.what(), "import the data again"));
  }
  EXPECT_EQ(inode_of(dir_.alpha_dir("top")), before);
}

TEST_F(RunnerTest, DryRunRunsNothing) {
  Runner runner = make_runner(chain_recipe());
  RunOptions options;
  options.names = {"top"};
  options.dry_run = true;
  const RunReport report = runner.run(options);
  ASSERT_EQ(report.plan.size(), 5u);  // base, left, right, top and the ensemble E
  for (const auto& node : report.plan) {
    EXPECT_TRUE(node.will_run) << node.name;
    EXPECT_EQ(node.state, OutputState::missing);
    EXPECT_EQ(node.reason, "not run yet");
  }
  EXPECT_TRUE(report.ran.empty());
  EXPECT_FALSE(fs::exists(dir_.alphas_dir()));
}

TEST_F(RunnerTest, NamesResolveToAlphasFamiliesAndPatterns) {
  Runner runner = make_runner(chain_recipe());
  EXPECT_EQ(runner.resolve_names({"RunnerTest.Other"}), Names{"right"});
  EXPECT_EQ(runner.resolve_names({"RunnerTest"}), (Names{"base", "left", "top", "other"}));
  EXPECT_EQ(runner.resolve_names({"l*"}), Names{"left"});
  EXPECT_EQ(runner.resolve_names({"E", "top", "E"}), (Names{"E", "top"}));
  EXPECT_EQ(runner.resolve_names({}), (Names{"base", "left", "right", "top", "other", "E"}));
  try {
    runner.resolve_names({"nope"});
    ADD_FAILURE() << "no error for an unknown name";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "'nope' is not an alpha, ensemble, family or pattern"));
  }
  // Running a family runs its alphas and their inputs only.
  EXPECT_EQ(run(chain_recipe(), {"RunnerTest.Other"}).ran, (Names{"base", "right"}));
}

TEST_F(RunnerTest, EnsembleFollowsOnlyWhenCovered) {
  // right's run covers base and right, not all of E's alphas: E stays out.
  EXPECT_EQ(run(chain_recipe(), {"right"}).ran, (Names{"base", "right"}));
  EXPECT_FALSE(fs::exists(dir_.alpha_dir("E")));

  Runner runner = make_runner(chain_recipe());
  RunOptions options;
  options.names = {"top"};
  options.follow_ensembles = false;
  EXPECT_EQ(runner.run(options).ran, (Names{"left", "top"}));
  EXPECT_FALSE(fs::exists(dir_.alpha_dir("E")));

  // Once every alpha of E takes part in the run, the missing E follows.
  const RunReport report = run(chain_recipe(), {"top"});
  EXPECT_EQ(report.ran, Names{"E"});
}

// --- Staleness -----------------------------------------------------------

TEST_F(RunnerTest, ParameterChangeRerunsDownstreamOnly) {
  run(chain_recipe(0.5));
  std::map<std::string, ino_t> before;
  for (const char* name : {"base", "left", "right", "top", "other", "E"}) {
    before[name] = inode_of(dir_.alpha_dir(name));
  }
  const std::vector<float> right_before = H5File(dir_.predictions_file("right"), H5File::Mode::read).read_floats("validation");

  auto states = status(chain_recipe(0.25));
  EXPECT_EQ(states["base"].state, OutputState::done);
  EXPECT_EQ(states["left"].state, OutputState::done);
  EXPECT_EQ(states["other"].state, OutputState::done);
  EXPECT_EQ(states["right"].state, OutputState::stale);
  EXPECT_EQ(states["right"].reason, "parameter scale changed from 0.5 to 0.25");
  EXPECT_EQ(states["top"].state, OutputState::stale);
  EXPECT_EQ(states["top"].reason, "input right changed");
  EXPECT_EQ(states["E"].state, OutputState::stale);
  EXPECT_EQ(states["E"].reason, "alpha right changed");

  const RunReport report = run(chain_recipe(0.25));
  EXPECT_EQ(report.ran, (Names{"right", "top", "E"}));
  EXPECT_EQ(report.skipped, (Names{"base", "left", "other"}));
  for (const char* name : {"base", "left", "other"}) {
    EXPECT_EQ(inode_of(dir_.alpha_dir(name)), before[name]) << name << " was written again";
  }
  for (const char* name : {"right", "top", "E"}) {
    EXPECT_NE(inode_of(dir_.alpha_dir(name)), before[name]) << name << " was not rerun";
  }
  const std::vector<float> right_after = H5File(dir_.predictions_file("right"), H5File::Mode::read).read_floats("validation");
  ASSERT_EQ(right_after.size(), right_before.size());
  for (std::size_t k = 0; k < right_after.size(); ++k) {
    EXPECT_FLOAT_EQ(right_after[k], right_before[k] * 0.5f) << "row " << k;
  }
}

TEST_F(RunnerTest, StaleReasonsNameTheChange) {
  run(chain_recipe());
  EXPECT_EQ(status(chain_recipe(0.5, 2))["left"].reason, "seed changed from 1 to 2");
  EXPECT_EQ(status(chain_recipe(0.5, 1, "[left]"))["top"].reason, "inputs changed: removed right");
  EXPECT_EQ(status(chain_recipe(0.5, 1, "[left, base]"))["top"].reason,
            "inputs changed: added base, removed right");
  EXPECT_EQ(status(chain_recipe(0.5, 1, "[right, left]"))["top"].reason, "order of inputs changed");

  // A plugin version other than the recorded one.
  nlohmann::json params = read_json(dir_.params_file("other"));
  params["provenance"]["plugin_version"] = "0.9.0";
  params["provenance"]["hash"] = "0";
  write_text_atomically(dir_.params_file("other"), params.dump());
  EXPECT_EQ(status(chain_recipe())["other"].reason,
            "plugin version changed from \"0.9.0\" to \"1.0.0\"");

  // An output without provenance, e.g. from another version of alphas.
  params.erase("provenance");
  write_text_atomically(dir_.params_file("other"), params.dump());
  EXPECT_TRUE(contains(status(chain_recipe())["other"].reason, "records no provenance hash"));
}

TEST_F(RunnerTest, ReimportedDatasetMakesAllStale) {
  run(chain_recipe());
  write_text_atomically(dir_.manifest_file(), "{\"source\": \"another import\"}\n");
  for (const auto& [name, node] : status(chain_recipe())) {
    EXPECT_EQ(node.state, OutputState::stale) << name;
    EXPECT_EQ(node.reason, "the dataset was imported again") << name;
  }
}

TEST_F(RunnerTest, ForceRerunsOnlyTheNamedAlphas) {
  run(chain_recipe());
  const ino_t base = inode_of(dir_.alpha_dir("base"));
  const ino_t left = inode_of(dir_.alpha_dir("left"));
  const RunReport report = run(chain_recipe(), {"left"}, true);
  EXPECT_EQ(report.ran, Names{"left"});
  EXPECT_EQ(report.skipped, Names{"base"});
  EXPECT_EQ(inode_of(dir_.alpha_dir("base")), base);
  EXPECT_NE(inode_of(dir_.alpha_dir("left")), left);
  // The hash depends on settings and inputs only, so top stays up to date.
  EXPECT_EQ(status(chain_recipe())["top"].state, OutputState::done);
}

// --- Failures ------------------------------------------------------------

std::string failing_recipe(bool fail) {
  return std::string("alphas:\n  base: {family: RunnerTest}\n  mid:\n    family: RunnerTest\n"
                     "    inputs: [base]\n    params: {fail: ") +
         (fail ? "true" : "false") + "}\n  top: {family: RunnerTest, inputs: [mid]}\n";
}

TEST_F(RunnerTest, FailingAlphaStopsTheRunAndKeepsFinished) {
  try {
    run(failing_recipe(true), {"top"});
    ADD_FAILURE() << "the failing alpha did not stop the run";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "alpha 'mid' (RunnerTest) failed: mid: failing on request"));
  }
  EXPECT_TRUE(dir_.has_alpha("base"));
  EXPECT_FALSE(dir_.has_alpha("mid"));
  EXPECT_FALSE(fs::exists(dir_.alpha_dir("mid")));
  EXPECT_FALSE(dir_.has_alpha("top"));

  const RunReport fixed = run(failing_recipe(false), {"top"});
  EXPECT_EQ(fixed.ran, (Names{"mid", "top"}));
  EXPECT_EQ(fixed.skipped, Names{"base"});
}

std::size_t count_of(const std::string& text, const std::string& fragment) {
  std::size_t count = 0;
  for (auto at = text.find(fragment); at != std::string::npos; at = text.find(fragment, at + 1)) {
    ++count;
  }
  return count;
}

TEST_F(RunnerTest, OutputLogKeepsFailedAttempts) {
  EXPECT_THROW(run(failing_recipe(true), {"mid"}), InputError);
  EXPECT_THROW(run(failing_recipe(true), {"mid"}), InputError);
  run(failing_recipe(false), {"mid"});

  const std::string log = read_text(dir_.log_file("mid"));
  EXPECT_EQ(count_of(log, "--- run started "), 3u) << log;
  EXPECT_EQ(count_of(log, "--- run failed: mid: failing on request (fail: true) ---"), 2u) << log;
  // The output has the history, so the live log starts again.
  EXPECT_FALSE(fs::exists(AlphaContext::live_log_file(dir_, "mid")));

  run(failing_recipe(false), {"mid"}, true);
  const std::string rerun = read_text(dir_.log_file("mid"));
  EXPECT_EQ(count_of(rerun, "--- run started "), 1u) << rerun;
  EXPECT_EQ(count_of(rerun, "--- run failed"), 0u) << rerun;
}

TEST_F(RunnerTest, AlphaThatWritesNothingIsAnError) {
  try {
    run("alphas:\n  lazy: {family: RunnerTest, params: {skip_write: true}}\n");
    ADD_FAILURE() << "no error for an alpha without output";
  } catch (const PluginError& e) {
    EXPECT_TRUE(contains(e.what(), "finished without writing the predictions of 'lazy'"));
  }
}

TEST_F(RunnerTest, MissingPluginBlocksOnlyItsAlphas) {
  // The chain plus an alpha whose family no plugin provides.
  std::string text = chain_recipe();
  text.insert(text.find("ensembles:"), "  extra:\n    family: NotBuilt\n    inputs: [base]\n");
  Recipe recipe = parse_recipe(text, temp_ / "recipe.yaml", temp_.path());
  resolve_references(recipe);
  check_cycles(recipe);
  Runner runner(std::move(recipe), dir_, host_, temp_ / "share");

  RunOptions options;
  options.names = {"top"};
  EXPECT_EQ(runner.run(options).ran, (Names{"base", "left", "right", "top", "E"}));

  std::map<std::string, NodeStatus> states;
  for (auto& node : runner.status({})) states[node.name] = node;
  EXPECT_EQ(states["extra"].state, OutputState::missing);
  EXPECT_EQ(states["extra"].reason, "no plugin provides family NotBuilt");
  EXPECT_EQ(states["top"].state, OutputState::done);

  options.names = {"extra"};
  try {
    runner.run(options);
    ADD_FAILURE() << "no error for a family without plugin";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "alpha 'extra' has family 'NotBuilt', which no plugin provides"));
  }
}

TEST_F(RunnerTest, FamilyAndParameterProblemsComeTogether) {
  std::string text = chain_recipe();
  text.insert(text.find("ensembles:"), "  extra:\n    family: NotBuilt\n    inputs: [base]\n"
                                       "  odd:\n    family: RunnerTest\n    params: {by: row}\n");
  Recipe recipe = parse_recipe(text, temp_ / "recipe.yaml", temp_.path());
  resolve_references(recipe);
  Runner runner(std::move(recipe), dir_, host_, temp_ / "share");
  try {
    runner.run({});
    ADD_FAILURE() << "no error for the family and the parameter";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), ": 2 problems:"));
    EXPECT_TRUE(contains(e.what(), "alpha 'extra' has family 'NotBuilt'"));
    EXPECT_TRUE(contains(e.what(), "odd: parameter 'by' is \"row\""));
  }
  EXPECT_FALSE(dir_.has_alpha("base"));
}

// --- Preflight -------------------------------------------------------------

// Lines 2-7: base, then mid with two bad values, then top with one.
std::string preflight_recipe(const std::string& configured_marker) {
  return "alphas:\n"
         "  base: {family: RunnerTest, params: {configured_marker: \"" + configured_marker + "\"}}\n"
         "  mid:\n    family: RunnerTest\n    inputs: [base]\n"
         "    params: {by: column, sleep_ms: -5}\n"
         "  top: {family: RunnerTest, inputs: [mid], params: {sleep_ms: -1}}\n";
}

TEST_F(RunnerTest, PreflightReportsEveryProblemBeforeRunning) {
  const fs::path marker = temp_ / "configured.txt";
  try {
    run(preflight_recipe(marker.string()), {"top"});
    ADD_FAILURE() << "the invalid parameters did not stop the run";
  } catch (const InputError& e) {
    const std::string file = (temp_ / "recipe.yaml").string();
    EXPECT_TRUE(contains(e.what(), file + ": 3 problems:"));
    EXPECT_TRUE(contains(e.what(), file + ":6: mid: parameter 'by' is \"column\", but it must be "
                                          "user or item; fix it in the recipe's params"));
    EXPECT_TRUE(contains(e.what(), file + ":6: mid: parameter 'sleep_ms' is -5, but it must be >= 0"));
    EXPECT_TRUE(contains(e.what(), file + ":7: top: parameter 'sleep_ms' is -1"));
  }
  // base is valid, but nothing ran: base was configured and never loaded.
  EXPECT_EQ(read_text(marker), "base\n");
  EXPECT_FALSE(dir_.has_alpha("base"));
  EXPECT_FALSE(fs::exists(dir_.alphas_dir() / "base"));
}

TEST_F(RunnerTest, PreflightConfiguresEveryAlphaFirst) {
  const fs::path marker = temp_ / "configured.txt";
  const std::string setting = "params: {configured_marker: \"" + marker.string() + "\"}";
  const std::string text = "alphas:\n  a: {family: RunnerTest, " + setting + "}\n" +
                           "  b: {family: RunnerTest, inputs: [a], " + setting + "}\n" +
                           "  c: {family: RunnerTest.Other, inputs: [b], " + setting + "}\n";
  EXPECT_EQ(run(text).ran, (Names{"a", "b", "c"}));
  // The preflight configures a, b and c, then each run configures its alpha again.
  EXPECT_EQ(read_text(marker), "a\nb\nc\na\nb\nc\n");

  // Up-to-date alphas are neither run nor configured.
  fs::remove(marker);
  EXPECT_TRUE(run(text).ran.empty());
  EXPECT_FALSE(fs::exists(marker));
}

TEST_F(RunnerTest, PreflightFailureTouchesNoOutput) {
  run(chain_recipe(0.5));
  const ino_t right = inode_of(dir_.alpha_dir("right"));
  // right is stale (scale changed) and valid, top has a bad value: nothing
  // runs, so right keeps its old output.
  std::string text = chain_recipe(0.25);
  const std::string top = "  top:\n    family: RunnerTest\n    inputs: [left, right]\n";
  text.replace(text.find(top), top.size(), top + "    params: {by: column}\n");
  EXPECT_THROW(run(text), InputError);
  EXPECT_EQ(inode_of(dir_.alpha_dir("right")), right);
  EXPECT_EQ(status(chain_recipe(0.25))["right"].state, OutputState::stale);
}

TEST_F(RunnerTest, PreflightSkipsAlphasNotInTheRun) {
  // `other` has a bad value but is not needed for `left`.
  std::string text = chain_recipe();
  const std::string other = "  other:\n    family: RunnerTest\n";
  text.replace(text.find(other), other.size(), other + "    params: {sleep_ms: -1}\n");
  EXPECT_EQ(run(text, {"left"}).ran, (Names{"base", "left"}));
}

TEST_F(RunnerTest, PreflightRejectsUnreadParameters) {
  // base is valid and comes first, yet nothing runs.
  const std::string text = "alphas:\n"
                           "  base: {family: RunnerTest}\n"
                           "  a: {family: RunnerTest, inputs: [base], params: {colour: red}}\n";
  try {
    run(text);
    ADD_FAILURE() << "the unread parameter did not stop the run";
  } catch (const InputError& e) {
    const std::string file = (temp_ / "recipe.yaml").string();
    EXPECT_TRUE(contains(e.what(), file + ":3: a: family RunnerTest has no parameter 'colour'; "
                                          "its parameters are by, configured_marker, fail, "
                                          "implicit_probability, marker, offset, scale, "
                                          "skip_write, sleep_ms."))
        << e.what();
  }
  EXPECT_FALSE(dir_.has_alpha("base"));
}

TEST_F(RunnerTest, MissingDatasetSectionIsAnError) {
  DataDir empty(temp_ / "empty");
  Recipe recipe = parse_recipe("alphas:\n  a: {family: RunnerTest}\n", temp_ / "r.yaml", temp_.path());
  validate_recipe(recipe, families(host_));
  Runner runner(std::move(recipe), empty, host_, temp_ / "share");
  try {
    runner.run({});
    ADD_FAILURE() << "no error without a dataset";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "r.yaml has no 'dataset' section"));
  }
}

// --- Dataset import and recorded recipes ---------------------------------

// A ratings file of 40 users x 10 items (made-up values).
std::string ratings_csv() {
  std::string text = "user,item,rating\n";
  for (int u = 0; u < 40; ++u) {
    for (int i = 0; i < 10; ++i) {
      if ((u * 3 + i) % 4 == 0) continue;
      text += "u" + std::to_string(u) + ",i" + std::to_string(i) + "," +
              std::to_string(1 + (u * 7 + i * 5) % 5) + "\n";
    }
  }
  return text;
}

TEST_F(RunnerTest, ImportsInlineDatasetFirst) {
  testing::write_file(temp_ / "in" / "ratings.csv", ratings_csv());
  DataDir fresh(temp_ / "fresh");
  Recipe recipe = parse_recipe(
      "dataset:\n  name: tiny\n  ratings: {file: ratings.csv, header: true}\n  scale: [1, 5]\n"
      "alphas:\n  a: {family: RunnerTest}\n",
      temp_ / "in" / "recipe.yaml", temp_ / "in");
  validate_recipe(recipe, families(host_));
  Runner runner(std::move(recipe), fresh, host_, temp_ / "share");
  const RunReport report = runner.run({});
  EXPECT_EQ(report.ran, Names{"a"});
  ASSERT_TRUE(fresh.has_dataset());
  EXPECT_EQ(read_json(fresh.manifest_file())["name"], "tiny");
  EXPECT_TRUE(fresh.has_alpha("a"));
}

TEST_F(RunnerTest, BundledDatasetIsFoundInShare) {
  testing::write_file(temp_ / "in" / "ratings.csv", ratings_csv());
  testing::write_file(temp_ / "share" / "datasets" / "tiny" / "dataset.yaml",
                      "name: tiny\nratings: {file: " + (temp_ / "in" / "ratings.csv").string() +
                          ", header: true}\nscale: [1, 5]\n");
  Recipe good = parse_recipe("dataset: {bundled: tiny}\nalphas: {a: {family: RunnerTest}}\n",
                             temp_ / "r.yaml", temp_.path());
  EXPECT_EQ(dataset_import_options(good, temp_ / "share").name, "tiny");

  Recipe bad = parse_recipe("dataset: {bundled: other}\nalphas: {a: {family: RunnerTest}}\n",
                            temp_ / "r.yaml", temp_.path());
  try {
    dataset_import_options(bad, temp_ / "share");
    ADD_FAILURE() << "no error for an unknown bundled dataset";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "r.yaml:1: bundled dataset 'other' not found"));
    EXPECT_TRUE(contains(e.what(), "bundled datasets: tiny"));
  }
}

TEST_F(RunnerTest, RecordedRecipeKeepsItsBaseDir) {
  const std::string text = "# comment\ndataset:\n  ratings: {file: ratings.csv}\n  scale: [1, 5]\n"
                           "alphas:\n  a: {family: RunnerTest}\n";
  testing::write_file(temp_ / "in" / "recipe.yaml", text);
  record_recipe(read_recipe(temp_ / "in" / "recipe.yaml"), dir_);
  const Recipe recorded = read_recipe(dir_.recipe_file());
  EXPECT_EQ(recorded.base_dir, (temp_ / "in").lexically_normal());
  EXPECT_EQ(recorded.alphas.size(), 1u);

  // A relative base_dir is made absolute in place.
  testing::write_file(temp_ / "in" / "with_base.yaml", "base_dir: data\n" + text);
  record_recipe(read_recipe(temp_ / "in" / "with_base.yaml"), dir_);
  EXPECT_EQ(read_recipe(dir_.recipe_file()).base_dir, (temp_ / "in" / "data").lexically_normal());
}

TEST_F(RunnerTest, RecipeChoiceOrder) {
  const fs::path share = temp_ / "share";
  const fs::path given = temp_ / "given.yaml";
  EXPECT_EQ(choose_recipe_file(dir_, given, share), given);
  try {
    choose_recipe_file(dir_, std::nullopt, share);
    ADD_FAILURE() << "no error without any recipe";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), "pass --recipe FILE"));
  }
  testing::write_file(share / "configs" / "reference.yaml", "alphas: {}\n");
  EXPECT_EQ(choose_recipe_file(dir_, std::nullopt, share), share / "configs" / "reference.yaml");
  testing::write_file(dir_.recipe_file(), "alphas: {}\n");
  EXPECT_EQ(choose_recipe_file(dir_, std::nullopt, share), dir_.recipe_file());
}

// --- Lock ----------------------------------------------------------------

TEST_F(RunnerTest, LockRejectsSecondHolderAndNamesFirst) {
  {
    DataDirLock first(dir_, "alphas run first", DataDirLock::Mode::fail_if_held);
    try {
      DataDirLock second(dir_, "alphas run second", DataDirLock::Mode::fail_if_held);
      ADD_FAILURE() << "the second lock was granted";
    } catch (const Error& e) {
      EXPECT_TRUE(contains(e.what(), "is in use by pid " + std::to_string(::getpid()) +
                                         " (alphas run first)"));
      EXPECT_TRUE(contains(e.what(), "--wait"));
    }
  }
  // Released with the first holder.
  DataDirLock again(dir_, "alphas run again", DataDirLock::Mode::fail_if_held);
  EXPECT_TRUE(contains(DataDirLock::holder(dir_), "(alphas run again)"));
}

TEST_F(RunnerTest, LockWaitsForTheHolder) {
  auto first = std::make_unique<DataDirLock>(dir_, "holder", DataDirLock::Mode::fail_if_held);
  const auto start = std::chrono::steady_clock::now();
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    first.reset();
  });
  DataDirLock second(dir_, "waiter", DataDirLock::Mode::wait);
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  release.join();
  EXPECT_GE(waited, 0.25);
}

// --- The alphas command --------------------------------------------------

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

// Starts `alphas args...` with the runner test plugins on the plugin path;
// stdout and stderr go to the given files.
pid_t spawn_alphas(const Names& args, const fs::path& out, const fs::path& err) {
  std::vector<std::string> arguments = {ALPHAS_BINARY};
  arguments.insert(arguments.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  std::vector<std::string> environment = {"ALPHAS_PLUGIN_PATH=" + runner_plugins().string()};
  for (char** entry = environ; *entry; ++entry) {
    if (std::string(*entry).rfind("ALPHAS_PLUGIN_PATH=", 0) != 0) environment.push_back(*entry);
  }
  std::vector<char*> envp;
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class CommandTest : public RunnerTest {
 protected:
  Outcome alphas(const Names& args) {
    const fs::path out = temp_ / "out.txt", err = temp_ / "err.txt";
    Outcome outcome;
    outcome.status = wait_status(spawn_alphas(args, out, err));
    outcome.out = read_text(out);
    outcome.err = read_text(err);
    return outcome;
  }

  fs::path write_recipe(const std::string& text, const std::string& name = "recipe.yaml") {
    testing::write_file(temp_ / name, text);
    return temp_ / name;
  }
};

TEST_F(CommandTest, RunRecordsRecipeAndRerunSkips) {
  const fs::path recipe = write_recipe(chain_recipe());
  const Outcome first = alphas({"--data-dir", dir_.root().string(), "run", "--recipe", recipe.string()});
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_TRUE(contains(first.out, "Ran 6, 0 already up to date."));
  EXPECT_TRUE(contains(first.out, "Ensemble E: linear blend of 4 alphas"));
  EXPECT_TRUE(contains(first.out, "name   val RMSE (own target)  val R2\n"));
  // Each row shows the RMSE and R2 that the output's own files record.
  const nlohmann::json top = read_json(dir_.metrics_file("top"));
  const nlohmann::json blend = read_json(dir_.alpha_dir("E") / "ensemble.json")["blend"];
  char row[200];
  std::snprintf(row, sizeof row, "\ntop    %-21.4f  %-6.4f  (ran now)\n",
                top["validation"]["rmse"].get<double>(), top["validation"]["r2"].get<double>());
  EXPECT_TRUE(contains(first.out, row));
  std::snprintf(row, sizeof row, "\nE      %-21.4f  %-6.4f  (ran now)\n",
                blend["validation"]["rmse"].get<double>(), blend["validation"]["r2"].get<double>());
  EXPECT_TRUE(contains(first.out, row));
  EXPECT_TRUE(fs::exists(dir_.recipe_file()));

  // Without --recipe the recorded recipe is used.
  const Outcome second = alphas({"--data-dir", dir_.root().string(), "run"});
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_TRUE(contains(second.out, "Ran 0, 6 already up to date."));
  EXPECT_TRUE(contains(second.err, "top: up to date, skipped"));
}

TEST_F(CommandTest, FailedRunKeepsRecordedRecipe) {
  const fs::path recipe = write_recipe(chain_recipe());
  ASSERT_EQ(alphas({"--data-dir", dir_.root().string(), "run", "--recipe", recipe.string(), "base"})
                .status,
            0);
  const std::string recorded = read_text(dir_.recipe_file());
  const fs::path other = write_recipe("alphas:\n  a: {family: RunnerTest}\n", "other.yaml");
  const Outcome typo =
      alphas({"--data-dir", dir_.root().string(), "run", "--recipe", other.string(), "nope"});
  EXPECT_NE(typo.status, 0);
  EXPECT_TRUE(contains(typo.err, "'nope' is not an alpha")) << typo.err;
  EXPECT_EQ(read_text(dir_.recipe_file()), recorded);
}

TEST_F(CommandTest, RunRejectsUnreadParameters) {
  const fs::path recipe = write_recipe("alphas:\n  a: {family: RunnerTest, params: {ofset: 1}}\n");
  const Outcome run = alphas({"--data-dir", dir_.root().string(), "run", "--recipe", recipe.string()});
  EXPECT_EQ(run.status, 1);
  EXPECT_TRUE(contains(run.err, recipe.string() + ":2: a: family RunnerTest has no parameter "
                                                  "'ofset'; did you mean 'offset'?"))
      << run.err;
  EXPECT_TRUE(contains(run.err, "plugins/runner_test/README.md")) << run.err;
  EXPECT_FALSE(dir_.has_alpha("a"));
}

TEST_F(CommandTest, DryRunPrintsThePlan) {
  const fs::path recipe = write_recipe(chain_recipe());
  ASSERT_EQ(alphas({"--data-dir", dir_.root().string(), "run", "--recipe", recipe.string(), "base"}).status, 0);
  const Outcome plan =
      alphas({"--data-dir", dir_.root().string(), "run", "--recipe", recipe.string(), "--dry-run", "top"});
  ASSERT_EQ(plan.status, 0) << plan.err;
  EXPECT_TRUE(contains(plan.out, "1. skip  base"));
  EXPECT_TRUE(contains(plan.out, "2. run   left   (missing: not run yet)"));
  EXPECT_TRUE(contains(plan.out, "5. run   E"));  // the ensemble of base..top follows
  EXPECT_TRUE(contains(plan.out, "4 to run, 1 up to date."));
  EXPECT_FALSE(dir_.has_alpha("left"));
}

TEST_F(CommandTest, ListAndShowReportStoredOutputs) {
  const fs::path recipe = write_recipe(chain_recipe());
  ASSERT_EQ(alphas({"--data-dir", dir_.root().string(), "run", "--recipe", recipe.string(), "left"}).status, 0);

  const Outcome list = alphas({"--data-dir", dir_.root().string(), "list", "--format", "json"});
  ASSERT_EQ(list.status, 0) << list.err;
  const nlohmann::json states = nlohmann::json::parse(list.out);
  ASSERT_EQ(states.size(), 6u);
  EXPECT_EQ(states[0]["name"], "base");
  EXPECT_EQ(states[0]["state"], "done");
  const nlohmann::json base_metrics = read_json(dir_.metrics_file("base"));
  EXPECT_EQ(states[0]["validation_rmse"], base_metrics["validation"]["rmse"]);
  EXPECT_EQ(states[0]["validation_r2"], base_metrics["validation"]["r2"]);
  EXPECT_TRUE(states[3]["validation_r2"].is_null());  // top has no output
  EXPECT_EQ(states[3]["name"], "top");
  EXPECT_EQ(states[3]["state"], "missing");
  EXPECT_EQ(states[5]["family"], "ensemble");

  const Outcome show = alphas({"--data-dir", dir_.root().string(), "show", "left", "--format", "json"});
  ASSERT_EQ(show.status, 0) << show.err;
  const nlohmann::json left = nlohmann::json::parse(show.out);
  const nlohmann::json metrics = read_json(dir_.metrics_file("left"));
  EXPECT_EQ(left["name"], "left");
  EXPECT_EQ(left["inputs"], nlohmann::json({"base"}));
  EXPECT_EQ(left["params"]["by"], "user");
  for (const char* split : {"training", "validation"}) {
    for (const char* key : {"rmse", "mae", "r2"}) {
      EXPECT_EQ(left["metrics"][split][key], metrics[split][key]) << split << " " << key;
    }
  }

  const Outcome table = alphas({"--data-dir", dir_.root().string(), "list"});
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_TRUE(contains(table.out, "state    val RMSE (own target)  val R2  note"));

  EXPECT_EQ(left["targets"], nlohmann::json({"base"}));  // no targets: measured against inputs
  EXPECT_FALSE(left.contains("residual_alphas"));

  const Outcome text = alphas({"--data-dir", dir_.root().string(), "show", "left"});
  EXPECT_TRUE(contains(text.out, "left  (family RunnerTest, plugin version 1.0.0, seed 1)"));
  EXPECT_TRUE(contains(text.out, "inputs:  base\ntargets: base\n"));

  // Outputs of earlier versions name the lists residual_alphas and target_alphas.
  nlohmann::json params = read_json(dir_.params_file("left"));
  params["residual_alphas"] = params["inputs"];
  params["target_alphas"] = params["targets"];
  params.erase("inputs");
  params.erase("targets");
  write_text_atomically(dir_.params_file("left"), params.dump());
  const Outcome old = alphas({"--data-dir", dir_.root().string(), "show", "left"});
  EXPECT_TRUE(contains(old.out, "inputs:  base\ntargets: base\n"));

  const Outcome missing = alphas({"--data-dir", dir_.root().string(), "show", "top"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_TRUE(contains(missing.err, "no stored output named 'top'"));
  // The recipe of the last run, as recorded in the data directory.
  EXPECT_TRUE(contains(missing.err, "it is defined in recipe " + dir_.recipe_file().string() +
                                        ", so run 'alphas run top' first"))
      << missing.err;
}

TEST_F(CommandTest, ShowNameOutsideRecipe) {
  const fs::path recipe = write_recipe(chain_recipe());
  ASSERT_EQ(alphas({"--data-dir", dir_.root().string(), "run", "--recipe", recipe.string(), "left"}).status, 0);

  const Outcome nope = alphas({"--data-dir", dir_.root().string(), "show", "Nope"});
  EXPECT_EQ(nope.status, 1);
  EXPECT_TRUE(contains(nope.err, "'Nope' is not an alpha or ensemble of recipe " +
                                     dir_.recipe_file().string() + " and has no stored output"))
      << nope.err;
  EXPECT_FALSE(contains(nope.err, "alphas run Nope")) << nope.err;
  EXPECT_FALSE(contains(nope.err, "Did you mean")) << nope.err;

  const Outcome typo = alphas({"--data-dir", dir_.root().string(), "show", "rigth"});
  EXPECT_EQ(typo.status, 1);
  EXPECT_TRUE(contains(typo.err, "'rigth' is not an alpha or ensemble")) << typo.err;
  EXPECT_TRUE(contains(typo.err, "Did you mean 'right'?")) << typo.err;

  const Outcome extra = alphas({"--data-dir", dir_.root().string(), "show", "top.Implicit"});
  EXPECT_EQ(extra.status, 1);
  EXPECT_TRUE(contains(extra.err, "if it is an extra output of alpha 'top'")) << extra.err;
}

TEST_F(CommandTest, ShowLabelsImplicitMetrics) {
  const fs::path recipe =
      write_recipe("alphas:\n  a: {family: RunnerTest, params: {implicit_probability: 0.25}}\n");
  ASSERT_EQ(alphas({"--data-dir", dir_.root().string(), "run", "--recipe", recipe.string()}).status, 0);

  const Outcome implicit = alphas({"--data-dir", dir_.root().string(), "show", "a.Implicit"});
  ASSERT_EQ(implicit.status, 0) << implicit.err;
  EXPECT_TRUE(contains(implicit.out, "metrics (cross-entropy of the list probabilities"))
      << implicit.out;
  EXPECT_FALSE(contains(implicit.out, "b * prediction")) << implicit.out;
  // Every validation pair gets p = 0.25, so the cross-entropy is -ln 0.25.
  EXPECT_TRUE(contains(implicit.out, "cross_entropy")) << implicit.out;
  EXPECT_TRUE(contains(implicit.out, "1.38629")) << implicit.out;

  const Outcome rating = alphas({"--data-dir", dir_.root().string(), "show", "a"});
  ASSERT_EQ(rating.status, 0) << rating.err;
  EXPECT_TRUE(contains(rating.out, "metrics (b * prediction against the target residuals)"))
      << rating.out;
}

TEST_F(CommandTest, SecondRunRefusesWhileLocked) {
  const fs::path recipe = write_recipe(chain_recipe());
  DataDirLock held(dir_, "alphas run held-by-test", DataDirLock::Mode::fail_if_held);
  const Outcome second = alphas({"--data-dir", dir_.root().string(), "run", "--recipe", recipe.string()});
  EXPECT_EQ(second.status, 1);
  EXPECT_TRUE(contains(second.err, "is in use by pid " + std::to_string(::getpid()) +
                                       " (alphas run held-by-test)"));
  EXPECT_FALSE(fs::exists(dir_.alphas_dir()));
}

TEST_F(CommandTest, CheckReportsCase17Errors) {
  const fs::path cases = fs::path(ALPHAS_TEST_DATA_DIR) / "cases" / "17-recipe-dependency-cycle";
  const struct {
    const char* file;
    std::string message;
  } bad[] = {
      {"recipe-bad-self.yaml", ":16: alpha 'mf' cannot be a residual of itself"},
      {"recipe-bad-cycle3.yaml",
       ": dependency cycle: bias (line 13) -> itemcf (line 21) -> mf (line 17) -> bias"},
      {"recipe-bad-missing-ref.yaml",
       ":20: alpha 'itemcf' has input 'svdpp', which is not defined (defined: bias, mf, itemcf)"},
      {"recipe-bad-blend-self.yaml", ":24: ensemble 'blend' lists itself"},
  };
  for (const auto& c : bad) {
    const fs::path file = cases / c.file;
    const Outcome outcome = alphas({"check", file.string()});
    EXPECT_EQ(outcome.status, 1) << c.file;
    EXPECT_TRUE(contains(outcome.err, file.string() + c.message)) << c.file;
  }
  const fs::path good = write_recipe(chain_recipe());
  const Outcome valid = alphas({"check", good.string()});
  EXPECT_EQ(valid.status, 0) << valid.err;
  EXPECT_TRUE(contains(valid.out, "valid: 5 alphas, 1 ensemble"));
  EXPECT_TRUE(contains(valid.out, "run order: base left right top other E"));
}

TEST_F(CommandTest, CheckReportsAllProblemsInOnePass) {
  const fs::path recipe = write_recipe(
      "alphas:\n"                                              // 1
      "  base: {family: RunnerTest, colour: red}\n"           // 2: unknown key
      "  mid:\n"                                               // 3
      "    family: RunnerTest\n"                               // 4
      "    inputs: [bsae]\n"                                   // 5: undefined input
      "    params: {by: column, sleep_ms: -2, ofset: 1}\n"     // 6: two bad values, a typo
      "  top: {family: RunnerTset, inputs: [mid]}\n"          // 7: unknown family
      "ensembles:\n  E: {alphas: [base, top], stacker: false}\n");
  const Outcome check = alphas({"check", recipe.string()});
  EXPECT_EQ(check.status, 1);
  const std::string file = recipe.string();
  EXPECT_TRUE(contains(check.err, file + ": 6 problems:"));
  EXPECT_TRUE(contains(check.err, file + ":2: unknown key 'colour' in alpha 'base'"));
  EXPECT_TRUE(contains(check.err, file + ":5: alpha 'mid' has input 'bsae', which is not defined"));
  EXPECT_TRUE(contains(check.err, file + ":7: alpha 'top' has family 'RunnerTset'"));
  EXPECT_TRUE(contains(check.err, file + ":6: mid: parameter 'by' is \"column\""));
  EXPECT_TRUE(contains(check.err, file + ":6: mid: parameter 'sleep_ms' is -2"));
  EXPECT_TRUE(contains(check.err, file + ":6: mid: family RunnerTest has no parameter 'ofset'; "
                                         "did you mean 'offset'?"));
  EXPECT_FALSE(contains(check.out, "valid"));
}

TEST_F(CommandTest, CheckRunsEveryPluginsConfigure) {
  PluginHost built({fs::path(ALPHAS_PLUGIN_DIR)});
  for (const char* family : {"UserItemBiases", "MatrixFactorization", "ItemCF"}) {
    if (!built.has_family(family)) {
      GTEST_SKIP() << "plugin family " << family << " is not built in " << ALPHAS_PLUGIN_DIR;
    }
  }

  const fs::path recipe = write_recipe(
      "alphas:\n"
      "  UserItemBiases: {family: UserItemBiases, params: {lambda_u: -1, max_iterations: 0}}\n"
      "  MF: {family: MatrixFactorization, inputs: [UserItemBiases], params: {K: -4}}\n"
      "  ItemCF: {family: ItemCF, inputs: [UserItemBiases]}\n"
      "  ItemCF.8: {family: ItemCF, inputs: [UserItemBiases], params: {lambda3: \"x\"}}\n"
      "  MF.2:\n"
      "    family: MatrixFactorization\n"
      "    inputs: [UserItemBiases]\n"
      "    params:\n"
      "      lamda_u: 0.1\n"
      "      levle: 3.0\n");
  const Outcome check = alphas({"check", recipe.string()});
  EXPECT_EQ(check.status, 1);

  // Range and type problems, one per key.
  const std::string file = recipe.string();
  EXPECT_TRUE(contains(check.err, file + ": 7 problems:"));
  EXPECT_TRUE(contains(check.err, file + ":2: UserItemBiases: parameter 'lambda_u' is -1"));
  EXPECT_TRUE(contains(check.err, file + ":2: UserItemBiases: parameter 'max_iterations' is 0"));
  EXPECT_TRUE(contains(check.err, file + ":3: MF: parameter 'K' is -4, but it must be >= 1"));
  EXPECT_TRUE(contains(check.err, file + ":4: ItemCF: the number of neighbors is not set"));
  EXPECT_TRUE(contains(check.err, file + ":5: ItemCF.8: parameter 'lambda3' is \"x\", but it "
                                         "must be a number"));

  // Unread parameters. lambda_u is optional: the plugin only checks with contains whether the recipe sets it.
  EXPECT_TRUE(contains(check.err, file + ":10: MF.2: family MatrixFactorization has no parameter "
                                         "'lamda_u'; did you mean 'lambda_u'?"));
  EXPECT_TRUE(contains(check.err, file + ":11: MF.2: family MatrixFactorization has no parameter "
                                         "'levle'; its parameters are K, lambda_a, lambda_initial, "
                                         "lambda_lower, lambda_u, lambda_upper, max_iterations, "
                                         "patience, search_evaluations, tolerance, "
                                         "tuning_iterations."));
  EXPECT_TRUE(contains(check.err, "plugin matrix_factorization documents its parameter table on "
                                  "its page under docs/alphas/, linked from "
                                  "plugins/matrix_factorization/README.md"));
}

// The keys in the first column of the "## Parameters" table of a docs page;
// a cell may name several keys ("`beta1`, `beta2`").
std::set<std::string> documented_keys(const fs::path& page) {
  std::istringstream lines(read_text(page));
  std::set<std::string> keys;
  bool in_section = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Parameters";
    if (!in_section || line.rfind("| `", 0) != 0) continue;
    const std::string cell = line.substr(1, line.find('|', 1) - 1);
    for (std::size_t open = cell.find('`'); open != std::string::npos;) {
      const std::size_t close = cell.find('`', open + 1);
      if (close == std::string::npos) break;
      keys.insert(cell.substr(open + 1, close - open - 1));
      open = cell.find('`', close + 1);
    }
  }
  return keys;
}

TEST(ParameterDocs, TablesMatchConfigure) {
  const fs::path docs = fs::path(ALPHAS_TEST_DATA_DIR) / ".." / ".." / "docs" / "alphas";
  const std::map<std::string, std::vector<std::string>> pages = {
      {"user_item_biases.md", {"UserItemBiases"}},
      {"matrix_factorization.md", {"MatrixFactorization"}},
      {"item_cf.md", {"ItemCF"}},
      {"gnn.md", {"GNN", "GNN.Resid"}}};
  PluginHost built({fs::path(ALPHAS_PLUGIN_DIR)});
  int checked = 0;
  for (const auto& [page, page_families] : pages) {
    if (!built.has_family(page_families.front())) continue;
    // The keys every family of the page requests when the recipe sets none.
    std::set<std::string> known;
    for (const auto& family : page_families) {
      AlphaSpec spec;
      spec.name = family + ".7";
      spec.family = family;
      AlphaParams params(spec);
      configure_alpha(*built.create(family), params);
      for (const auto& key : params.known()) known.insert(key);
    }
    EXPECT_EQ(documented_keys(docs / page), known) << page;
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no plugin with a docs page is built in " << ALPHAS_PLUGIN_DIR;
}

TEST_F(CommandTest, SmallRecipeRunsEndToEnd) {
  PluginHost built({fs::path(ALPHAS_PLUGIN_DIR)});
  for (const char* family : {"UserItemBiases", "MatrixFactorization", "ItemCF"}) {
    if (!built.has_family(family)) {
      GTEST_SKIP() << "plugin family " << family << " is not built in " << ALPHAS_PLUGIN_DIR;
    }
  }
  const fs::path recipe = fs::path(ALPHAS_TEST_DATA_DIR) / ".." / ".." / "configs" / "test-small.yaml";
  DataDir fresh(temp_ / "small");
  const Outcome first =
      alphas({"--data-dir", fresh.root().string(), "run", "--recipe", recipe.string()});
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_TRUE(contains(first.out, "Ran 5, 0 already up to date."));
  EXPECT_TRUE(contains(first.out, "Ensemble Small: linear blend of 4 alphas"));
  EXPECT_TRUE(fresh.has_dataset());
  EXPECT_TRUE(fs::exists(fresh.reports_dir() / "Small.md"));
  EXPECT_TRUE(fs::exists(fresh.reports_dir() / "Small.svg"));
  const nlohmann::json ensemble = read_json(fresh.alpha_dir("Small") / "ensemble.json");
  EXPECT_EQ(ensemble["alphas"].size(), 4u);
  EXPECT_EQ(ensemble["stacker"]["trained"], true);
  EXPECT_TRUE(ensemble["blend"]["test"]["rmse"].is_number());

  const Outcome second = alphas({"--data-dir", fresh.root().string(), "run"});
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_TRUE(contains(second.out, "Ran 0, 5 already up to date."));
}

// Reads every split of an output's predictions.h5.
std::map<std::string, std::vector<float>> predictions_of(const DataDir& dir, const std::string& name) {
  H5File file(dir.predictions_file(name), H5File::Mode::read);
  std::map<std::string, std::vector<float>> result;
  for (const char* split : {"training", "validation", "test"}) result[split] = file.read_floats(split);
  return result;
}

TEST_F(CommandTest, KilledRunResumesToTheSameOutputs) {
  const fs::path marker = temp_ / "slow-started";
  const fs::path recipe = write_recipe(
      "alphas:\n  fast: {family: RunnerTest}\n"
      "  slow:\n    family: RunnerTest\n    inputs: [fast]\n"
      "    params: {sleep_ms: 1500, marker: \"" + marker.string() + "\", by: item}\n"
      "  last: {family: RunnerTest, inputs: [fast, slow]}\n");

  // The reference: one uninterrupted run in its own data directory.
  DataDir reference(temp_ / "reference");
  testing::install_dataset(reference, small_dataset());
  ASSERT_EQ(alphas({"--data-dir", reference.root().string(), "run", "--recipe", recipe.string()}).status, 0);
  fs::remove(marker);

  // kill -9 while `slow` trains.
  const pid_t child = spawn_alphas({"--data-dir", dir_.root().string(), "run", "--recipe", recipe.string()},
                                   temp_ / "killed.out", temp_ / "killed.err");
  for (int waited = 0; !fs::exists(marker) && waited < 30000; waited += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(fs::exists(marker)) << read_text(temp_ / "killed.err");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(child, SIGKILL);
  EXPECT_EQ(wait_status(child), 128 + SIGKILL);

  EXPECT_TRUE(dir_.has_alpha("fast"));
  EXPECT_FALSE(dir_.has_alpha("slow"));
  EXPECT_FALSE(fs::exists(dir_.alpha_dir("slow")));  // nothing that looks like an output
  EXPECT_FALSE(dir_.has_alpha("last"));

  // The next run resumes: fast is kept, slow and last run.
  const Outcome resumed = alphas({"--data-dir", dir_.root().string(), "run"});
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_TRUE(contains(resumed.err, "fast: up to date, skipped"));
  EXPECT_TRUE(contains(resumed.out, "Ran 2, 1 already up to date."));
  // slow's output log has both attempts: the killed one and the resumed one.
  const std::string slow_log = read_text(dir_.log_file("slow"));
  EXPECT_EQ(count_of(slow_log, "--- run started "), 2u) << slow_log;
  EXPECT_EQ(count_of(read_text(dir_.log_file("fast")), "--- run started "), 1u);
  for (const char* name : {"fast", "slow", "last"}) {
    const auto expected = predictions_of(reference, name);
    const auto actual = predictions_of(dir_, name);
    for (const auto& [split, values] : expected) {
      ASSERT_EQ(actual.at(split).size(), values.size()) << name << " " << split;
      for (std::size_t k = 0; k < values.size(); ++k) {
        ASSERT_EQ(actual.at(split)[k], values[k]) << name << " " << split << " row " << k;
      }
    }
  }
}

}  // namespace
}  // namespace alphas
