// Low-level reading of delimited text files (TSV, CSV, ';'-separated):
// lines, fields and strictly parsed numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace alphas {

// The lines of a text file held in memory. A UTF-8 byte order mark at the
// start is skipped, and a line may end in "\n" or "\r\n" (the "\r" is not
// part of the line).
class TextLines {
 public:
  explicit TextLines(std::string_view text);

  // Moves to the next line. Returns false at the end of the text. Line
  // numbers count from 1, as editors show them.
  bool next(std::string_view& line, int64_t& line_number);

 private:
  std::string_view text_;
  std::size_t position_ = 0;
  int64_t line_number_ = 0;
};

// Returns the delimiter of a file from its first line: the most frequent of
// tab, comma and semicolon (ties go to tab, then comma), or '\0' when the
// line contains none of them.
char detect_delimiter(std::string_view first_line);

// Returns a readable name of a delimiter for messages: "tab", "','", "';'".
std::string delimiter_name(char delimiter);

// Splits a line into fields at `delimiter`, replacing the contents of
// `fields`. Spaces around a field are removed. With ',' or ';' a field may
// be quoted as in RFC 4180: "a, b" is one field, and "" inside quotes is
// one quote character. A tab-separated line has no quoting. Returns false
// when a quoted field is not closed on the same line.
bool split_fields(std::string_view line, char delimiter, std::vector<std::string>& fields);

// Outcome of parsing a number from a text field.
enum class NumberStatus {
  ok,
  empty,         // the field is empty
  not_a_number,  // text that is not a complete decimal number ("three", "4,5")
  not_finite,    // "nan", "inf", "-inf", "infinity" in any letter case
  out_of_range,  // a decimal number outside the range of double ("1e400")
};

// Parses a decimal floating-point number that must fill the whole field.
// One leading '+' is accepted; hexadecimal is not. Sets `value` only when
// the result is NumberStatus::ok.
NumberStatus parse_number(std::string_view text, double& value);

// Returns true if `text` is a whole decimal integer that fits int64_t
// (optional leading '-'), and stores it in `value`.
bool parse_integer(std::string_view text, int64_t& value);

// True for the ASCII control characters: bytes 0x00 to 0x1F and 0x7F.
bool is_control_character(char c);

// Returns the code of a byte as text for messages, e.g. "0x00" for NUL.
std::string control_character_code(char c);

// Shortens text for an error message to its first `max_chars` bytes,
// marking the cut with "...", and never cutting a UTF-8 character in two.
// Shown as \xNN: control characters other than tab (so that a NUL byte
// cannot end the message early), bytes that are not valid UTF-8, and the
// byte order mark U+FEFF (invisible in a terminal).
std::string shorten_for_message(std::string_view text, std::size_t max_chars = 120);

// Returns the offset of the first byte of `text` that is not part of a
// valid UTF-8 sequence (the Unicode Standard, table 3-7: no overlong forms,
// no surrogates, nothing above U+10FFFF), or std::string_view::npos when all
// of `text` is valid UTF-8.
std::size_t find_invalid_utf8(std::string_view text);

// Returns why a whole file's `text` cannot be read as lines of UTF-8, or
// nullopt: a UTF-16 or UTF-32 byte order mark, many NUL bytes (UTF-16
// without a byte order mark), or line breaks that are mostly a lone "\r"
// (classic Mac OS), which would read as one long line. The reason names
// the fix.
std::optional<std::string> find_encoding_problem(std::string_view text);

}  // namespace alphas
