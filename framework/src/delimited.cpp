#include "alphas/delimited.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <system_error>

namespace alphas {

namespace {

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// True for the spellings of NaN and infinity that std::from_chars accepts,
// including a NaN with a payload such as "nan(0x1)".
bool is_non_finite_spelling(std::string_view text) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  if (text.size() > 3 && equals_ignoring_case(text.substr(0, 3), "nan") && text[3] == '(') {
    return true;
  }
  return equals_ignoring_case(text, "nan") || equals_ignoring_case(text, "inf") ||
         equals_ignoring_case(text, "infinity");
}

// Reads one quoted field that starts at line[begin] == '"'. Appends the
// unquoted text to `field` and returns the position after the closing
// quote, or std::string_view::npos if the quote is never closed.
std::size_t read_quoted(std::string_view line, std::size_t begin, std::string& field) {
  std::size_t i = begin + 1;
  while (i < line.size()) {
    if (line[i] != '"') {
      field.push_back(line[i]);
      ++i;
    } else if (i + 1 < line.size() && line[i + 1] == '"') {
      field.push_back('"');
      i += 2;
    } else {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::string escape_byte(char c) { return "\\x" + control_character_code(c).substr(2); }

// The length of the valid UTF-8 sequence that starts `text`, or 0 when it
// does not start with one. The ranges of the second byte follow table 3-7
// (Well-Formed UTF-8 Byte Sequences) of the Unicode Standard, which
// excludes overlong forms, surrogates and code points above U+10FFFF.
std::size_t utf8_sequence_length(std::string_view text) {
  const auto byte = [&text](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;

  std::size_t length = 0;
  unsigned char second_min = 0x80, second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // below: overlong
    if (lead == 0xED) second_max = 0x9F;  // above: surrogates U+D800..U+DFFF
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // below: overlong
    if (lead == 0xF4) second_max = 0x8F;  // above: beyond U+10FFFF
  } else {
    return 0;  // a continuation byte, C0, C1 or F5..FF
  }

  if (text.size() < length) return 0;
  if (byte(1) < second_min || byte(1) > second_max) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (!is_continuation_byte(text[k])) return 0;
  }
  return length;
}

constexpr const char* kIconvAdvice = "; convert it to UTF-8 (e.g. iconv -f ";

std::string convert_advice(const std::string& encoding) {
  return kIconvAdvice + encoding + " -t UTF-8 FILE > FILE.utf8)";
}

std::optional<std::string> find_byte_order_mark_problem(std::string_view text) {
  using namespace std::string_view_literals;
  // UTF-32 first: its little-endian mark starts with the UTF-16 one.
  if (text.substr(0, 4) == "\xFF\xFE\0\0"sv || text.substr(0, 4) == "\0\0\xFE\xFF"sv) {
    return "file is UTF-32 (byte order mark " + shorten_for_message(text.substr(0, 4)) + ")" +
           convert_advice("UTF-32");
  }
  if (text.substr(0, 2) == "\xFF\xFE"sv || text.substr(0, 2) == "\xFE\xFF"sv) {
    return "file is UTF-16 (byte order mark " + shorten_for_message(text.substr(0, 2)) + ")" +
           convert_advice("UTF-16");
  }
  return std::nullopt;
}

// UTF-16 text without a byte order mark: ASCII characters are one NUL byte
// and one ASCII byte each, so about half of the bytes are NUL. A UTF-8 text
// file contains no NUL byte, and a stray one is left to the row checks.
std::optional<std::string> find_nul_byte_problem(std::string_view text) {
  const std::string_view sample = text.substr(0, 4096);
  std::size_t even_nuls = 0, odd_nuls = 0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    if (sample[i] == '\0') ++(i % 2 == 0 ? even_nuls : odd_nuls);
  }
  const std::size_t nuls = even_nuls + odd_nuls;
  if (nuls < 2 || nuls * 4 < sample.size()) return std::nullopt;
  // "A\0" is little-endian 'A', "\0A" big-endian.
  const std::string encoding = odd_nuls >= even_nuls ? "UTF-16LE" : "UTF-16BE";
  return "file is UTF-16 (" + std::to_string(nuls) + " of its first " +
         std::to_string(sample.size()) + " bytes are NUL, as in " + encoding +
         " without a byte order mark)" + convert_advice(encoding);
}

std::optional<std::string> find_line_ending_problem(std::string_view text) {
  std::size_t line_feeds = 0, lone_returns = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') ++line_feeds;
    // A final "\r" ends the last line and splits nothing.
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] != '\n') ++lone_returns;
  }
  if (lone_returns == 0 || lone_returns <= line_feeds) return std::nullopt;
  return "file has CR-only line endings (classic Mac OS): " + std::to_string(lone_returns) +
         " line breaks are a lone \\r and " + std::to_string(line_feeds) +
         " are \\n, so its rows would read as one line; convert the line endings to \\n "
         "(e.g. tr '\\r' '\\n' < FILE > FILE.unix)";
}

}  // namespace

TextLines::TextLines(std::string_view text) : text_(text) {
  if (text_.substr(0, kUtf8ByteOrderMark.size()) == kUtf8ByteOrderMark) {
    position_ = kUtf8ByteOrderMark.size();
  }
}

bool TextLines::next(std::string_view& line, int64_t& line_number) {
  if (position_ >= text_.size()) return false;
  std::size_t end = text_.find('\n', position_);
  if (end == std::string_view::npos) end = text_.size();
  line = text_.substr(position_, end - position_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  position_ = end + 1;
  line_number = ++line_number_;
  return true;
}

char detect_delimiter(std::string_view first_line) {
  // Candidates in tie-break order; characters inside double quotes do not count.
  constexpr std::array<char, 3> kCandidates = {'\t', ',', ';'};
  std::array<std::size_t, 3> counts = {0, 0, 0};
  bool quoted = false;
  for (char c : first_line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    for (std::size_t k = 0; k < kCandidates.size(); ++k) {
      if (c == kCandidates[k]) ++counts[k];
    }
  }
  std::size_t best = 0;
  for (std::size_t k = 1; k < kCandidates.size(); ++k) {
    if (counts[k] > counts[best]) best = k;
  }
  return counts[best] == 0 ? '\0' : kCandidates[best];
}

std::string delimiter_name(char delimiter) {
  if (delimiter == '\t') return "tab";
  return std::string("'") + delimiter + "'";
}

bool split_fields(std::string_view line, char delimiter, std::vector<std::string>& fields) {
  const bool quoting = delimiter != '\t';
  std::size_t count = 0;
  std::size_t position = 0;
  while (true) {
    if (fields.size() <= count) fields.emplace_back();
    std::string& field = fields[count++];
    field.clear();

    std::size_t end = line.find(delimiter, position);
    if (end == std::string_view::npos) end = line.size();
    std::string_view raw = line.substr(position, end - position);
    std::string_view trimmed = trim_spaces(raw);

    if (quoting && !trimmed.empty() && trimmed.front() == '"') {
      // A quoted field may contain the delimiter, so it ends at its closing
      // quote, not at the next delimiter found above.
      std::size_t open = position + static_cast<std::size_t>(trimmed.data() - raw.data());
      std::size_t after = read_quoted(line, open, field);
      if (after == std::string_view::npos) {
        fields.resize(count);
        return false;
      }
      // Text between the closing quote and the delimiter is kept, as
      // spreadsheet programs do ("a"b -> ab).
      end = line.find(delimiter, after);
      if (end == std::string_view::npos) end = line.size();
      field.append(trim_spaces(line.substr(after, end - after)));
    } else {
      field.assign(trimmed);
    }

    if (end >= line.size()) break;
    position = end + 1;
  }
  fields.resize(count);
  return true;
}

NumberStatus parse_number(std::string_view text, double& value) {
  if (text.empty()) return NumberStatus::empty;
  std::string_view digits = text;
  if (digits.front() == '+') {
    digits.remove_prefix(1);
    if (digits.empty() || digits.front() == '-' || digits.front() == '+') {
      return NumberStatus::not_a_number;
    }
  }
  if (is_non_finite_spelling(digits)) return NumberStatus::not_finite;

  double parsed = 0.0;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  std::from_chars_result result = std::from_chars(first, last, parsed, std::chars_format::general);
  if (result.ec == std::errc::invalid_argument || result.ptr != last) {
    return NumberStatus::not_a_number;
  }
  if (result.ec == std::errc::result_out_of_range) return NumberStatus::out_of_range;
  if (!std::isfinite(parsed)) return NumberStatus::not_finite;
  value = parsed;
  return NumberStatus::ok;
}

bool parse_integer(std::string_view text, int64_t& value) {
  if (text.empty()) return false;
  int64_t parsed = 0;
  const char* last = text.data() + text.size();
  std::from_chars_result result = std::from_chars(text.data(), last, parsed);
  if (result.ec != std::errc() || result.ptr != last) return false;
  value = parsed;
  return true;
}

bool is_control_character(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

std::string control_character_code(char c) {
  static const char kDigits[] = "0123456789ABCDEF";
  const auto byte = static_cast<unsigned char>(c);
  return std::string("0x") + kDigits[byte >> 4] + kDigits[byte & 0xF];
}

std::string shorten_for_message(std::string_view text, std::size_t max_chars) {
  std::size_t end = std::min(max_chars, text.size());
  // Step back over at most 3 continuation bytes to the start of a character.
  for (int step = 0; step < 3 && end > 0 && end < text.size() && is_continuation_byte(text[end]);
       ++step) {
    --end;
  }

  std::string message_text;
  const std::string_view shown = text.substr(0, end);
  std::size_t i = 0;
  while (i < shown.size()) {
    const char c = shown[i];
    const std::size_t length = utf8_sequence_length(shown.substr(i));
    const bool visible = length > 1 ? shown.substr(i, length) != kUtf8ByteOrderMark
                                    : length == 1 && (!is_control_character(c) || c == '\t');
    if (!visible) {
      // An invalid byte is escaped alone, so the next one is examined anew.
      const std::size_t escaped = length == 0 ? 1 : length;
      for (std::size_t k = 0; k < escaped; ++k) message_text += escape_byte(shown[i + k]);
      i += escaped;
      continue;
    }
    message_text.append(shown.substr(i, length));
    i += length;
  }
  if (end < text.size()) message_text += "...";
  return message_text;
}

std::size_t find_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = utf8_sequence_length(text.substr(i));
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

std::optional<std::string> find_encoding_problem(std::string_view text) {
  if (auto problem = find_byte_order_mark_problem(text)) return problem;
  if (auto problem = find_nul_byte_problem(text)) return problem;
  return find_line_ending_problem(text);
}

}  // namespace alphas
