// Tests of the import: delimited-text parsing, header and column rules,
// row validation, duplicates, ids, titles, YAML settings, dataset.h5 and
// manifest output, and the `alphas import` command.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "alphas/atomic_file.hpp"
#include "alphas/data_dir.hpp"
#include "alphas/dataset.hpp"
#include "alphas/delimited.hpp"
#include "alphas/error.hpp"
#include "alphas/import.hpp"
#include "alphas/import_yaml.hpp"
#include "alphas/lock.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::write_file;

fs::path case_file(const std::string& case_name, const std::string& file) {
  return fs::path(ALPHAS_TEST_DATA_DIR) / "cases" / case_name / file;
}

ImportOptions options_for(const fs::path& ratings, double min = 1.0, double max = 5.0) {
  ImportOptions options;
  options.ratings.file = ratings;
  options.scale = {min, max};
  options.seed = 7;
  return options;
}

// Runs the import, which must fail with InputError; returns its message.
std::string import_error(const ImportOptions& options) {
  try {
    import_dataset(options);
  } catch (const InputError& error) {
    return error.what();
  }
  ADD_FAILURE() << "the import of " << options.ratings.file << " did not fail";
  return {};
}

using RawPair = std::pair<std::string, std::string>;

// Every explicit rating of the three splits by raw (user, item); a pair
// found twice is a test failure.
std::map<RawPair, float> all_ratings(const Dataset& dataset) {
  std::map<RawPair, float> ratings;
  for (Split split : kExplicitSplits) {
    const Ratings& rows = dataset.split(split);
    for (std::size_t k = 0; k < rows.size(); ++k) {
      RawPair pair{dataset.user_ids.at(rows.user[k]), dataset.item_ids.at(rows.item[k])};
      EXPECT_EQ(ratings.count(pair), 0u) << pair.first << "," << pair.second << " is in two rows";
      ratings[pair] = rows.rating[k];
    }
  }
  return ratings;
}

// The whole implicit list: implicit_training plus the held-out pairs,
// which the import puts on the list because every rated item was watched.
std::multiset<RawPair> implicit_pairs(const Dataset& dataset) {
  std::multiset<RawPair> pairs;
  for (Split split : {Split::implicit_training, Split::validation, Split::test}) {
    const Ratings& rows = dataset.split(split);
    for (std::size_t k = 0; k < rows.size(); ++k) {
      pairs.insert({dataset.user_ids.at(rows.user[k]), dataset.item_ids.at(rows.item[k])});
    }
  }
  return pairs;
}

// Mean of all explicit ratings (training, validation and test).
double mean_rating(const Dataset& dataset) {
  double sum = 0.0;
  std::size_t n = 0;
  for (Split split : kExplicitSplits) {
    for (float r : dataset.split(split).rating) {
      sum += r;
      ++n;
    }
  }
  return n == 0 ? std::nan("") : sum / static_cast<double>(n);
}

bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

int count_lines_with(const std::string& text, const std::string& fragment) {
  std::istringstream stream(text);
  std::string line;
  int count = 0;
  while (std::getline(stream, line)) count += contains(line, fragment) ? 1 : 0;
  return count;
}

void expect_same_ratings(const Ratings& a, const Ratings& b, const char* what) {
  EXPECT_EQ(a.user, b.user) << what;
  EXPECT_EQ(a.item, b.item) << what;
  EXPECT_EQ(a.rating, b.rating) << what;
}

void expect_same_dataset(const Dataset& a, const Dataset& b) {
  EXPECT_EQ(a.n_users, b.n_users);
  EXPECT_EQ(a.n_items, b.n_items);
  EXPECT_EQ(a.user_ids, b.user_ids);
  EXPECT_EQ(a.item_ids, b.item_ids);
  EXPECT_EQ(a.item_titles, b.item_titles);
  expect_same_ratings(a.training, b.training, "training");
  expect_same_ratings(a.validation, b.validation, "validation");
  expect_same_ratings(a.test, b.test, "test");
  expect_same_ratings(a.implicit_training, b.implicit_training, "implicit_training");
}

// ---------------------------------------------------------------- parsing

TEST(ParseNumber, AcceptsWholeDecimalNumbers) {
  const std::vector<std::pair<std::string, double>> cases = {
      {"4", 4.0}, {"4.5", 4.5}, {"+3", 3.0}, {"-2e1", -20.0}, {"0.25", 0.25}, {"1E2", 100.0}};
  for (const auto& [text, expected] : cases) {
    double value = -1.0;
    EXPECT_EQ(parse_number(text, value), NumberStatus::ok) << text;
    EXPECT_EQ(value, expected) << text;
  }
}

TEST(ParseNumber, RejectsPartialAndNonFiniteText) {
  const std::vector<std::pair<std::string, NumberStatus>> cases = {
      {"", NumberStatus::empty},
      {"4,5", NumberStatus::not_a_number},
      {"three", NumberStatus::not_a_number},
      {"4 ", NumberStatus::not_a_number},
      {"rating", NumberStatus::not_a_number},
      {"0x10", NumberStatus::not_a_number},
      {"++1", NumberStatus::not_a_number},
      {"+-1", NumberStatus::not_a_number},
      {"1e", NumberStatus::not_a_number},
      {"infinit", NumberStatus::not_a_number},
      {"nan", NumberStatus::not_finite},
      {"NaN", NumberStatus::not_finite},
      {"inf", NumberStatus::not_finite},
      {"-inf", NumberStatus::not_finite},
      {"+Infinity", NumberStatus::not_finite},
      {"nan(1)", NumberStatus::not_finite},
      {"1e400", NumberStatus::out_of_range},
      {"-1e400", NumberStatus::out_of_range},
  };
  for (const auto& [text, expected] : cases) {
    double value = 123.0;
    EXPECT_EQ(parse_number(text, value), expected) << "'" << text << "'";
    EXPECT_EQ(value, 123.0) << "value changed for '" << text << "'";
  }
}

TEST(ParseInteger, WholeFieldOnly) {
  int64_t value = 0;
  EXPECT_TRUE(parse_integer("-42", value));
  EXPECT_EQ(value, -42);
  EXPECT_FALSE(parse_integer("4.0", value));
  EXPECT_FALSE(parse_integer("u1", value));
  EXPECT_FALSE(parse_integer("", value));
  EXPECT_FALSE(parse_integer("99999999999999999999", value));
}

TEST(SplitFields, PlainQuotedAndEmptyFields) {
  std::vector<std::string> fields;
  ASSERT_TRUE(split_fields("a, b ,c", ',', fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"a", "b", "c"}));

  ASSERT_TRUE(split_fields("i1,\"Title, with comma\",x", ',', fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"i1", "Title, with comma", "x"}));

  ASSERT_TRUE(split_fields("i2;\"Say \"\"hi\"\"\"", ';', fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"i2", "Say \"hi\""}));

  ASSERT_TRUE(split_fields("u1,i1,", ',', fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"u1", "i1", ""}));

  ASSERT_TRUE(split_fields("single", ',', fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"single"}));
}

TEST(SplitFields, TabHasNoQuoting) {
  std::vector<std::string> fields;
  ASSERT_TRUE(split_fields("7\t\"Bungaku\" Movie\t9", '\t', fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"7", "\"Bungaku\" Movie", "9"}));
}

TEST(SplitFields, UnclosedQuoteFails) {
  std::vector<std::string> fields;
  EXPECT_FALSE(split_fields("i1,\"open title,3", ',', fields));
}

TEST(ShortenForMessage, EscapesControlCharactersButTab) {
  using namespace std::string_literals;
  EXPECT_EQ(shorten_for_message("a\0b\x1f\x7f\tc"s), "a\\x00b\\x1F\\x7F\tc");
  EXPECT_EQ(shorten_for_message("abcdef", 3), "abc...");
  EXPECT_EQ(shorten_for_message("\x01\x02\x03\x04", 2), "\\x01\\x02...");
}

TEST(ShortenForMessage, EscapesInvalidUtf8AndByteOrderMark) {
  EXPECT_EQ(shorten_for_message("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(shorten_for_message("a\xFF" "b"), "a\\xFFb");
  EXPECT_EQ(shorten_for_message("u\xC3,i1"), "u\\xC3,i1");
  EXPECT_EQ(shorten_for_message("\xEF\xBB\xBFid"), "\\xEF\\xBB\\xBFid");
  EXPECT_EQ(shorten_for_message("\xFF\xFEu"), "\\xFF\\xFEu");
  // A cut inside the two bytes of the last character drops the character.
  EXPECT_EQ(shorten_for_message("ab\xC3\xA9", 3), "ab...");
}

TEST(FindInvalidUtf8, TableOfSequences) {
  const std::size_t none = std::string_view::npos;
  const std::vector<std::pair<std::string, std::size_t>> cases = {
      {"abc", none},
      {"caf\xC3\xA9", none},           // U+00E9
      {"\xF0\x9F\x98\x80", none},       // U+1F600
      {"\xF4\x8F\xBF\xBF", none},       // U+10FFFF, the largest code point
      {"\xEF\xBB\xBF", none},           // U+FEFF is valid UTF-8
      {"a\xC3", 1},                     // cut two-byte sequence
      {"\xE2\x82", 0},                  // cut three-byte sequence
      {"\xC0\xAF", 0},                  // overlong '/'
      {"\xE0\x80\xAF", 0},              // overlong '/'
      {"ab\xED\xA0\x80", 2},            // surrogate U+D800
      {"\xF4\x90\x80\x80", 0},          // U+110000
      {"\xF5\x80\x80\x80", 0},          // lead byte F5
      {"x\x80", 1},                     // continuation byte without a lead
      {"ok\xFF", 2},
  };
  for (const auto& [text, offset] : cases) {
    EXPECT_EQ(find_invalid_utf8(text), offset) << shorten_for_message(text);
  }
}

TEST(DetectDelimiter, MostFrequentOutsideQuotes) {
  EXPECT_EQ(detect_delimiter("User_ID\tAnime_ID\tFeedback"), '\t');
  EXPECT_EQ(detect_delimiter("user,item,rating"), ',');
  EXPECT_EQ(detect_delimiter("user;item;rating"), ';');
  EXPECT_EQ(detect_delimiter("u1;i1;4,5"), ';');
  EXPECT_EQ(detect_delimiter("\"a;b;c\",x"), ',');
  EXPECT_EQ(detect_delimiter("nodelimiter"), '\0');
}

TEST(TextLines, SkipsByteOrderMarkAndCarriageReturns) {
  TextLines lines("\xEF\xBB\xBF" "a,b\r\nc,d\r\n\r\nlast");
  std::vector<std::pair<int64_t, std::string>> seen;
  std::string_view line;
  int64_t number = 0;
  while (lines.next(line, number)) seen.emplace_back(number, std::string(line));
  const std::vector<std::pair<int64_t, std::string>> expected = {
      {1, "a,b"}, {2, "c,d"}, {3, ""}, {4, "last"}};
  EXPECT_EQ(seen, expected);
}

// ---------------------------------------------------------------- case 03

TEST(ImportDuplicates, DefaultKeepsLastRowAndWarns) {
  ImportOptions options = options_for(case_file("03-duplicate-pairs", "ratings.csv"));
  options.implicit = TableSource{case_file("03-duplicate-pairs", "implicit.csv")};
  ASSERT_EQ(options.duplicates, DuplicatePolicy::last);

  const ImportResult result = import_dataset(options);
  const Dataset& dataset = result.dataset;
  const std::map<RawPair, float> ratings = all_ratings(dataset);
  EXPECT_EQ(ratings.size(), 6u);
  EXPECT_EQ(ratings.at({"u1", "i2"}), 5.0f);
  EXPECT_NEAR(mean_rating(dataset), 22.0 / 6.0, 1e-6);
  EXPECT_EQ(result.counts.ratings, 6);
  EXPECT_EQ(result.counts.duplicate_pairs, 1);
  EXPECT_EQ(result.counts.duplicate_rows, 1);

  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_TRUE(contains(result.warnings[0],
                       "ratings.csv: 1 duplicate (user, item) pair; kept the last row: (u1, i2) "
                       "at lines 3 and 7 (values 2 and 5)"))
      << result.warnings[0];
}

TEST(ImportDuplicates, RepeatedImplicitRowCountsOnce) {
  ImportOptions options = options_for(case_file("03-duplicate-pairs", "ratings.csv"));
  options.implicit = TableSource{case_file("03-duplicate-pairs", "implicit.csv")};
  const ImportResult result = import_dataset(options);

  const std::multiset<RawPair> pairs = implicit_pairs(result.dataset);
  EXPECT_EQ(pairs.count({"u4", "i1"}), 1u);
  EXPECT_EQ(pairs.count({"u4", "i3"}), 1u);
  EXPECT_EQ(pairs.count({"u5", "i2"}), 1u);
  // The 6 rated pairs are on the list too, each once.
  EXPECT_EQ(pairs.count({"u1", "i2"}), 1u);
  EXPECT_EQ(pairs.size(), 9u);
  EXPECT_EQ(result.counts.implicit, 9);
  EXPECT_EQ(result.counts.implicit_rows, 4);
  for (float value : result.dataset.implicit_training.rating) EXPECT_EQ(value, 1.0f);

  // Users and items are numbered in order of first appearance over the
  // ratings file, then the implicit file (header lines excluded).
  EXPECT_EQ(result.dataset.user_ids, (std::vector<std::string>{"u1", "u2", "u3", "u4", "u5"}));
  EXPECT_EQ(result.dataset.item_ids, (std::vector<std::string>{"i1", "i2", "i3"}));
  EXPECT_EQ(result.counts.rated_users, 3);
  EXPECT_EQ(result.counts.users, 5);
}

TEST(ImportDuplicates, FirstAndMeanPolicies) {
  ImportOptions options = options_for(case_file("03-duplicate-pairs", "ratings.csv"));
  options.duplicates = DuplicatePolicy::first;
  std::map<RawPair, float> ratings = all_ratings(import_dataset(options).dataset);
  EXPECT_EQ(ratings.at({"u1", "i2"}), 2.0f);
  EXPECT_EQ(ratings.size(), 6u);

  options.duplicates = DuplicatePolicy::mean;
  const ImportResult mean = import_dataset(options);
  ratings = all_ratings(mean.dataset);
  EXPECT_EQ(ratings.at({"u1", "i2"}), 3.5f);
  ASSERT_EQ(mean.warnings.size(), 1u);
  EXPECT_TRUE(contains(mean.warnings[0], "kept the mean of the rows")) << mean.warnings[0];
}

TEST(ImportDuplicates, ErrorPolicyNamesPairLinesAndSetting) {
  ImportOptions options = options_for(case_file("03-duplicate-pairs", "ratings.csv"));
  options.duplicates = DuplicatePolicy::error;
  const std::string message = import_error(options);
  EXPECT_TRUE(contains(message, "(u1, i2) at lines 3 and 7 (values 2 and 5)")) << message;
  EXPECT_TRUE(contains(message, "ratings.csv")) << message;
  EXPECT_TRUE(contains(message, "duplicates")) << message;
  EXPECT_TRUE(contains(message, "first, last or mean")) << message;
}

TEST(ImportDuplicates, ThreeRowsOfOnePair) {
  TempDir dir;
  write_file(dir / "r.csv", "a,x,1\na,x,2\nb,x,4\na,x,3\n");
  ImportOptions options = options_for(dir / "r.csv");
  options.duplicates = DuplicatePolicy::mean;
  const ImportResult result = import_dataset(options);
  EXPECT_EQ(all_ratings(result.dataset).at({"a", "x"}), 2.0f);
  EXPECT_EQ(result.counts.duplicate_pairs, 1);
  EXPECT_EQ(result.counts.duplicate_rows, 2);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_TRUE(contains(result.warnings[0], "(a, x) at lines 1, 2 and 4 (values 1, 2 and 3)"))
      << result.warnings[0];
}

// ---------------------------------------------------------------- case 04

TEST(ImportHeader, ThreeFormatsGiveSameDataset) {
  const std::string c = "04-header-and-malformed-rows";
  const ImportResult with_header = import_dataset(options_for(case_file(c, "ratings_header.csv")));
  const ImportResult without = import_dataset(options_for(case_file(c, "ratings_noheader.csv")));
  const ImportResult tsv = import_dataset(options_for(case_file(c, "ratings_header.tsv")));

  for (const ImportResult* result : {&with_header, &without, &tsv}) {
    EXPECT_EQ(result->dataset.n_users, 3);
    EXPECT_EQ(result->dataset.n_items, 3);
    EXPECT_EQ(result->counts.ratings, 5);
    EXPECT_NEAR(mean_rating(result->dataset), 3.0, 1e-12);
  }
  EXPECT_EQ(with_header.dataset.user_ids, (std::vector<std::string>{"w1", "w2", "w3"}));
  expect_same_dataset(with_header.dataset, without.dataset);
  expect_same_dataset(with_header.dataset, tsv.dataset);
  EXPECT_EQ(with_header.manifest["sources"][0]["header"], true);
  EXPECT_EQ(without.manifest["sources"][0]["header"], false);
  EXPECT_EQ(tsv.manifest["sources"][0]["delimiter"], "tab");
}

TEST(ImportHeader, ForcedAbsentHeaderIsAnInvalidRating) {
  ImportOptions options = options_for(case_file("04-header-and-malformed-rows", "ratings_header.csv"));
  options.ratings.header = HeaderMode::absent;
  const std::string message = import_error(options);
  EXPECT_TRUE(contains(message, "ratings_header.csv:1: rating 'rating' is not a number")) << message;
}

TEST(ImportHeader, ForcedPresentHeaderSkipsLineOne) {
  ImportOptions options =
      options_for(case_file("04-header-and-malformed-rows", "ratings_noheader.csv"));
  options.ratings.header = HeaderMode::present;
  const ImportResult result = import_dataset(options);
  EXPECT_EQ(result.counts.ratings, 4);  // line 1 (w1,m1,4) was taken as the header
  EXPECT_EQ(all_ratings(result.dataset).count({"w1", "m1"}), 0u);
}

TEST(ImportRows, ListsEveryBadRow) {
  const std::string message =
      import_error(options_for(case_file("04-header-and-malformed-rows", "ratings_bad_value.csv")));
  EXPECT_TRUE(contains(message, "3 invalid rows")) << message;
  EXPECT_TRUE(contains(message, "ratings_bad_value.csv:4: expected 3 fields (as in the header), "
                                "found 4 (w2,m1,4,5)"))
      << message;
  EXPECT_TRUE(contains(message, "ratings_bad_value.csv:6: rating 'three' is not a number (w3,m2,three)"))
      << message;
  EXPECT_TRUE(contains(message, "ratings_bad_value.csv:7: rating is empty (w3,m3,)")) << message;
  EXPECT_FALSE(contains(message, ".csv:2:")) << message;
  EXPECT_TRUE(contains(message, "skip_invalid")) << message;
}

TEST(ImportRows, HeaderOnlyFileHasNoRatings) {
  const std::string message = import_error(
      options_for(case_file("04-header-and-malformed-rows", "ratings_header_only.csv")));
  EXPECT_TRUE(contains(message, "no ratings found in")) << message;
  EXPECT_TRUE(contains(message, "ratings_header_only.csv")) << message;
}

TEST(ImportRows, EmptyFileHasNoRatings) {
  TempDir dir;
  write_file(dir / "empty.csv", "\n\n");
  const std::string message = import_error(options_for(dir / "empty.csv"));
  EXPECT_TRUE(contains(message, "no ratings found in")) << message;
}

// ---------------------------------------------------------------- case 12

TEST(ImportRows, NonFiniteAndOverflowingRatingsFail) {
  const std::string message = import_error(options_for(case_file("12-nan-inf-ratings", "ratings.csv")));
  EXPECT_TRUE(contains(message, "5 invalid rows")) << message;
  EXPECT_TRUE(contains(message, "ratings.csv:3: rating 'nan' is not a finite number (u1,i2,nan)"))
      << message;
  EXPECT_TRUE(contains(message, "ratings.csv:4: rating 'inf' is not a finite number")) << message;
  EXPECT_TRUE(contains(message, "ratings.csv:6: rating '-inf' is not a finite number")) << message;
  EXPECT_TRUE(contains(message, "ratings.csv:7: rating '1e400' is out of range")) << message;
  EXPECT_TRUE(contains(message, "ratings.csv:8: rating 'NaN' is not a finite number")) << message;
}

TEST(ImportRows, NonFiniteRatingsFailEvenWithoutAScaleViolation) {
  // A scale as wide as float32 allows: only the finiteness check can reject NaN.
  ImportOptions options = options_for(case_file("12-nan-inf-ratings", "ratings.csv"), -3e38, 3e38);
  const std::string message = import_error(options);
  EXPECT_TRUE(contains(message, ":3: rating 'nan' is not a finite number")) << message;
  EXPECT_TRUE(contains(message, ":8: rating 'NaN' is not a finite number")) << message;
}

TEST(ImportRows, ScaleMustFitFloat32) {
  for (auto [min, max] : {std::pair{-1e308, 1e308}, std::pair{0.0, 4e-300}}) {
    ImportOptions options = options_for(case_file("12-nan-inf-ratings", "ratings.csv"), min, max);
    const std::string message = import_error(options);
    EXPECT_TRUE(contains(message, "32-bit floats")) << message;
  }
}

TEST(ImportRows, SkipInvalidKeepsTheValidRows) {
  ImportOptions options = options_for(case_file("12-nan-inf-ratings", "ratings.csv"));
  options.skip_invalid = true;
  const ImportResult result = import_dataset(options);
  const std::map<RawPair, float> ratings = all_ratings(result.dataset);
  const std::map<RawPair, float> expected = {
      {{"u1", "i1"}, 4.0f}, {{"u2", "i2"}, 3.0f}, {{"u4", "i3"}, 5.0f}};
  EXPECT_EQ(ratings, expected);
  EXPECT_NEAR(mean_rating(result.dataset), 4.0, 1e-12);
  EXPECT_EQ(result.counts.skipped_rows, 5);
  // u3 had only invalid rows, so it is not a user of the dataset.
  EXPECT_EQ(result.dataset.user_ids, (std::vector<std::string>{"u1", "u2", "u4"}));

  ASSERT_EQ(result.warnings.size(), 1u);
  const std::string& warning = result.warnings[0];
  EXPECT_TRUE(contains(warning, "skipped 5 invalid rows")) << warning;
  for (const char* line : {":3:", ":4:", ":6:", ":7:", ":8:"}) {
    EXPECT_TRUE(contains(warning, line)) << line << " missing in: " << warning;
  }
}

TEST(ImportRows, SkewedCountsInAWideScaleAreValid) {
  ImportOptions options = options_for(case_file("12-nan-inf-ratings", "ratings_counts.csv"), 0, 1e6);
  const ImportResult result = import_dataset(options);
  EXPECT_EQ(result.counts.ratings, 9);
  EXPECT_EQ(all_ratings(result.dataset).at({"p2", "g3"}), 660000.0f);
}

// ---------------------------------------------------------------- other row rules

TEST(ImportRows, SkippingEverythingLeavesNoRatings) {
  TempDir dir;
  write_file(dir / "r.csv", "user,item,rating\nu1,i1,x\nu2,i2,\n");
  ImportOptions options = options_for(dir / "r.csv");
  options.skip_invalid = true;
  const std::string message = import_error(options);
  EXPECT_TRUE(contains(message, "no ratings found in")) << message;
  EXPECT_TRUE(contains(message, "2 invalid rows were skipped")) << message;
}

TEST(ImportRows, ScaleBoundsAreInclusive) {
  TempDir dir;
  write_file(dir / "r.csv", "u1,i1,1\nu1,i2,5\nu2,i1,5.5\nu2,i2,0.99\n");
  const std::string message = import_error(options_for(dir / "r.csv"));
  EXPECT_TRUE(contains(message, "2 invalid rows")) << message;
  EXPECT_TRUE(contains(message, "r.csv:3: rating '5.5' is outside the rating scale [1, 5]"))
      << message;
  EXPECT_TRUE(contains(message, "r.csv:4: rating '0.99' is outside the rating scale [1, 5]"))
      << message;
}

TEST(ImportRows, DecimalCommaIsRejected) {
  TempDir dir;
  write_file(dir / "comma.csv", "user,item,rating\nu1,i1,4,5\n");
  write_file(dir / "semicolon.csv", "u1;i1;4,5\nu1;i2;4\n");
  std::string message = import_error(options_for(dir / "comma.csv"));
  EXPECT_TRUE(contains(message, "comma.csv:2: expected 3 fields (as in the header), found 4"))
      << message;
  message = import_error(options_for(dir / "semicolon.csv"));
  EXPECT_TRUE(contains(message, "semicolon.csv:1: rating '4,5' is not a number")) << message;
  EXPECT_TRUE(contains(message, "if line 1 is a header, set header to true (u1;i1;4,5)"))
      << message;
}

TEST(ImportRows, EmptyIdsAreRejected) {
  TempDir dir;
  write_file(dir / "r.csv", "u1,i1,4\n,i1,4\nu2,,3\n");
  const std::string message = import_error(options_for(dir / "r.csv"));
  EXPECT_TRUE(contains(message, "r.csv:2: user id is empty")) << message;
  EXPECT_TRUE(contains(message, "r.csv:3: item id is empty")) << message;
}

TEST(ImportRows, ControlCharactersInIdsAreRejected) {
  using namespace std::string_literals;
  TempDir dir;
  // Line 2: NUL in a user id; 3: 0x01 in an item id; 4: a tab inside a
  // comma-separated item id; 5: DEL ending a user id; 6: a valid CRLF line.
  write_file(dir / "r.csv", "u1,i1,4\n"
                            "u\0x,i1,4\n"s
                            "u2,i\x01,3\n"
                            "u3,i\t2,5\n"
                            "u4\x7f,i1,2\n"
                            "u5,i2,1\r\n");
  const std::string message = import_error(options_for(dir / "r.csv"));
  EXPECT_TRUE(contains(message, "4 invalid rows in ")) << message;
  EXPECT_TRUE(contains(message, "r.csv:2: user id 'u\\x00x' in column 0 (counted from 0) "
                                "contains the control character 0x00 at byte 2 of the id "
                                "(u\\x00x,i1,4)"))
      << message;
  EXPECT_TRUE(contains(message, "r.csv:3: item id 'i\\x01' in column 1 (counted from 0) "
                                "contains the control character 0x01 at byte 2 of the id"))
      << message;
  EXPECT_TRUE(contains(message, "r.csv:4: item id 'i\t2' in column 1 (counted from 0) "
                                "contains the control character 0x09 at byte 2 of the id"))
      << message;
  EXPECT_TRUE(contains(message, "r.csv:5: user id 'u4\\x7F' in column 0 (counted from 0) "
                                "contains the control character 0x7F at byte 3 of the id"))
      << message;
  EXPECT_FALSE(contains(message, "r.csv:6:")) << message;
}

TEST(ImportRows, ControlCharactersInImplicitIdsAreRejected) {
  using namespace std::string_literals;
  TempDir dir;
  write_file(dir / "r.csv", "u1,i1,4\nu2,i2,3\n");
  write_file(dir / "l.csv", "u1,i2\nu2,i\0\n"s);
  ImportOptions options = options_for(dir / "r.csv");
  options.implicit = TableSource{};
  options.implicit->file = dir / "l.csv";
  options.implicit->header = HeaderMode::absent;
  const std::string message = import_error(options);
  EXPECT_TRUE(contains(message, "1 invalid row in ")) << message;
  EXPECT_TRUE(contains(message, "l.csv:2: item id 'i\\x00' in column 1 (counted from 0) "
                                "contains the control character 0x00 at byte 2 of the id"))
      << message;
}

TEST(ImportRows, LaterNonNumberIsAnErrorNotAHeader) {
  TempDir dir;
  write_file(dir / "r.csv", "u1,i1,4\nuser,item,rating\n");
  const std::string message = import_error(options_for(dir / "r.csv"));
  EXPECT_TRUE(contains(message, "r.csv:2: rating 'rating' is not a number")) << message;
}

TEST(ImportRows, ListsTwentyProblemsAndCountsTheRest) {
  TempDir dir;
  std::string text = "user,item,rating\n";
  for (int k = 0; k < 25; ++k) text += "u" + std::to_string(k) + ",i1,bad\n";
  write_file(dir / "r.csv", text);
  const std::string message = import_error(options_for(dir / "r.csv"));
  EXPECT_TRUE(contains(message, "25 invalid rows")) << message;
  EXPECT_EQ(count_lines_with(message, "is not a number"), 20) << message;
  EXPECT_TRUE(contains(message, "... and 5 more")) << message;
  EXPECT_TRUE(contains(message, "r.csv:21:")) << message;
  EXPECT_FALSE(contains(message, "r.csv:22:")) << message;
}

TEST(ImportRows, UnratedCodeGoesToTheImplicitList) {
  TempDir dir;
  write_file(dir / "r.csv", "u1,i1,0\nu1,i2,5\nu2,i1,3\n");
  ImportOptions options = options_for(dir / "r.csv");
  const std::string message = import_error(options);
  EXPECT_TRUE(contains(message, "r.csv:1: rating '0' is outside the rating scale [1, 5]")) << message;

  options.unrated_code = 0.0;
  const ImportResult result = import_dataset(options);
  const std::map<RawPair, float> ratings = all_ratings(result.dataset);
  EXPECT_EQ(ratings.size(), 2u);
  EXPECT_EQ(ratings.count({"u1", "i1"}), 0u);
  EXPECT_EQ(result.counts.unrated_rows, 1);
  const std::multiset<RawPair> pairs = implicit_pairs(result.dataset);
  EXPECT_EQ(pairs.count({"u1", "i1"}), 1u);
  EXPECT_EQ(pairs.size(), 3u);
}

TEST(ImportRows, OneUnratedRowIsSingular) {
  TempDir dir;
  write_file(dir / "r.csv", "u1,i1,0\n");
  ImportOptions options = options_for(dir / "r.csv");
  options.unrated_code = 0.0;
  EXPECT_EQ(import_error(options), "no ratings found in " + (dir / "r.csv").string() +
                                       "; the unrated code put 1 row on the implicit list");
}

TEST(ImportRows, InvalidImplicitRowsAreReportedToo) {
  TempDir dir;
  write_file(dir / "r.csv", "u1,i1,4\n");
  write_file(dir / "l.csv", "u1,i2\nu2\n,i3\n");
  ImportOptions options = options_for(dir / "r.csv");
  options.implicit = TableSource{dir / "l.csv"};
  const std::string message = import_error(options);
  EXPECT_TRUE(contains(message, "l.csv:2: expected 2 fields, found 1 (u2)")) << message;
  EXPECT_TRUE(contains(message, "l.csv:3: user id is empty")) << message;
}

// ---------------------------------------------------------------- encodings, ids, columns

TEST(ImportFormat, ByteOrderMarkAndCrlf) {
  TempDir dir;
  write_file(dir / "r.csv", "\xEF\xBB\xBFuser,item,rating\r\nu1,i1,4\r\nu2,i2,5\r\n");
  const ImportResult result = import_dataset(options_for(dir / "r.csv"));
  EXPECT_EQ(result.dataset.user_ids, (std::vector<std::string>{"u1", "u2"}));
  EXPECT_EQ(result.dataset.item_ids, (std::vector<std::string>{"i1", "i2"}));
  EXPECT_EQ(result.counts.ratings, 2);

  write_file(dir / "n.csv", "\xEF\xBB\xBF" "10,1,4\r\n2,1,3\r\n");
  const ImportResult numeric = import_dataset(options_for(dir / "n.csv"));
  EXPECT_EQ(numeric.dataset.user_ids, (std::vector<std::string>{"2", "10"}));
}

// Encodes ASCII text as UTF-16: each character is two bytes, the ASCII
// code and a zero byte, in the order of `little_endian`.
std::string ascii_to_utf16(const std::string& ascii, bool little_endian) {
  std::string bytes;
  for (char c : ascii) {
    bytes += little_endian ? c : '\0';
    bytes += little_endian ? '\0' : c;
  }
  return bytes;
}

const std::string kAsciiRatings = "user,item,rating\nu1,i1,4\nu2,i2,5\n";

TEST(ImportFormat, Utf16ByteOrderMarkFailsOnce) {
  TempDir dir;
  for (const bool little_endian : {true, false}) {
    const std::string mark = little_endian ? "\xFF\xFE" : "\xFE\xFF";
    const std::string escaped_mark = little_endian ? "\\xFF\\xFE" : "\\xFE\\xFF";
    write_file(dir / "r.csv", mark + ascii_to_utf16(kAsciiRatings, little_endian));
    const std::string message = import_error(options_for(dir / "r.csv"));
    EXPECT_EQ(message, (dir / "r.csv").string() + ": file is UTF-16 (byte order mark " +
                           escaped_mark +
                           "); convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 FILE > "
                           "FILE.utf8)");
    EXPECT_FALSE(contains(message, "invalid row")) << message;
    EXPECT_EQ(message.find(mark), std::string::npos) << "raw byte order mark in the message";
  }
}

TEST(ImportFormat, Utf16WithoutByteOrderMark) {
  TempDir dir;
  write_file(dir / "le.csv", ascii_to_utf16(kAsciiRatings, true));
  write_file(dir / "be.csv", ascii_to_utf16(kAsciiRatings, false));
  // 33 characters, so 66 bytes of which 33 are NUL.
  ASSERT_EQ(kAsciiRatings.size(), 33u);
  EXPECT_EQ(import_error(options_for(dir / "le.csv")),
            (dir / "le.csv").string() +
                ": file is UTF-16 (33 of its first 66 bytes are NUL, as in UTF-16LE without a byte "
                "order mark); convert it to UTF-8 (e.g. iconv -f UTF-16LE -t UTF-8 FILE > "
                "FILE.utf8)");
  EXPECT_TRUE(contains(import_error(options_for(dir / "be.csv")), "iconv -f UTF-16BE -t UTF-8"));
}

TEST(ImportFormat, Utf32ByteOrderMark) {
  using namespace std::string_literals;
  TempDir dir;
  write_file(dir / "r.csv", "\xFF\xFE\0\0u\0\0\0"s);
  EXPECT_TRUE(contains(import_error(options_for(dir / "r.csv")),
                       "file is UTF-32 (byte order mark \\xFF\\xFE\\x00\\x00); convert it to "
                       "UTF-8 (e.g. iconv -f UTF-32 -t UTF-8"));
}

TEST(ImportFormat, CrOnlyLineEndings) {
  TempDir dir;
  // Two line breaks split rows; the final "\r" ends the last row.
  write_file(dir / "r.csv", "user,item,rating\ru1,i1,4\ru2,i2,5\r");
  const std::string message = import_error(options_for(dir / "r.csv"));
  EXPECT_EQ(message, (dir / "r.csv").string() +
                         ": file has CR-only line endings (classic Mac OS): 2 line breaks are a "
                         "lone \\r and 0 are \\n, so its rows would read as one line; convert "
                         "the line endings to \\n (e.g. tr '\\r' '\\n' < FILE > FILE.unix)");
  EXPECT_FALSE(contains(message, ":1:")) << message;
}

TEST(ImportFormat, StrayCarriageReturnIsARowProblem) {
  TempDir dir;
  // One lone "\r" among three "\n" line breaks is a damaged row, not a
  // file with CR-only line endings.
  write_file(dir / "r.csv", "u1,i1,4\nu2,i\r2,5\nu3,i3,3\n");
  const std::string message = import_error(options_for(dir / "r.csv"));
  EXPECT_FALSE(contains(message, "CR-only")) << message;
  EXPECT_TRUE(contains(message, "r.csv:2: item id 'i\\x0D2'")) << message;
}

TEST(ImportRows, InvalidUtf8IdsAreRejected) {
  TempDir dir;
  // Line 2: a cut two-byte sequence; 3: a valid "é"; 4: byte FF; 5: an
  // encoded surrogate; 6: a byte order mark inside an id.
  write_file(dir / "r.csv", "u1,i1,4\n"
                            "u\xC3,i1,4\n"
                            "u2,caf\xC3\xA9,3\n"
                            "u3,i\xFF,5\n"
                            "u4,\xED\xA0\x80x,2\n"
                            "u5,\xEF\xBB\xBFi1,4\n");
  const std::string message = import_error(options_for(dir / "r.csv"));
  EXPECT_TRUE(contains(message, "4 invalid rows in ")) << message;
  EXPECT_TRUE(contains(message, "r.csv:2: user id 'u\\xC3' in column 0 (counted from 0) is not "
                                "valid UTF-8 (byte 2 of the id, \\xC3); save the file as UTF-8 "
                                "(u\\xC3,i1,4)"))
      << message;
  EXPECT_FALSE(contains(message, "r.csv:3:")) << message;
  EXPECT_TRUE(contains(message, "r.csv:4: item id 'i\\xFF' in column 1 (counted from 0) is not "
                                "valid UTF-8 (byte 2 of the id, \\xFF)"))
      << message;
  EXPECT_TRUE(contains(message, "r.csv:5: item id '\\xED\\xA0\\x80x' in column 1 (counted "
                                "from 0) is not valid UTF-8 (byte 1 of the id, \\xED)"))
      << message;
  EXPECT_TRUE(contains(message, "r.csv:6: item id '\\xEF\\xBB\\xBFi1' in column 1 (counted "
                                "from 0) contains the byte order mark U+FEFF at byte 1 of the id"))
      << message;
  // No raw invalid byte or byte order mark reaches the message.
  for (const std::string raw : {"\xC3,", "\xFF", "\xED", "\xEF\xBB\xBF"}) {
    EXPECT_EQ(message.find(raw), std::string::npos) << shorten_for_message(raw);
  }
}

TEST(ImportIds, IntegerIdsSortNumericallyOthersByFirstAppearance) {
  TempDir dir;
  write_file(dir / "r.csv", "10,b,4\n2,a,3\n1,b,5\n2,c,1\n");
  const ImportResult result = import_dataset(options_for(dir / "r.csv"));
  EXPECT_EQ(result.dataset.user_ids, (std::vector<std::string>{"1", "2", "10"}));
  EXPECT_EQ(result.dataset.item_ids, (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(result.manifest["id_order"]["users"], "numeric");
  EXPECT_EQ(result.manifest["id_order"]["items"], "first appearance");

  // The dense ids index the raw-id tables: (10, b, 4) is user 2, item 0.
  std::map<RawPair, float> ratings = all_ratings(result.dataset);
  EXPECT_EQ(ratings.at({"10", "b"}), 4.0f);
  EXPECT_EQ(ratings.at({"2", "c"}), 1.0f);

  write_file(dir / "mixed.csv", "7,x,4\nu1,x,3\n3,x,5\n");
  const ImportResult mixed = import_dataset(options_for(dir / "mixed.csv"));
  EXPECT_EQ(mixed.dataset.user_ids, (std::vector<std::string>{"7", "u1", "3"}));
}

TEST(ImportIds, ImplicitOnlyUsersAndItemsGetIds) {
  TempDir dir;
  write_file(dir / "r.csv", "1,1,4\n");
  write_file(dir / "l.tsv", "User_ID\tAnime_ID\tFeedback\n1\t1\t1\n3\t2\t1\n");
  ImportOptions options = options_for(dir / "r.csv");
  options.implicit = TableSource{dir / "l.tsv"};
  const ImportResult result = import_dataset(options);
  EXPECT_EQ(result.dataset.n_users, 2);
  EXPECT_EQ(result.dataset.n_items, 2);
  EXPECT_EQ(result.counts.rated_users, 1);
  EXPECT_EQ(result.counts.rated_items, 1);
  EXPECT_EQ(result.counts.implicit, 2);
  EXPECT_EQ(result.dataset.user_ids, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(result.manifest["sources"][1]["header"], true);
}

TEST(ImportColumns, ByNameAndByIndexAgree) {
  TempDir dir;
  write_file(dir / "r.csv", "rating;item;user;time\n4;i1;u1;100\n2;i2;u1;101\n5;i1;u2;102\n");
  ImportOptions by_name = options_for(dir / "r.csv");
  by_name.ratings.user_column = "user";
  by_name.ratings.item_column = "item";
  by_name.ratings.value_column = "rating";
  ImportOptions by_index = options_for(dir / "r.csv");
  by_index.ratings.user_column = "2";
  by_index.ratings.item_column = "1";
  by_index.ratings.value_column = "0";

  const ImportResult named = import_dataset(by_name);
  const ImportResult indexed = import_dataset(by_index);
  EXPECT_EQ(all_ratings(named.dataset),
            (std::map<RawPair, float>{{{"u1", "i1"}, 4.0f}, {{"u1", "i2"}, 2.0f}, {{"u2", "i1"}, 5.0f}}));
  expect_same_dataset(named.dataset, indexed.dataset);
  EXPECT_EQ(named.manifest["sources"][0]["columns"]["user"]["index"], 2);
}

TEST(ImportColumns, UnknownNameListsTheColumns) {
  TempDir dir;
  write_file(dir / "r.csv", "rating,item,user\n4,i1,u1\n");
  ImportOptions options = options_for(dir / "r.csv");
  options.ratings.value_column = "score";
  const std::string message = import_error(options);
  EXPECT_TRUE(contains(message, "r.csv:1: no column named 'score'")) << message;
  EXPECT_TRUE(contains(message, "the columns are: rating, item, user")) << message;
}

TEST(ImportColumns, NamesNeedAHeader) {
  TempDir dir;
  write_file(dir / "r.csv", "user,item,rating\nu1,i1,4\n");
  ImportOptions options = options_for(dir / "r.csv");
  options.ratings.user_column = "user";
  options.ratings.header = HeaderMode::absent;
  const std::string message = import_error(options);
  EXPECT_TRUE(contains(message, "needs a header line")) << message;
}

TEST(ImportColumns, IndexPastTheLastFieldFails) {
  TempDir dir;
  write_file(dir / "r.csv", "u1,i1\n");
  const std::string message = import_error(options_for(dir / "r.csv"));
  EXPECT_TRUE(contains(message, "r.csv:1: the rating column is set to index 2")) << message;
  EXPECT_TRUE(contains(message, "only 2 fields")) << message;
}

TEST(ImportColumns, SameColumnTwiceFails) {
  TempDir dir;
  write_file(dir / "r.csv", "u1,i1,4\n");
  ImportOptions options = options_for(dir / "r.csv");
  options.ratings.item_column = "0";
  const std::string message = import_error(options);
  EXPECT_TRUE(contains(message, "user and item columns are both column 0")) << message;
}

TEST(ImportColumns, UndetectableDelimiterFails) {
  TempDir dir;
  write_file(dir / "r.txt", "u1 i1 4\n");
  const std::string message = import_error(options_for(dir / "r.txt"));
  EXPECT_TRUE(contains(message, "r.txt:1: cannot detect the delimiter")) << message;
}

// ---------------------------------------------------------------- titles

TEST(ImportTitles, QuotedTitlesAndUnknownItems) {
  TempDir dir;
  write_file(dir / "r.csv", "u1,i1,4\nu1,i2,3\nu2,i3,5\n");
  write_file(dir / "t.csv",
             "item,title,genre\ni1,\"Title, with comma\",a\ni2,\"Say \"\"hi\"\"\",b\ni9,Unknown,c\n");
  ImportOptions options = options_for(dir / "r.csv");
  TableSource titles;
  titles.file = dir / "t.csv";
  titles.item_column = "0";
  titles.value_column = "1";
  options.titles = titles;

  const ImportResult result = import_dataset(options);
  const Dataset& dataset = result.dataset;
  ASSERT_EQ(dataset.item_titles.size(), 3u);
  EXPECT_EQ(dataset.item_titles[0], "Title, with comma");  // i1
  EXPECT_EQ(dataset.item_titles[1], "Say \"hi\"");         // i2
  EXPECT_EQ(dataset.item_titles[2], "");                   // i3 has no title
  EXPECT_EQ(result.counts.titled_items, 2);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_TRUE(contains(result.warnings[0], "ignored the titles of 1 item found in neither"))
      << result.warnings[0];
}

TEST(ImportTitles, NoTitlesFileLeavesTitlesEmpty) {
  const ImportResult result = import_dataset(
      options_for(case_file("04-header-and-malformed-rows", "ratings_header.csv")));
  EXPECT_TRUE(result.dataset.item_titles.empty());
}

TEST(ImportFiles, DirectoriesAreRejectedLikeMissingFiles) {
  TempDir dir;
  const fs::path folder = dir / "folder";
  fs::create_directories(folder);
  const fs::path ratings = case_file("04-header-and-malformed-rows", "ratings_header.csv");
  const std::string prefix = "cannot read " + folder.string() + ": it is a directory; set ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ratings", prefix + "ratings.file (--ratings) to a file"},
      {"implicit", prefix + "implicit.file (--implicit) to a file"},
      {"titles", prefix + "titles.file (--titles) to a file"},
  };
  for (const auto& [role, expected] : cases) {
    ImportOptions options = options_for(role == "ratings" ? folder : ratings);
    TableSource source;
    source.file = folder;
    source.value_column = "1";
    if (role == "implicit") options.implicit = source;
    if (role == "titles") options.titles = source;
    EXPECT_EQ(import_error(options), expected) << role;
  }
}

TEST(ImportFiles, SymlinkToDirectoryIsRejected) {
  TempDir dir;
  fs::create_directories(dir / "folder");
  fs::create_directory_symlink(dir / "folder", dir / "link.csv");
  const std::string message = import_error(options_for(dir / "link.csv"));
  EXPECT_TRUE(contains(message, "link.csv: it is a directory")) << message;
}

// ---------------------------------------------------------------- options and YAML

TEST(ImportOptionsCheck, InvalidScaleAndUnratedCode) {
  ImportOptions options = options_for("unused.csv", 5, 1);
  EXPECT_THROW(validate_import_options(options), InputError);
  options.scale = {1, 5};
  options.unrated_code = std::nan("");
  EXPECT_THROW(validate_import_options(options), InputError);
  options.unrated_code.reset();
  options.ratings.file.clear();
  EXPECT_THROW(validate_import_options(options), InputError);
}

TEST(ImportOptionsCheck, TextSettings) {
  EXPECT_EQ(parse_duplicate_policy("mean"), DuplicatePolicy::mean);
  EXPECT_THROW(parse_duplicate_policy("newest"), InputError);
  EXPECT_EQ(parse_header_mode("auto"), HeaderMode::detect);
  EXPECT_EQ(parse_header_mode("false"), HeaderMode::absent);
  EXPECT_THROW(parse_header_mode("maybe"), InputError);
  EXPECT_EQ(parse_delimiter("tab", "delimiter"), '\t');
  EXPECT_EQ(parse_delimiter(";", "delimiter"), ';');
  EXPECT_EQ(parse_delimiter("auto", "delimiter"), '\0');
  EXPECT_THROW(parse_delimiter("|", "delimiter"), InputError);
}

std::string yaml_error(const std::string& text) {
  try {
    import_options_from_yaml(YAML::Load(text), "/base", "settings.yaml");
  } catch (const InputError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return {};
}

TEST(ImportYaml, ReadsEveryKey) {
  const ImportOptions options = import_options_from_yaml(YAML::Load(R"(
name: sample
ratings:
  file: data/r.dat
  user: User_ID
  item: 1
  rating: Feedback
  header: true
  delimiter: tab
implicit:
  file: /abs/l.dat
  user: 0
  item: Anime_ID
  header: auto
titles:
  file: t.dat
  item: anime_ids
  title: name
  header: false
  delimiter: ","
scale: [0.5, 5]
unrated_code: 0
duplicates: mean
skip_invalid: true
seed: 18446744073709551615
)"),
                                                         "/base", "settings.yaml");
  EXPECT_EQ(options.name, "sample");
  EXPECT_EQ(options.ratings.file, fs::path("/base/data/r.dat"));
  EXPECT_EQ(options.ratings.user_column, "User_ID");
  EXPECT_EQ(options.ratings.item_column, "1");
  EXPECT_EQ(options.ratings.value_column, "Feedback");
  EXPECT_EQ(options.ratings.header, HeaderMode::present);
  EXPECT_EQ(options.ratings.delimiter, '\t');
  ASSERT_TRUE(options.implicit);
  EXPECT_EQ(options.implicit->file, fs::path("/abs/l.dat"));
  EXPECT_EQ(options.implicit->item_column, "Anime_ID");
  EXPECT_EQ(options.implicit->header, HeaderMode::detect);
  ASSERT_TRUE(options.titles);
  EXPECT_EQ(options.titles->file, fs::path("/base/t.dat"));
  EXPECT_EQ(options.titles->item_column, "anime_ids");
  EXPECT_EQ(options.titles->value_column, "name");
  EXPECT_EQ(options.titles->header, HeaderMode::absent);
  EXPECT_EQ(options.titles->delimiter, ',');
  EXPECT_EQ(options.scale.min, 0.5);
  EXPECT_EQ(options.scale.max, 5.0);
  ASSERT_TRUE(options.unrated_code);
  EXPECT_EQ(*options.unrated_code, 0.0);
  EXPECT_EQ(options.duplicates, DuplicatePolicy::mean);
  EXPECT_TRUE(options.skip_invalid);
  EXPECT_EQ(options.seed, 18446744073709551615ULL);
}

TEST(ImportYaml, DefaultsOfOptionalKeys) {
  const ImportOptions options = import_options_from_yaml(
      YAML::Load("ratings: {file: r.csv}\ntitles: {file: t.csv}\nscale: [1, 10]\n"), "/base",
      "settings.yaml");
  EXPECT_EQ(options.ratings.user_column, "0");
  EXPECT_EQ(options.ratings.item_column, "1");
  EXPECT_EQ(options.ratings.value_column, "2");
  EXPECT_EQ(options.ratings.header, HeaderMode::detect);
  EXPECT_EQ(options.ratings.delimiter, '\0');
  EXPECT_FALSE(options.implicit);
  ASSERT_TRUE(options.titles);
  EXPECT_EQ(options.titles->item_column, "0");
  EXPECT_EQ(options.titles->value_column, "1");
  EXPECT_EQ(options.duplicates, DuplicatePolicy::last);
  EXPECT_FALSE(options.skip_invalid);
  EXPECT_FALSE(options.unrated_code);
}

TEST(ImportYaml, UnknownKeyNamesLineAndValidKeys) {
  std::string message = yaml_error("ratings: {file: r.csv}\nscale: [1, 5]\nratngs: 3\n");
  EXPECT_TRUE(contains(message, "settings.yaml:3: unknown key 'ratngs'")) << message;
  EXPECT_TRUE(contains(message, "valid keys: name, ratings, implicit, titles, scale")) << message;

  message = yaml_error("ratings:\n  file: r.csv\n  colour: red\nscale: [1, 5]\n");
  EXPECT_TRUE(contains(message, "settings.yaml:3: unknown key 'colour' in 'ratings'")) << message;
  EXPECT_TRUE(contains(message, "valid keys: file, user, item, rating, header, delimiter"))
      << message;

  message = yaml_error("ratings: {file: r.csv}\nimplicit: {file: l.csv, rating: 2}\nscale: [1, 5]\n");
  EXPECT_TRUE(contains(message, "settings.yaml:2: unknown key 'rating' in 'implicit'")) << message;
}

TEST(ImportYaml, WrongTypesNameKeyAndLine) {
  const std::string base = "ratings: {file: r.csv}\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {base + "scale: 5\n", "settings.yaml:2: 'scale' must be a list of two numbers"},
      {base + "scale: [1, x]\n", "settings.yaml:2: 'scale' must be a finite number"},
      {base + "scale: [5, 1]\n", "'scale' must be [min, max] with min < max"},
      {base + "scale: [1, 5]\nseed: -1\n", "settings.yaml:3: 'seed' must be an integer"},
      {base + "scale: [1, 5]\nskip_invalid: maybe\n", "settings.yaml:3: 'skip_invalid' must be true or false"},
      {base + "scale: [1, 5]\nduplicates: newest\n", "'duplicates' must be first, last, mean or error"},
      {base + "scale: [1, 5]\nunrated_code: nan\n", "'unrated_code' must be a finite number"},
      {"ratings: {file: r.csv, header: sometimes}\nscale: [1, 5]\n", "'ratings.header' must be auto, true or false"},
      {"ratings: {file: r.csv, delimiter: '|'}\nscale: [1, 5]\n", "invalid ratings.delimiter '|'"},
      {"ratings: {file: [a, b]}\nscale: [1, 5]\n", "'ratings.file' must be a non-empty text value"},
      {"ratings: r.csv\nscale: [1, 5]\n", "'ratings' must be a mapping with the keys file, user"},
      {"ratings: {user: 0}\nscale: [1, 5]\n", "'ratings' has no 'file' key"},
      {"scale: [1, 5]\n", "no 'ratings' key"},
      {base, "no 'scale' key; declare the rating scale"},
      {"- a\n- b\n", "the dataset settings must be a mapping"},
  };
  for (const auto& [text, fragment] : cases) {
    const std::string message = yaml_error(text);
    EXPECT_TRUE(contains(message, fragment)) << "settings:\n" << text << "message: " << message;
  }
}

TEST(ImportYaml, CallerKeysAreIgnored) {
  const ImportOptions options = import_options_from_yaml(
      YAML::Load("ratings: {file: r.csv}\nscale: [1, 5]\nsource: anime\n"), "/base", "recipe.yaml",
      {"source"});
  EXPECT_EQ(options.ratings.file, fs::path("/base/r.csv"));
}

TEST(ImportYaml, LoadsTheBundledSettingsFile) {
  const fs::path file = fs::path(ALPHAS_TEST_DATA_DIR) / ".." / ".." / "data" / "anime-mal-5k.yaml";
  const ImportOptions options = load_dataset_settings(file);
  EXPECT_EQ(options.name, "anime-mal-5k");
  EXPECT_EQ(options.ratings.file, file.parent_path() / "anime/anime_ratings.dat");
  EXPECT_EQ(options.ratings.value_column, "Feedback");
  ASSERT_TRUE(options.titles);
  EXPECT_EQ(options.titles->value_column, "name");
  EXPECT_EQ(options.scale.max, 10.0);
  EXPECT_EQ(options.seed, 20220313u);
}

TEST(ImportYaml, CaseSettingsFiles) {
  const ImportOptions strict = load_dataset_settings(case_file("12-nan-inf-ratings", "dataset.yaml"));
  EXPECT_EQ(strict.ratings.file, case_file("12-nan-inf-ratings", "ratings.csv"));
  EXPECT_TRUE(contains(import_error(strict), "ratings.csv:7: rating '1e400' is out of range"));

  const ImportOptions skip =
      load_dataset_settings(case_file("12-nan-inf-ratings", "dataset-skip.yaml"));
  ASSERT_TRUE(skip.skip_invalid);
  const ImportResult result = import_dataset(skip);
  EXPECT_EQ(result.counts.ratings, 3);
  EXPECT_EQ(result.counts.skipped_rows, 5);
  EXPECT_EQ(result.dataset.seed, 13u);
}

TEST(ImportYaml, LoadErrorsNameTheFile) {
  TempDir dir;
  try {
    load_dataset_settings(dir / "missing.yaml");
    ADD_FAILURE() << "no error for a missing file";
  } catch (const InputError& error) {
    EXPECT_TRUE(contains(error.what(), "missing.yaml: file not found")) << error.what();
  }
  write_file(dir / "bad.yaml", "ratings:\n  file: [unclosed\nscale: [1, 5]\n");
  try {
    load_dataset_settings(dir / "bad.yaml");
    ADD_FAILURE() << "no error for invalid YAML";
  } catch (const InputError& error) {
    EXPECT_TRUE(contains(error.what(), "bad.yaml:")) << error.what();
    EXPECT_TRUE(contains(error.what(), "invalid YAML")) << error.what();
  }
}

// ---------------------------------------------------------------- output

TEST(WriteDataset, WritesDatasetAndManifest) {
  TempDir dir;
  const DataDir data_dir(dir / "data");
  ImportOptions options = options_for(case_file("03-duplicate-pairs", "ratings.csv"));
  options.implicit = TableSource{case_file("03-duplicate-pairs", "implicit.csv")};
  options.name = "case-03";
  const ImportResult result = import_dataset(options);
  write_dataset(data_dir, result);

  ASSERT_TRUE(fs::exists(data_dir.dataset_file()));
  ASSERT_TRUE(fs::exists(data_dir.manifest_file()));
  EXPECT_TRUE(data_dir.has_dataset());
  const Dataset loaded = load_dataset(data_dir.dataset_file());
  expect_same_dataset(loaded, result.dataset);
  EXPECT_EQ(loaded.seed, 7u);
  EXPECT_EQ(loaded.scale.min, 1.0);
  EXPECT_EQ(loaded.scale.max, 5.0);

  const nlohmann::json manifest = nlohmann::json::parse(read_text(data_dir.manifest_file()));
  EXPECT_EQ(manifest["name"], "case-03");
  ASSERT_EQ(manifest["sources"].size(), 2u);
  EXPECT_EQ(manifest["sources"][0]["role"], "ratings");
  EXPECT_EQ(manifest["sources"][0]["sha256"], sha256_file(case_file("03-duplicate-pairs", "ratings.csv")));
  EXPECT_EQ(manifest["sources"][1]["sha256"], sha256_file(case_file("03-duplicate-pairs", "implicit.csv")));
  EXPECT_EQ(manifest["sources"][0]["bytes"], fs::file_size(case_file("03-duplicate-pairs", "ratings.csv")));
  EXPECT_EQ(manifest["dataset_file"]["sha256"], sha256_file(data_dir.dataset_file()));
  EXPECT_EQ(manifest["settings"]["duplicates"], "last");
  EXPECT_EQ(manifest["settings"]["scale"], nlohmann::json::array({1.0, 5.0}));
  EXPECT_TRUE(manifest["settings"]["unrated_code"].is_null());
  EXPECT_EQ(manifest["seed"], 7);
  EXPECT_EQ(manifest["counts"]["ratings"], 6);
  EXPECT_EQ(manifest["counts"]["duplicate_pairs"], 1);
  EXPECT_EQ(manifest["counts"]["implicit"], 9);
  EXPECT_EQ(manifest["counts"]["training"].get<int64_t>() +
                manifest["counts"]["validation"].get<int64_t>() +
                manifest["counts"]["test"].get<int64_t>(),
            6);
  EXPECT_TRUE(contains(manifest["split"]["rule"].get<std::string>(), "10/n"));

  // Nothing but the two outputs is left in the folder.
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(data_dir.dataset_dir())) {
    ++entries;
    EXPECT_TRUE(entry.path().filename() == "dataset.h5" || entry.path().filename() == "manifest.json")
        << entry.path();
  }
  EXPECT_EQ(entries, 2);
}

TEST(WriteDataset, SavesTitles) {
  TempDir dir;
  write_file(dir / "r.csv", "u1,i1,4\nu2,i2,3\n");
  write_file(dir / "t.tsv", "i2\tSecond\ni1\tOld\ni1\tFirst\n");
  ImportOptions options = options_for(dir / "r.csv");
  TableSource titles;
  titles.file = dir / "t.tsv";
  titles.item_column = "0";
  titles.value_column = "1";
  options.titles = titles;
  const DataDir data_dir(dir / "data");
  const ImportResult result = import_dataset(options);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_TRUE(contains(result.warnings[0], "1 title row repeats an item")) << result.warnings[0];
  write_dataset(data_dir, result);
  const Dataset loaded = load_dataset(data_dir.dataset_file());
  EXPECT_EQ(loaded.item_titles, (std::vector<std::string>{"First", "Second"}));
}

// ---------------------------------------------------------------- the command

struct CommandResult {
  int status = -1;
  std::string out;
  std::string err;
};

CommandResult run_alphas(const std::string& arguments, const fs::path& scratch) {
  const fs::path out = scratch / "stdout.txt";
  const fs::path err = scratch / "stderr.txt";
  const std::string command = std::string("'") + ALPHAS_BINARY + "' " + arguments + " >'" +
                              out.string() + "' 2>'" + err.string() + "'";
  const int raw = std::system(command.c_str());
  CommandResult result;
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  result.out = read_text(out);
  result.err = read_text(err);
  return result;
}

TEST(ImportCommand, FailedImportWritesNothing) {
  TempDir dir;
  const fs::path data = dir / "data";
  const CommandResult result = run_alphas(
      "--data-dir '" + data.string() + "' import --ratings '" +
          case_file("03-duplicate-pairs", "ratings.csv").string() +
          "' --scale 1,5 --duplicates error",
      dir.path());
  EXPECT_EQ(result.status, 1) << result.err;
  EXPECT_TRUE(contains(result.err, "alphas: error:")) << result.err;
  EXPECT_TRUE(contains(result.err, "(u1, i2) at lines 3 and 7")) << result.err;
  EXPECT_FALSE(fs::exists(DataDir(data).dataset_file()));
  EXPECT_FALSE(fs::exists(DataDir(data).manifest_file()));
}

TEST(ImportCommand, FailedReimportKeepsThePreviousDataset) {
  TempDir dir;
  const fs::path data = dir / "data";
  const std::string good = case_file("04-header-and-malformed-rows", "ratings_header.csv").string();
  const std::string bad = case_file("12-nan-inf-ratings", "ratings.csv").string();
  ASSERT_EQ(run_alphas("--data-dir '" + data.string() + "' import --ratings '" + good +
                           "' --scale 1,5",
                       dir.path())
                .status,
            0);
  const std::string before = sha256_file(DataDir(data).dataset_file());
  const CommandResult failed = run_alphas(
      "--data-dir '" + data.string() + "' import --ratings '" + bad + "' --scale 1,5", dir.path());
  EXPECT_EQ(failed.status, 1);
  EXPECT_TRUE(contains(failed.err, "ratings.csv:3: rating 'nan' is not a finite number"))
      << failed.err;
  EXPECT_EQ(sha256_file(DataDir(data).dataset_file()), before);
  EXPECT_TRUE(DataDir(data).has_dataset());
}

TEST(ImportCommand, SettingsFileWithOverrides) {
  TempDir dir;
  const fs::path data = dir / "data";
  const CommandResult result = run_alphas(
      "--data-dir '" + data.string() + "' import --dataset '" +
          case_file("03-duplicate-pairs", "dataset.yaml").string() + "' --duplicates first --seed 11",
      dir.path());
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "Imported case-03-duplicate-pairs")) << result.out;
  EXPECT_TRUE(contains(result.out, "ratings            6 (3 users, 3 items)")) << result.out;

  const Dataset loaded = load_dataset(DataDir(data).dataset_file());
  EXPECT_EQ(loaded.seed, 11u);
  EXPECT_EQ(all_ratings(loaded).at({"u1", "i2"}), 2.0f);
  EXPECT_EQ(loaded.n_users, 5);
}

TEST(ImportCommand, RejectsFileFlagsWithDatasetAndMissingScale) {
  TempDir dir;
  CommandResult result = run_alphas("--data-dir '" + (dir / "d").string() +
                                        "' import --dataset x.yaml --ratings r.csv",
                                    dir.path());
  EXPECT_EQ(result.status, 1);
  EXPECT_TRUE(contains(result.err, "--ratings cannot be combined with --dataset")) << result.err;

  result = run_alphas("--data-dir '" + (dir / "d").string() + "' import --ratings r.csv",
                      dir.path());
  EXPECT_EQ(result.status, 1);
  EXPECT_TRUE(contains(result.err, "--scale is missing")) << result.err;

  result = run_alphas("import --help", dir.path());
  EXPECT_EQ(result.status, 0);
  EXPECT_TRUE(contains(result.out, "--skip-invalid")) << result.out;
}

TEST(ImportCommand, SummaryOfOneUserIsSingular) {
  TempDir dir;
  write_file(dir / "r.csv", "u1,i1,4\nu1,i2,3\n");
  const CommandResult result = run_alphas("--data-dir '" + (dir / "data").string() +
                                              "' import --ratings '" + (dir / "r.csv").string() +
                                              "' --scale 1,5",
                                          dir.path());
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "ratings            2 (1 user, 2 items)")) << result.out;
  EXPECT_TRUE(contains(result.out, "implicit pairs     2 (1 user, 2 items overall)")) << result.out;
}

TEST(ImportCommand, FailsWhileDataDirLocked) {
  TempDir dir;
  const fs::path data = dir / "data";
  const std::string ratings = case_file("04-header-and-malformed-rows", "ratings_header.csv").string();
  const std::string import = "--data-dir '" + data.string() + "' import --ratings '" + ratings +
                             "' --scale 1,5";
  {
    const DataDirLock run_lock(DataDir(data), "alphas run Held", DataDirLock::Mode::fail_if_held);
    const CommandResult result = run_alphas(import, dir.path());
    EXPECT_EQ(result.status, 1);
    EXPECT_TRUE(contains(result.err, "alphas: error: data directory " + data.string() +
                                         " is in use by pid " + std::to_string(::getpid()) +
                                         " (alphas run Held)"))
        << result.err;
    EXPECT_TRUE(contains(result.err, "rerun with --wait")) << result.err;
    EXPECT_FALSE(fs::exists(DataDir(data).dataset_file()));
  }
  const CommandResult released = run_alphas(import, dir.path());
  EXPECT_EQ(released.status, 0) << released.err;
  EXPECT_TRUE(DataDir(data).has_dataset());
}

TEST(ImportCommand, WaitQueuesBehindTheLock) {
  TempDir dir;
  const fs::path data = dir / "data";
  const std::string ratings = case_file("04-header-and-malformed-rows", "ratings_header.csv").string();
  auto run_lock = std::make_unique<DataDirLock>(DataDir(data), "alphas run Held",
                                                DataDirLock::Mode::fail_if_held);
  CommandResult result;
  std::thread import([&] {
    result = run_alphas("--data-dir '" + data.string() + "' import --wait --ratings '" + ratings +
                            "' --scale 1,5",
                        dir.path());
  });
  // The import of five rows takes milliseconds, so a dataset after half a
  // second means the import did not wait.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(fs::exists(DataDir(data).dataset_file()));
  run_lock.reset();
  import.join();
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_TRUE(DataDir(data).has_dataset());
}

}  // namespace
}  // namespace alphas
