// Tests of PluginHost and the `alphas plugins` command against the test
// plugins of tests/plugins, each scenario in its own folder under
// ALPHAS_TEST_PLUGIN_DIR.
#include <dlfcn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "alphas/error.hpp"
#include "alphas/plugin_api.hpp"
#include "alphas/plugin_host.hpp"
#include "plugins/capture_stderr.hpp"
#include "plugins/test_probe.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

namespace fs = std::filesystem;

// `text` contains `fragment`; the failure message shows both.
::testing::AssertionResult contains(const std::string& text, const std::string& fragment) {
  if (text.find(fragment) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << fragment << "' not found in: " << text;
}

::testing::AssertionResult lacks(const std::string& text, const std::string& fragment) {
  if (text.find(fragment) == std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "unexpected '" << fragment << "' in: " << text;
}

fs::path scenario(const std::string& name) { return fs::path(ALPHAS_TEST_PLUGIN_DIR) / name; }

const std::string kAbi = std::to_string(ALPHAS_ABI_VERSION);
const std::string kNextAbi = std::to_string(ALPHAS_ABI_VERSION + 1);
const std::string kMarker = "test plugin: code called after the version check";

// Whether the dynamic loader has `file` mapped in this process now.
bool is_loaded(const fs::path& file) {
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  dlclose(handle);  // drops the reference RTLD_NOLOAD just added
  return true;
}

// Returns the load problem message of the one file in `directories` that
// cannot be loaded. Fails the test when the host skips no file or more than
// one. `stderr_text` receives what the host wrote to stderr.
std::string load_error(const std::vector<fs::path>& directories,
                       std::string* stderr_text = nullptr) {
  testing::StderrCapture capture;
  std::string message;
  {
    PluginHost host(directories);
    if (host.load_problems().size() == 1) {
      message = host.load_problems().front().message;
    } else {
      ADD_FAILURE() << host.load_problems().size() << " files skipped in " << directories.front()
                    << ", expected 1";
    }
  }
  const std::string captured = capture.finish();
  if (stderr_text != nullptr) *stderr_text = captured;
  return message;
}

// Constructs a PluginHost over `directories` and returns the PluginError
// message of the constructor; fails the test if none is thrown.
std::string construction_error(const std::vector<fs::path>& directories) {
  try {
    PluginHost host(directories);
    ADD_FAILURE() << "no PluginError for " << directories.front();
  } catch (const PluginError& error) {
    return error.what();
  }
  return {};
}

// ---------------------------------------------------------------------------
// Loading

TEST(PluginHost, GoodPluginRecord) {
  PluginHost host({scenario("good")});
  ASSERT_EQ(host.plugins().size(), 1u);
  const PluginRecord& record = host.plugins().front();
  EXPECT_EQ(record.name, "test_constant");
  EXPECT_EQ(record.version, "1.2.3");
  EXPECT_EQ(record.abi_version, ALPHAS_ABI_VERSION);
  EXPECT_EQ(record.toolchain, ALPHAS_COMPILER_ID "/" ALPHAS_STDLIB_ID);
  EXPECT_EQ(record.file, scenario("good") / "libtest_constant.so");
  EXPECT_EQ(record.families, std::vector<std::string>{"TestConstant"});
  EXPECT_EQ(record.descriptions, std::vector<std::string>{"predicts 2.5 for every pair"});
  EXPECT_TRUE(host.has_family("TestConstant"));
  EXPECT_FALSE(host.has_family("testconstant"));
  EXPECT_EQ(host.plugin_for("TestConstant").name, "test_constant");
  EXPECT_EQ(host.directories(), std::vector<fs::path>{scenario("good")});
}

TEST(PluginHost, CreateCallsPluginCode) {
  PluginHost host({scenario("good")});
  std::shared_ptr<Alpha> alpha = host.create(testing::kConstantFamily);
  ASSERT_NE(alpha, nullptr);
  auto* probe = dynamic_cast<testing::TestProbe*>(alpha.get());
  ASSERT_NE(probe, nullptr);
  EXPECT_EQ(probe->constant(), 2.5f);
  EXPECT_EQ(probe->describe(), "constant alpha predicting 2.500000");
}

TEST(PluginHost, AlphaOutlivesHost) {
  const fs::path file = scenario("good") / "libtest_constant.so";
  ASSERT_FALSE(is_loaded(file)) << "an earlier test leaked the library";
  std::shared_ptr<Alpha> alpha;
  {
    PluginHost host({scenario("good")});
    alpha = host.create(testing::kConstantFamily);
    EXPECT_TRUE(is_loaded(file));
  }
  // The host is gone, but the alpha keeps the library loaded.
  EXPECT_TRUE(is_loaded(file));
  auto* probe = dynamic_cast<testing::TestProbe*>(alpha.get());
  ASSERT_NE(probe, nullptr);
  EXPECT_EQ(probe->describe(), "constant alpha predicting 2.500000");

  // The last owner runs the destructor (plugin code), then unloads.
  alpha.reset();
  EXPECT_FALSE(is_loaded(file));
}

TEST(PluginHost, AlphaReleasedAfterMainReturns) {
  // The static below is destroyed by the exit handlers, after main returns
  // and long after the host. If its library were gone by then, the
  // destructor call would crash and the test process would fail. A copy of
  // the plugin keeps the other tests' library unaffected.
  static std::shared_ptr<Alpha> released_at_exit;
  testing::TempDir dir;
  fs::copy_file(scenario("good") / "libtest_constant.so", dir / "released_at_exit.so");
  {
    PluginHost host({dir.path()});
    released_at_exit = host.create(testing::kConstantFamily);
  }
  EXPECT_TRUE(is_loaded(dir / "released_at_exit.so"));
  auto* probe = dynamic_cast<testing::TestProbe*>(released_at_exit.get());
  ASSERT_NE(probe, nullptr);
  EXPECT_EQ(probe->constant(), 2.5f);
}

TEST(PluginHost, HostUnloadsWithoutAlphas) {
  const fs::path file = scenario("good") / "libtest_constant.so";
  {
    PluginHost host({scenario("good")});
    EXPECT_TRUE(is_loaded(file));
  }
  EXPECT_FALSE(is_loaded(file));
}

TEST(PluginHost, AbiMismatchStopsBeforePluginCode) {
  const fs::path file = scenario("abi_mismatch") / "libtest_abi_mismatch.so";
  std::string stderr_text;
  const std::string message = load_error({scenario("abi_mismatch")}, &stderr_text);
  EXPECT_EQ(message, "plugin " + file.string() + " was built for alphas ABI " + kNextAbi +
                         "; this alphas needs ABI " + kAbi +
                         ". Rebuild the plugin against this alphas.");
  EXPECT_TRUE(lacks(stderr_text, kMarker));
  EXPECT_FALSE(is_loaded(file));
}

TEST(PluginHost, AbiMismatchWithUnresolvedSymbol) {
  const fs::path file = scenario("abi_mismatch_unresolved") / "libtest_abi_mismatch_unresolved.so";
  std::string stderr_text;
  const std::string message = load_error({scenario("abi_mismatch_unresolved")}, &stderr_text);
  EXPECT_TRUE(contains(message, "plugin " + file.string() + " was built for alphas ABI " +
                                 kNextAbi + "; this alphas needs ABI " + kAbi + "."));
  EXPECT_TRUE(contains(message, "undefined symbol"));
  EXPECT_TRUE(contains(message, "alphas_function_from_another_version"));
  EXPECT_TRUE(lacks(stderr_text, kMarker));
  EXPECT_FALSE(is_loaded(file));
}

TEST(PluginHost, UnresolvedSymbolRejected) {
  const fs::path file = scenario("unresolved") / "libtest_unresolved.so";
  std::string stderr_text;
  const std::string message = load_error({scenario("unresolved")}, &stderr_text);
  EXPECT_TRUE(contains(message, "failed to load plugin " + file.string() + ": "));
  EXPECT_TRUE(contains(message, "undefined symbol"));
  EXPECT_TRUE(contains(message, "alphas_function_from_another_version"));
  EXPECT_TRUE(lacks(message, "ABI"));
  EXPECT_TRUE(lacks(stderr_text, kMarker));
}

TEST(PluginHost, MissingVersionSymbol) {
  const fs::path file = scenario("no_version") / "libtest_no_version.so";
  std::string stderr_text;
  const std::string message = load_error({scenario("no_version")}, &stderr_text);
  EXPECT_EQ(message, file.string() +
                         " is not an alphas plugin (symbol alphas_plugin_abi_version not found)");
  EXPECT_TRUE(lacks(stderr_text, kMarker));
  EXPECT_FALSE(is_loaded(file));
}

TEST(PluginHost, PlainSharedLibrary) {
  const fs::path file = scenario("not_plugin") / "libtest_plain.so";
  EXPECT_EQ(load_error({scenario("not_plugin")}),
            file.string() + " is not an alphas plugin (symbol alphas_plugin_abi_version not found)");
}

TEST(PluginHost, TextFileNamedSo) {
  const fs::path file = scenario("not_library") / "x.so";
  const std::string message = load_error({scenario("not_library")});
  const std::string prefix = "failed to load plugin " + file.string() + ": ";
  ASSERT_TRUE(contains(message, prefix));
  // The loader's own reason follows the prefix, before the advice.
  const std::string reason = message.substr(prefix.size(), message.find(". Check") - prefix.size());
  EXPECT_FALSE(reason.empty()) << message;
  EXPECT_TRUE(contains(message, "Check that it is a shared library"));
}

TEST(PluginHost, ToolchainMismatch) {
  const fs::path file = scenario("toolchain") / "libtest_toolchain.so";
  const std::string message = load_error({scenario("toolchain")});
  EXPECT_TRUE(contains(message, "plugin 'test_broken' (" + file.string() + ")"));
  EXPECT_TRUE(contains(message, "was built with othercc-1/otherlib"));
  EXPECT_TRUE(contains(message, "this alphas was built with " ALPHAS_COMPILER_ID
                                 "/" ALPHAS_STDLIB_ID));
  EXPECT_TRUE(contains(message, "rebuild the plugin"));
}

TEST(PluginHost, DuplicateFamilyNamesBothFiles) {
  const std::string message = construction_error({scenario("duplicate")});
  const fs::path first = scenario("duplicate") / "libtest_duplicate_a.so";
  const fs::path second = scenario("duplicate") / "libtest_duplicate_b.so";
  EXPECT_EQ(message, "alpha family 'TestDuplicate' is provided by two plugins: " + first.string() +
                         " and " + second.string() +
                         ". Remove one of them from the plugin directories.");
}

TEST(PluginHost, BadFileSkippedOthersLoad) {
  // Directories are read in the order given: the good plugin loads before
  // and after the file that is not a plugin.
  const fs::path bad = scenario("no_version") / "libtest_no_version.so";
  testing::StderrCapture capture;
  PluginHost host({scenario("good"), scenario("no_version"), scenario("null_create")});
  const std::string stderr_text = capture.finish();

  ASSERT_EQ(host.plugins().size(), 2u);
  EXPECT_EQ(host.plugins()[0].name, "test_constant");
  EXPECT_EQ(host.plugins()[1].name, "test_null_create");
  ASSERT_EQ(host.load_problems().size(), 1u);
  EXPECT_EQ(host.load_problems()[0].file, bad);
  EXPECT_EQ(host.load_problems()[0].message,
            bad.string() + " is not an alphas plugin (symbol alphas_plugin_abi_version not found)");
  EXPECT_TRUE(contains(stderr_text, "skipping plugin file " + bad.string() + ": " + bad.string() +
                                        " is not an alphas plugin"));
  EXPECT_TRUE(host.has_family("TestConstant"));
  EXPECT_TRUE(host.has_family("TestNull"));
}

TEST(PluginHost, EveryBadFileRecorded) {
  const fs::path no_version = scenario("no_version") / "libtest_no_version.so";
  const fs::path plain = scenario("not_plugin") / "libtest_plain.so";
  const fs::path text = scenario("not_library") / "x.so";
  testing::StderrCapture capture;
  PluginHost host({scenario("no_version"), scenario("not_plugin"), scenario("not_library"),
                   scenario("good")});
  const std::string stderr_text = capture.finish();

  ASSERT_EQ(host.plugins().size(), 1u);
  EXPECT_EQ(host.plugins()[0].name, "test_constant");
  ASSERT_EQ(host.load_problems().size(), 3u);
  EXPECT_EQ(host.load_problems()[0].file, no_version);
  EXPECT_EQ(host.load_problems()[1].file, plain);
  EXPECT_EQ(host.load_problems()[2].file, text);
  EXPECT_TRUE(contains(host.load_problems()[2].message, "failed to load plugin " + text.string()));
  // One warning per skipped file.
  for (const auto& file : {no_version, plain, text}) {
    EXPECT_TRUE(contains(stderr_text, "skipping plugin file " + file.string() + ": "));
  }
}

TEST(PluginHost, SilentLogRecordsOnly) {
  testing::StderrCapture capture;
  PluginHost host({scenario("no_version")}, LoadProblemLog::kSilent);
  const std::string stderr_text = capture.finish();
  EXPECT_EQ(host.load_problems().size(), 1u);
  EXPECT_TRUE(lacks(stderr_text, "skipping plugin file"));
}

TEST(PluginHost, DuplicateAfterSkippedFile) {
  // A skipped file does not turn a duplicate family into a warning.
  const std::string message = construction_error({scenario("no_version"), scenario("duplicate")});
  EXPECT_TRUE(contains(message, "alpha family 'TestDuplicate' is provided by two plugins"));
}

// ---------------------------------------------------------------------------
// Discovery

TEST(PluginHost, MissingDirectoriesSkipped) {
  const fs::path missing = scenario("no_such_folder");
  PluginHost host({missing, scenario("good")});
  ASSERT_EQ(host.plugins().size(), 1u);
  EXPECT_EQ(host.plugins().front().name, "test_constant");
  EXPECT_EQ(host.directories(), (std::vector<fs::path>{missing, scenario("good")}));
}

TEST(PluginHost, SameDirectoryTwiceLoadsOnce) {
  // A second spelling of the same folder must not look like a duplicate.
  PluginHost host({scenario("good"), scenario("good") / ".." / "good"});
  EXPECT_EQ(host.plugins().size(), 1u);
}

TEST(PluginHost, FilesLoadInSortedOrder) {
  testing::TempDir dir;
  // Copies named so that directory order and sorted order likely differ.
  fs::copy_file(scenario("null_create") / "libtest_null_create.so", dir / "b_null.so");
  fs::copy_file(scenario("good") / "libtest_constant.so", dir / "a_constant.so");
  testing::write_file(dir / "notes.txt", "not a plugin, and not named *.so\n");
  PluginHost host({dir.path()});
  ASSERT_EQ(host.plugins().size(), 2u);
  EXPECT_EQ(host.plugins()[0].file, dir / "a_constant.so");
  EXPECT_EQ(host.plugins()[1].file, dir / "b_null.so");
}

TEST(PluginHost, BrokenSymlinkSkipped) {
  testing::TempDir dir;
  fs::create_symlink(dir / "missing_target.so", dir / "dangling.so");
  fs::copy_file(scenario("good") / "libtest_constant.so", dir / "constant.so");
  testing::StderrCapture capture;
  PluginHost host({dir.path()});
  const std::string stderr_text = capture.finish();
  ASSERT_EQ(host.plugins().size(), 1u);
  EXPECT_EQ(host.plugins().front().file, dir / "constant.so");
  EXPECT_TRUE(contains(stderr_text, "skipping " + (dir / "dangling.so").string()));
}

TEST(PluginHost, DirectoriesLoadInGivenOrder) {
  PluginHost host({scenario("null_create"), scenario("good")});
  ASSERT_EQ(host.plugins().size(), 2u);
  EXPECT_EQ(host.plugins()[0].name, "test_null_create");
  EXPECT_EQ(host.plugins()[1].name, "test_constant");
}

TEST(PluginHost, DefaultDirectoriesReadEnvironment) {
  const char* previous = std::getenv("ALPHAS_PLUGIN_PATH");
  const std::string saved = previous ? previous : "";
  setenv("ALPHAS_PLUGIN_PATH", "/opt/first::relative/second:", 1);
  const std::vector<fs::path> directories = PluginHost::default_directories();
  if (previous) {
    setenv("ALPHAS_PLUGIN_PATH", saved.c_str(), 1);
  } else {
    unsetenv("ALPHAS_PLUGIN_PATH");
  }

  // The test binary is <build>/bin/alphas_tests, next to the app.
  const fs::path bin = fs::path(ALPHAS_BINARY).parent_path();
  ASSERT_EQ(directories.size(), 4u);
  EXPECT_EQ(fs::weakly_canonical(directories[0]), fs::weakly_canonical(bin / ".." / "plugins"));
  EXPECT_EQ(directories[1].filename(), "plugins");
  EXPECT_EQ(directories[2], fs::path("/opt/first"));
  EXPECT_EQ(directories[3], (fs::current_path() / "relative/second").lexically_normal());
}

// ---------------------------------------------------------------------------
// create() and unknown families

TEST(PluginHost, FactoryReturningNull) {
  PluginHost host({scenario("null_create")});
  const std::string file = (scenario("null_create") / "libtest_null_create.so").string();
  try {
    host.create("TestNull");
    FAIL() << "no PluginError";
  } catch (const PluginError& error) {
    EXPECT_TRUE(contains(error.what(), "plugin 'test_null_create' (" + file +
                                        ") failed to create an alpha of family 'TestNull'"));
  }
}

TEST(PluginHost, FactoryExceptionRewrapped) {
  PluginHost host({scenario("throwing")});
  const std::string file = (scenario("throwing") / "libtest_throwing.so").string();
  try {
    host.create("TestThrowing");
    FAIL() << "no PluginError";
  } catch (const PluginError& error) {
    EXPECT_EQ(std::string(error.what()),
              "plugin 'test_throwing' (" + file +
                  ") failed to create an alpha of family 'TestThrowing': the test factory "
                  "refuses to build this family");
  }
  try {
    host.create("TestThrowingInt");
    FAIL() << "no PluginError";
  } catch (const PluginError& error) {
    EXPECT_TRUE(contains(error.what(), "family 'TestThrowingInt'"));
    EXPECT_TRUE(contains(error.what(), "not a std::exception"));
  }
}

TEST(PluginHost, UnknownFamilySuggestsNearest) {
  PluginHost host({scenario("null_create"), scenario("good"), scenario("throwing"),
                   scenario("no_such_folder")});
  for (const std::string family : {"TestConstnat", "testconstant"}) {
    try {
      host.plugin_for(family);
      FAIL() << "no PluginError for " << family;
    } catch (const PluginError& error) {
      const std::string message = error.what();
      EXPECT_TRUE(contains(message, "no plugin provides alpha family '" + family + "'"));
      EXPECT_TRUE(contains(message, "did you mean 'TestConstant'?"));
      EXPECT_TRUE(contains(message, "Families available: TestConstant, TestNull, TestThrowing, "
                                     "TestThrowingInt."));
      EXPECT_TRUE(contains(message, scenario("good").string()));
      EXPECT_TRUE(contains(message, scenario("no_such_folder").string() + " (missing)"));
      EXPECT_TRUE(contains(message, "ALPHAS_PLUGIN_PATH"));
    }
  }
}

TEST(PluginHost, UnknownFamilyWithoutNearMatch) {
  PluginHost host({scenario("good")});
  try {
    host.create("GNN");
    FAIL() << "no PluginError";
  } catch (const PluginError& error) {
    EXPECT_TRUE(contains(error.what(), "no plugin provides alpha family 'GNN'. Families"));
    EXPECT_TRUE(lacks(error.what(), "did you mean"));
  }
}

TEST(PluginHost, UnknownFamilyNamesSkippedFiles) {
  const fs::path bad = scenario("no_version") / "libtest_no_version.so";
  testing::StderrCapture capture;
  PluginHost host({scenario("good"), scenario("no_version")});
  capture.finish();
  try {
    host.create("TestVersionless");
    FAIL() << "no PluginError";
  } catch (const PluginError& error) {
    const std::string message = error.what();
    EXPECT_TRUE(contains(message, "no plugin provides alpha family 'TestVersionless'"));
    EXPECT_TRUE(contains(message, "Families available: TestConstant."));
    EXPECT_TRUE(contains(message, "\nplugin " + bad.string() + " could not be loaded: " +
                                      bad.string() + " is not an alphas plugin"));
  }
  ASSERT_EQ(host.load_problem_notes().size(), 1u);
  EXPECT_EQ(host.load_problem_notes()[0],
            "plugin " + bad.string() + " could not be loaded: " + bad.string() +
                " is not an alphas plugin (symbol alphas_plugin_abi_version not found)");
}

TEST(PluginHost, UnknownFamilyWithNoPlugins) {
  PluginHost host({scenario("no_such_folder")});
  EXPECT_TRUE(host.plugins().empty());
  try {
    host.create("TestConstant");
    FAIL() << "no PluginError";
  } catch (const PluginError& error) {
    EXPECT_TRUE(contains(error.what(), "No plugins were found."));
  }
}

// ---------------------------------------------------------------------------
// `alphas plugins`, run as a child process

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `alphas <arguments>` with ALPHAS_PLUGIN_PATH set to `plugin_path`.
CommandResult run_alphas(const fs::path& plugin_path, const std::string& arguments) {
  testing::TempDir dir;
  const std::string command = "ALPHAS_PLUGIN_PATH='" + plugin_path.string() + "' '" +
                              ALPHAS_BINARY + "' " + arguments + " >'" + (dir / "out").string() +
                              "' 2>'" + (dir / "err").string() + "'";
  const int status = std::system(command.c_str());
  CommandResult result;
  // A crash (signal) leaves exit_code at -1, which no test accepts.
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  auto slurp = [](const fs::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  result.out = slurp(dir / "out");
  result.err = slurp(dir / "err");
  return result;
}

// The lines `alphas plugins` prints for one file it could not load.
std::string problem_lines(const fs::path& file, const std::string& message) {
  return "  " + file.string() + "\n    " + message + "\n";
}

TEST(PluginsCommand, NewerAbiStub) {
  const fs::path file = scenario("case19/newer_abi") / "libstub_newer_abi.so";
  const CommandResult result = run_alphas(scenario("case19/newer_abi"), "plugins");
  EXPECT_EQ(result.exit_code, 1);
  const std::string message = "plugin " + file.string() + " was built for alphas ABI " +
                              kNextAbi + "; this alphas needs ABI " + kAbi +
                              ". Rebuild the plugin against this alphas.";
  EXPECT_TRUE(contains(result.out,
                       "1 plugin file could not be loaded:\n" + problem_lines(file, message)));
  EXPECT_TRUE(lacks(result.err, "stub:"));
}

TEST(PluginsCommand, NoVersionStub) {
  const fs::path file = scenario("case19/no_version") / "libstub_no_version.so";
  const CommandResult result = run_alphas(scenario("case19/no_version"), "plugins");
  EXPECT_EQ(result.exit_code, 1);
  const std::string message =
      file.string() + " is not an alphas plugin (symbol alphas_plugin_abi_version not found)";
  EXPECT_TRUE(contains(result.out, problem_lines(file, message)));
  EXPECT_EQ(result.err, "");
}

TEST(PluginsCommand, ListsGoodThenEveryProblem) {
  const fs::path no_version = scenario("no_version") / "libtest_no_version.so";
  const fs::path plain = scenario("not_plugin") / "libtest_plain.so";
  const CommandResult result =
      run_alphas(scenario("no_version").string() + ":" + scenario("good").string() + ":" +
                     scenario("not_plugin").string(),
                 "plugins");
  EXPECT_EQ(result.exit_code, 1);
  const auto good_at = result.out.find("test_constant");
  const auto heading_at = result.out.find("2 plugin files could not be loaded:\n");
  const std::string no_version_message =
      no_version.string() + " is not an alphas plugin (symbol alphas_plugin_abi_version not found)";
  const auto no_version_at = result.out.find(problem_lines(no_version, no_version_message));
  const auto plain_at = result.out.find("  " + plain.string() + "\n");
  ASSERT_NE(good_at, std::string::npos) << result.out;
  ASSERT_NE(heading_at, std::string::npos) << result.out;
  ASSERT_NE(no_version_at, std::string::npos) << result.out;
  ASSERT_NE(plain_at, std::string::npos) << result.out;
  EXPECT_LT(good_at, heading_at);
  EXPECT_LT(heading_at, no_version_at);
  EXPECT_LT(no_version_at, plain_at);
  EXPECT_TRUE(lacks(result.err, "skipping plugin file"));
}

TEST(PluginsCommand, JsonWithProblemOnStderr) {
  const fs::path bad = scenario("no_version") / "libtest_no_version.so";
  const CommandResult result = run_alphas(
      scenario("good").string() + ":" + scenario("no_version").string(), "plugins --format json");
  EXPECT_EQ(result.exit_code, 1);
  const nlohmann::json plugins = nlohmann::json::parse(result.out);
  bool listed = false;
  for (const auto& plugin : plugins) listed = listed || plugin.at("name") == "test_constant";
  EXPECT_TRUE(listed) << result.out;
  EXPECT_TRUE(contains(result.err, "1 plugin file could not be loaded:\n  " + bad.string()));
}

TEST(CheckCommand, MissingFamilyNamesSkippedFile) {
  // The only provider of TestConstant is a file that is not a plugin.
  testing::TempDir dir;
  fs::create_directory(dir / "plugins");
  const fs::path bad = dir / "plugins" / "libtest_constant.so";
  fs::copy_file(scenario("no_version") / "libtest_no_version.so", bad);
  testing::write_file(dir / "recipe.yaml", "alphas:\n  a: {family: TestConstant}\n");
  const CommandResult result =
      run_alphas(dir / "plugins", "check '" + (dir / "recipe.yaml").string() + "'");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(
      contains(result.err, "alpha 'a' has family 'TestConstant', which no plugin provides"));
  EXPECT_TRUE(contains(result.err, "; plugin " + bad.string() + " could not be loaded: " +
                                       bad.string() + " is not an alphas plugin"));
  // The warning comes once, before the error.
  const std::string warning = "skipping plugin file " + bad.string();
  const auto warning_at = result.err.find(warning);
  ASSERT_NE(warning_at, std::string::npos) << result.err;
  EXPECT_EQ(result.err.find(warning, warning_at + 1), std::string::npos) << result.err;
}

TEST(PluginsCommand, NullModelStub) {
  const fs::path file = scenario("case19/null_model") / "libstub_null_model.so";
  const CommandResult listed = run_alphas(scenario("case19/null_model"), "plugins");
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(contains(listed.out, "stub_mf"));
  EXPECT_TRUE(contains(listed.out, "StubMF"));
  EXPECT_TRUE(contains(listed.out, file.string()));
  EXPECT_TRUE(lacks(listed.err, "alphas_plugin_create called"));

  // --check runs every factory: this one returns nullptr.
  const CommandResult checked = run_alphas(scenario("case19/null_model"), "plugins --check");
  EXPECT_EQ(checked.exit_code, 1);
  EXPECT_TRUE(contains(checked.err, "stub: alphas_plugin_create called (abi " + kAbi + ")"));
  EXPECT_TRUE(contains(checked.err, "alphas: error: plugin 'stub_mf' (" + file.string() +
                                     ") failed to create an alpha of family 'StubMF'"));
}

TEST(PluginsCommand, JsonListsGoodPlugin) {
  const CommandResult listed = run_alphas(scenario("good"), "plugins --format json");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const nlohmann::json plugins = nlohmann::json::parse(listed.out);
  ASSERT_TRUE(plugins.is_array());
  const nlohmann::json* found = nullptr;
  for (const auto& plugin : plugins) {
    if (plugin.at("name") == "test_constant") found = &plugin;
  }
  ASSERT_NE(found, nullptr) << listed.out;
  EXPECT_EQ(found->at("version"), "1.2.3");
  EXPECT_EQ(found->at("abi_version"), ALPHAS_ABI_VERSION);
  EXPECT_EQ(found->at("file"), (scenario("good") / "libtest_constant.so").string());
  ASSERT_EQ(found->at("families").size(), 1u);
  EXPECT_EQ(found->at("families")[0].at("name"), "TestConstant");
  EXPECT_EQ(found->at("families")[0].at("description"), "predicts 2.5 for every pair");
}

TEST(PluginsCommand, TableWithCheck) {
  const std::string file = (scenario("good") / "libtest_constant.so").string();
  const CommandResult result = run_alphas(scenario("good"), "plugins --check");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, scenario("good").string() + "\n"));
  EXPECT_TRUE(contains(result.out, "NAME"));
  EXPECT_TRUE(contains(result.out, "test_constant"));
  EXPECT_TRUE(contains(result.out, "1.2.3"));
  EXPECT_TRUE(contains(result.out, file));
  EXPECT_TRUE(contains(result.out, "TestConstant"));
  EXPECT_TRUE(contains(result.out, "predicts 2.5 for every pair"));
  EXPECT_TRUE(contains(result.out, "every factory created an alpha"));
}

TEST(PluginsCommand, CheckReportsThrowingFactory) {
  const CommandResult result = run_alphas(scenario("throwing"), "plugins --check");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.err, "alphas: error: plugin 'test_throwing'"));
  EXPECT_TRUE(contains(result.err, "the test factory refuses to build this family"));
}

TEST(PluginsCommand, InvalidFormat) {
  const CommandResult result = run_alphas(scenario("good"), "plugins --format xml");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "alphas: error: invalid --format 'xml'; use 'table' or 'json'\n");
}

TEST(PluginsCommand, Help) {
  const CommandResult result = run_alphas(scenario("good"), "plugins --help");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_TRUE(contains(result.out, "Usage: alphas plugins"));
  EXPECT_TRUE(contains(result.out, "--format"));
  EXPECT_TRUE(contains(result.out, "ALPHAS_PLUGIN_PATH"));
}

}  // namespace
}  // namespace alphas
