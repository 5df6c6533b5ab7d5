// A check that a shared library file is a whole ELF file, made before
// dlopen maps it (not installed).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace alphas::plugin_detail {

// Returns why `file` is a damaged ELF file, or nullopt when it is whole.
//
// dlopen maps the segments of a library with mmap, so a segment that ends
// past the end of a cut file is mapped anyway and the process gets SIGBUS
// when the loader touches it. This check rejects such a file first: the ELF
// header must be complete, and the program header table, the section
// header table and every PT_LOAD segment's file bytes must lie within the
// file.
//
// A file that cannot be opened, one without the ELF magic number, and one
// of another ELF class or byte order than this host also return nullopt.
// dlopen reads the header with read(2), not mmap, so it rejects such a
// file safely and with its own message.
std::optional<std::string> find_elf_damage(const std::filesystem::path& file);

}  // namespace alphas::plugin_detail
