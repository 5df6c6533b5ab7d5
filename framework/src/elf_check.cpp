#include "elf_check.hpp"

#include <elf.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <system_error>

#include "alphas/format_count.hpp"

namespace alphas::plugin_detail {
namespace {

namespace fs = std::filesystem;

// Only 64-bit files in this host's byte order are parsed; dlopen rejects
// the others from the header it reads.
constexpr bool kHostIs64Bit = sizeof(void*) == 8;
constexpr unsigned char kHostByteOrder =
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;

// Reads fixed-size records at given offsets of one file.
class FileReader {
 public:
  FileReader(const fs::path& file, uint64_t size) : in_(file, std::ios::binary), size_(size) {}

  bool is_open() const { return in_.is_open(); }
  uint64_t size() const { return size_; }

  // Reads sizeof(T) bytes at `offset` into `value`; false when the file
  // ends first.
  template <typename T>
  bool read(uint64_t offset, T& value) {
    if (offset > size_ || sizeof(T) > size_ - offset) return false;
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(reinterpret_cast<char*>(&value), sizeof(T));
    return in_.gcount() == static_cast<std::streamsize>(sizeof(T));
  }

 private:
  std::ifstream in_;
  uint64_t size_;
};

// Whether `count` entries of `entry_size` bytes from `offset` lie within
// `size` bytes, computed without overflow.
bool table_fits(uint64_t offset, uint64_t count, uint64_t entry_size, uint64_t size) {
  if (offset > size) return false;
  if (count == 0 || entry_size == 0) return true;
  return count <= (size - offset) / entry_size;
}

// Checks the entry size and the extent of a header table: `count` entries
// of `entry_size` bytes at `offset`, where the format fixes `expected_size`.
std::optional<std::string> check_table(const std::string& table, uint64_t offset, uint64_t count,
                                       uint64_t entry_size, uint64_t expected_size,
                                       uint64_t file_size) {
  if (entry_size != expected_size) {
    return table + " entries have " + format_count(entry_size, "byte") + " instead of " +
           std::to_string(expected_size);
  }
  if (!table_fits(offset, count, entry_size, file_size)) {
    return "the " + table + " table (" + format_count(count, "entry", "entries") + " of " +
           format_count(entry_size, "byte") + " at offset " + std::to_string(offset) +
           ") runs past the end of the file, which has " + format_count(file_size, "byte");
  }
  return std::nullopt;
}

// Section header 0 contains the real section count (sh_size) and program
// header count (sh_info) when they do not fit the 16-bit header fields.
std::optional<std::string> read_section_zero(FileReader& reader, const Elf64_Ehdr& header,
                                             Elf64_Shdr& section_zero) {
  if (header.e_shoff == 0 || !reader.read(header.e_shoff, section_zero)) {
    return "the section and program header counts are in section header 0, which is missing "
           "or runs past the end of the file (" +
           format_count(reader.size(), "byte") + ")";
  }
  return std::nullopt;
}

std::optional<std::string> check_section_headers(FileReader& reader, const Elf64_Ehdr& header) {
  if (header.e_shoff == 0) return std::nullopt;  // no section header table
  uint64_t count = header.e_shnum;
  if (count == 0) {
    Elf64_Shdr section_zero{};
    if (auto damage = read_section_zero(reader, header, section_zero)) return damage;
    count = section_zero.sh_size;
  }
  return check_table("section header", header.e_shoff, count, header.e_shentsize,
                     sizeof(Elf64_Shdr), reader.size());
}

std::optional<std::string> check_program_headers(FileReader& reader, const Elf64_Ehdr& header) {
  uint64_t count = header.e_phnum;
  if (count == PN_XNUM) {
    Elf64_Shdr section_zero{};
    if (auto damage = read_section_zero(reader, header, section_zero)) return damage;
    count = section_zero.sh_info;
  }
  if (count == 0) return std::nullopt;
  if (auto damage = check_table("program header", header.e_phoff, count, header.e_phentsize,
                                sizeof(Elf64_Phdr), reader.size())) {
    return damage;
  }

  for (uint64_t k = 0; k < count; ++k) {
    Elf64_Phdr segment{};
    if (!reader.read(header.e_phoff + k * header.e_phentsize, segment)) {
      return "program header " + std::to_string(k) + " cannot be read";
    }
    if (segment.p_type != PT_LOAD) continue;
    if (!table_fits(segment.p_offset, 1, segment.p_filesz, reader.size())) {
      return "PT_LOAD segment " + std::to_string(k) + " (" +
             format_count(segment.p_filesz, "byte") + " at offset " +
             std::to_string(segment.p_offset) + ") runs past the end of the file, which has " +
             format_count(reader.size(), "byte");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> find_elf_damage(const fs::path& file) {
  if (!kHostIs64Bit) return std::nullopt;
  std::error_code error;
  const uint64_t size = fs::file_size(file, error);
  if (error) return std::nullopt;  // dlopen reports a file it cannot open
  FileReader reader(file, size);
  if (!reader.is_open()) return std::nullopt;

  std::array<unsigned char, SELFMAG> magic{};
  if (!reader.read(0, magic) || std::memcmp(magic.data(), ELFMAG, SELFMAG) != 0) {
    return std::nullopt;
  }

  Elf64_Ehdr header{};
  if (!reader.read(0, header)) {
    return "the file has " + format_count(size, "byte") + ", fewer than the " +
           std::to_string(sizeof(Elf64_Ehdr)) + "-byte ELF header";
  }
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != kHostByteOrder) {
    return std::nullopt;
  }
  if (auto damage = check_section_headers(reader, header)) return damage;
  return check_program_headers(reader, header);
}

}  // namespace alphas::plugin_detail
