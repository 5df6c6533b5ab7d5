// Tests that PluginHost rejects damaged (cut or patched) copies of a test
// plugin before dlopen maps them. dlopen of a cut file can end the process
// with SIGBUS, so a missing check shows up as a crashed test binary.
#include <elf.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "alphas/error.hpp"
#include "alphas/plugin_host.hpp"
#include "support/temp_dir.hpp"

namespace alphas {
namespace {

namespace fs = std::filesystem;

const fs::path kGoodPlugin = fs::path(ALPHAS_TEST_PLUGIN_DIR) / "good" / "libtest_constant.so";

::testing::AssertionResult contains(const std::string& text, const std::string& fragment) {
  if (text.find(fragment) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << fragment << "' not found in: " << text;
}

// Reads a record of type T at `offset` of `file` with plain stream reads,
// independently of the host's checker.
template <typename T>
T read_record(const fs::path& file, uint64_t offset) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  T record{};
  in.read(reinterpret_cast<char*>(&record), sizeof(T));
  EXPECT_TRUE(in.good()) << "cannot read " << sizeof(T) << " bytes at " << offset << " of "
                         << file;
  return record;
}

template <typename T>
void write_record(const fs::path& file, uint64_t offset, const T& record) {
  std::fstream out(file, std::ios::binary | std::ios::in | std::ios::out);
  out.seekp(static_cast<std::streamoff>(offset));
  out.write(reinterpret_cast<const char*>(&record), sizeof(T));
  ASSERT_TRUE(out.good()) << "cannot patch " << file;
}

// Copies the good test plugin to `dir/name` and cuts it to `size` bytes.
fs::path cut_copy(const testing::TempDir& dir, const std::string& name, uint64_t size) {
  const fs::path copy = dir / name;
  fs::copy_file(kGoodPlugin, copy);
  fs::resize_file(copy, size);
  return copy;
}

// Returns the load problem message of the one damaged file in `directory`.
// Fails the test when the host skips no file or more than one.
std::string load_error(const fs::path& directory) {
  PluginHost host({directory}, LoadProblemLog::kSilent);
  if (host.load_problems().size() != 1) {
    ADD_FAILURE() << host.load_problems().size() << " files skipped in " << directory
                  << ", expected 1";
    return {};
  }
  return host.load_problems().front().message;
}

std::string damaged(const fs::path& file, const std::string& reason) {
  return "plugin " + file.string() + ": damaged ELF file (" + reason + "); rebuild or remove it";
}

TEST(PluginHostDamaged, WholeCopyLoads) {
  testing::TempDir dir;
  fs::copy_file(kGoodPlugin, dir / "whole.so");
  PluginHost host({dir.path()});
  ASSERT_EQ(host.plugins().size(), 1u);
  EXPECT_EQ(host.plugins().front().name, "test_constant");
}

TEST(PluginHostDamaged, HalfSizeCopyNamesSectionTable) {
  const uint64_t size = fs::file_size(kGoodPlugin);
  const auto header = read_record<Elf64_Ehdr>(kGoodPlugin, 0);
  // The linker puts the section header table at the end of the file, so
  // cutting the file in half cuts it off.
  ASSERT_GT(header.e_shoff + header.e_shnum * header.e_shentsize, size / 2);

  testing::TempDir dir;
  const fs::path copy = cut_copy(dir, "half.so", size / 2);
  const std::string reason = "the section header table (" + std::to_string(header.e_shnum) +
                             " entries of " + std::to_string(header.e_shentsize) +
                             " bytes at offset " + std::to_string(header.e_shoff) +
                             ") runs past the end of the file, which has " +
                             std::to_string(size / 2) + " bytes";
  EXPECT_EQ(load_error(dir.path()), damaged(copy, reason));
}

TEST(PluginHostDamaged, CutSegmentWithoutSectionTable) {
  // Without a section header table only the PT_LOAD check can find the cut.
  testing::TempDir dir;
  const fs::path copy = dir / "segment.so";
  fs::copy_file(kGoodPlugin, copy);
  auto header = read_record<Elf64_Ehdr>(copy, 0);
  header.e_shoff = 0;
  header.e_shnum = 0;
  header.e_shstrndx = SHN_UNDEF;
  write_record(copy, 0, header);

  uint64_t last_end = 0;
  for (uint64_t k = 0; k < header.e_phnum; ++k) {
    const auto segment = read_record<Elf64_Phdr>(copy, header.e_phoff + k * sizeof(Elf64_Phdr));
    if (segment.p_type == PT_LOAD) last_end = std::max(last_end, segment.p_offset + segment.p_filesz);
  }
  const uint64_t size = last_end - 1;
  fs::resize_file(copy, size);

  // The first PT_LOAD segment, in table order, whose bytes pass the end.
  std::string reason;
  for (uint64_t k = 0; k < header.e_phnum && reason.empty(); ++k) {
    const auto segment = read_record<Elf64_Phdr>(copy, header.e_phoff + k * sizeof(Elf64_Phdr));
    if (segment.p_type != PT_LOAD || segment.p_offset + segment.p_filesz <= size) continue;
    reason = "PT_LOAD segment " + std::to_string(k) + " (" + std::to_string(segment.p_filesz) +
             " bytes at offset " + std::to_string(segment.p_offset) +
             ") runs past the end of the file, which has " + std::to_string(size) + " bytes";
  }
  ASSERT_FALSE(reason.empty());
  EXPECT_EQ(load_error(dir.path()), damaged(copy, reason));
}

TEST(PluginHostDamaged, HeaderCutShort) {
  testing::TempDir dir;
  const fs::path copy = cut_copy(dir, "short.so", 40);
  EXPECT_EQ(load_error(dir.path()),
            damaged(copy, "the file has 40 bytes, fewer than the 64-byte ELF header"));
}

TEST(PluginHostDamaged, ProgramHeaderTableCut) {
  const auto header = read_record<Elf64_Ehdr>(kGoodPlugin, 0);
  ASSERT_GT(header.e_phnum, 1);
  testing::TempDir dir;
  // Cut inside the program header table, with no section table to find first.
  const uint64_t size = header.e_phoff + sizeof(Elf64_Phdr);
  const fs::path copy = cut_copy(dir, "phdr.so", size);
  auto patched = header;
  patched.e_shoff = 0;
  patched.e_shnum = 0;
  patched.e_shstrndx = SHN_UNDEF;
  write_record(copy, 0, patched);
  const std::string reason = "the program header table (" + std::to_string(header.e_phnum) +
                             " entries of 56 bytes at offset " + std::to_string(header.e_phoff) +
                             ") runs past the end of the file, which has " +
                             std::to_string(size) + " bytes";
  EXPECT_EQ(load_error(dir.path()), damaged(copy, reason));
}

TEST(PluginHostDamaged, CutCopyNextToGoodPlugin) {
  // Files load in sorted order: the cut copy is skipped without a crash and
  // the whole copy after it still loads.
  testing::TempDir dir;
  const fs::path cut = cut_copy(dir, "a_cut.so", fs::file_size(kGoodPlugin) / 3);
  fs::copy_file(kGoodPlugin, dir / "b_whole.so");
  PluginHost host({dir.path()}, LoadProblemLog::kSilent);
  ASSERT_EQ(host.plugins().size(), 1u);
  EXPECT_EQ(host.plugins().front().file, dir / "b_whole.so");
  ASSERT_EQ(host.load_problems().size(), 1u);
  EXPECT_EQ(host.load_problems().front().file, cut);
  EXPECT_TRUE(contains(host.load_problems().front().message,
                       "plugin " + cut.string() + ": damaged ELF file ("));
}

TEST(PluginHostDamaged, EmptyFileSkipped) {
  testing::TempDir dir;
  const fs::path empty = cut_copy(dir, "a_empty.so", 0);
  fs::copy_file(kGoodPlugin, dir / "b_whole.so");
  PluginHost host({dir.path()}, LoadProblemLog::kSilent);
  EXPECT_EQ(host.plugins().size(), 1u);
  ASSERT_EQ(host.load_problems().size(), 1u);
  // No ELF magic number, so the ELF check leaves the file to dlopen, which
  // reads the header with read(2) and rejects it without mapping it.
  EXPECT_TRUE(contains(host.load_problems().front().message,
                       "failed to load plugin " + empty.string() + ": "));
}

TEST(PluginHostDamaged, PluginsCommandReportsCutFile) {
  testing::TempDir dir;
  const fs::path cut = cut_copy(dir, "cut.so", fs::file_size(kGoodPlugin) / 2);
  fs::copy_file(kGoodPlugin, dir / "whole.so");
  const std::string command = "ALPHAS_PLUGIN_PATH='" + dir.path().string() + "' '" +
                              ALPHAS_BINARY + "' plugins >'" + (dir / "out").string() + "' 2>'" +
                              (dir / "err").string() + "'";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << "alphas plugins ended by a signal";
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream out(dir / "out");
  std::stringstream text;
  text << out.rdbuf();
  EXPECT_TRUE(contains(text.str(), (dir / "whole.so").string()));
  EXPECT_TRUE(contains(text.str(), "    plugin " + cut.string() + ": damaged ELF file ("));
  EXPECT_TRUE(contains(text.str(), "); rebuild or remove it"));
}

}  // namespace
}  // namespace alphas
